/**
 * DOCKER_AUTH_CONFIG (a Docker `config.json`): read it as GitLab Runner and Docker do, and build or merge one.
 * Parsing never keeps a password, token or `auth` value, and no message quotes one.
 */
import * as z from './zod';
import { dockerDomainRegexp, dockerRepositoryPathRegexp, registryKeyPath } from './registry/imageRef';
import { compareByteOrder } from './registry/credentialLookup';
import { LineIndex } from './lineIndex';
import type { CredentialKey, CredentialSource, CredentialSourceKind } from './types';
import { trimBoth, trimTrailing } from './text';

export interface AuthEntry {
  /** The `auths` key exactly as written. */
  readonly key: string;
  /** The username (decoded from `auth` when that is used); '' when unknown or absent. */
  readonly username: string;
  readonly hasSecret: boolean;
  readonly kind: 'auth' | 'username-password' | 'empty' | 'identitytoken';
}

export interface ParsedAuthConfig {
  readonly auths: readonly AuthEntry[];
  readonly credHelpers: readonly { readonly key: string; readonly helper: string }[];
  readonly credsStore: string | null;
}

export interface AuthConfigProblem {
  /** The `auths`/`credHelpers` key concerned, null for the whole config. */
  readonly entry: string | null;
  /** The field concerned (`auth`, `username`, `password`, `credHelpers`, `credsStore`...), null for the whole entry or config. */
  readonly field: string | null;
  /** Which entry, why, and how to fix it. Never quotes a secret. */
  readonly message: string;
  /** Character offset into the parsed text of the offending JSON token (a string's opening quote), when known. */
  readonly offset: number | null;
  /** Length of that token, when known. */
  readonly length?: number | null;
  /** 'error' when pulls fail because of it (source dropped, or credentials sent that cannot work); otherwise 'warning'. */
  readonly severity?: 'error' | 'warning';
}

export type AuthConfigParseResult =
  | { readonly ok: true; readonly config: ParsedAuthConfig; readonly warnings: readonly AuthConfigProblem[] }
  | {
      readonly ok: false;
      readonly problems: readonly AuthConfigProblem[];
      /** A helper name with a path separator: the runner aborts the whole lookup (the image pull fails), not just this source. */
      readonly abortsResolution: boolean;
    };

/** Why building or merging failed. Carries a reason, never a secret. */
export class AuthConfigError extends Error {
  constructor(
    readonly reason: 'invalid-json' | 'not-an-object' | 'invalid-auths' | 'invalid-input',
    message: string,
  ) {
    super(message);
    this.name = 'AuthConfigError';
  }

  static is(error: unknown, reason?: AuthConfigError['reason']): error is AuthConfigError {
    return error instanceof AuthConfigError && (reason === undefined || error.reason === reason);
  }
}

// ───────────────────────────── JSON with positions ─────────────────────────────
// Go's encoding/json semantics matter (case-insensitive fields, first value only), and so do offsets: JSON.parse gives neither.

type JsonNode =
  | { readonly kind: 'object'; readonly start: number; readonly end: number; readonly members: readonly JsonMember[] }
  | { readonly kind: 'array'; readonly start: number; readonly end: number; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly start: number; readonly end: number; readonly value: string }
  | { readonly kind: 'number' | 'boolean' | 'null'; readonly start: number; readonly end: number; readonly raw: string };

interface JsonMember {
  readonly key: string;
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly value: JsonNode;
}

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
    /** Object keys leading to where the error is, to explain a line break inside an `auth` value. */
    readonly keyPath: readonly string[],
  ) {
    super(reason);
  }
}

const punctuation = new Set(['{', '}', '[', ']', ':', ',', '"']);

class JsonReader {
  private position = 0;
  private readonly keyPath: string[] = [];
  private depth = 0;

  constructor(private readonly text: string) {}

  /** Reads the first JSON value, as Go's `json.Decoder.Decode` does; `end` is where it stops. */
  readFirstValue(): { value: JsonNode | null; end: number } {
    this.skipWhitespace();
    if (this.position >= this.text.length) return { value: null, end: this.position };
    const value = this.readValue();
    return { value, end: this.position };
  }

  private fail(reason: string, offset = this.position): never {
    throw new JsonSyntaxError(offset, reason, [...this.keyPath]);
  }

  private unexpected(): never {
    if (this.position >= this.text.length) this.fail('unexpected end of text (a closing bracket or quote is missing)');
    const char = this.text[this.position]!;
    this.fail(punctuation.has(char) ? `unexpected '${char}'` : 'unexpected character');
  }

  private skipWhitespace(): void {
    while (this.position < this.text.length && ' \t\n\r'.includes(this.text[this.position]!)) this.position++;
  }

  private readValue(): JsonNode {
    // A real config nests 3 levels; refusing absurd depth keeps the recursion within any stack (Go allows 10000).
    if (++this.depth > 500) this.fail('nesting deeper than 500 levels');
    try {
      return this.readValueAt();
    } finally {
      this.depth--;
    }
  }

