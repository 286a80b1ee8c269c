/**
 * Checks a registry credential against the registry itself, following the Docker Registry v2 token
 * authentication flow (distribution `docs/spec/auth/token.md`) as `docker login` / `docker pull` do.
 * Network access goes through an injectable `fetch`; nothing here imports `vscode`.
 */

export type VerifyStatus = 'valid' | 'wrong-credentials' | 'no-pull-access' | 'not-found' | 'unreachable' | 'no-auth-required';
import { scrubSecrets } from '../secretScrub';
import { DOCKER_HUB_API_HOST, isDockerHubHost } from './dockerHub';
import { trimBoth, utf8OfChunks } from '../text';
import { decodeBase64UrlText, encodeBase64 } from '../auth/base64';

export interface VerifyRequest {
  /** `host[:port]` as in an `auths` key or an image reference; a scheme or path (`https://index.docker.io/v1/`) is tolerated. */
  readonly registry: string;
  readonly username: string;
  readonly secret: string;
  /** Repository path on that registry (`group/app`, or `alpine` on Docker Hub). Without it only the login is checked. */
  readonly repository?: string;
  /** Tag or digest to probe; `latest` when omitted. */
  readonly tag?: string;
}

export interface VerifyOptions {
  readonly fetch?: typeof fetch;
  /** Budget for the whole verification, all requests included. */
  readonly timeoutMs: number;
  /** Budget for each request on its own (none when omitted: only `timeoutMs` applies). */
  readonly requestTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** The outcome. `message` and `detail` never contain the secret or an Authorization header. */
export interface VerifyResult {
  readonly status: VerifyStatus;
  /** One user-facing sentence. */
  readonly message: string;
  /** HTTP-level detail: status, registry error code and message, network error code. */
  readonly detail?: string;
}

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const MAX_REDIRECTS = 3;
const MAX_BODY_BYTES = 64 * 1024;
const MAX_DETAIL_CHARS = 300;

// Distribution's reference grammar (reference/regexp.go): path components and tags.
const REPOSITORY_PATTERN = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG_PATTERN = /^[\w][\w.-]{0,127}$/;
const DIGEST_PATTERN = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

/** Where and how to reach a registry's v2 API. */
export interface RegistryEndpoint {
  /** `http://127.0.0.1:5000` or `https://registry-1.docker.io`, no trailing slash. */
  readonly baseUrl: string;
  readonly isDockerHub: boolean;
}

/**
 * The v2 API base for a registry name: https, except loopback hosts (`localhost`, `127.0.0.0/8`, `[::1]`) which Docker
 * reaches over plain http; Docker Hub aliases go to `registry-1.docker.io`.
 * Returns undefined when the name is not a usable `host[:port]`.
 */
export function registryEndpointFor(registry: string): RegistryEndpoint | undefined {
  const hostPort =
    registry
      .trim()
      .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
      .split('/')[0] ?? '';
  if (hostPort === '' || /[\s@?#\\]/.test(hostPort)) return undefined;
  let url: URL;
  try {
    url = new URL(`http://${hostPort}`);
  } catch {
    return undefined;
  }
  if (isDockerHubHost(url.hostname) && url.port === '') {
    return { baseUrl: `https://${DOCKER_HUB_API_HOST}`, isDockerHub: true };
  }
  const scheme = isLoopbackHost(url.hostname) ? 'http' : 'https';
  return { baseUrl: `${scheme}://${url.host}`, isDockerHub: false };
}

/** True for the hosts Docker treats as local and insecure by default. */
function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

export interface AuthChallenge {
  /** Lower-cased scheme: `basic`, `bearer`... */
  readonly scheme: string;
  /** Parameter names lower-cased, values unquoted. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses a `WWW-Authenticate` header into its challenges (RFC 7235: several challenges may share one header,
 * parameter values may be quoted and contain commas).
 */
export function parseAuthChallenges(header: string): AuthChallenge[] {
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  // A bare token starts a new challenge; `name=value` (value quoted or not) adds a parameter to the current one.
  const item = /[\s,]*([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*)))?/y;
  for (let match = item.exec(header); match; match = item.exec(header)) {
    const [, name, quoted, bare] = match;
    if (quoted === undefined && bare === undefined) challenges.push({ scheme: name!.toLowerCase(), params: {} });
    else if (challenges.length > 0) challenges[challenges.length - 1]!.params[name!.toLowerCase()] = quoted?.replace(/\\(.)/g, '$1') ?? bare!;
    if (item.lastIndex >= header.length) break;
  }
  return challenges;
}

/** One `access` entry of a registry JWT. */
export interface TokenAccess {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

/**
 * The `access` claim of a registry bearer token when it is a JWT, or undefined when the token is opaque
 * (e.g. GHCR) and only a probe can tell what it grants.
 */
export function decodeTokenAccess(token: string): TokenAccess[] | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(decodeBase64UrlText(parts[1]!));
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null) return undefined;
  const access = (payload as { access?: unknown }).access;
  if (access === undefined || access === null) return [];
  if (!Array.isArray(access)) return undefined;
  return access.flatMap((entry): TokenAccess[] => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { type, name, actions } = entry as Record<string, unknown>;
    if (typeof type !== 'string' || typeof name !== 'string' || !Array.isArray(actions)) return [];
    return [{ type, name, actions: actions.filter((action): action is string => typeof action === 'string') }];
  });
}

/**
 * Verifies that `username`/`secret` log in to `registry` and, when `repository` is given, may pull `repository:tag`.
 *
 * Resolves with a status for every network outcome, including timeouts, garbage answers and cancellation
 * (`unreachable` with detail `cancelled`); rejects only on an invalid request (empty registry, malformed repository or tag).
 * Credentials are sent only to the registry itself and to the token realm its challenge names, never across a redirect
 * to another host, and never over plain http except to loopback hosts.
 */
export async function verifyRegistryCredentials(request: VerifyRequest, options: VerifyOptions): Promise<VerifyResult> {
  const endpoint = registryEndpointFor(request.registry);
  if (!endpoint) throw new TypeError(`"${request.registry}" is not a registry host[:port].`);
  const repository = normalizeRepository(request.repository, endpoint.isDockerHub);
  const reference = request.tag === undefined || request.tag === '' ? 'latest' : request.tag;
  if (!TAG_PATTERN.test(reference) && !DIGEST_PATTERN.test(reference)) {
    throw new TypeError(`"${reference}" is not a valid tag or digest.`);
  }

  return runSession(endpoint, basicAuthorizationOf(request.username, request.secret), 'verify', repository, reference, options, [request.secret]);
}

/** A pull as Docker would do it: the credential the runner would use for the image, or none (anonymous). */
export interface PullProbeRequest {
  readonly registry: string;
  readonly repository: string;
  /** Tag or digest. */
  readonly reference: string;
  readonly credential?: { readonly username: string; readonly secret: string };
}

/**
 * Follows the registry's challenge for `repository:reference` exactly as a `docker pull` would and sends one manifest
 * `HEAD` (nothing is downloaded): `valid` the manifest exists and may be pulled, `not-found`, `no-pull-access` (also
 * when anonymous access is refused), `wrong-credentials`, `unreachable`. Same guarantees as `verifyRegistryCredentials`.
 */
export async function probeImagePull(request: PullProbeRequest, options: VerifyOptions): Promise<VerifyResult> {
  const endpoint = registryEndpointFor(request.registry);
  if (!endpoint) throw new TypeError(`"${request.registry}" is not a registry host[:port].`);
  const repository = normalizeRepository(request.repository, endpoint.isDockerHub);
  if (!repository) throw new TypeError('A repository is needed to check a pull.');
  if (!TAG_PATTERN.test(request.reference) && !DIGEST_PATTERN.test(request.reference)) {
    throw new TypeError(`"${request.reference}" is not a valid tag or digest.`);
  }
  const { credential } = request;
  const authorization = credential ? basicAuthorizationOf(credential.username, credential.secret) : undefined;
  return runSession(endpoint, authorization, 'pull', repository, request.reference, options, credential ? [credential.secret] : []);
}

function basicAuthorizationOf(username: string, secret: string): string {
  return `Basic ${encodeBase64(`${username}:${secret}`)}`;
}

async function runSession(
  endpoint: RegistryEndpoint,
  authorization: string | undefined,
  mode: SessionMode,
  repository: string | undefined,
  reference: string,
  options: VerifyOptions,
  secrets: readonly string[],
): Promise<VerifyResult> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const session = new RegistrySession(endpoint, authorization, mode, options.fetch ?? fetch, signal, options.requestTimeoutMs);
  const scrubbed = [...secrets, ...(authorization ? [authorization.slice('Basic '.length)] : [])];
  try {
    return scrubResult(await session.verify(repository, reference), scrubbed);
  } catch (error) {
    return scrubResult(networkFailure(error, endpoint, options, deadline), scrubbed);
  }
}

