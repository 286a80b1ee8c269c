/** Building a DOCKER_AUTH_CONFIG, or merging credentials into one, as both the runner and the Docker CLI read it. */
import { LineIndex } from '../lineIndex';
import { compareByteOrder } from '../registry/credentialLookup';
import { DOCKER_HUB_AUTH_KEY, isDockerHubHost } from '../registry/dockerHub';
import { registryKeyPath } from '../registry/imageRef';
import { encodeBase64 } from './base64';
import { articleFor, describeJsonError, JsonReader, JsonSyntaxError, type JsonNode } from './jsonReader';
import { splitRegistryInput, validateCredentialInput, type CredentialInput } from './schemas';

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

/**
 * The `auths` key to write for a registry the user typed. Docker Hub in any spelling (`docker.io`, `index.docker.io`,
 * `registry-1.docker.io`, `https://index.docker.io/v1/`) → `https://index.docker.io/v1/`, the one key both the runner and
 * the Docker CLI match; a Docker Hub namespace → `docker.io/<namespace>`. Other registries → `host[:port]` with the host
 * lowercased and the scheme stripped; a path (`host/group`) is kept, scoping the credential to it.
 */
export function authConfigKeyFor(registry: string): string {
  const { host, path } = splitRegistryInput(registry.trim());
  const lowerHost = host.toLowerCase();
  if (isDockerHubHost(lowerHost)) {
    // `/v1` and `/v2` are API endpoints of the legacy URL form, not namespaces.
    const namespace = path.replace(/^v[12](?:\/|$)/i, '');
    return namespace === '' ? DOCKER_HUB_AUTH_KEY : `docker.io/${namespace}`;
  }
  return path === '' ? lowerHost : `${lowerHost}/${path}`;
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
    throw new AuthConfigError(
      'invalid-json',
      `The existing config has text after its JSON object (line ${position.line + 1}, column ${position.character + 1}).`,
    );
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