  private readValueAt(): JsonNode {
    this.skipWhitespace();
    const char = this.text[this.position];
    if (char === '{') return this.readObject();
    if (char === '[') return this.readArray();
    if (char === '"') return this.readString();
    const start = this.position;
    const literal = /^(?:true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)/.exec(this.text.slice(start, start + 400));
    if (!literal) this.unexpected();
    this.position += literal[0].length;
    const raw = literal[0];
    const kind = raw === 'null' ? 'null' : raw === 'true' || raw === 'false' ? 'boolean' : 'number';
    return { kind, start, end: this.position, raw };
  }

  private readObject(): JsonNode {
    const start = this.position++;
    const members: JsonMember[] = [];
    this.skipWhitespace();
    if (this.text[this.position] === '}') {
      this.position++;
      return { kind: 'object', start, end: this.position, members };
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.position] !== '"') this.unexpected();
      const key = this.readString();
      this.skipWhitespace();
      if (this.text[this.position] !== ':') this.unexpected();
      this.position++;
      this.keyPath.push(key.value);
      const value = this.readValue();
      this.keyPath.pop();
      members.push({ key: key.value, keyStart: key.start, keyEnd: key.end, value });
      this.skipWhitespace();
      const next = this.text[this.position];
      if (next === ',') {
        this.position++;
        continue;
      }
      if (next === '}') {
        this.position++;
        return { kind: 'object', start, end: this.position, members };
      }
      this.unexpected();
    }
  }

  private readArray(): JsonNode {
    const start = this.position++;
    const items: JsonNode[] = [];
    this.skipWhitespace();
    if (this.text[this.position] === ']') {
      this.position++;
      return { kind: 'array', start, end: this.position, items };
    }
    for (;;) {
      items.push(this.readValue());
      this.skipWhitespace();
      const next = this.text[this.position];
      if (next === ',') {
        this.position++;
        continue;
      }
      if (next === ']') {
        this.position++;
        return { kind: 'array', start, end: this.position, items };
      }
      this.unexpected();
    }
  }

  private readString(): { kind: 'string'; start: number; end: number; value: string } {
    const start = this.position++;
    let value = '';
    for (;;) {
      if (this.position >= this.text.length) this.fail('a string is not closed (missing \'"\')', start);
      const char = this.text[this.position]!;
      const code = char.charCodeAt(0);
      if (char === '"') {
        this.position++;
        return { kind: 'string', start, end: this.position, value };
      }
      if (code < 0x20) {
        this.fail(char === '\n' || char === '\r' ? 'a line break inside a string' : 'a control character inside a string');
      }
      if (char !== '\\') {
        value += char;
        this.position++;
        continue;
      }
      const escape = this.text[this.position + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (escape !== undefined && escape in simple) {
        value += simple[escape];
        this.position += 2;
      } else if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.position + 2, this.position + 6))) {
        value += String.fromCharCode(parseInt(this.text.slice(this.position + 2, this.position + 6), 16));
        this.position += 6;
      } else {
        this.fail('an invalid escape sequence inside a string');
      }
    }
  }
}

/** Members whose name matches `field` as Go's encoding/json does (case-insensitively), in document order. */
function membersFolded(node: JsonNode & { kind: 'object' }, field: string): JsonMember[] {
  const folded = field.toLowerCase();
  return node.members.filter((member) => member.key.toLowerCase() === folded);
}

function describeJsonError(text: string, error: JsonSyntaxError, what: string, consequence = ' The runner ignores every credential in it.'): AuthConfigProblem {
  const position = new LineIndex(text).positionAt(error.offset);
  const insideAuth = error.keyPath.length > 0 && error.keyPath[error.keyPath.length - 1]!.toLowerCase() === 'auth';
  const hint =
    insideAuth && error.reason.startsWith('a line break')
      ? ' The "auth" value is wrapped over several lines (GNU base64 wraps at 76 columns): encode it with `base64 -w 0` or `openssl base64 -A`.'
      : '';
  const [top, entry, field] = error.keyPath;
  const inEntry = top?.toLowerCase() === 'auths' && entry !== undefined;
  return {
    entry: inEntry ? entry : null,
    field: inEntry ? (field ?? null) : null,
    message: `${what} is not valid JSON: ${error.reason} at line ${position.line + 1}, column ${position.character + 1}.${hint}${consequence}`,
    offset: error.offset,
    length: 1,
    severity: 'error',
  };
}

// ───────────────────────────── base64 (StdEncoding) ─────────────────────────────

const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function encodeBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1], bytes[i + 2]];
    out += base64Alphabet[a >> 2]! + base64Alphabet[((a & 3) << 4) | ((b ?? 0) >> 4)]!;
    out += b === undefined ? '=' : base64Alphabet[((b & 15) << 2) | ((c ?? 0) >> 6)]!;
    out += c === undefined ? '=' : base64Alphabet[c & 63]!;
  }
  return out;
}