function normalizeRepository(repository: string | undefined, isDockerHub: boolean): string | undefined {
  if (repository === undefined || repository === '') return undefined;
  const path = trimBoth(repository, '/');
  if (!REPOSITORY_PATTERN.test(path)) throw new TypeError(`"${repository}" is not a valid repository name.`);
  // Official Docker Hub images live under library/ (docker pull alpine = library/alpine).
  return isDockerHub && !path.includes('/') ? `library/${path}` : path;
}

/** A response reduced to what classification needs; the body is capped and read as text. */
interface FetchedResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  readonly url: string;
}

class VerifyFailure extends Error {
  constructor(readonly result: VerifyResult) {
    super(result.message);
  }
}

/** `verify`: is this login good (the wizard); `pull`: would this pull succeed, credentials or not (the pull check). */
type SessionMode = 'verify' | 'pull';

class RegistrySession {
  constructor(
    private readonly endpoint: RegistryEndpoint,
    /** `Basic …`, or undefined to go anonymously as Docker does without credentials. */
    private readonly basicAuthorization: string | undefined,
    private readonly mode: SessionMode,
    private readonly fetchImpl: typeof fetch,
    private readonly signal: AbortSignal,
    private readonly requestTimeoutMs: number | undefined,
  ) {}

  async verify(repository: string | undefined, reference: string): Promise<VerifyResult> {
    try {
      return await this.run(repository, reference);
    } catch (error) {
      if (error instanceof VerifyFailure) return error.result;
      throw error;
    }
  }

