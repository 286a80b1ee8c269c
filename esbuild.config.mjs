// Bundles the extension and the CLI. `--production` minifies, `--watch` rebuilds on change.
// Types are checked separately (`npm run typecheck`): esbuild strips them without checking.
//
// The extension is three bundles: dist/extension.js (activation: diagnostics, hovers, quick fixes and a stand-in for
// the GitLab connection), dist/gitlab.js (the GitLab connection: client, CI/CD variable coverage, include fetcher, CI
// Lint report), which extension.js requires once GitLab is in use, and dist/commands.js (the credential wizard and the
// interactive GitLab flows), required on first use. A module lives in exactly one of them: a later bundle that imports
// a module an earlier one holds gets the earlier one's instance (each exports the ones asked for as SHARED_MODULES), so
// classes, `instanceof` checks, event emitters and module state are never duplicated. Build order: extension.js's
// module set, then gitlab.js against it, then commands.js against both, then each bundle exports what the later ones take.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const analyze = process.argv.includes('--analyze');

const EXTENSION_ENTRY = 'src/extension/extension.ts';
const GITLAB_ENTRY = 'src/extension/gitlab/gitlab.ts';
const COMMANDS_ENTRY = 'src/extension/commands.ts';
const SHARED_MODULES = '__sharedModules';
/** The lazily required entries (as their source requires them, without extension) and the bundle each one becomes. */
const LAZY_BUNDLES = new Map([
  [path.resolve(GITLAB_ENTRY.replace(/\.ts$/, '')), './gitlab.js'],
  [path.resolve(COMMANDS_ENTRY.replace(/\.ts$/, '')), './commands.js'],
]);

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
const extensionOptions = {
  ...common,
  external: ['vscode'],
  // yaml's ESM build (the same parser as its CommonJS build) lets esbuild drop what we do not use: about 16 KB.
  // The one difference: yaml warnings go to console.warn instead of process.emitWarning, both in the extension host log.
  alias: { yaml: './node_modules/yaml/browser/dist/index.js' },
};

const cli = { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } };

/** `require('./commands')` and `require('./gitlab/gitlab')` stay requires of dist/commands.js and dist/gitlab.js. */
const lazyBundlesStayApart = {
  name: 'lazy-bundles-stay-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\/(.*\/)?(commands|gitlab)$/ }, (args) => {
      if (args.kind !== 'require-call') return undefined;
      const bundle = LAZY_BUNDLES.get(path.resolve(args.resolveDir, args.path));
      return bundle ? { path: bundle, external: true } : undefined;
    });
  },
};

/** Module paths as esbuild's metafile names them (relative to the working directory, forward slashes). */
const modulePath = (absolute) => path.relative(process.cwd(), absolute).split(path.sep).join('/');

/**
 * A bundle built earlier, whose modules later bundles take from it: `modules` is every module it holds, `used` maps
 * each one a later bundle imports to the export names it reads (ALL_EXPORTS for the whole namespace); the bundle
 * exports exactly those, so what nobody reads is still tree-shaken (a whole `export * from 'zod/mini'` would not be).
 */
function heldBundle(file, modules) {
  return { file, modules, used: new Map(), namespace: `held-by-${path.basename(file, '.js')}` };
}

const ALL_EXPORTS = '*';

/** Adds what `importer` reads from `module` (imported as `specifier`) to `used`. */
function recordUse(used, module, importer, specifier) {
  const before = used.get(module) ?? new Set();
  if (before === ALL_EXPORTS) return;
  const names = valueImportsOf(importer, specifier);
  used.set(module, names === ALL_EXPORTS ? ALL_EXPORTS : new Set([...before, ...names]));
}

const transpiledSources = new Map();

/**
 * The export names a source file reads as values from `specifier`: TypeScript's transpiler drops type-only imports,
 * then the imports, re-exports and `namespace.name` reads that remain are collected. ALL_EXPORTS when the file needs
 * the namespace itself (passes it around, `export *`, `require`) or cannot be read.
 */