/** Go `base64.StdEncoding.DecodeString`: `\r`/`\n` skipped, padding required. Returns the reason on failure. */
function decodeBase64(encoded: string): { bytes: Uint8Array } | { reason: string } {
  const compact = encoded.replace(/[\r\n]/g, '');
  if (/[ \t]/.test(compact)) return { reason: 'it contains spaces or tabs' };
  if (/[-_]/.test(compact) && /^[A-Za-z0-9\-_]*=*$/.test(compact)) {
    return { reason: 'it is URL-safe base64 (uses "-" or "_"); standard base64 is required' };
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return { reason: 'it contains characters that are not base64' };
  if (compact.length % 4 !== 0) return { reason: 'its length is not a multiple of 4 (the "=" padding is missing or it was cut)' };
  const bytes: number[] = [];
  for (let i = 0; i < compact.length; i += 4) {
    const quad = compact.slice(i, i + 4);
    const values = [...quad].map((char) => (char === '=' ? -1 : base64Alphabet.indexOf(char)));
    if (values[0]! < 0 || values[1]! < 0 || (values[2]! < 0 && values[3]! >= 0)) return { reason: 'its "=" padding is misplaced' };
    if (values[3]! < 0 && i + 4 < compact.length) return { reason: 'its "=" padding is misplaced' };
    bytes.push((values[0]! << 2) | (values[1]! >> 4));
    if (values[2]! >= 0) bytes.push(((values[1]! & 15) << 4) | (values[2]! >> 2));
    if (values[3]! >= 0) bytes.push(((values[2]! & 3) << 6) | values[3]!);
  }
  return { bytes: Uint8Array.from(bytes) };
}

/** An `auth` value read as Docker and the runner read it, or what stops that. */
export type DecodedAuth =
  | { readonly ok: true; readonly username: string; readonly secret: string; readonly utf8: boolean }
  | { readonly ok: false; readonly problem: 'base64'; readonly reason: string }
  | { readonly ok: false; readonly problem: 'no-user'; readonly hasColon: boolean };

/**
 * Decodes an `auths` entry's `auth` (Go `base64.StdEncoding`, `\r`/`\n` skipped) into `user:secret`, split at the first
 * `:`, the secret's NUL padding trimmed as Docker's `decodeAuth` does. `utf8` is false when the bytes are not UTF-8
 * (the runner sends them as they are; text made from them is then approximate).
 */
export function decodeAuthValue(value: string): DecodedAuth {
  const decoded = decodeBase64(value);
  if ('reason' in decoded) return { ok: false, problem: 'base64', reason: decoded.reason };
  let text: string;
  let utf8 = true;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(decoded.bytes);
  } catch {
    text = new TextDecoder().decode(decoded.bytes);
    utf8 = false;
  }
  const colon = text.indexOf(':');
  if (colon <= 0) return { ok: false, problem: 'no-user', hasColon: colon === 0 };
  return { ok: true, username: text.slice(0, colon), secret: trimBoth(text.slice(colon + 1), '\0'), utf8 };
}

// ───────────────────────────── parsing as the runner does ─────────────────────────────

const authFields = ['username', 'password', 'auth', 'email', 'serveraddress', 'identitytoken', 'registrytoken'] as const;
type AuthField = (typeof authFields)[number];

interface RawEntry {
  readonly key: string;
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly fields: Partial<Record<AuthField, { value: string; start: number; end: number }>>;
}

const fixAuthHint = "Re-encode it with `printf '%s' 'USER:TOKEN' | base64 -w 0` (or rebuild it with the wizard).";
const droppedNote = 'The runner then ignores every credential in this config.';
const variableReference = /\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[^}]*\})/;

function hasEdgeWhitespace(value: string): boolean {
  return value !== value.trim();
}

function edgeWhitespaceProblem(
  entry: RawEntry,
  which: 'username' | 'password',
  field: 'auth' | 'username' | 'password',
  span: { start: number; end: number },
): AuthConfigProblem {
  return {
    entry: entry.key,
    field,
    message:
      `auths entry "${entry.key}": the ${which} starts or ends with a space or line break (typically \`echo\` without \`-n\` before \`base64\`), ` +
      `so the registry rejects the login ("HTTP Basic: Access denied"). Encode with \`printf '%s' 'USER:TOKEN' | base64 -w 0\`.`,
    offset: span.start,
    length: span.end - span.start,
    severity: 'error',
  };
}

