/**
 * Every process the harness starts is registered here and killed as a whole process group on teardown, on failure,
 * on Ctrl+C and on exit, so no code-server or extension host outlives a test run. Temp dirs likewise.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

const groups = new Set<number>();
const tempDirs = new Set<string>();
let handlersInstalled = false;

/** Tracks a child spawned with `detached: true` (it leads its own process group). */
export function trackProcessGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  groups.add(child.pid);
  installHandlers();
  child.once('exit', () => groups.delete(child.pid!));
}

/** Removes `dir` when the run ends, however it ends; `removeTempDir` removes it earlier. */
export function removeOnExit(dir: string): void {
  tempDirs.add(dir);
  installHandlers();
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Stops a process group: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function killProcessGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  signalGroup(pid, 'SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), delay(graceMs).then(() => true)]);
  // The leader may be gone while its children (extension host, pty host) linger: always sweep the group.
  signalGroup(pid, 'SIGKILL');
  if (timedOut) await Promise.race([exited, delay(2000)]);
  groups.delete(pid);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function killAllNow(): void {
  for (const pid of groups) signalGroup(pid, 'SIGKILL');
  groups.clear();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllNow();
      process.stderr.write(`\n[harness] ${signal}: stopped all code-server processes\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
