/** Paths the harness shares: everything is relative to the repository root, never to the caller's cwd. */
import * as path from 'node:path';

/** The repository root (this file compiles to out/test/harness/paths.js). */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** Git-ignored cache for code-server and its Node 24 runtime, reused between runs. */
export const cacheDir = path.join(repoRoot, '.vscode-test');

/** Git-ignored output of test runs: screenshots, code-server logs, integration results. */
export const resultsDir = path.join(repoRoot, 'test-results');

export const screenshotsDir = path.join(resultsDir, 'screenshots');

/** The packaged extension under test (`npm run package`). */
export const extensionVsix = path.join(repoRoot, 'dist', 'gitlab-ci-registry-auth.vsix');

export const extensionId = 'gitlab-ci-registry-auth.gitlab-ci-registry-auth';

/** Debian's Chromium; Playwright never downloads a browser here. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Resolves a repository-relative path (as written in test headers) to an absolute one. */
export function fromRepo(relativePath: string): string {
  return path.isAbsolute(relativePath) ? relativePath : path.join(repoRoot, relativePath);
}
