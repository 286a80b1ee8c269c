/**
 * Starts a real Docker registry (Debian's `docker-registry`, distribution 2.8) on a free loopback port for tests,
 * with no auth, htpasswd Basic auth, or token auth behind a loopback token server, and seeds it with a tiny image
 * through the plain registry HTTP API. Every process is killed by PID and every temp dir removed on stop,
 * and also when the test process exits early.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startTokenServer, type TokenServer } from './tokenServer';

/** Shown when the real-registry tests cannot run: they must fail, never skip. */
export const REGISTRY_TOOLS_MISSING = 'The real-registry tests need docker-registry and htpasswd: run `apt-get install docker-registry apache2-utils`.';

export interface RegistryUser {
  readonly username: string;
  readonly password: string;
}

export type RegistryAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'htpasswd'; readonly users: readonly RegistryUser[] }
  | { readonly kind: 'token'; readonly tokenServer: TokenServer };

export interface RunningRegistry {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>`, as an image reference or `auths` key names it. */
  readonly host: string;
  readonly pid: number;
  /** The registry's own log so far (for assertion messages). */
  log(): string;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 1_000;
const MAX_LOG_CHARS = 64 * 1024;

/** Registries still running, killed synchronously if the test process exits before its `after()` hooks ran. */
const running = new Map<number, { child: ChildProcess; directory: string }>();
process.on('exit', () => {
  for (const [pid, { directory }] of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(directory, { recursive: true, force: true });
  }
});

/** Throws {@link REGISTRY_TOOLS_MISSING} unless `docker-registry` (and `htpasswd` when needed) can be run. */
export function assertRegistryToolsInstalled(needHtpasswd = true): void {
  const tools: [string, string[]][] = [['docker-registry', ['--version']]];
  if (needHtpasswd) tools.push(['htpasswd', ['-nbB', 'probe', 'probe']]);
  for (const [command, args] of tools) {
    const result = spawnSync(command, args, { stdio: 'ignore' });
    if (result.error || result.status !== 0) throw new Error(`${REGISTRY_TOOLS_MISSING} (\`${command}\` is not runnable here)`);
  }
}

/** Starts a registry on `127.0.0.1:0` and resolves once it listens (the port is read from its log). */
export async function startRegistry(auth: RegistryAuth): Promise<RunningRegistry> {
  assertRegistryToolsInstalled(auth.kind === 'htpasswd');
  const directory = mkdtempSync(join(tmpdir(), 'gitlab-ci-auth-registry-'));
  let child: ChildProcess | undefined;
  try {
    const configPath = join(directory, 'config.yml');
    writeFileSync(configPath, registryConfig(directory, auth));
    child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid === undefined) throw new Error(`${REGISTRY_TOOLS_MISSING} (docker-registry did not start)`);
    const pid = child.pid;
    running.set(pid, { child, directory });

    let log = '';
    const append = (chunk: Buffer): void => {
      log = (log + chunk.toString('utf8')).slice(-MAX_LOG_CHARS);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);

    const host = await waitForListeningAddress(child, () => log);
    const started = child;
    return {
      url: `http://${host}`,
      host,
      pid,
      log: () => log,
      stop: () => stopProcess(started, directory),
    };
  } catch (error) {
    if (child) await stopProcess(child, directory);
    else rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}

function registryConfig(directory: string, auth: RegistryAuth): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(join(directory, 'data'))}`,
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    '  addr: 127.0.0.1:0',
    `  secret: test-secret-${process.pid}-${Date.now()}`,
  ];
  if (auth.kind === 'htpasswd') {
    const htpasswdPath = join(directory, 'htpasswd');
    writeFileSync(htpasswdPath, auth.users.map((user) => htpasswdLine(user)).join(''), { mode: 0o600 });
    lines.push('auth:', '  htpasswd:', '    realm: basic-realm', `    path: ${JSON.stringify(htpasswdPath)}`);
  } else if (auth.kind === 'token') {
    const { tokenServer } = auth;
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${JSON.stringify(tokenServer.realm)}`,
      `    service: ${JSON.stringify(tokenServer.service)}`,
      `    issuer: ${JSON.stringify(tokenServer.issuer)}`,
      `    rootcertbundle: ${JSON.stringify(tokenServer.certificatePath)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** One bcrypt line (`-B`: the registry rejects other hash types). Passwords here are fake test values. */
function htpasswdLine(user: RegistryUser): string {
  const result = spawnSync('htpasswd', ['-Bbn', user.username, user.password], { encoding: 'utf8' });
  if (result.error || result.status !== 0) throw new Error(`${REGISTRY_TOOLS_MISSING} (htpasswd failed for user ${user.username})`);
  return `${result.stdout.trim()}\n`;
}

function waitForListeningAddress(child: ChildProcess, log: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const match = /listening on (127\.0\.0\.1:\d+)/.exec(log());
      if (match) finish(() => resolve(match[1]!));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      finish(() => reject(new Error(`docker-registry exited (${signal ?? code}) before listening. Log:\n${log().slice(-2000)}`)));
    };
    const timer = setTimeout(() => {
      finish(() => reject(new Error(`docker-registry did not listen within ${STARTUP_TIMEOUT_MS} ms. Log:\n${log().slice(-2000)}`)));
    }, STARTUP_TIMEOUT_MS);
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
      child.off('exit', onExit);
      settle();
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', onExit);
    check();
  });
}

/** SIGTERM by PID, SIGKILL after a short grace, then remove the temp dir. */
async function stopProcess(child: ChildProcess, directory: string): Promise<void> {
  const pid = child.pid;
  if (pid !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const grace = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(grace);
  }
  if (pid !== undefined) running.delete(pid);
  rmSync(directory, { recursive: true, force: true });
}

/** `Basic base64(user:password)`, the header an `auths` entry's `auth` value becomes. */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * Pushes a one-layer image (an empty tar layer and its config) as `repository:tag` with plain v2 API calls:
 * monolithic blob uploads, then a schema-2 manifest. Returns the manifest digest.
 */
export async function pushTestImage(registryUrl: string, repository: string, tag: string, authorization?: string): Promise<string> {
  const headers = (extra: Record<string, string> = {}): Record<string, string> =>
    authorization === undefined ? extra : { ...extra, Authorization: authorization };
  const emptyTar = Buffer.alloc(1024); // two zero blocks = an empty tar archive
  const layer = gzipSync(emptyTar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [sha256Digest(emptyTar)] },
    }),
  );

  for (const blob of [layer, config]) {
    const start = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers: headers() });
    await start.arrayBuffer();
    const location = start.headers.get('location');
    if (start.status !== 202 || !location) throw new Error(`blob upload start -> HTTP ${start.status}`);
    const uploadUrl = new URL(location, registryUrl);
    uploadUrl.searchParams.set('digest', sha256Digest(blob));
    const put = await fetch(uploadUrl, {
      method: 'PUT',
      headers: headers({ 'Content-Type': 'application/octet-stream' }),
      body: blob,
    });
    await put.arrayBuffer();
    if (put.status !== 201) throw new Error(`blob upload -> HTTP ${put.status}`);
  }

  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha256Digest(config) },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: sha256Digest(layer) }],
  });
  const put = await fetch(`${registryUrl}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: headers({ 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' }),
    body: manifest,
  });
  const body = await put.text();
  if (put.status !== 201) throw new Error(`manifest PUT -> HTTP ${put.status} ${body.slice(0, 200)}`);
  return put.headers.get('docker-content-digest') ?? sha256Digest(Buffer.from(manifest));
}