function valueImportsOf(importer, specifier) {
  let source = transpiledSources.get(importer);
  if (source === undefined) {
    const text = fs.existsSync(importer) ? fs.readFileSync(importer, 'utf8') : undefined;
    const js = text === undefined ? undefined : ts.transpileModule(text, { fileName: importer, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    source = js === undefined ? null : ts.createSourceFile(importer, js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
    transpiledSources.set(importer, source);
  }
  if (!source) return ALL_EXPORTS;
  const names = new Set();
  const namespaces = new Set();
  let whole = false;
  const fromSpecifier = (node) => node && ts.isStringLiteral(node) && node.text === specifier;
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && fromSpecifier(node.moduleSpecifier)) {
      const clause = node.importClause;
      if (clause?.name) names.add('default');
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) namespaces.add(bindings.name.text);
      else if (bindings) for (const element of bindings.elements) names.add((element.propertyName ?? element.name).text);
    } else if (ts.isExportDeclaration(node) && fromSpecifier(node.moduleSpecifier)) {
      if (node.exportClause && ts.isNamedExports(node.exportClause)) for (const element of node.exportClause.elements) names.add((element.propertyName ?? element.name).text);
      else whole = true;
    } else if ((ts.isCallExpression(node) && node.arguments.some(fromSpecifier)) || ts.isImportEqualsDeclaration(node)) {
      whole = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (namespaces.size > 0) {
    const readNamespace = (node) => {
      if (ts.isIdentifier(node) && namespaces.has(node.text)) {
        const parent = node.parent;
        if (ts.isPropertyAccessExpression(parent) && parent.expression === node) names.add(parent.name.text);
        else if (!ts.isNamespaceImport(parent)) whole = true;
      }
      ts.forEachChild(node, readNamespace);
    };
    readNamespace(source);
  }
  return whole ? ALL_EXPORTS : names;
}

/** An import of a module an earlier bundle holds becomes a require of that bundle's instance. */
function fromEarlierBundles(holders) {
  const namespaces = new Set(holders.map((holder) => holder.namespace));
  return {
    name: 'from-earlier-bundles',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point' || args.pluginData?.probing || namespaces.has(args.namespace)) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { probing: true } });
        if (resolved.errors.length > 0 || resolved.external) return undefined;
        const module = modulePath(resolved.path);
        const holder = holders.find((candidate) => candidate.modules.has(module));
        if (!holder) return undefined;
        recordUse(holder.used, module, args.importer, args.path);
        return { path: module, namespace: holder.namespace };
      });
      for (const holder of holders) {
        build.onResolve({ filter: /.*/, namespace: holder.namespace }, (args) => ({ path: args.path, external: true }));
        build.onLoad({ filter: /.*/, namespace: holder.namespace }, (args) => ({
          contents: `module.exports = require(${JSON.stringify(holder.file)}).${SHARED_MODULES}[${JSON.stringify(args.path)}];`,
          loader: 'js',
        }));
      }
    },
  };
}

/** The modules a bundle holds itself (not those it takes from an earlier bundle). */
function ownModules(metafile) {
  return new Set(Object.keys(metafile.inputs).filter((input) => !input.startsWith('held-by-')));
}

/**
 * `entry` plus, as SHARED_MODULES, what later bundles take from its modules: a module's namespace, or an object
 * with a getter per export name read (getters, so a later bundle sees the same live bindings as this one).
 */
function entryExporting(entry, shared) {
  const modules = [...shared.keys()].sort();
  const lines = [`export * from './${entry.replace(/\.ts$/, '')}';`];
  const values = modules.map((module, index) => {
    const names = shared.get(module);
    if (names === ALL_EXPORTS) {
      lines.push(`import * as m${index} from './${module}';`);
      return `m${index}`;
    }
    const sorted = [...names].sort();
    lines.push(`import { ${sorted.map((name, nameIndex) => `${name} as m${index}_${nameIndex}`).join(', ')} } from './${module}';`);
    return `{ ${sorted.map((name, nameIndex) => `get ${name}() { return m${index}_${nameIndex}; }`).join(', ')} }`;
  });
  lines.push(`export const ${SHARED_MODULES} = { ${modules.map((module, index) => `${JSON.stringify(module)}: ${values[index]}`).join(', ')} };`);
  return { contents: lines.join('\n'), resolveDir: process.cwd(), sourcefile: `${path.basename(entry, '.ts')}-bundle-entry.ts`, loader: 'ts' };
}

/**
 * The three extension bundles, each built against what the earlier ones hold; then those export what is taken.
 * Resolves with each bundle's size in bytes. `write: false` builds in memory only (the bundle size test).
 */