/**
 * Reads a DOCKER_AUTH_CONFIG (or a runner host's `config.json`) as GitLab Runner does (docker/cli `LoadFromReader`):
 * Go's case-insensitive field names, first JSON value only, `auth` decoded with padded standard base64 to `user:password`.
 * `ok: false` whenever the runner would drop the whole source (invalid JSON, wrong types, bad `auth`, legacy layout)
 * or abort the lookup (helper name with a path separator). Warnings cover what works but is fragile or wrong:
 * wrapped base64, whitespace around the user or password (`echo` without `-n`), empty entries, `credsStore`, `credHelpers`.
 * An `auth` containing `$VAR` is taken as a variable reference the runner expands, and not decoded.
 */
export function parseAuthConfig(text: string): AuthConfigParseResult {
  const errors: AuthConfigProblem[] = [];
  const warnings: AuthConfigProblem[] = [];
  let root: JsonNode | null;
  let end: number;
  try {
    ({ value: root, end } = new JsonReader(text).readFirstValue());
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { ok: false, problems: [describeJsonError(text, error, 'This config')], abortsResolution: false };
    throw error;
  }
  const empty: ParsedAuthConfig = { auths: [], credHelpers: [], credsStore: null };
  if (/\S/.test(text.slice(end))) {
    warnings.push({
      entry: null,
      field: null,
      message: 'Text after the JSON object is ignored by the runner (and makes Docker CLI ≥ 28.3 reject the value). Remove it.',
      offset: end,
      length: text.length - end,
      severity: 'warning',
    });
  }
  if (root === null || root.kind === 'null') {
    warnings.push({ entry: null, field: null, message: 'The config is empty: it gives no credentials.', offset: null, severity: 'warning' });
    return { ok: true, config: empty, warnings };
  }
  if (root.kind !== 'object') {
    return {
      ok: false,
      problems: [
        {
          entry: null,
          field: null,
          message: `The config must be a JSON object such as {"auths":{"registry.example.com":{"auth":"…"}}}, not ${articleFor(root.kind)}. ${droppedNote}`,
          offset: root.start,
          length: root.end - root.start,
          severity: 'error',
        },
      ],
      abortsResolution: false,
    };
  }

  const typeError = (member: JsonMember, expected: string, entry: string | null = null): AuthConfigProblem => ({
    entry,
    field: member.key,
    message: `"${member.key}"${entry !== null ? ` in auths entry "${entry}"` : ''} must be ${expected}, not ${articleFor(member.value.kind)}. ${droppedNote}`,
    offset: member.value.start,
    length: member.value.end - member.value.start,
    severity: 'error',
  });

  // auths: map fields merge across case variants and duplicate keys; null resets the map (Go semantics).
  let rawEntries = new Map<string, RawEntry>();
  const authsMembers = membersFolded(root, 'auths');
  for (const member of authsMembers) {
    if (member.value.kind === 'null') {
      rawEntries = new Map();
      continue;
    }
    if (member.value.kind !== 'object') {
      errors.push(typeError(member, 'an object of registry entries'));
      continue;
    }
    for (const entryMember of member.value.members) {
      const fields: RawEntry['fields'] = {};
      const entry: RawEntry = { key: entryMember.key, keyStart: entryMember.keyStart, keyEnd: entryMember.keyEnd, fields };
      if (entryMember.value.kind === 'object') {
        for (const field of authFields) {
          for (const fieldMember of membersFolded(entryMember.value, field)) {
            if (fieldMember.value.kind === 'string') {
              fields[field] = { value: fieldMember.value.value, start: fieldMember.value.start, end: fieldMember.value.end };
            } else if (fieldMember.value.kind !== 'null') {
              errors.push(typeError(fieldMember, 'a string', entryMember.key));
            }
          }
        }
      } else if (entryMember.value.kind !== 'null') {
        errors.push({
          entry: entryMember.key,
          field: null,
          message: `auths entry "${entryMember.key}" must be an object such as {"auth":"…"}, not ${articleFor(entryMember.value.kind)}. ${droppedNote}`,
          offset: entryMember.value.start,
          length: entryMember.value.end - entryMember.value.start,
          severity: 'error',
        });
      }
      rawEntries.delete(entryMember.key);
      rawEntries.set(entryMember.key, entry);
    }
  }

  let credHelpers = new Map<string, { helper: string; start: number; end: number }>();
  for (const member of membersFolded(root, 'credHelpers')) {
    if (member.value.kind === 'null') {
      credHelpers = new Map();
      continue;
    }
    if (member.value.kind !== 'object') {
      errors.push(typeError(member, 'an object mapping registries to helper names'));
      continue;
    }
    for (const helperMember of member.value.members) {
      const value = helperMember.value;
      if (value.kind !== 'string' && value.kind !== 'null') {
        errors.push(typeError(helperMember, 'a helper name (string)', null));
        continue;
      }
      credHelpers.delete(helperMember.key);
      credHelpers.set(helperMember.key, { helper: value.kind === 'string' ? value.value : '', start: value.start, end: value.end });
    }
  }

  let credsStore: { name: string; start: number; end: number } | null = null;
  for (const member of membersFolded(root, 'credsStore')) {
    if (member.value.kind === 'string') credsStore = { name: member.value.value, start: member.value.start, end: member.value.end };
    else if (member.value.kind !== 'null') errors.push(typeError(member, 'a helper name (string)'));
  }
  if (credsStore?.name === '') credsStore = null;

  if (authsMembers.length === 0 && credHelpers.size === 0 && credsStore === null) {
    const legacy = root.members.find((member) => member.value.kind === 'object');
    if (legacy) {
      return {
        ok: false,
        problems: [
          {
            entry: legacy.key,
            field: null,
            message:
              `This uses the legacy .dockercfg layout (registries at the top level, no "auths"), which the runner reads as containing no credentials. ` +
              `Wrap the entries: {"auths":{"${legacy.key}":{…}}}.`,
            offset: legacy.keyStart,
            length: legacy.keyEnd - legacy.keyStart,
            severity: 'error',
          },
        ],
        abortsResolution: false,
      };
    }
  }

  const auths: AuthEntry[] = [];
  for (const entry of rawEntries.values()) auths.push(readEntry(entry, errors, warnings));

  // Helper names are checked only once the config decoded: a decoding error drops the source before that.
  const abortProblems: AuthConfigProblem[] = [];
  const pathSeparator = (name: string) => name === '' || /[/\\]/.test(name);
  if (credsStore && pathSeparator(credsStore.name)) {
    abortProblems.push({
      entry: null,
      field: 'credsStore',
      message: `credsStore must be a bare helper name such as "ecr-login" (the runner runs docker-credential-<name>); a path makes the runner refuse it and fail the job's image pulls.`,
      offset: credsStore.start,
      length: credsStore.end - credsStore.start,
      severity: 'error',
    });
  }
  for (const [key, { helper, start, end: helperEnd }] of credHelpers) {
    if (!pathSeparator(helper)) continue;
    abortProblems.push({
      entry: key,
      field: 'credHelpers',
      message:
        `credHelpers entry "${key}": the helper must be a bare name such as "ecr-login" (the runner runs docker-credential-<name>)` +
        `${helper === '' ? ', not empty' : ', without a path'}; otherwise the runner refuses it and fails the job's image pulls.`,
      offset: start,
      length: helperEnd - start,
      severity: 'error',
    });
  }
  if (errors.length > 0) return { ok: false, problems: [...errors, ...abortProblems], abortsResolution: false };
  if (abortProblems.length > 0) return { ok: false, problems: abortProblems, abortsResolution: true };

  if (credsStore) {
    warnings.push({
      entry: null,
      field: 'credsStore',
      message:
        `credsStore "${credsStore.name}" covers only the registries its helper lists on the runner host (docker-credential-${credsStore.name} must be on the runner's PATH; ` +
        `not available on GitLab.com instance runners), so coverage is unknown. GitLab's docs warn it can break Docker Hub pulls. Prefer "auths" entries or credHelpers per registry.`,
      offset: credsStore.start,
      length: credsStore.end - credsStore.start,
      severity: 'warning',
    });
  }
  for (const [key, { helper, start, end: helperEnd }] of credHelpers) {
    warnings.push({
      entry: key,
      field: 'credHelpers',
      message:
        `credHelpers entry "${key}" needs docker-credential-${helper} on the runner host's PATH (not on GitLab.com instance runners); ` +
        `if it is missing or fails, the runner ignores every credential in this config.`,
      offset: start,
      length: helperEnd - start,
      severity: 'warning',
    });
  }
  if (auths.length === 0 && credHelpers.size === 0 && credsStore === null) {
    warnings.push({ entry: null, field: null, message: 'The config has no "auths" entries: it gives no credentials.', offset: root.start, length: 1, severity: 'warning' });
  }

  return {
    ok: true,
    config: { auths, credHelpers: [...credHelpers].map(([key, { helper }]) => ({ key, helper })), credsStore: credsStore?.name ?? null },
    warnings,
  };
}

