/**
 * The shared corpus of real GitLab CI files (204 files and a manifest). It is not part of the repository: CI has it
 * at `../shared/corpus` beside the repository root; `GITLAB_CI_CORPUS` points elsewhere. Tests that need it are
 * skipped, with {@link corpusSkip} as the reason, where it is absent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root (this file compiles to out/test/support/corpus.js). */
const repoRoot = path.resolve(__dirname, '..', '..', '..');

export const corpusDir = path.resolve(repoRoot, process.env.GITLAB_CI_CORPUS ?? path.join('..', 'shared', 'corpus'));

/** The corpus's CI files (`files/NNN.yml`). */
export const corpusFilesDir = path.join(corpusDir, 'files');

export const corpusPresent = fs.existsSync(path.join(corpusDir, 'manifest.json')) && fs.existsSync(corpusFilesDir);

/** `false` where the corpus is present, else the reason a test that needs it is skipped (node:test `skip`). */
export const corpusSkip: false | string = corpusPresent
  ? false
  : `the shared corpus is absent: no ${path.join(corpusDir, 'manifest.json')} (put it at ../shared/corpus beside the repository, or set GITLAB_CI_CORPUS)`;

/** The corpus's `.yml` file names, sorted (none where it is absent). */
export function corpusFileNames(): string[] {
  if (!corpusPresent) return [];
  return fs
    .readdirSync(corpusFilesDir)
    .filter((name) => name.endsWith('.yml'))
    .sort();
}
