/**
 * Reading a DOCKER_AUTH_CONFIG as GitLab Runner and Docker do. Parsing never keeps a password, token or `auth` value,
 * and no message quotes one.
 */
import { decodeAuthValue } from './base64';
import { articleFor, describeJsonError, JsonReader, JsonSyntaxError, membersFolded, type JsonMember, type JsonNode } from './jsonReader';
import type { AuthConfigParseResult, AuthConfigProblem, AuthEntry, ParsedAuthConfig } from './types';

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

  /**
   * The values of a map field (auths, credHelpers) in order: they merge across case variants and duplicate keys, and a
   * null (given here as null) resets the map (Go semantics). Any other kind is an error.
   */
  const mapValues = (field: string, expected: string): Array<(JsonNode & { kind: 'object' }) | null> => {
    const values: Array<(JsonNode & { kind: 'object' }) | null> = [];
    for (const member of membersFolded(root, field)) {
      if (member.value.kind === 'object') values.push(member.value);
      else if (member.value.kind === 'null') values.push(null);
      else errors.push(typeError(member, expected));
    }
    return values;
  };

  const rawEntries = new Map<string, RawEntry>();
  for (const auths of mapValues('auths', 'an object of registry entries')) {
    if (auths === null) {
      rawEntries.clear();
      continue;
    }
    for (const entryMember of auths.members) {
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

  const credHelpers = new Map<string, { helper: string; start: number; end: number }>();
  for (const helpers of mapValues('credHelpers', 'an object mapping registries to helper names')) {
    if (helpers === null) {
      credHelpers.clear();
      continue;
    }
    for (const helperMember of helpers.members) {
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

  if (membersFolded(root, 'auths').length === 0 && credHelpers.size === 0 && credsStore === null) {
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
    warnings.push({
      entry: null,
      field: null,
      message: 'The config has no "auths" entries: it gives no credentials.',
      offset: root.start,
      length: 1,
      severity: 'warning',
    });
  }

  return {
    ok: true,
    config: { auths, credHelpers: [...credHelpers].map(([key, { helper }]) => ({ key, helper })), credsStore: credsStore?.name ?? null },
    warnings,
  };
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
    if (error instanceof JsonSyntaxError)
      return [{ ...describeJsonError(text, error, 'DOCKER_AUTH_CONFIG', ' Docker CLI ≥ 28.3 ignores it.'), severity: 'warning' }];
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
