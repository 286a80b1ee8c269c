/**
 * Starts a throw-away code-server (a real VS Code workbench served over HTTP) with the packaged extension installed,
 * a fresh user-data dir and a private copy of a fixture workspace, and stops it again without leftovers.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureCodeServer, type CodeServerInstall } from './install';
import { extensionVsix, resultsDir } from './paths';
import { killProcessGroup, removeOnExit, removeTempDir, trackProcessGroup } from './processes';
import { copyWorkspace, writeUserSettings } from './workspace';

export interface CodeServerOptions {
  /** Repository-relative (or absolute) fixture folder, or a `.code-workspace` file for multi-root. */
  readonly workspace: string;
  /** User settings merged over the harness defaults. */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Extra environment for code-server; it reaches the extension host's `process.env`. */
  readonly env?: Readonly<Record<string, string>>;
  /** .vsix files to install; defaults to the packaged extension under test. */
  readonly extensions?: readonly string[];
  /** Names the log file in test-results/logs/. */
  readonly label?: string;
}

export interface RunningCodeServer {
  readonly port: number;
  /** The workbench URL that opens the workspace copy. */
  readonly url: string;
  /** The private copy of the workspace folder (or of the folder holding the `.code-workspace` file). */
  readonly workspaceDir: string;
  /** What the workbench opened: `workspaceDir` itself, or the `.code-workspace` file inside it. */
  readonly workspacePath: string;
  readonly userDataDir: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

const readyTimeoutMs = 60_000;

/** Starts code-server and resolves once it answers HTTP; the caller must `stop()` it (also done on exit/Ctrl+C). */
export async function startCodeServer(options: CodeServerOptions): Promise<RunningCodeServer> {
  const install = await ensureCodeServer();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitlab-ci-auth-cs-'));
  removeOnExit(root);
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  writeUserSettings(userDataDir, options.settings);
  fs.cpSync(preparedExtensionsDir(install, options.extensions ?? [extensionVsix]), extensionsDir, { recursive: true });
  const { workspaceDir, workspacePath } = copyWorkspace(options.workspace, root);

  const logsDir = path.join(resultsDir, 'logs');
  fs.mkdirSync(logsDir, { recursive: true });
  const cleanupRoot = (): void => removeTempDir(root);

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const logFile = path.join(logsDir, `${sanitize(options.label ?? 'code-server')}-${port}.log`);
    const log = fs.openSync(logFile, 'w');
    const child = spawn(
      install.nodeBinary,
      [
        install.entryScript,
        '--auth',
        'none',
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        // A test file that turns workspace trust on (`// @settings {"security.workspace.trust.enabled": true}`) runs in
        // Restricted Mode: the folder is never trusted, as when a user opens a stranger's repository.
        ...(options.settings?.['security.workspace.trust.enabled'] === true ? [] : ['--disable-workspace-trust']),
        // Otherwise code-server writes a default config (with a password) into the user's home.
        '--config',
        path.join(root, 'config.yaml'),
        '--user-data-dir',
        userDataDir,
        '--extensions-dir',
        extensionsDir,
        workspacePath,
      ],
      { detached: true, stdio: ['ignore', log, log], env: { ...process.env, ...options.env } },
    );
    fs.closeSync(log);
    trackProcessGroup(child);
    const stop = async (): Promise<void> => {
      if (process.env.HARNESS_KEEP_OPEN) await keepOpenUntilInterrupted(port, workspacePath);
      await killProcessGroup(child);
      cleanupRoot();
    };
    try {
      await waitUntilServing(port, child, logFile);
    } catch (error) {
      await stop();
      // A port taken between freePort() and bind is the one failure worth a retry.
      if (attempt < 3 && /EADDRINUSE/.test(readIfExists(logFile))) continue;
      throw error;
    }
    const query = workspacePath.endsWith('.code-workspace') ? 'workspace' : 'folder';
    return {
      port,
      url: `http://127.0.0.1:${port}/?${query}=${encodeURIComponent(workspacePath)}`,
      workspaceDir,
      workspacePath,
      userDataDir,
      logFile,
      stop,
    };
  }
}

/** Debugging aid (HARNESS_KEEP_OPEN=1): leave the workbench up for a human until Ctrl+C. */
async function keepOpenUntilInterrupted(port: number, workspacePath: string): Promise<void> {
  const query = workspacePath.endsWith('.code-workspace') ? 'workspace' : 'folder';
  process.stderr.write(
    `\n[harness] HARNESS_KEEP_OPEN: code-server stays up at http://127.0.0.1:${port}/?${query}=` +
      `${encodeURIComponent(workspacePath)}\n[harness] press Ctrl+C to stop it and end the run\n`,
  );
  // The running child keeps the event loop alive; the SIGINT handler in processes.ts ends everything.
  await new Promise<never>(() => undefined);
}

const preparedByKey = new Map<string, string>();

/** Installs the .vsix files once per process into a template extensions dir that each server gets a copy of. */
function preparedExtensionsDir(install: CodeServerInstall, vsixFiles: readonly string[]): string {
  for (const vsix of vsixFiles) {
    if (!fs.existsSync(vsix)) throw new Error(`${vsix} not found; run \`npm run package\` first`);
  }
  const key = vsixFiles.map((vsix) => `${vsix}@${fs.statSync(vsix).mtimeMs}`).join('|');
  const known = preparedByKey.get(key);
  if (known) return known;
  const template = fs.mkdtempSync(path.join(os.tmpdir(), 'gitlab-ci-auth-ext-'));
  removeOnExit(template);
  const scratchUserData = path.join(template, '.user-data');
  const extensionsDir = path.join(template, 'extensions');
  const args = [install.entryScript, '--config', path.join(template, 'config.yaml')];
  args.push('--user-data-dir', scratchUserData, '--extensions-dir', extensionsDir);
  for (const vsix of vsixFiles) args.push('--install-extension', vsix);
  const result = spawnSync(install.nodeBinary, args, { encoding: 'utf8', timeout: 120_000 });
  const output = `${result.stdout}${result.stderr}`;
  // code-server may log harmless gallery lookups (ENOTFOUND) here: only its verdict on the install counts.
  if (result.status !== 0 || /Failed Installing/i.test(output)) {
    throw new Error(`code-server could not install ${vsixFiles.join(', ')}:\n${output.trim()}`);
  }
  preparedByKey.set(key, extensionsDir);
  return extensionsDir;
}

async function waitUntilServing(port: number, child: ReturnType<typeof spawn>, logFile: string): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`code-server exited before serving; log:\n${readIfExists(logFile).slice(-3000)}`);
    if ((await httpStatus(`http://127.0.0.1:${port}/healthz`)) === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`code-server did not answer on port ${port} within ${readyTimeoutMs / 1000}s; see ${logFile}`);
}

function httpStatus(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function readIfExists(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function sanitize(label: string): string {
  return label.replace(/[^\w.-]+/g, '_').slice(0, 80);
}