function sha256Digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A loopback port nothing listens on (bound, then released): a registry that refuses the connection. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The users of the pull-check registries (fake passwords). */
export const pullCheckUsers = {
  alice: { username: 'alice', password: 'FAKE-pullcheck-alice-password' },
  bob: { username: 'bob', password: 'FAKE-pullcheck-bob-token' },
  carol: { username: 'carol', password: 'FAKE-pullcheck-carol-password' },
} as const;

/** What the pull-check tests store for carol: her registry rejects it. */
export const wrongCarolPassword = 'FAKE-pullcheck-wrong-password';

export interface PullCheckRegistries {
  /** htpasswd, user alice; holds group/app:1.0. */
  readonly basic: RunningRegistry;
  /** htpasswd, user carol (stored with {@link wrongCarolPassword}); holds group/app:1.0. */
  readonly reject: RunningRegistry;
  /** Token auth behind {@link tokenServer}, where bob may pull team/api only; holds team/api:2.0 and team/other:1. */
  readonly token: RunningRegistry;
  readonly tokenServer: TokenServer;
  /** `127.0.0.1:<port>` where nothing listens. */
  readonly refusedHost: string;
  /** The DOCKER_AUTH_CONFIG the tests store: alice for basic, bob for token, carol's wrong password for reject. */
  readonly authConfig: { readonly auths: Record<string, { readonly auth: string }> };
  stop(): Promise<void>;
}

/** Starts and seeds the registries every pull-check outcome needs (found, tag missing, denied, rejected, unreachable). */
export async function startPullCheckRegistries(): Promise<PullCheckRegistries> {
  const { alice, bob, carol } = pullCheckUsers;
  const started: Array<{ stop(): Promise<void> }> = [];
  const stop = async (): Promise<void> => {
    await Promise.all(started.splice(0).map((service) => service.stop()));
  };
  try {
    const basic = await startRegistry({ kind: 'htpasswd', users: [alice] });
    started.push(basic);
    const reject = await startRegistry({ kind: 'htpasswd', users: [carol] });
    started.push(reject);
    // bob may pull team/api only: his token for team/other grants nothing (GitLab drops scopes without actions).
    const tokenServer = await startTokenServer({ users: [{ ...bob, permissions: { 'team/api': ['pull'] } }] });
    started.push(tokenServer);
    const token = await startRegistry({ kind: 'token', tokenServer });
    started.push(token);
    await pushTestImage(basic.url, 'group/app', '1.0', basicAuthorization(alice.username, alice.password));
    await pushTestImage(reject.url, 'group/app', '1.0', basicAuthorization(carol.username, carol.password));
    for (const [repository, tag] of [
      ['team/api', '2.0'],
      ['team/other', '1'],
    ] as const) {
      const push = tokenServer.mintToken('seed', [{ type: 'repository', name: repository, actions: ['push', 'pull'] }]);
      await pushTestImage(token.url, repository, tag, `Bearer ${push}`);
    }
    const auth = (username: string, secret: string): { auth: string } => ({ auth: Buffer.from(`${username}:${secret}`).toString('base64') });
    return {
      basic,
      reject,
      token,
      tokenServer,
      refusedHost: `127.0.0.1:${await closedPort()}`,
      authConfig: {
        auths: {
          [basic.host]: auth(alice.username, alice.password),
          [token.host]: auth(bob.username, bob.password),
          [reject.host]: auth(carol.username, wrongCarolPassword),
        },
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
