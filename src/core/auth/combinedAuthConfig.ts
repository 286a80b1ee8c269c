/**
 * The DOCKER_AUTH_CONFIG for a set of stored credentials: `auths` from `buildAuthConfig` (minified, keys in byte
 * order) plus a `credHelpers` object for helper entries such as ECR's `ecr-login`, still on one line.
 */
import { compareByteOrder } from '../registry/credentialLookup';
import { buildAuthConfig } from './build';
import type { CredentialInput } from './schemas';

export interface HelperInput {
  /** The `credHelpers` key (`host[:port]`). */
  readonly key: string;
  /** The helper name without `docker-credential-`. */
  readonly helper: string;
}

/**
 * Minified DOCKER_AUTH_CONFIG. Throws `AuthConfigError` for an invalid token entry (as `buildAuthConfig` does).
 * `credHelpers` is only added when there are helpers, keeping the plain `{"auths":…}` shape Docker CLI ≥ 28.3 accepts.
 */
export function combinedAuthConfig(tokens: readonly CredentialInput[], helpers: readonly HelperInput[] = []): string {
  const auths = buildAuthConfig(tokens);
  if (helpers.length === 0) return auths;
  const credHelpers: Record<string, string> = {};
  for (const { key, helper } of [...helpers].sort((a, b) => compareByteOrder(a.key, b.key))) credHelpers[key] = helper;
  return `${auths.slice(0, -1)},"credHelpers":${JSON.stringify(credHelpers)}}`;
}
