/**
 * Saving DOCKER_AUTH_CONFIG as a CI/CD variable: merge the new entries into what is there (never silently dropping
 * one), say which registries are added, changed and kept, and upsert with GitLab's documented algorithm
 * (GET with `filter[environment_scope]`, then POST or PUT). Plans carry registry keys, never values.
 */
import { AuthConfigError, mergeAuthConfig } from '../auth/build';
import { decodeAuthValue } from '../auth/base64';
import { parseAuthConfig } from '../auth/parse';
import type { CredentialInput } from '../auth/schemas';
import { registryKeyPath } from '../registry/imageRef';
import type { GitLabApi, VariableFields, VariableOwner } from './api';
import { GitLabApiError } from './errors';
import type { GitLabVariable } from './schemas';

export interface AuthConfigWritePlan {
  /** The minified value to save. */
  readonly value: string;
  /** What is in GitLab now: nothing, a readable valid config, a hidden one (unreadable) or a broken one. */
  readonly existing: 'none' | 'valid' | 'hidden' | 'broken';
  /** For `broken`: why the runner ignores the current value (never quotes it). */
  readonly existingProblem?: string;
  /** Registry keys new to the variable. */
  readonly added: readonly string[];
  /** Registry keys whose credential is replaced. */
  readonly changed: readonly string[];
  /** Registry keys whose credential stays as it is (untouched, or identical). */
  readonly kept: readonly string[];
  /** Keys a hidden or broken value may hold that the save replaces without being able to list them. */
  readonly replacesUnreadable: boolean;
  /** Whether GitLab's masked rule for raw variables (≥ 8 characters, no whitespace) accepts the value. */
  readonly maskable: boolean;
}

/**
 * Plans writing `newJson` (a DOCKER_AUTH_CONFIG with `auths` entries of the form `{"auth": base64(user:secret)}`,
 * optionally `credHelpers`) over the current value: `undefined` when there is no variable, `null` when it is hidden.
 * Throws AuthConfigError when `newJson` itself is not usable.
 */
export function planAuthConfigWrite(existingValue: string | null | undefined, newJson: string): AuthConfigWritePlan {
  const incoming = readIncoming(newJson);
  const incomingPaths = new Map(incoming.entries.map((entry) => [registryKeyPath(entry.key), entry]));

  if (existingValue === undefined || existingValue === null || !parseAuthConfig(existingValue).ok) {
    const existing = existingValue === undefined ? 'none' : existingValue === null ? 'hidden' : 'broken';
    const parsed = existingValue ? parseAuthConfig(existingValue) : undefined;
    const value = mergeEntries('{}', incoming);
    return {
      value,
      existing,
      ...(parsed && !parsed.ok ? { existingProblem: parsed.problems.map((problem) => problem.message).join(' ') } : {}),
      added: incoming.entries.map((entry) => entry.key),
      changed: [],
      kept: [],
      replacesUnreadable: existing !== 'none',
      maskable: canMaskRawValue(value),
    };
  }

  const current = existingEntries(existingValue);
  const added: string[] = [];
  const changed: string[] = [];
  const kept: string[] = [];
  for (const [path, entry] of incomingPaths) {
    const before = current.get(path);
    if (!before) added.push(entry.key);
    else if (before.fingerprint === entry.fingerprint) kept.push(entry.key);
    else changed.push(entry.key);
  }
  for (const [path, entry] of current) if (!incomingPaths.has(path)) kept.push(entry.key);
  const value = mergeEntries(existingValue, incoming);
  return { value, existing: 'valid', added, changed, kept: kept.sort(), replacesUnreadable: false, maskable: canMaskRawValue(value) };
}

/** GitLab's rule for a masked variable with expansion off (`MASK_AND_RAW_REGEX`): at least 8 characters, no whitespace. */
export function canMaskRawValue(value: string): boolean {
  return /^\S{8,}$/.test(value);
}

export interface WriteOutcome {
  readonly action: 'created' | 'updated';
  /** False when GitLab refused masking (older instances without the raw rule) and the variable was saved unmasked. */
  readonly masked: boolean;
}