export async function buildExtension({ minify = production, write = true } = {}) {
  transpiledSources.clear();
  const extensionCommon = { ...extensionOptions, minify, sourcemap: write && !minify, write };
  const probe = { write: false, metafile: true, sourcemap: false };
  const mainProbe = await esbuild.build({ ...extensionCommon, ...probe, entryPoints: [EXTENSION_ENTRY], plugins: [lazyBundlesStayApart] });
  const main = heldBundle('./extension.js', ownModules(mainProbe.metafile));
  const gitlabProbe = await esbuild.build({ ...extensionCommon, ...probe, entryPoints: [GITLAB_ENTRY], plugins: [lazyBundlesStayApart, fromEarlierBundles([main])] });
  const gitlab = heldBundle('./gitlab.js', ownModules(gitlabProbe.metafile));

  const mainForCommands = heldBundle(main.file, main.modules);
  const commands = await esbuild.build({
    ...extensionCommon,
    entryPoints: [COMMANDS_ENTRY],
    outfile: 'dist/commands.js',
    metafile: true,
    plugins: [lazyBundlesStayApart, fromEarlierBundles([mainForCommands, gitlab])],
  });
  const mainForGitLab = heldBundle(main.file, main.modules);
  const gitlabBuild = await esbuild.build({
    ...extensionCommon,
    stdin: entryExporting(GITLAB_ENTRY, gitlab.used),
    outfile: 'dist/gitlab.js',
    metafile: true,
    plugins: [lazyBundlesStayApart, fromEarlierBundles([mainForGitLab])],
  });
  const mainShared = new Map(mainForCommands.used);
  for (const [module, names] of mainForGitLab.used) recordNames(mainShared, module, names);
  const extension = await esbuild.build({ ...extensionCommon, stdin: entryExporting(EXTENSION_ENTRY, mainShared), outfile: 'dist/extension.js', metafile: true, plugins: [lazyBundlesStayApart] });
  assertEachModuleInOneBundle({ 'extension.js': extension.metafile, 'gitlab.js': gitlabBuild.metafile, 'commands.js': commands.metafile });
  if (analyze) {
    console.log(`gitlab.js takes from extension.js: ${describeUse(mainForGitLab.used)}`);
    console.log(`commands.js takes from extension.js: ${describeUse(mainForCommands.used)}`);
    console.log(`commands.js takes from gitlab.js: ${describeUse(gitlab.used)}`);
    for (const result of [extension, gitlabBuild, commands]) printSizes(result.metafile);
  }
  return { 'extension.js': bundleBytes(extension.metafile), 'gitlab.js': bundleBytes(gitlabBuild.metafile), 'commands.js': bundleBytes(commands.metafile) };
}

function bundleBytes(metafile) {
  return Object.entries(metafile.outputs).find(([file]) => file.endsWith('.js'))[1].bytes;
}

/** Fails the build when a module's code is in two bundles (two instances of its classes and state at run time). */
function assertEachModuleInOneBundle(metafiles) {
  const bundleOf = new Map();
  for (const [bundle, metafile] of Object.entries(metafiles)) {
    for (const output of Object.values(metafile.outputs)) {
      for (const [module, { bytesInOutput }] of Object.entries(output.inputs)) {
        if (bytesInOutput === 0 || module.startsWith('held-by-') || module.endsWith('-bundle-entry.ts')) continue;
        if (bundleOf.has(module) && bundleOf.get(module) !== bundle) throw new Error(`${module} is in both ${bundleOf.get(module)} and ${bundle}`);
        bundleOf.set(module, bundle);
      }
    }
  }
}

function recordNames(used, module, names) {
  const before = used.get(module) ?? new Set();
  used.set(module, before === ALL_EXPORTS || names === ALL_EXPORTS ? ALL_EXPORTS : new Set([...before, ...names]));
}

function describeUse(used) {
  return [...used.keys()].sort().map((module) => `${module} (${used.get(module) === ALL_EXPORTS ? 'all' : [...used.get(module)].sort().join(' ')})`).join(', ');
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

const runAsScript = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;

if (!runAsScript) {
  // Imported (by the bundle size test): build nothing until asked.
} else if (watch) {
  // Watching one file set is enough for the CLI; the extension's three-step build reruns on any change it sees.
  await (await esbuild.context(cli)).watch();
  await buildExtension();
  const rebuild = { name: 'rebuild-extension', setup: (build) => build.onEnd(() => buildExtension().catch((error) => console.error(error))) };
  await (await esbuild.context({ ...extensionOptions, entryPoints: [EXTENSION_ENTRY, GITLAB_ENTRY, COMMANDS_ENTRY], outdir: 'out/.watch', write: false, plugins: [rebuild] })).watch();
} else {
  await Promise.all([esbuild.build(cli), buildExtension()]);
}
