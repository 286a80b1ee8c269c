/**
 * Image references as the two parties involved read them:
 * - Docker (distribution/reference `ParseNormalizedNamed`) decides which registry is contacted;
 * - GitLab Runner (`normalizeImageRef`, `convertToRegistryPath`) decides which credentials are attached.
 * They disagree on purpose-built edge cases (uppercase first component, `library/`), so both are kept.
 */
import { DOCKER_HUB_DOMAIN, DOCKER_HUB_LEGACY_DOMAIN } from './dockerHub';

/** How Docker reads an image reference. All fields but `valid`/`error` are null when it is invalid. */
export interface DockerReference {
  readonly valid: boolean;
  /** The domain Docker contacts: `docker.io` for Docker Hub, otherwise the first component as written. */
  readonly registry: string | null;
  /** The repository path, with `library/` inserted for official Docker Hub images. */
  readonly repository: string | null;
  readonly tag: string | null;
  readonly digest: string | null;
  /** Docker's own reason when invalid. */
  readonly error: string | null;
}

const officialRepoPrefix = 'library/';
const nameTotalLengthMax = 255;

// distribution/reference regexp.go, term for term.
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6Address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const domainAndPort = `(?:${domainName}|${ipv6Address})(?::[0-9]+)?`;
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';

const referenceRegexp = new RegExp(`^((?:${domainAndPort}/)?${remoteName})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
const anchoredNameRegexp = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const anchoredIdentifierRegexp = /^[a-f0-9]{64}$/;

/** Docker's grammar for a registry host with optional port (`host`, `host:port`, `[IPv6]:port`); reused to validate user input. */
export const dockerDomainRegexp = new RegExp(`^${domainAndPort}$`);
/** Docker's grammar for a repository path below a registry (`group/project/image`). */
export const dockerRepositoryPathRegexp = new RegExp(`^${remoteName}$`);

/** go-digest algorithms linked into Docker, with their hex length. */
const digestHexLength: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

function invalid(error: string): DockerReference {
  return { valid: false, registry: null, repository: null, tag: null, digest: null, error };
}

/** `splitDockerDomain`: which part is a registry domain for Docker. */
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  let domain: string;
  let remainder: string;
  if (slash === -1) {
    domain = DOCKER_HUB_DOMAIN;
    remainder = name;
  } else {
    const first = name.slice(0, slash);
    const isDomain = first === 'localhost' || first === DOCKER_HUB_LEGACY_DOMAIN || /[.:]/.test(first) || first.toLowerCase() !== first;
    domain = isDomain ? first : DOCKER_HUB_DOMAIN;
    remainder = isDomain ? name.slice(slash + 1) : name;
  }
  if (domain === DOCKER_HUB_LEGACY_DOMAIN) domain = DOCKER_HUB_DOMAIN;
  if (domain === DOCKER_HUB_DOMAIN && !remainder.includes('/')) remainder = officialRepoPrefix + remainder;
  return { domain, remainder };
}

/** go-digest `Digest.Validate` for the algorithms Docker ships. */
function digestError(digest: string): string | null {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  const length = digestHexLength[algorithm];
  if (length === undefined) return 'unsupported digest algorithm';
  if (encoded.length !== length) return 'invalid checksum digest length';
  if (!/^[a-f0-9]+$/.test(encoded)) return 'invalid checksum digest format';
  return null;
}

/**
 * Docker's reading of an image reference (distribution/reference `ParseNormalizedNamed`):
 * the registry it contacts, the repository (with `library/` for official images), tag and digest.
 * Invalid references (uppercase path, bad tag or digest, bare 64-hex id, path over 255 characters) give `valid: false`.
 */
export function parseDockerReference(image: string): DockerReference {
  if (anchoredIdentifierRegexp.test(image)) {
    return invalid(`invalid repository name (${image}), cannot specify 64-byte hexadecimal strings`);
  }
  if (image === '') return invalid('repository name must have at least one component');
  const { domain, remainder } = splitDockerDomain(image);
  const tagSeparator = remainder.indexOf(':');
  const remote = tagSeparator === -1 ? remainder : remainder.slice(0, tagSeparator);
  if (remote.toLowerCase() !== remote) {
    return invalid(`invalid reference format: repository name (${remote}) must be lowercase`);
  }
  const full = `${domain}/${remainder}`;
  const match = referenceRegexp.exec(full);
  if (!match) {
    return invalid(referenceRegexp.test(full.toLowerCase()) ? 'repository name must be lowercase' : 'invalid reference format');
  }
  const nameMatch = anchoredNameRegexp.exec(match[1]!);
  const repository = nameMatch?.[2] ?? match[1]!;
  if (repository.length > nameTotalLengthMax) {
    return invalid(`repository name must not be more than ${nameTotalLengthMax} characters`);
  }
  const digest = match[3] ?? null;
  if (digest !== null) {
    const error = digestError(digest);
    if (error) return invalid(error);
  }
  return { valid: true, registry: nameMatch?.[1] ?? domain, repository, tag: match[2] ?? null, digest, error: null };
}

/** Go `path.Clean`: collapse `//`, drop `.`, resolve `..`, no trailing slash. */
function cleanPath(path: string): string {
  if (path === '') return '.';
  if (isCleanPath(path)) return path;
  const rooted = path.startsWith('/');
  const kept: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (kept.length > 0 && kept[kept.length - 1] !== '..') kept.pop();
      else if (!rooted) kept.push('..');
      continue;
    }
    kept.push(segment);
  }
  const cleaned = (rooted ? '/' : '') + kept.join('/');
  return cleaned === '' ? '.' : cleaned;
}

