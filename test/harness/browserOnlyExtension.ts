/**
 * The packaged extension as a browser-only variant: the same manifest without `main` (and the CLI's `bin`), holding
 * dist/web/extension.js and what else the .vsix ships. code-server runs an extension that has both entries on its Node
 * extension host; with only `browser`, it runs it in the browser's web worker extension host, as GitLab's Web IDE and
 * vscode.dev do (see ../shared/docs/real-vscode-testing.md).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from './paths';
import { removeOnExit } from './processes';

/** What the real .vsix holds besides its entries (.vscodeignore); the browser entry must have been built (`npm run package`). */
const SHIPPED = ['dist/web/extension.js', 'README.md', 'CHANGELOG.md', 'LICENSE', 'media', 'docs/rules'];

let packaged: string | undefined;

/** Packages the variant once per process, into a temp dir removed on exit. */
export function browserOnlyVsix(): string {
  if (packaged) return packaged;
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'gitlab-ci-auth-web-'));
  removeOnExit(stage);
  for (const entry of SHIPPED) {
    const source = path.join(repoRoot, entry);
    if (!fs.existsSync(source)) throw new Error(`${entry} not found; run \`npm run package\` first`);
    fs.cpSync(source, path.join(stage, entry), { recursive: true });
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
  for (const key of ['main', 'bin', 'scripts', 'dependencies', 'devDependencies', 'overrides']) delete manifest[key];
  fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2));
  const vsix = path.join(stage, 'gitlab-ci-registry-auth-web.vsix');
  const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  const args = [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '-o', vsix];
  const result = spawnSync(process.execPath, args, { cwd: stage, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`could not package the browser-only variant:\n${result.stdout}${result.stderr}`);
  packaged = vsix;
  return vsix;
}
