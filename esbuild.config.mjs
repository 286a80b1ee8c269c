// Bundles the extension twice from the same sources: dist/extension.js for the Node extension host (desktop, with the
// CLI in dist/cli.js) and dist/web/extension.js for the browser's web worker extension host (GitLab's Web IDE,
// vscode.dev), which has no Node API. `--production` minifies, `--watch` rebuilds on change, `--analyze` prints what
// each bundle is made of. Types are checked separately (`npm run typecheck`): esbuild strips them without checking.
//
// The wizard and the GitLab connection are in the bundles too, but their modules run only when first required
// (lazyCommands.ts, lazyGitLab.ts): esbuild keeps a `require` of a bundled module lazy.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const analyze = process.argv.includes('--analyze');

/** What both bundles share. */
const common = {
  bundle: true,
  format: 'cjs',
  external: ['vscode'],
  // yaml's ESM build (the same parser as its CommonJS build) lets esbuild drop what we do not use: about 16 KB.
  // The one difference: yaml warnings go to console.warn instead of process.emitWarning.
  alias: { yaml: './node_modules/yaml/browser/dist/index.js' },
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
};

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  {
    ...common,
    // src/cli/main.ts starts with `#!/usr/bin/env node`, which esbuild keeps: dist/cli.js is the package's `bin`.
    entryPoints: { extension: 'src/extension/extension.ts', cli: 'src/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    target: 'node20',
  },
  {
    ...common,
    // A web worker: no Node built-in resolves here, so a Node API reaching this bundle fails the build.
    entryPoints: { extension: 'src/extension/web/extension.ts' },
    outdir: 'dist/web',
    platform: 'browser',
    target: 'es2022',
    mainFields: ['browser', 'module', 'main'],
  },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  const results = await Promise.all(builds.map((options) => esbuild.build(options))).catch(() => process.exit(1));
  if (analyze) for (const result of results) console.log(await esbuild.analyzeMetafile(result.metafile));
}
