// Bundles the extension (dist/extension.js) and the CLI (dist/cli.js). `--production` minifies, `--watch` rebuilds on
// change, `--analyze` prints what each bundle is made of. Types are checked separately (`npm run typecheck`): esbuild
// strips them without checking.
//
// The wizard and the GitLab connection are in dist/extension.js too, but their modules run only when first required
// (lazyCommands.ts, lazyGitLab.ts): esbuild keeps a `require` of a bundled module lazy.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const analyze = process.argv.includes('--analyze');

/** @type {import('esbuild').BuildOptions} */
const options = {
  // src/cli/main.ts starts with `#!/usr/bin/env node`, which esbuild keeps: dist/cli.js is the package's `bin`.
  entryPoints: { extension: 'src/extension/extension.ts', cli: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode'],
  // yaml's ESM build (the same parser as its CommonJS build) lets esbuild drop what we do not use: about 16 KB.
  // The one difference: yaml warnings go to console.warn instead of process.emitWarning.
  alias: { yaml: './node_modules/yaml/browser/dist/index.js' },
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  legalComments: 'none',
  metafile: analyze,
  logLevel: 'warning',
};

if (watch) {
  await (await esbuild.context(options)).watch();
} else {
  const result = await esbuild.build(options).catch(() => process.exit(1));
  if (analyze) console.log(await esbuild.analyzeMetafile(result.metafile));
}
