/**
 * A loopback token server that behaves like GitLab's `/jwt/auth` (app/controllers/jwt_controller.rb and
 * Auth::ContainerRegistryAuthenticationService): Basic credentials in, an RS256 JWT out whose `access` claim is the
 * requested scope filtered by what the user may do; 401 with GitLab's error body on bad credentials; 404 on an
 * unknown `service`. A real `docker-registry` trusts it through `rootcertbundle` (the certificate written here).
 */
import { spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type RegistryAction = 'pull' | 'push' | 'delete';

export interface TokenServerUser {
  readonly username: string;
  /** Password or token (GitLab ignores the username for access tokens; here it is checked, as for deploy tokens). */
  readonly password: string;
  /** Repository path → actions this user holds there. */
  readonly permissions: Readonly<Record<string, readonly RegistryAction[]>>;
}

export interface TokenServerOptions {
  readonly users: readonly TokenServerUser[];
  /** GitLab's default `service`. */
  readonly service?: string;
  /** GitLab's default issuer (omnibus uses `omnibus-gitlab-issuer`). */
  readonly issuer?: string;
}

export interface TokenAccessEntry {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

/** What the server saw; never the password. */
export interface TokenRequestRecord {
  readonly username: string | null;
  readonly service: string | null;
  readonly scopes: readonly string[];
}

export interface TokenServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The `token.realm` for the registry config. */
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** PEM certificate of the signing key, for `token.rootcertbundle`. */
  readonly certificatePath: string;
  readonly requests: readonly TokenRequestRecord[];
  /** Signs a token directly (e.g. a push token for seeding an image), bypassing the user table. */
  mintToken(subject: string, access: readonly TokenAccessEntry[]): string;
  stop(): Promise<void>;
}

/** The 401 body GitLab's JwtController renders for rejected Basic credentials. */
export const GITLAB_ACCESS_DENIED_BODY = JSON.stringify({
  errors: [
    {
      code: 'UNAUTHORIZED',
      message:
        "HTTP Basic: Access denied. If a password was provided for Git authentication, the password was incorrect or you're required to use a token instead of a password. If a token was provided, it was either incorrect, expired, or improperly scoped. See http://127.0.0.1/help/user/profile/account/two_factor_authentication_troubleshooting.md#error-http-basic-access-denied-if-a-password-was-provided-for-git-authentication-",
    },
  ],
});

const TOKEN_TTL_SECONDS = 300;

/** Starts the server on a free loopback port. Needs `openssl` to make the self-signed certificate. */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const service = options.service ?? 'container_registry';
  const issuer = options.issuer ?? 'gitlab-issuer';
  const directory = mkdtempSync(join(tmpdir(), 'gitlab-ci-auth-token-server-'));
  try {
    const { privateKey, certificatePath, keyId } = createSigningCertificate(directory);
    const requests: TokenRequestRecord[] = [];
    const mintToken = (subject: string, access: readonly TokenAccessEntry[]): string =>
      signJwt({ privateKey, keyId, issuer, audience: service, subject, access });

    const server = createServer((request, response) => {
      handleTokenRequest(request, response, { users: options.users, service, requests, mintToken });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    return {
      url,
      realm: `${url}/jwt/auth`,
      service,
      issuer,
      certificatePath,
      requests,
      mintToken,
      stop: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        rmSync(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}

interface HandlerContext {
  readonly users: readonly TokenServerUser[];
  readonly service: string;
  readonly requests: TokenRequestRecord[];
  readonly mintToken: (subject: string, access: readonly TokenAccessEntry[]) => string;
}

function handleTokenRequest(request: IncomingMessage, response: ServerResponse, context: HandlerContext): void {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  if (url.pathname !== '/jwt/auth' || request.method !== 'GET') {
    response.writeHead(404).end();
    return;
  }
  const credentials = basicCredentialsOf(request.headers.authorization);
  // GitLab accepts several `scope` parameters and space-separated scopes within one.
  const scopes = url.searchParams
    .getAll('scope')
    .flatMap((scope) => scope.split(' '))
    .filter((scope) => scope !== '');
  context.requests.push({ username: credentials?.username ?? null, service: url.searchParams.get('service'), scopes });

  const user = credentials ? context.users.find((candidate) => candidate.username === credentials.username) : undefined;
  if (credentials && (!user || user.password !== credentials.password)) {
    response.writeHead(401, { 'Content-Type': 'application/json' }).end(GITLAB_ACCESS_DENIED_BODY);
    return;
  }
  // `head :not_found unless service` comes after authentication in GitLab's controller.
  if (url.searchParams.get('service') !== context.service) {
    response.writeHead(404).end();
    return;
  }
  const access = scopes.flatMap((scope) => grantedAccess(scope, user));
  const token = context.mintToken(user?.username ?? '', access);
  response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token }));
}

/** The requested actions the user holds; nothing for anonymous users (no public projects here) or unknown types. */
function grantedAccess(scope: string, user: TokenServerUser | undefined): TokenAccessEntry[] {
  const parts = scope.split(':');
  if (parts.length < 3) return [];
  const type = parts[0]!;
  const actions = parts[parts.length - 1]!.split(',');
  const name = parts.slice(1, -1).join(':');
  if (type !== 'repository' || !user) return [];
  const held = user.permissions[name] ?? [];
  const granted = actions.filter((action) => (held as readonly string[]).includes(action));
  // GitLab drops scopes that end up without any action.
  return granted.length > 0 ? [{ type, name, actions: granted }] : [];
}

function basicCredentialsOf(header: string | undefined): { username: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function createSigningCertificate(directory: string): { privateKey: KeyObject; certificatePath: string; keyId: string } {
  const keyPath = join(directory, 'token.key');
  const certificatePath = join(directory, 'token.crt');
  const result = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certificatePath, '-days', '2', '-subj', '/CN=loopback-gitlab-token-issuer'],
    { encoding: 'utf8' },
  );
  if (result.error || result.status !== 0) {
    throw new Error(`openssl could not create the token signing certificate (run \`apt-get install openssl\`): ${result.error?.message ?? result.stderr}`);
  }
  const privateKey = createPrivateKey(readFileSync(keyPath));
  return { privateKey, certificatePath, keyId: libtrustKeyId(createPublicKey(readFileSync(certificatePath))) };
}

/**
 * The key id docker/libtrust derives and the registry matches against `rootcertbundle`: SHA-256 of the DER
 * SubjectPublicKeyInfo, first 240 bits, base32 without padding, in groups of four joined by `:`.
 */
export function libtrustKeyId(publicKey: KeyObject): string {
  const digest = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest()
    .subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const byte of digest) bits += byte.toString(2).padStart(8, '0');
  let encoded = '';
  for (let i = 0; i < bits.length; i += 5) encoded += alphabet[parseInt(bits.slice(i, i + 5), 2)];
  return encoded.match(/.{4}/g)!.join(':');
}

interface JwtInput {
  readonly privateKey: KeyObject;
  readonly keyId: string;
  readonly issuer: string;
  readonly audience: string;
  readonly subject: string;
  readonly access: readonly TokenAccessEntry[];
}

function signJwt(input: JwtInput): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'RS256', kid: input.keyId };
  const claims = {
    iss: input.issuer,
    sub: input.subject,
    aud: input.audience,
    iat: now,
    nbf: now - 5,
    exp: now + TOKEN_TTL_SECONDS,
    jti: randomUUID(),
    access: input.access,
  };
  const signingInput = `${base64Url(JSON.stringify(header))}.${base64Url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(signingInput), input.privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

function base64Url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