  private async run(repository: string | undefined, reference: string): Promise<VerifyResult> {
    const ping = await this.request(`${this.endpoint.baseUrl}/v2/`, 'GET', undefined);
    if (ping.status === 200) {
      if (!looksLikeRegistryApi(ping)) throw new VerifyFailure(notARegistry(ping));
      return this.afterAnonymousPing(repository, reference);
    }
    if (ping.status !== 401) throw new VerifyFailure(notARegistry(ping));
    return this.authenticate(challengeOf(ping), repository, reference);
  }

  /** `/v2/` is open; a repository may still demand credentials, which its own challenge then says. */
  private async afterAnonymousPing(repository: string | undefined, reference: string): Promise<VerifyResult> {
    const noAuth: VerifyResult = {
      status: 'no-auth-required',
      message: 'The registry answers without authentication, so these credentials are not needed and were not checked.',
      detail: 'GET /v2/ -> 200 without credentials',
    };
    if (!repository) return noAuth;
    const probe = await this.request(this.manifestUrl(repository, reference), 'HEAD', undefined);
    if (probe.status === 401) return this.authenticate(challengeOf(probe), repository, reference);
    // A pull with credentials on an open registry sends none: Docker only answers challenges.
    if (this.mode === 'pull') return classifyManifestProbe(probe, repository, reference);
    if (probe.status === 404) {
      return {
        ...noAuth,
        message: `The registry answers without authentication, so these credentials are not needed; ${imageName(repository, reference)} was not found there.`,
        detail: `GET /v2/ -> 200 without credentials; ${describeResponse(probe, 'HEAD manifest')}`,
      };
    }
    return noAuth;
  }

