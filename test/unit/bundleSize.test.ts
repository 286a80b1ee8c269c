import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

// The compiled test runs from out/test/unit; the build script resolves the sources from the repository root.
const root = path.resolve(__dirname, '../../..');

/** Issue #7: activation loads and parses dist/extension.js, so its production size is kept under this many bytes. */
const EXTENSION_BUNDLE_LIMIT = 300 * 1024;

interface BuildScript {
  buildExtension(options: { minify: boolean; write: boolean }): Promise<Record<'extension.js' | 'gitlab.js' | 'commands.js', number>>;
}

test('the production extension bundle stays under 300 KB; the GitLab connection and the commands are bundled apart and shipped', async () => {
  process.chdir(root);
  const script = (await import(pathToFileURL(path.join(root, 'esbuild.config.mjs')).href)) as BuildScript;
  // Builds in memory; the build itself fails when a module is in two bundles.
  const sizes = await script.buildExtension({ minify: true, write: false });
  assert.ok(sizes['extension.js'] <= EXTENSION_BUNDLE_LIMIT, `dist/extension.js would be ${sizes['extension.js']} bytes (limit ${EXTENSION_BUNDLE_LIMIT})`);
  // The lazily loaded bundles hold real code (a broken split would leave them empty and extension.js oversized or failing).
  assert.ok(sizes['gitlab.js'] > 10 * 1024, `dist/gitlab.js is only ${sizes['gitlab.js']} bytes`);
  assert.ok(sizes['commands.js'] > 10 * 1024, `dist/commands.js is only ${sizes['commands.js']} bytes`);
  const shipped = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n');
  for (const bundle of ['extension.js', 'gitlab.js', 'commands.js']) assert.ok(shipped.includes(`!dist/${bundle}`), `.vscodeignore ships dist/${bundle}`);
});
