// Bundles the extension and the CLI. `--production` minifies, `--watch` rebuilds on change.
// Types are checked separately (`npm run typecheck`): esbuild strips them without checking.
//
// The extension is two bundles: dist/extension.js (activation: diagnostics, hovers, quick fixes, GitLab coverage) and
// dist/commands.js (the credential wizard and its commands), which extension.js requires on first use. A module lives in
// exactly one of them: when commands.js imports a module extension.js holds, it gets extension.js's instance (exported
// as MODULES_FOR_COMMANDS), so classes, `instanceof` checks, event emitters and module state are never duplicated.
import * as esbuild from 'esbuild';
import * as path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const analyze = process.argv.includes('--analyze');

const EXTENSION_ENTRY = 'src/extension/extension.ts';
const COMMANDS_ENTRY = 'src/extension/commands.ts';
const MODULES_FOR_COMMANDS = '__modulesForCommands';

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
};

/** @type {import('esbuild').BuildOptions} */
const extensionCommon = {
  ...common,
  external: ['vscode'],
  // yaml's ESM build (the same parser as its CommonJS build) lets esbuild drop what we do not use: about 16 KB.
  // The one difference: yaml warnings go to console.warn instead of process.emitWarning, both in the extension host log.
  alias: { yaml: './node_modules/yaml/browser/dist/index.js' },
};

const cli = { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } };

/** extension.ts's `require('./commands')` stays a require of dist/commands.js. */
const commandsStayApart = {
  name: 'commands-stay-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/commands$/ }, (args) =>
      path.resolve(args.resolveDir, args.path) === path.resolve(COMMANDS_ENTRY.replace(/\.ts$/, '')) ? { path: './commands.js', external: true } : undefined,
    );
  },
};

/** Module paths as esbuild's metafile names them (relative to the working directory, forward slashes). */
const modulePath = (absolute) => path.relative(process.cwd(), absolute).split(path.sep).join('/');

/** In commands.js: an import of a module extension.js holds becomes extension.js's instance of it; `used` collects them. */
function fromExtensionBundle(mainModules, used) {
  return {
    name: 'from-extension-bundle',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point' || args.pluginData?.probing || args.namespace === 'extension-bundle') return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { probing: true } });
        if (resolved.errors.length > 0 || resolved.external) return undefined;
        const module = modulePath(resolved.path);
        if (!mainModules.has(module)) return undefined;
        used.add(module);
        return { path: module, namespace: 'extension-bundle' };
      });
      build.onResolve({ filter: /^\.\/extension\.js$/, namespace: 'extension-bundle' }, () => ({ path: './extension.js', external: true }));
      build.onLoad({ filter: /.*/, namespace: 'extension-bundle' }, (args) => ({
        contents: `module.exports = require('./extension.js').${MODULES_FOR_COMMANDS}[${JSON.stringify(args.path)}];`,
        loader: 'js',
      }));
    },
  };
}

/** extension.ts plus, as MODULES_FOR_COMMANDS, the namespaces of the modules commands.js takes from it. */
function extensionEntry(shared) {
  const modules = [...shared].sort();
  const lines = [
    `export * from './${EXTENSION_ENTRY.replace(/\.ts$/, '')}';`,
    ...modules.map((module, index) => `import * as m${index} from './${module}';`),
    `export const ${MODULES_FOR_COMMANDS} = { ${modules.map((module, index) => `${JSON.stringify(module)}: m${index}`).join(', ')} };`,
  ];
  return { contents: lines.join('\n'), resolveDir: process.cwd(), sourcefile: 'extension-bundle-entry.ts', loader: 'ts' };
}

/** The two extension bundles; commands.js is built against what extension.js holds, then extension.js exports those. */
async function buildExtension() {
  const probe = await esbuild.build({ ...extensionCommon, entryPoints: [EXTENSION_ENTRY], write: false, metafile: true, sourcemap: false, plugins: [commandsStayApart] });
  const mainModules = new Set(Object.keys(probe.metafile.inputs));
  const shared = new Set();
  const commands = await esbuild.build({ ...extensionCommon, entryPoints: [COMMANDS_ENTRY], outfile: 'dist/commands.js', metafile: analyze, plugins: [fromExtensionBundle(mainModules, shared)] });
  const extension = await esbuild.build({ ...extensionCommon, stdin: extensionEntry(shared), outfile: 'dist/extension.js', metafile: analyze, plugins: [commandsStayApart] });
  if (analyze) {
    console.log(`commands.js takes from extension.js: ${[...shared].sort().join(', ')}`);
    for (const result of [extension, commands]) printSizes(result.metafile);
  }
}

/** `--analyze`: each bundle's bytes per package and per source folder. */
function printSizes(metafile) {
  for (const [file, output] of Object.entries(metafile.outputs)) {
    if (file.endsWith('.map')) continue;
    const groups = new Map();
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const group = input.startsWith('node_modules/') ? input.split('/').slice(0, 2).join('/') : path.posix.dirname(input);
      groups.set(group, (groups.get(group) ?? 0) + bytesInOutput);
    }
    console.log(`${file}: ${(output.bytes / 1024).toFixed(1)} KB`);
    for (const [group, bytes] of [...groups].sort((a, b) => b[1] - a[1])) if (bytes > 0) console.log(`${(bytes / 1024).toFixed(1).padStart(9)} KB  ${group}`);
  }
}

if (watch) {
  // Watching one file set is enough for the CLI; the extension's three-step build reruns on any change it sees.
  await (await esbuild.context(cli)).watch();
  await buildExtension();
  const rebuild = { name: 'rebuild-extension', setup: (build) => build.onEnd(() => buildExtension().catch((error) => console.error(error))) };
  await (await esbuild.context({ ...extensionCommon, entryPoints: [EXTENSION_ENTRY, COMMANDS_ENTRY], outdir: 'out/.watch', write: false, plugins: [rebuild] })).watch();
} else {
  await Promise.all([esbuild.build(cli), buildExtension()]);
}