  private async authenticate(challenge: AuthChallenge | undefined, repository: string | undefined, reference: string): Promise<VerifyResult> {
    if (challenge?.scheme === 'basic') return this.authenticateBasic(repository, reference);
    if (challenge?.scheme === 'bearer') return this.authenticateBearer(challenge, repository, reference);
    throw new VerifyFailure({
      status: 'unreachable',
      message: 'The registry asked for authentication without a usable challenge, so the credentials could not be checked.',
      detail: challenge ? `unsupported WWW-Authenticate scheme "${challenge.scheme}"` : 'HTTP 401 without a WWW-Authenticate challenge',
    });
  }

  private async authenticateBasic(repository: string | undefined, reference: string): Promise<VerifyResult> {
    if (this.basicAuthorization === undefined) return anonymousRefused('The registry asks for a username and token, and none is given for it.');
    const login = await this.request(`${this.endpoint.baseUrl}/v2/`, 'GET', this.basicAuthorization);
    if (login.status === 401 || login.status === 403) {
      return {
        status: 'wrong-credentials',
        message: `The registry rejected the username or token (HTTP ${login.status}).`,
        detail: describeResponse(login, 'GET /v2/ with Basic auth'),
      };
    }
    if (login.status !== 200) throw new VerifyFailure(notARegistry(login));
    if (!repository) return validLogin('GET /v2/ with Basic auth -> 200');
    const probe = await this.request(this.manifestUrl(repository, reference), 'HEAD', this.basicAuthorization);
    return classifyManifestProbe(probe, repository, reference);
  }

  private async authenticateBearer(challenge: AuthChallenge, repository: string | undefined, reference: string): Promise<VerifyResult> {
    const realm = this.realmUrl(challenge);
    if (challenge.params['service'] !== undefined) realm.searchParams.set('service', challenge.params['service']);
    if (repository) realm.searchParams.append('scope', `repository:${repository}:pull`);

    const tokenResponse = await this.request(realm.toString(), 'GET', this.basicAuthorization);
    if ((tokenResponse.status === 401 || tokenResponse.status === 403) && this.basicAuthorization === undefined) {
      return anonymousRefused(
        `The registry's token service refuses anonymous access (HTTP ${tokenResponse.status}).`,
        describeResponse(tokenResponse, `token service ${realm.host}`),
      );
    }
    if (tokenResponse.status === 401 || tokenResponse.status === 403) {
      return {
        status: 'wrong-credentials',
        message: `The registry's token service rejected the username or token (HTTP ${tokenResponse.status}).`,
        detail: describeResponse(tokenResponse, `token service ${realm.host}`),
      };
    }
    if (tokenResponse.status !== 200) {
      throw new VerifyFailure({
        status: 'unreachable',
        message: `The registry's token service at ${realm.host} did not issue a token (HTTP ${tokenResponse.status}).`,
        detail: describeResponse(tokenResponse, `token service ${realm.host}`),
      });
    }
    const token = bearerTokenOf(tokenResponse);
    if (token === undefined) {
      throw new VerifyFailure({
        status: 'unreachable',
        message: `The registry's token service at ${realm.host} answered without a token.`,
        detail: `token service ${realm.host} -> 200 ${summarizeBody(tokenResponse)}`,
      });
    }
    const bearer = `Bearer ${token}`;

    if (!repository) {
      const login = await this.request(`${this.endpoint.baseUrl}/v2/`, 'GET', bearer);
      if (login.status === 200) return validLogin('token issued; GET /v2/ with the token -> 200');
      throw new VerifyFailure({
        status: 'unreachable',
        message: `The registry did not accept the token its own token service issued (HTTP ${login.status}).`,
        detail: describeResponse(login, 'GET /v2/ with the token'),
      });
    }

    // A token is the intersection of asked and granted access (spec): a 200 does not prove pull rights.
    const access = decodeTokenAccess(token);
    if (access !== undefined && !grantsPull(access, repository)) {
      return {
        status: 'no-pull-access',
        message: `The credentials are valid, but they do not grant pull access to ${repository} (or it does not exist).`,
        detail: `token access claim grants no pull on repository:${repository}`,
      };
    }
    const probe = await this.request(this.manifestUrl(repository, reference), 'HEAD', bearer);
    return classifyManifestProbe(probe, repository, reference);
  }