/**
 * Creates or updates `key` at `owner` for `fields.environment_scope`. `existing` is the result of
 * `api.variable(owner, key, scope)` just before: absent → POST, present → PUT with the scope filter.
 * When GitLab refuses the masked value (400 `value is invalid`), saves it unmasked and says so in the outcome;
 * a hidden variable stays masked (GitLab requires it).
 */
export async function writeVariable(
  api: GitLabApi,
  owner: VariableOwner,
  key: string,
  fields: VariableFields,
  existing: GitLabVariable | undefined,
): Promise<WriteOutcome> {
  const masked = existing?.hidden ? true : fields.masked;
  const save = (withMask: boolean) =>
    existing
      ? api.updateVariable(owner, key, fields.environment_scope, { ...fields, masked: withMask })
      : api.createVariable(owner, key, { ...fields, masked: withMask });
  try {
    await save(masked);
    return { action: existing ? 'updated' : 'created', masked };
  } catch (error) {
    const maskRefused = GitLabApiError.is(error, 'validation') && /\bvalue\b.*invalid/i.test(error.detail ?? '');
    if (!masked || existing?.hidden || !maskRefused) throw error;
    await save(false);
    return { action: existing ? 'updated' : 'created', masked: false };
  }
}

interface IncomingEntry {
  readonly key: string;
  /** Compares credentials without keeping them readable: the raw JSON of the entry. */
  readonly fingerprint: string;
  readonly credential?: CredentialInput;
  readonly helper?: string;
}

function readIncoming(newJson: string): { entries: IncomingEntry[] } {
  const parsed = parseAuthConfig(newJson);
  if (!parsed.ok) throw new AuthConfigError('invalid-input', parsed.problems.map((problem) => problem.message).join(' '));
  const json = JSON.parse(newJson) as { auths?: Record<string, { auth?: string }>; credHelpers?: Record<string, string> };
  const entries: IncomingEntry[] = [];
  for (const [key, entry] of Object.entries(json.auths ?? {})) {
    const decoded = typeof entry?.auth === 'string' ? decodeAuthValue(entry.auth) : undefined;
    if (!decoded?.ok) throw new AuthConfigError('invalid-input', `The new entry for ${key} has no "auth" of the form base64(user:token).`);
    entries.push({ key, fingerprint: JSON.stringify(entry), credential: { registry: key, username: decoded.username, secret: decoded.secret } });
  }
  for (const [key, helper] of Object.entries(json.credHelpers ?? {})) entries.push({ key, fingerprint: JSON.stringify(helper), helper });
  return { entries };
}

function existingEntries(text: string): Map<string, { key: string; fingerprint: string }> {
  const json = JSON.parse(text) as { auths?: Record<string, unknown>; credHelpers?: Record<string, unknown> };
  const entries = new Map<string, { key: string; fingerprint: string }>();
  for (const [key, entry] of Object.entries(json.auths ?? {})) entries.set(registryKeyPath(key), { key, fingerprint: JSON.stringify(entry) });
  for (const [key, helper] of Object.entries(json.credHelpers ?? {})) entries.set(registryKeyPath(key), { key, fingerprint: JSON.stringify(helper) });
  return entries;
}

function mergeEntries(existingText: string, incoming: { entries: IncomingEntry[] }): string {
  const credentials = incoming.entries.flatMap((entry) => (entry.credential ? [entry.credential] : []));
  let merged = mergeAuthConfig(existingText, credentials);
  const helpers = incoming.entries.filter((entry) => entry.helper !== undefined);
  if (helpers.length) {
    // mergeAuthConfig handles `auths`; a credHelpers entry replaces any helper with the same lookup path.
    const json = JSON.parse(merged) as { credHelpers?: Record<string, string> };
    const paths = new Set(helpers.map((entry) => registryKeyPath(entry.key)));
    const kept = Object.entries(json.credHelpers ?? {}).filter(([key]) => !paths.has(registryKeyPath(key)));
    json.credHelpers = Object.fromEntries([...kept, ...helpers.map((entry) => [entry.key, entry.helper!] as const)]);
    merged = JSON.stringify(json);
  }
  return merged;
}
