/** The zod schemas of one credential the wizard or the CLI takes in, and of the DOCKER_AUTH_CONFIG built from them. */
import * as z from '../zod';
import { dockerDomainRegexp, dockerRepositoryPathRegexp } from '../registry/imageRef';
import { trimTrailing } from '../text';

export function splitRegistryInput(registry: string): { host: string; path: string } {
  const withoutScheme = registry.replace(/^https?:\/\//i, '');
  const trimmed = trimTrailing(withoutScheme, '/');
  const slash = trimmed.indexOf('/');
  return slash === -1 ? { host: trimmed, path: '' } : { host: trimmed.slice(0, slash), path: trimmed.slice(slash + 1) };
}

function validPort(host: string): boolean {
  const port = /:([0-9]+)$/.exec(host)?.[1];
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}

/** A registry as `host[:port]`, optionally with an `http(s)://` scheme and a `/group` path. */
export const registryHostSchema = z.string().check(
  z.minLength(1, 'Enter the registry, e.g. registry.example.com or registry.example.com:5050 (the value of $CI_REGISTRY).'),
  z.refine((value) => !/\s/.test(value), 'The registry must not contain spaces.'),
  z.refine((value) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^https?:\/\//i.test(value), 'Use host[:port] without a scheme (or http:// / https://).'),
  z.refine((value) => {
    const { host } = splitRegistryInput(value);
    return dockerDomainRegexp.test(host) && validPort(host);
  }, 'Enter the registry as host[:port], e.g. registry.example.com:5050; the port must be 1-65535 and match the one in your image names.'),
  z.refine((value) => {
    const { path } = splitRegistryInput(value);
    return path === '' || dockerRepositoryPathRegexp.test(path);
  }, 'A path after the host must be a lowercase repository path such as my-group/my-project.'),
);

export const usernameSchema = z.string().check(
  z.minLength(
    1,
    'Enter the username (for a GitLab deploy token: its username, e.g. gitlab+deploy-token-1; for a personal or project access token: any non-empty name).',
  ),
  z.refine((value) => !value.includes(':'), 'The username must not contain ":" (the registry reads everything before the first ":" as the username).'),
  z.refine((value) => !/\s/.test(value), 'The username must not contain spaces or line breaks.'),
);

export const secretSchema = z.string().check(
  z.minLength(1, 'Enter the token or password.'),
  z.refine((value) => !/[\r\n]/.test(value), 'The token must not contain line breaks; copy it again without the trailing newline.'),
  z.refine((value) => !/\s/.test(value), 'The token must not contain spaces or tabs; copy it again without surrounding whitespace.'),
);

/** Zod schemas for one credential the wizard or the CLI takes in. */
export const credentialInputSchema = z.object({ registry: registryHostSchema, username: usernameSchema, secret: secretSchema });

/** The exact shape `buildAuthConfig` produces, which both the runner and Docker CLI ≥ 28.3 accept. */
export const authConfigSchema = z.strictObject({
  auths: z.record(z.string(), z.strictObject({ auth: z.string().check(z.regex(/^[A-Za-z0-9+/]*={0,2}$/)) })),
});

export interface CredentialInput {
  readonly registry: string;
  readonly username: string;
  readonly secret: string;
}

/** null when the credential can be written; otherwise one message saying how to fix it (never quoting the secret). */
export function validateCredentialInput(input: CredentialInput): string | null {
  const result = credentialInputSchema.safeParse(input);
  return result.success ? null : (result.error.issues[0]?.message ?? 'Invalid credential.');
}