  /** The realm must be an absolute http(s) URL; credentials go over plain http only to loopback hosts. */
  private realmUrl(challenge: AuthChallenge): URL {
    const realm = challenge.params['realm'];
    let url: URL | undefined;
    try {
      url = realm ? new URL(realm) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      throw new VerifyFailure({
        status: 'unreachable',
        message: 'The registry named no usable token service, so the credentials could not be checked.',
        detail: `Bearer challenge realm ${realm === undefined ? 'missing' : `"${truncate(realm, 120)}" is not an http(s) URL`}`,
      });
    }
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      throw new VerifyFailure({
        status: 'unreachable',
        message: `The registry's token service ${url.host} uses plain http, so the credentials were not sent.`,
        detail: `Bearer challenge realm ${url.origin} is not https`,
      });
    }
    return url;
  }

  private manifestUrl(repository: string, reference: string): string {
    return `${this.endpoint.baseUrl}/v2/${repository}/manifests/${reference}`;
  }

  /**
   * One request, following at most a few redirects by hand so that the Authorization header is dropped
   * as soon as a redirect leaves the host it was meant for.
   */
  private async request(url: string, method: 'GET' | 'HEAD', authorization: string | undefined): Promise<FetchedResponse> {
    const authorizedOrigin = new URL(url).origin;
    let current = url;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'User-Agent': 'gitlab-ci-registry-auth' };
      if (method === 'HEAD') headers['Accept'] = MANIFEST_ACCEPT;
      if (authorization !== undefined && new URL(current).origin === authorizedOrigin) headers['Authorization'] = authorization;
      const signal = this.requestTimeoutMs === undefined ? this.signal : AbortSignal.any([this.signal, AbortSignal.timeout(this.requestTimeoutMs)]);
      const response = await this.fetchImpl(current, { method, headers, redirect: 'manual', signal });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await response.body?.cancel().catch(() => undefined);
        if (hop >= MAX_REDIRECTS) {
          throw new VerifyFailure({
            status: 'unreachable',
            message: 'The registry redirected too many times.',
            detail: `more than ${MAX_REDIRECTS} redirects, last HTTP ${response.status}`,
          });
        }
        const next = new URL(location, current);
        if (next.protocol !== 'https:' && next.protocol !== 'http:') {
          throw new VerifyFailure({
            status: 'unreachable',
            message: 'The registry redirected to an address that is not http(s).',
            detail: `redirect HTTP ${response.status} to a ${next.protocol} URL`,
          });
        }
        current = next.toString();
        continue;
      }
      const body = method === 'HEAD' ? '' : await readCapped(response);
      return { status: response.status, headers: response.headers, body, url: current };
    }
  }
}

async function readCapped(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return utf8OfChunks(chunks, MAX_BODY_BYTES);
}