function articleFor(kind: JsonNode['kind']): string {
  return { object: 'an object', array: 'an array', string: 'a string', number: 'a number', boolean: 'a boolean', null: 'null' }[kind];
}

/** One `auths` entry: decode `auth` as docker/cli `decodeAuth` does and collect what breaks or weakens the login. */
function readEntry(entry: RawEntry, errors: AuthConfigProblem[], warnings: AuthConfigProblem[]): AuthEntry {
  const { fields } = entry;
  const auth = fields.auth;
  const at = (span: { start: number; end: number }) => ({ offset: span.start, length: span.end - span.start });
  if (auth && auth.value !== '') {
    if (variableReference.test(auth.value)) return { key: entry.key, username: '', hasSecret: true, kind: 'auth' };
    const decoded = decodeAuthValue(auth.value);
    if (!decoded.ok && decoded.problem === 'base64') {
      errors.push({
        entry: entry.key,
        field: 'auth',
        message: `auths entry "${entry.key}": the "auth" value is not valid base64: ${decoded.reason}. ${droppedNote} ${fixAuthHint}`,
        ...at(auth),
        severity: 'error',
      });
      return { key: entry.key, username: '', hasSecret: true, kind: 'auth' };
    }
    if (/[\r\n]/.test(auth.value)) {
      warnings.push({
        entry: entry.key,
        field: 'auth',
        message:
          `auths entry "${entry.key}": the "auth" value contains line breaks (base64 without \`-w 0\` wraps at 76 columns). ` +
          `The runner skips them, but other tools may not. ${fixAuthHint}`,
        ...at(auth),
        severity: 'warning',
      });
    }
    if (!decoded.ok) {
      errors.push({
        entry: entry.key,
        field: 'auth',
        message:
          `auths entry "${entry.key}": the "auth" value must decode to USER:TOKEN with a non-empty user, ` +
          `but it ${decoded.hasColon ? 'starts with ":"' : 'has no ":"'}. ${droppedNote} ${fixAuthHint}`,
        ...at(auth),
        severity: 'error',
      });
      return { key: entry.key, username: '', hasSecret: true, kind: 'auth' };
    }
    const { username, secret: password } = decoded;
    if (hasEdgeWhitespace(username)) warnings.push(edgeWhitespaceProblem(entry, 'username', 'auth', auth));
    else if (hasEdgeWhitespace(password)) warnings.push(edgeWhitespaceProblem(entry, 'password', 'auth', auth));
    if (password === '') {
      warnings.push({
        entry: entry.key,
        field: 'auth',
        message: `auths entry "${entry.key}": the "auth" value has an empty password, so the login will fail. ${fixAuthHint}`,
        ...at(auth),
        severity: 'error',
      });
    }
    return { key: entry.key, username, hasSecret: true, kind: 'auth' };
  }

  const username = fields.username?.value ?? '';
  const password = fields.password?.value ?? '';
  if (username !== '' || password !== '') {
    if (fields.username && hasEdgeWhitespace(username)) warnings.push(edgeWhitespaceProblem(entry, 'username', 'username', fields.username));
    else if (fields.password && hasEdgeWhitespace(password)) warnings.push(edgeWhitespaceProblem(entry, 'password', 'password', fields.password));
    if (username === '' || password === '') {
      const missing = username === '' ? 'username' : 'password';
      warnings.push({
        entry: entry.key,
        field: missing,
        message: `auths entry "${entry.key}" has a ${username === '' ? 'password' : 'username'} but no ${missing}, so the login will fail.`,
        offset: entry.keyStart,
        length: entry.keyEnd - entry.keyStart,
        severity: 'error',
      });
    }
    return { key: entry.key, username, hasSecret: password !== '', kind: 'username-password' };
  }
  if (fields.identitytoken?.value || fields.registrytoken?.value) {
    return { key: entry.key, username: '', hasSecret: true, kind: 'identitytoken' };
  }
  warnings.push({
    entry: entry.key,
    field: null,
    message:
      `auths entry "${entry.key}" is empty: the runner still picks it for this registry (hiding any other credential for it, such as the job token) ` +
      `and pulls without credentials. Add an "auth" value or remove the entry.`,
    offset: entry.keyStart,
    length: entry.keyEnd - entry.keyStart,
    severity: 'warning',
  });
  return { key: entry.key, username: '', hasSecret: false, kind: 'empty' };
}