/** True when `cleanPath` would return `path` itself: no empty, `.` or `..` segment (a leading `/` aside). */
function isCleanPath(path: string): boolean {
  let segmentStart = path.charCodeAt(0) === 47 /* / */ ? 1 : 0;
  if (segmentStart === path.length) return segmentStart === 1;
  for (let i = segmentStart; i <= path.length; i++) {
    if (i < path.length && path.charCodeAt(i) !== 47) continue;
    const length = i - segmentStart;
    if (length === 0) return false;
    if (path.charCodeAt(segmentStart) === 46 /* . */ && (length === 1 || (length === 2 && path.charCodeAt(segmentStart + 1) === 46))) return false;
    segmentStart = i + 1;
  }
  return true;
}

/** Go `path.Join` of two elements: empty elements are ignored, the result is cleaned. */
function joinPath(dir: string, last: string): string {
  if (dir === '' && last === '') return '';
  // Cleaning drops the empty segment a `/` between a `dir/` and `last` would make: leave it out.
  return cleanPath(dir === '' ? last : last === '' ? dir : dir.endsWith('/') ? dir + last : `${dir}/${last}`);
}

/** Lowercases the first path segment (the host), keeps the case of the rest. */
function withLowerCaseHost(path: string): string {
  const slash = path.indexOf('/');
  return slash === -1 ? path.toLowerCase() : path.slice(0, slash).toLowerCase() + path.slice(slash);
}

/**
 * The path GitLab Runner (≥ 18.3, `normalizeImageRef`) looks credentials up with for an image.
 * No `library/` insertion (`alpine` → `docker.io/alpine`); `localhost` and `index.docker.io` compared case-insensitively;
 * host lowercased; a digest-only reference keeps its algorithm (`host/a/b@sha256:…` → `host/a/b@sha256`), as upstream does.
 */
export function runnerLookupPath(image: string): string {
  const lastSlash = image.lastIndexOf('/');
  const dir = image.slice(0, lastSlash + 1);
  let last = image.slice(lastSlash + 1);
  const colon = last.indexOf(':');
  if (colon !== -1) last = last.slice(0, colon);
  let path = joinPath(dir, last);
  const slash = path.indexOf('/');
  const first = slash === -1 ? path : path.slice(0, slash);
  const isDockerHub = slash === -1 || (!/[.:]/.test(first) && first.toLowerCase() !== 'localhost');
  if (isDockerHub) path = `${DOCKER_HUB_DOMAIN}/${path}`;
  else if (first.toLowerCase() === DOCKER_HUB_LEGACY_DOMAIN) path = path.slice('index.'.length);
  return withLowerCaseHost(path);
}

/**
 * GitLab Runner's `convertToRegistryPath` for an `auths`/`credHelpers` key or a job-payload URL.
 * A key with an `http(s)://` scheme (any case) counts for its whole host (`/v1/` and any path dropped, `index.docker.io` → `docker.io`);
 * otherwise one trailing `/` is stripped, a `:tag` after the last `/` dropped, and the host lowercased (path case kept).
 */
export function registryKeyPath(key: string): string {
  const scheme = /^https?:\/\//i.exec(key);
  if (scheme) {
    const rest = key.slice(scheme[0].length);
    const slash = rest.indexOf('/');
    const host = (slash === -1 ? rest : rest.slice(0, slash)).toLowerCase();
    return host === DOCKER_HUB_LEGACY_DOMAIN ? DOCKER_HUB_DOMAIN : host;
  }
  let path = key.endsWith('/') ? key.slice(0, -1) : key;
  const tagIndex = path.lastIndexOf(':');
  const pathIndex = path.lastIndexOf('/');
  if (pathIndex !== -1 && tagIndex > pathIndex) path = path.slice(0, tagIndex);
  return withLowerCaseHost(path);
}

/** The parent of a lookup path (`a/b/c` → `a/b`), `''` at the top: the runner's walk from specific to general. */
export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/** The registry host (`host[:port]`) of a lookup path: its first segment. */
export function registryHostOf(lookupPath: string): string {
  const slash = lookupPath.indexOf('/');
  return slash === -1 ? lookupPath : lookupPath.slice(0, slash);
}
