/**
 * Which credential GitLab Runner attaches to an image pull (`Resolver.AllConfigs` + `ConfigForImage`), and which keys
 * nearly matched. Sources come in the runner's order: DOCKER_AUTH_CONFIG, the runner host's config, the job payload.
 */
import { DOCKER_HUB_AUTH_KEY, DOCKER_HUB_DOMAIN, DOCKER_HUB_HOSTS } from './dockerHub';
import { parentPath, registryHostOf, registryKeyPath, runnerLookupPath } from './imageRef';
import type { CredentialKey, CredentialMatch, CredentialSource, CredentialSourceKind, LookupResult } from '../types';

/**
 * The two sides of coverage: what the runner can see (everything but `stored-here`) and what is known only in VS Code.
 * `said-in-gitlab` sources drop out of the runner's side once GitLab's DOCKER_AUTH_CONFIG itself was read: its keys
 * are then known, and a user's word cannot outrank them.
 */
export function splitCoverage(sources: readonly CredentialSource[]): {
  runner: CredentialSource[];
  storedHere: CredentialSource[];
  gitlabVariable: CredentialSource | undefined;
} {
  const gitlabVariable = sources.find((source) => source.origin === 'gitlab-variable' && !source.credsStore);
  const runner = sources.filter((source) => source.origin !== 'stored-here' && !(gitlabVariable && source.origin === 'said-in-gitlab'));
  return { runner, storedHere: sources.filter((source) => source.origin === 'stored-here'), gitlabVariable };
}

/** Registries the user said GitLab's DOCKER_AUTH_CONFIG holds (the "GitLab already has it" quick fix), per project. */
export function saidInGitLabSource(keys: readonly string[]): CredentialSource {
  return {
    kind: 'runner-config',
    origin: 'said-in-gitlab',
    keys: keys.map((key) => ({ key, path: registryKeyPath(key), via: 'auths', label: "GitLab's DOCKER_AUTH_CONFIG (as you said)" })),
  };
}

/**
 * Compares strings in UTF-8 byte order (code point order), as Go sorts the raw keys of one source: negative, zero or
 * positive, for `Array.prototype.sort`.
 */
export function compareByteOrder(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    if (a.charCodeAt(i) === b.charCodeAt(i)) continue;
    // The first differing code point: a surrogate pair whose shared high half is at i - 1, else the one starting at i.
    if (i > 0 && isHighSurrogate(a.charCodeAt(i - 1))) {
      const difference = a.codePointAt(i - 1)! - b.codePointAt(i - 1)!;
      if (difference !== 0) return difference;
    }
    return a.codePointAt(i)! - b.codePointAt(i)!;
  }
  return a.length - b.length;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/** Every lookup path the runner registers, first registration per path winning (`RegistryInfos.Append`). */
function registeredPaths(sources: readonly CredentialSource[]): Map<string, CredentialMatch> {
  const registered = new Map<string, CredentialMatch>();
  for (const source of sources) {
    // Within one source the runner (≥ 18.3) processes raw keys in ascending byte order.
    const keys = [...source.keys].sort((a, b) => compareByteOrder(a.key, b.key));
    for (const key of keys) {
      if (!registered.has(key.path)) {
        registered.set(key.path, { key: key.key, path: key.path, source: source.kind, label: key.label, ...(source.origin ? { origin: source.origin } : {}) });
      }
    }
  }
  return registered;
}

/**
 * The credential GitLab Runner uses to pull `image`: sources merged in the order given (first entry per lookup path wins,
 * raw keys of one source in byte order), then the image's lookup path walked from longest to shortest, so a more
 * specific path beats source order. `coverageUnknown` when nothing matches but a source has a `credsStore`.
 */
export function lookupCredential(image: string, sources: readonly CredentialSource[]): LookupResult {
  return credentialLookup(sources)(runnerLookupPath(image));
}

/**
 * `lookupCredential` against fixed `sources` for many images, each given by its lookup path (`runnerLookupPath`): the
 * sources are merged once, not once per image. The sources must not change while the returned function is in use.
 */
export function credentialLookup(sources: readonly CredentialSource[]): (lookupPath: string) => LookupResult {
  const registered = registeredPaths(sources);
  const coverageUnknown = sources.some((source) => Boolean(source.credsStore));
  return (lookupPath) => {
    for (let path = lookupPath; path !== ''; path = parentPath(path)) {
      const match = registered.get(path);
      if (match) return { lookupPath, match, coverageUnknown: false };
    }
    return { lookupPath, match: null, coverageUnknown };
  };
}

export type NearMissReason = 'port' | 'scheme' | 'docker-hub-spelling' | 'docker-io-library' | 'case';

