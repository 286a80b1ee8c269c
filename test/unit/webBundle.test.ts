/**
 * The browser bundle (dist/web/extension.js) runs in a web worker extension host, where no Node built-in exists: a
 * `require` of one would fail activation in GitLab's Web IDE and vscode.dev. Built here with the project's own
 * esbuild.config.mjs, then read.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const nodeBuiltins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** Every module name the bundle `require`s (esbuild writes them as `require("name")`, minified or not). */
function requiredModules(file: string): string[] {
  const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
  return [...text.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((match) => match[1]!);
}

describe('web bundle', () => {
  before(() => {
    const build = spawnSync(process.execPath, ['esbuild.config.mjs'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(build.status, 0, `esbuild.config.mjs failed:\n${build.stdout}${build.stderr}`);
  });

  it('the browser bundle requires no Node built-in, only vscode', () => {
    const required = new Set(requiredModules('dist/web/extension.js'));
    assert.deepEqual(
      [...required].filter((name) => nodeBuiltins.has(name)),
      [],
    );
    assert.deepEqual([...required], ['vscode']);
  });

  it('the browser bundle uses no Node global (process, Buffer)', () => {
    const text = fs.readFileSync(path.join(repoRoot, 'dist/web/extension.js'), 'utf8');
    assert.doesNotMatch(text, /(?<![\w$.])(?:process\.(?:env|platform|pid|versions|kill|cwd)|Buffer\.(?:from|concat|byteLength|alloc))\b/);
  });

  it('the check sees the desktop bundle require Node built-ins (it would see them in the browser bundle)', () => {
    const required = requiredModules('dist/extension.js');
    assert.ok(required.includes('node:fs'), required.join(', '));
  });

  it('package.json points `browser` at the web bundle and `main` at the desktop one', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { main: string; browser: string };
    assert.equal(path.normalize(manifest.browser), path.normalize('./dist/web/extension.js'));
    assert.equal(path.normalize(manifest.main), path.normalize('./dist/extension.js'));
  });
});