/**
 * What Docker CLI ≥ 28.3 would reject in this value when a job's `docker` command reads the DOCKER_AUTH_CONFIG
 * environment variable: it accepts only `{"auths":{KEY:{"auth":"…"}}}` (no other field, `auth` required, one JSON object).
 * On rejection the CLI prints "Failed to create credential store from DOCKER_AUTH_CONFIG" and falls back to
 * ~/.docker/config.json; the runner's own pulls are not affected. All problems are warnings.
 */
export function dockerCliEnvProblems(text: string): AuthConfigProblem[] {
  const effect = 'so `docker` commands in jobs (Docker CLI ≥ 28.3) ignore this DOCKER_AUTH_CONFIG and print "Failed to create credential store".';
  const problems: AuthConfigProblem[] = [];
  const warn = (problem: Omit<AuthConfigProblem, 'severity'>) => problems.push({ ...problem, severity: 'warning' });
  let root: JsonNode | null;
  let end: number;
  try {
    ({ value: root, end } = new JsonReader(text).readFirstValue());
  } catch (error) {
    if (error instanceof JsonSyntaxError) return [{ ...describeJsonError(text, error, 'DOCKER_AUTH_CONFIG', ' Docker CLI ≥ 28.3 ignores it.'), severity: 'warning' }];
    throw error;
  }
  if (/\S/.test(text.slice(end))) {
    warn({ entry: null, field: null, message: `More than one JSON value, ${effect}`, offset: end, length: text.length - end });
  }
  if (root === null || root.kind === 'null') return problems;
  if (root.kind !== 'object') {
    warn({ entry: null, field: null, message: `Not a JSON object, ${effect}`, offset: root.start, length: root.end - root.start });
    return problems;
  }
  for (const member of root.members) {
    if (member.key.toLowerCase() !== 'auths') {
      warn({
        entry: null,
        field: member.key,
        message: `Only "auths" is allowed at the top level, not "${member.key}", ${effect}`,
        offset: member.keyStart,
        length: member.keyEnd - member.keyStart,
      });
      continue;
    }
    if (member.value.kind !== 'object') continue;
    for (const entry of member.value.members) {
      const fieldMembers = entry.value.kind === 'object' ? entry.value.members : [];
      for (const field of fieldMembers) {
        if (field.key.toLowerCase() === 'auth') continue;
        warn({
          entry: entry.key,
          field: field.key,
          message: `auths entry "${entry.key}": only "auth" is allowed, not "${field.key}", ${effect} Put USER:TOKEN in base64 into "auth" instead.`,
          offset: field.keyStart,
          length: field.keyEnd - field.keyStart,
        });
      }
      const auth = fieldMembers.filter((field) => field.key.toLowerCase() === 'auth').at(-1);
      if (!auth || auth.value.kind !== 'string' || auth.value.value === '') {
        warn({
          entry: entry.key,
          field: 'auth',
          message: `auths entry "${entry.key}" has no "auth" value, ${effect}`,
          offset: entry.keyStart,
          length: entry.keyEnd - entry.keyStart,
        });
      }
    }
  }
  return problems;
}