function challengeOf(response: FetchedResponse): AuthChallenge | undefined {
  const header = response.headers.get('www-authenticate');
  if (!header) return undefined;
  const challenges = parseAuthChallenges(header);
  // Prefer Bearer when both are offered, as Docker does.
  return challenges.find((challenge) => challenge.scheme === 'bearer') ?? challenges.find((challenge) => challenge.scheme === 'basic') ?? challenges[0];
}

/** A 200 on `/v2/` is a registry when it says so (API version header) or at least answers JSON. */
function looksLikeRegistryApi(response: FetchedResponse): boolean {
  if (response.headers.get('docker-distribution-api-version')?.startsWith('registry/2')) return true;
  return parseJson(response.body) !== undefined;
}

function bearerTokenOf(response: FetchedResponse): string | undefined {
  const json = parseJson(response.body);
  if (typeof json !== 'object' || json === null) return undefined;
  const { token, access_token: accessToken } = json as Record<string, unknown>;
  const value = typeof token === 'string' && token !== '' ? token : accessToken;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function grantsPull(access: readonly TokenAccess[], repository: string): boolean {
  return access.some((entry) => entry.type === 'repository' && entry.name === repository && (entry.actions.includes('pull') || entry.actions.includes('*')));
}

function classifyManifestProbe(probe: FetchedResponse, repository: string, reference: string): VerifyResult {
  const image = imageName(repository, reference);
  const detail = describeResponse(probe, `HEAD /v2/${repository}/manifests/${reference}`);
  if (probe.status === 200) {
    return { status: 'valid', message: `The credentials are valid and can pull ${image}.`, detail };
  }
  if (probe.status === 401 || probe.status === 403) {
    return {
      status: 'no-pull-access',
      message: `The credentials are valid, but they do not grant pull access to ${repository}.`,
      detail,
    };
  }
  if (probe.status === 404) {
    return {
      status: 'not-found',
      message: `The credentials are valid, but ${image} does not exist on this registry.`,
      detail,
    };
  }
  throw new VerifyFailure({
    status: 'unreachable',
    message: `The registry answered the image check with an unexpected HTTP ${probe.status}.`,
    detail,
  });
}

function imageName(repository: string, reference: string): string {
  return DIGEST_PATTERN.test(reference) ? `${repository}@${reference}` : `${repository}:${reference}`;
}

/** Anonymous access refused: what Docker reports as "pull access denied" for a pull without credentials. */
function anonymousRefused(message: string, detail = 'no credentials for this registry'): VerifyResult {
  return { status: 'no-pull-access', message, detail };
}

function validLogin(detail: string): VerifyResult {
  return { status: 'valid', message: 'The registry accepted the credentials.', detail };
}

function notARegistry(response: FetchedResponse): VerifyResult {
  return {
    status: 'unreachable',
    message: `The server did not answer like a container registry (HTTP ${response.status} on /v2/).`,
    detail: `GET ${new URL(response.url).origin}/v2/ -> ${response.status} ${summarizeBody(response)}`.trim(),
  };
}

/** `what -> status`, plus the registry's error code and message when the body has them. */
function describeResponse(response: FetchedResponse, what: string): string {
  const parts = [`${what} -> ${response.status}`];
  const challengeError = challengeOf(response)?.params['error'];
  if (challengeError) parts.push(`error="${challengeError}"`);
  const errors = registryErrorsOf(response.body);
  if (errors) parts.push(errors);
  else if (response.body !== '' && response.status >= 400) parts.push(summarizeBody(response));
  return parts.join(' ');
}

/** The `{"errors":[{code,message}]}` body registries and GitLab's `/jwt/auth` send. */
function registryErrorsOf(body: string): string | undefined {
  const json = parseJson(body);
  if (typeof json !== 'object' || json === null) return undefined;
  const errors = (json as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  return errors
    .map((error: unknown) => {
      const { code, message } = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
      return [typeof code === 'string' ? code : undefined, typeof message === 'string' ? truncate(message, 160) : undefined].filter(Boolean).join(': ');
    })
    .join('; ');
}

function summarizeBody(response: FetchedResponse): string {
  const contentType = response.headers.get('content-type') ?? '';
  const body = response.body.trim();
  if (body === '') return '(empty body)';
  if (/html/i.test(contentType) || /^<(!doctype|html)/i.test(body)) return '(HTML page, not a registry API response)';
  if (parseJson(body) === undefined) return `(non-JSON body: ${JSON.stringify(truncate(body, 60))})`;
  return `(JSON body: ${truncate(body.replace(/\s+/g, ' '), 120)})`;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The `code` of the error a browser host's `fetch` wrapper throws when the browser refused the request or its answer
 * (registries send no CORS headers): there is no telling from a browser whether the credentials work.
 */
export const FETCH_BLOCKED_BY_BROWSER = 'ERR_BLOCKED_BY_BROWSER';

/** The `message` of a verification (or pull check) the browser blocked. */
export const BLOCKED_BY_BROWSER_MESSAGE = 'Verification is not possible from the browser: registries do not allow it.';

function networkFailure(error: unknown, endpoint: RegistryEndpoint, options: VerifyOptions, deadline: AbortSignal): VerifyResult {
  const host = new URL(endpoint.baseUrl).host;
  if (options.signal?.aborted) {
    return { status: 'unreachable', message: 'Verification was cancelled.', detail: 'cancelled' };
  }
  const requestTimedOut = options.requestTimeoutMs !== undefined && (error as { name?: unknown } | null)?.name === 'TimeoutError';
  if (deadline.aborted || requestTimedOut) {
    const timeoutMs = deadline.aborted ? options.timeoutMs : options.requestTimeoutMs!;
    const seconds = Math.round(timeoutMs / 100) / 10;
    return {
      status: 'unreachable',
      message: `${host} did not answer within ${seconds} s.`,
      detail: `timeout after ${timeoutMs} ms`,
    };
  }
  const code = errorCodeOf(error);
  const cause = (error as { cause?: unknown } | null)?.cause;
  const withCause = cause instanceof Error ? `${String(error)}: ${cause.message}` : String(error);
  const detail = code ? `${code}${errorMessageOf(error) ? `: ${truncate(errorMessageOf(error)!, 160)}` : ''}` : truncate(withCause, 200);
  if (code === FETCH_BLOCKED_BY_BROWSER) {
    return { status: 'unreachable', message: BLOCKED_BY_BROWSER_MESSAGE, detail: `${host}: blocked by the browser (CORS)` };
  }
  if (code === 'ECONNREFUSED') return { status: 'unreachable', message: `Nothing accepts connections at ${host} (connection refused).`, detail };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { status: 'unreachable', message: `The host name of ${host} could not be resolved (DNS).`, detail };
  if (code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(code)) {
    return { status: 'unreachable', message: `The TLS connection to ${host} failed; its certificate was not accepted.`, detail };
  }
  return { status: 'unreachable', message: `Could not talk to ${host}.`, detail };
}

/** Node's fetch wraps the socket error in `cause` (sometimes twice). */
function errorCodeOf(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorMessageOf(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    if (typeof (current as { code?: unknown }).code === 'string') {
      const message = (current as { message?: unknown }).message;
      return typeof message === 'string' ? message : undefined;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A server may echo what it was sent; make sure neither the secret nor the Basic value ever leaves in a result. */
function scrubResult(result: VerifyResult, values: readonly string[]): VerifyResult {
  const secrets = values.filter((value) => value.length >= 3);
  // Scrubbed after the server text was cut to size: a cut echo is caught as a piece of the secret.
  const scrub = (text: string): string => scrubSecrets(text, secrets);
  const detail = result.detail === undefined ? undefined : truncate(scrub(result.detail), MAX_DETAIL_CHARS);
  return detail === undefined ? { status: result.status, message: scrub(result.message) } : { status: result.status, message: scrub(result.message), detail };
}