export interface NearMiss {
  /** The key as written. */
  readonly key: string;
  /** A key that would match the image (as a quick fix would write it). */
  readonly suggestedKey: string;
  readonly reason: NearMissReason;
  readonly source: CredentialSourceKind;
  readonly via: CredentialKey['via'];
}

/**
 * Hosts people write for Docker Hub that the runner does not map to `docker.io` (without an http(s) scheme, for
 * `index.docker.io`), and `hub.docker.com`: Docker Hub's website, pasted for its registry though it is none.
 */
const dockerHubMisspellings: ReadonlySet<string> = new Set([...[...DOCKER_HUB_HOSTS].filter((host) => host !== DOCKER_HUB_DOMAIN), 'hub.docker.com']);

/** `host[:port]` → host without the port (IPv6 brackets kept). */
function withoutPort(host: string): string {
  return host.replace(/:[0-9]+$/, '');
}

/** The lookup path and all its parents, longest first: what a key's path must equal to match. */
function ancestors(lookupPath: string): string[] {
  const paths: string[] = [];
  for (let path = lookupPath; path !== ''; path = parentPath(path)) paths.push(path);
  return paths;
}

function nearMissFor(key: CredentialKey, lookupPath: string, candidates: readonly string[]): { suggestedKey: string; reason: NearMissReason } | null {
  const imageHost = registryHostOf(lookupPath);
  const keyHost = registryHostOf(key.path);
  const keyRest = key.path.slice(keyHost.length);
  const matches = (path: string) => candidates.includes(path);

  if (lookupPath.startsWith('docker.io/') && /^docker\.io\/library(?:\/|$)/.test(key.path)) {
    // The runner does not insert `library/`: `alpine` is looked up as docker.io/alpine.
    const rest = key.path.slice('docker.io/library'.length);
    const suggestedKey = rest === '' ? DOCKER_HUB_AUTH_KEY : `docker.io${rest}`;
    // `docker.io/library` was meant for official images, which the runner looks up as docker.io/<name>.
    const officialImage = /^docker\.io\/[^/]+$/.test(lookupPath);
    if (rest === '' ? officialImage : matches(suggestedKey)) return { suggestedKey, reason: 'docker-io-library' };
  }
  if (lookupPath.startsWith('docker.io/') && dockerHubMisspellings.has(keyHost)) {
    const rest = keyRest.replace(/^\/v[12](?=\/|$)/i, '');
    const suggestedKey = rest === '' ? DOCKER_HUB_AUTH_KEY : `docker.io${rest}`;
    if (rest === '' || matches(suggestedKey)) return { suggestedKey, reason: 'docker-hub-spelling' };
  }
  const otherScheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(key.key);
  if (otherScheme && !/^https?:\/\//i.test(key.key)) {
    const suggestedKey = registryKeyPath(key.key.slice(otherScheme[0].length));
    if (matches(suggestedKey)) return { suggestedKey, reason: 'scheme' };
  }
  if (keyHost === imageHost && /^\/v[12](?:\/|$)/i.test(keyRest) && !matches(key.path)) {
    // `host/v1/` without a scheme: the legacy URL form, which the runner reads as a repository path.
    return { suggestedKey: keyHost, reason: 'scheme' };
  }
  if (keyHost !== imageHost && withoutPort(keyHost) === withoutPort(imageHost) && matches(imageHost + keyRest)) {
    return { suggestedKey: imageHost + keyRest, reason: 'port' };
  }
  const caseInsensitive = candidates.find((path) => path.toLowerCase() === key.path.toLowerCase());
  if (caseInsensitive !== undefined) return { suggestedKey: caseInsensitive, reason: 'case' };
  return null;
}

/**
 * Keys that would have matched `image` but for one detail: the port (`registry.example.com` vs `:5050`, `:443`),
 * a scheme the runner reads differently (`docker://host`, `host/v1/` without `https://`), a Docker Hub spelling the runner
 * does not map (`index.docker.io` without scheme, `registry-1.docker.io`), `docker.io/library` for an unqualified image,
 * or the case of the path. Keys that match are never reported; callers usually ask only when the lookup found nothing.
 */
export function nearMisses(image: string, sources: readonly CredentialSource[]): NearMiss[] {
  return nearMissesOfPath(runnerLookupPath(image), sources);
}

/** `nearMisses` for an image given by its lookup path (`runnerLookupPath`): images with one path have the same near misses. */
export function nearMissesOfPath(lookupPath: string, sources: readonly CredentialSource[]): NearMiss[] {
  const candidates = ancestors(lookupPath);
  const misses: NearMiss[] = [];
  for (const source of sources) {
    for (const key of source.keys) {
      if (candidates.includes(key.path)) continue;
      const miss = nearMissFor(key, lookupPath, candidates);
      if (miss) misses.push({ key: key.key, ...miss, source: source.kind, via: key.via });
    }
  }
  return misses;
}