// ───────────────────────────── building ─────────────────────────────

const dockerHubKey = 'https://index.docker.io/v1/';
const dockerHubHosts = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

function splitRegistryInput(registry: string): { host: string; path: string } {
  const withoutScheme = registry.replace(/^https?:\/\//i, '');
  const trimmed = trimTrailing(withoutScheme, '/');
  const slash = trimmed.indexOf('/');
  return slash === -1 ? { host: trimmed, path: '' } : { host: trimmed.slice(0, slash), path: trimmed.slice(slash + 1) };
}

/**
 * The `auths` key to write for a registry the user typed. Docker Hub in any spelling (`docker.io`, `index.docker.io`,
 * `registry-1.docker.io`, `https://index.docker.io/v1/`) → `https://index.docker.io/v1/`, the one key both the runner and
 * the Docker CLI match; a Docker Hub namespace → `docker.io/<namespace>`. Other registries → `host[:port]` with the host
 * lowercased and the scheme stripped; a path (`host/group`) is kept, scoping the credential to it.
 */
export function authConfigKeyFor(registry: string): string {
  const { host, path } = splitRegistryInput(registry.trim());
  const lowerHost = host.toLowerCase();
  if (dockerHubHosts.has(lowerHost)) {
    // `/v1` and `/v2` are API endpoints of the legacy URL form, not namespaces.
    const namespace = path.replace(/^v[12](?:\/|$)/i, '');
    return namespace === '' ? dockerHubKey : `docker.io/${namespace}`;
  }
  return path === '' ? lowerHost : `${lowerHost}/${path}`;
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
  z.minLength(1, 'Enter the username (for a GitLab deploy token: its username, e.g. gitlab+deploy-token-1; for a personal or project access token: any non-empty name).'),
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

function requireValid(entries: readonly CredentialInput[]): void {
  for (const entry of entries) {
    const problem = validateCredentialInput(entry);
    if (problem !== null) throw new AuthConfigError('invalid-input', problem);
  }
}


/** Key → `{"auth":…}` JSON for each entry, one per lookup path (a later entry for the same path wins). */
function authMembers(entries: readonly CredentialInput[]): Map<string, { key: string; json: string }> {
  const byPath = new Map<string, { key: string; json: string }>();
  for (const entry of entries) {
    const key = authConfigKeyFor(entry.registry);
    byPath.delete(registryKeyPath(key));
    byPath.set(registryKeyPath(key), { key, json: `{"auth":"${encodeBase64(`${entry.username}:${entry.secret}`)}"}` });
  }
  return byPath;
}

/**
 * A minified DOCKER_AUTH_CONFIG, `{"auths":{KEY:{"auth":base64(USER:TOKEN)}}}`: one line, no spaces, keys in byte order,
 * so it can be stored as a masked raw variable and read by both the runner and Docker CLI ≥ 28.3.
 * Throws `AuthConfigError` ('invalid-input') with a how-to-fix message for an invalid entry.
 */
export function buildAuthConfig(entries: readonly CredentialInput[]): string {
  requireValid(entries);
  const members = [...authMembers(entries).values()].sort((a, b) => compareByteOrder(a.key, b.key));
  return `{"auths":{${members.map(({ key, json }) => `${JSON.stringify(key)}:${json}`).join(',')}}}`;
}

function serialize(node: JsonNode): string {
  switch (node.kind) {
    case 'object':
      return `{${node.members.map((member) => `${JSON.stringify(member.key)}:${serialize(member.value)}`).join(',')}}`;
    case 'array':
      return `[${node.items.map(serialize).join(',')}]`;
    case 'string':
      return JSON.stringify(node.value);
    default:
      return node.raw;
  }
}

/**
 * Adds or replaces credentials in an existing DOCKER_AUTH_CONFIG and returns it minified. Every other entry and
 * top-level key (credHelpers, credsStore, unknown keys) is kept in place; an existing entry whose key has the same
 * lookup path as a new one (e.g. `https://registry.example.com` vs `registry.example.com`) is replaced where it stood.
 * Throws `AuthConfigError` when the existing text is not a JSON object (reason, line and column; never its content).
 */
export function mergeAuthConfig(existingText: string, entries: readonly CredentialInput[]): string {
  requireValid(entries);
  let root: JsonNode | null;
  let end: number;
  try {
    ({ value: root, end } = new JsonReader(existingText).readFirstValue());
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new AuthConfigError('invalid-json', describeJsonError(existingText, error, 'The existing config', '').message);
    throw error;
  }
  if (/\S/.test(existingText.slice(end))) {
    const position = new LineIndex(existingText).positionAt(end);
    throw new AuthConfigError('invalid-json', `The existing config has text after its JSON object (line ${position.line + 1}, column ${position.character + 1}).`);
  }
  if (root === null || root.kind === 'null') return buildAuthConfig(entries);
  if (root.kind !== 'object') throw new AuthConfigError('not-an-object', `The existing config must be a JSON object, not ${articleFor(root.kind)}.`);

  const pending = authMembers(entries);
  const written = new Set<string>();
  const authsIndex = root.members.findIndex((member) => member.key.toLowerCase() === 'auths');
  const authsValue = authsIndex === -1 ? null : root.members[authsIndex]!.value;
  if (authsValue && authsValue.kind !== 'object' && authsValue.kind !== 'null') {
    throw new AuthConfigError('invalid-auths', `"auths" in the existing config must be an object, not ${articleFor(authsValue.kind)}.`);
  }
  const parts: string[] = [];
  for (const member of authsValue?.kind === 'object' ? authsValue.members : []) {
    const path = registryKeyPath(member.key);
    const replacement = pending.get(path);
    if (replacement === undefined) {
      parts.push(`${JSON.stringify(member.key)}:${serialize(member.value)}`);
    } else if (!written.has(path)) {
      parts.push(`${JSON.stringify(replacement.key)}:${replacement.json}`);
      written.add(path);
    }
  }
  const added = [...pending].filter(([path]) => !written.has(path)).map(([, member]) => member);
  parts.push(...added.sort((a, b) => compareByteOrder(a.key, b.key)).map(({ key, json }) => `${JSON.stringify(key)}:${json}`));
  const auths = `{${parts.join(',')}}`;

  const topLevel = root.members.map((member, index) => {
    if (index === authsIndex) return `${JSON.stringify(member.key)}:${auths}`;
    // Go merges a second spelling of "auths" into the first: drop the replaced paths from it too.
    if (member.key.toLowerCase() === 'auths' && member.value.kind === 'object') {
      const kept = member.value.members.filter((entry) => !pending.has(registryKeyPath(entry.key)));
      return `${JSON.stringify(member.key)}:${serialize({ ...member.value, members: kept })}`;
    }
    return `${JSON.stringify(member.key)}:${serialize(member.value)}`;
  });
  if (authsIndex === -1) topLevel.unshift(`"auths":${auths}`);
  return `{${topLevel.join(',')}}`;
}

// ───────────────────────────── as a credential source ─────────────────────────────

/**
 * The registry keys a parsed config gives the runner, as one credential source. `auths` and `credHelpers` keys are merged
 * per raw key with `credHelpers` winning (the runner's `maps.Copy` order); `credsStore` marks coverage as unknown.
 */
export function credentialSourceFromAuthConfig(parsed: ParsedAuthConfig, kind: CredentialSourceKind, label: string): CredentialSource {
  const byKey = new Map<string, CredentialKey>();
  for (const entry of parsed.auths) byKey.set(entry.key, { key: entry.key, path: registryKeyPath(entry.key), via: 'auths', label });
  for (const helper of parsed.credHelpers) byKey.set(helper.key, { key: helper.key, path: registryKeyPath(helper.key), via: 'credHelpers', label });
  const keys = [...byKey.values()].sort((a, b) => compareByteOrder(a.key, b.key));
  return parsed.credsStore === null ? { kind, keys } : { kind, keys, credsStore: parsed.credsStore };
}
