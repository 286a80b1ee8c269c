/**
 * The credentials inside a DOCKER_AUTH_CONFIG, decoded for import into SecretStorage. The structural validation
 * with positions is `parseAuthConfig`'s job; this only extracts what it deliberately does not return: the user and
 * secret of each `auths` entry, decoded as GitLab Runner / docker do (`auth` = base64 of `user:secret`, standard
 * alphabet with padding, overriding `username`/`password`), and the `credHelpers` entries.
 */
import { decodeAuthValue } from './base64';

export interface DecodedAuthEntry {
  /** The key exactly as written. */
  readonly key: string;
  readonly username: string;
  /** Contains a secret: never log or show it. */
  readonly secret: string;
}

export interface DecodedHelperEntry {
  readonly key: string;
  readonly helper: string;
}

export interface DecodedAuthConfig {
  readonly auths: readonly DecodedAuthEntry[];
  readonly helpers: readonly DecodedHelperEntry[];
  /** Entries that carry nothing importable (no credentials, identity tokens), with why. Never contains a secret. */
  readonly skipped: ReadonlyArray<{ readonly key: string; readonly reason: string }>;
}

/**
 * Decodes the entries of a DOCKER_AUTH_CONFIG text. Returns undefined when the text is not a JSON object; an entry
 * whose `auth` does not decode is listed in `skipped` (without its value). Field names match case-insensitively, as
 * Go's encoding/json does.
 */
export function decodeAuthEntries(text: string): DecodedAuthConfig | undefined {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(root)) return undefined;
  const auths: DecodedAuthEntry[] = [];
  const helpers: DecodedHelperEntry[] = [];
  const skipped: Array<{ key: string; reason: string }> = [];

  const authMap = field(root, 'auths');
  if (isObject(authMap)) {
    for (const [key, entry] of Object.entries(authMap)) {
      if (!isObject(entry)) {
        skipped.push({ key, reason: 'the entry is not an object' });
        continue;
      }
      const decoded = decodeEntry(entry);
      if (typeof decoded === 'string') skipped.push({ key, reason: decoded });
      else auths.push({ key, ...decoded });
    }
  }
  const helperMap = field(root, 'credHelpers');
  if (isObject(helperMap)) {
    for (const [key, helper] of Object.entries(helperMap)) {
      if (typeof helper === 'string' && helper !== '') helpers.push({ key, helper });
      else skipped.push({ key, reason: 'the credential helper name is not a non-empty string' });
    }
  }
  return { auths, helpers, skipped };
}

/** The user and secret of one `auths` entry, or why there is none. */
function decodeEntry(entry: Record<string, unknown>): { username: string; secret: string } | string {
  const auth = field(entry, 'auth');
  if (typeof auth === 'string' && auth !== '') {
    const decoded = decodeAuthValue(auth);
    // A secret that is not UTF-8 text cannot be stored and typed back as it was.
    if ((!decoded.ok && decoded.problem === 'base64') || (decoded.ok && !decoded.utf8)) return 'auth is not valid base64 (standard alphabet, with padding)';
    if (!decoded.ok) return 'auth does not decode to user:secret with a non-empty user';
    return { username: decoded.username, secret: decoded.secret };
  }
  const username = field(entry, 'username');
  const password = field(entry, 'password');
  if (typeof username === 'string' && username !== '' && typeof password === 'string' && password !== '') return { username, secret: password };
  if (typeof field(entry, 'identitytoken') === 'string') return 'identity tokens cannot be imported';
  return 'the entry has no credentials';
}

/** A property looked up case-insensitively, exact spelling first. */
function field(object: Record<string, unknown>, name: string): unknown {
  if (name in object) return object[name];
  const lower = name.toLowerCase();
  const match = Object.keys(object).find((key) => key.toLowerCase() === lower);
  return match === undefined ? undefined : object[match];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
