#!/usr/bin/env node
// One command for every test layer: `npm test` (all), `npm test -- --only unit|fuzz|integration|e2e`,
// `npm test -- --grep <text>` (substring of test titles). Fails fast on the first failing step unless --no-bail.
// The last line is always `N passed, N failed` (plus `, N skipped` when a test was skipped for a missing corpus),
// counting the tests of every layer that ran.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const layers = ['unit', 'fuzz', 'integration', 'e2e'];
/** The fuzz tier's case count (test/support/fuzz.ts); the unit tier runs a twentieth of it. */
const FULL_FUZZ_RUNS = '100000';
/** A node:test layer that has not ended by then is stopped and counted as failed (a hung test must not hang CI). */
const NODE_LAYER_TIMEOUT_MS = { unit: 10 * 60_000, fuzz: 30 * 60_000, integration: 10 * 60_000 };
/** One test that has not ended by then fails by name (node --test-timeout); the layer goes on. */
const NODE_TEST_TIMEOUT_MS = { unit: 120_000, fuzz: 20 * 60_000, integration: 120_000 };
/**
 * The one skip the project accepts: a test that needs the shared corpus where it is absent (test/support/corpus.ts).
 * Any other skipped or todo test fails the run.
 */
const ACCEPTED_SKIP = /^the shared corpus is absent/;

/** A failure already counted and reported; it only stops the run. */
class StepFailure extends Error {}

const usage = `usage: node test/run-all.mjs [--only ${layers.join('|')}] [--file <text>] [--grep <text>] [--no-bail]`;
const options = parseArgs(process.argv.slice(2));
const totals = { passed: 0, failed: 0, skipped: 0 };
const skips = [];
const failures = [];
const started = Date.now();

process.chdir(repoRoot);
try {
  step('typecheck and compile tests (tsc -p .)', () => run('npx', ['tsc', '-p', '.']));
  // Lint (regexp backtracking, floating promises, no vscode in src/core); skipped for a narrowed --grep run.
  if (!narrowed()) step('lint (eslint)', () => run('npx', ['eslint', '--max-warnings', '0']));
  // Formatting (Prettier; `npm run format` fixes it); skipped for a narrowed --grep run like lint.
  if (!narrowed()) step('format (prettier --check)', () => run('npx', ['prettier', '--check', '.']));
  if (options.layers.some((layer) => layer === 'integration' || layer === 'e2e')) {
    step('build and package the extension (npm run package)', () => run('npm', ['run', '--silent', 'package']));
  }
  for (const layer of options.layers) {
    const result = await layerStep(layer);
    totals.passed += result.passed;
    totals.failed += result.failed;
    totals.skipped += result.skipped?.length ?? 0;
    skips.push(...(result.skipped ?? []).map((skip) => `[${layer}] ${skip}`));
    failures.push(...result.failures.map((failure) => `[${layer}] ${failure}`));
    if (result.failed > 0 && options.bail) throw new StepFailure(`${layer} tests failed`);
  }
  if (options.grep && totals.passed + totals.failed + totals.skipped === 0) {
    // A typo in the filter must not look like a green run.
    totals.failed++;
    failures.push(`no test title contains "${options.grep}"`);
  }
} catch (error) {
  if (!(error instanceof StepFailure)) {
    totals.failed++;
    failures.push(`harness error: ${error?.stack ?? error}`);
  }
}
finish();

function parseArgs(args) {
  const parsed = { layers, grep: undefined, bail: true };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const next = args[++i];
      if (next === undefined) exitWithUsage(`${arg} needs a value`);
      return next;
    };
    if (arg === '--only') {
      const only = value().split(',');
      for (const layer of only) if (!layers.includes(layer)) exitWithUsage(`unknown layer "${layer}"`);
      parsed.layers = layers.filter((layer) => only.includes(layer));
    } else if (arg.startsWith('--only=')) {
      args.splice(i + 1, 0, arg.slice('--only='.length));
      args[i] = '--only';
      i--;
    } else if (arg === '--file') process.env.TEST_FILE_FILTER = value();
    else if (arg === '--grep' || arg === '-g') parsed.grep = value();
    else if (arg.startsWith('--grep=')) parsed.grep = arg.slice('--grep='.length);
    else if (arg === '--no-bail') parsed.bail = false;
    else if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    } else exitWithUsage(`unknown argument "${arg}"`);
  }
  return parsed;
}

/** A run narrowed to some tests (`--grep`, `--file`): lint and format are skipped, and a layer may run no test. */
function narrowed() {
  return options.grep !== undefined || process.env.TEST_FILE_FILTER !== undefined;
}

function exitWithUsage(message) {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

function banner(title) {
  console.log(`\n=== ${title} ===`);
}

/** A build step: its failure is counted once and stops the run (nothing after it can be trusted). */
function step(title, body) {
  banner(title);
  const stepStarted = Date.now();
  const ok = body();
  if (!ok) {
    totals.failed++;
    failures.push(`step failed: ${title}`);
    throw new StepFailure(title);
  }
  console.log(`  ok (${seconds(stepStarted)})`);
}

function run(command, args, extra = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...extra });
  if (result.error) console.error(`could not run ${command}: ${result.error.message}`);
  return result.status === 0;
}

async function layerStep(layer) {
  banner(`${layer} tests${options.grep ? ` matching "${options.grep}"` : ''}`);
  const layerStarted = Date.now();
  let result;
  if (layer === 'unit') result = await runNodeTests('unit', unitTestFiles());
  else if (layer === 'fuzz') result = await runNodeTests('fuzz', fuzzTestFiles(), { FUZZ_RUNS: FULL_FUZZ_RUNS });
  else if (layer === 'integration') {
    // The gitlab-ci-local tests need Node >= 22: the harness's Node 24, installed with code-server.
    await require(path.join(repoRoot, 'out', 'test', 'harness', 'install.js')).ensureCodeServer();
    result = combine(await runNodeTests('integration', nodeIntegrationFiles()), await runInVsCode(layer));
  } else result = await runInVsCode(layer);
  const skipped = result.skipped?.length ? `, ${result.skipped.length} skipped` : '';
  console.log(`  ${layer}: ${result.passed} passed, ${result.failed} failed${skipped} (${seconds(layerStarted)})`);
  // A layer that ran nothing is red: a broken glob or loader must not look like a green run. With --grep the
  // filter may leave a layer empty; the run as a whole must still match something (checked above).
  if (!narrowed() && result.passed + result.failed + (result.skipped?.length ?? 0) === 0) {
    return { ...result, failed: 1, failures: [...result.failures, `the ${layer} layer ran no tests`] };
  }
  return result;
}

function combine(a, b) {
  return {
    passed: a.passed + b.passed,
    failed: a.failed + b.failed,
    failures: [...a.failures, ...b.failures],
    skipped: [...(a.skipped ?? []), ...(b.skipped ?? [])],
  };
}

/** Compiled tests of `folder` whose source still exists (out/ may hold files of deleted or renamed tests). */
function compiledTests(folder) {
  const dir = path.join(repoRoot, folder);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.test.ts') && name.includes(process.env.TEST_FILE_FILTER ?? ''))
    .sort()
    .map((name) => ({ source: path.join(folder, name), compiled: path.join('out', folder, name.replace(/\.ts$/, '.js')) }));
}

function unitTestFiles() {
  return compiledTests('test/unit').map((file) => file.compiled);
}

/** The unit files with property or differential tests (they scale with test/support/fuzz.ts), run at full count. */
function fuzzTestFiles() {
  return compiledTests('test/unit')
    .filter((file) => /from '\.\.\/support\/fuzz'/.test(fs.readFileSync(file.source, 'utf8')))
    .map((file) => file.compiled);
}

/** Integration tests that need no VS Code but real processes (a docker-registry, a token server): node:test. */
function nodeIntegrationFiles() {
  return compiledTests('test/integration/node').map((file) => file.compiled);
}

/**
 * Runs `files` with `node --test`; the TAP copy of the results (test-results/<layer>.tap) is what is counted. A test
 * that outlives NODE_TEST_TIMEOUT_MS fails by name; a run that outlives NODE_LAYER_TIMEOUT_MS is killed and failed.
 */
async function runNodeTests(layer, files, env = {}) {
  const empty = { passed: 0, failed: 0, failures: [], skipped: [] };
  if (files.length === 0) return empty;
  const tapFile = path.join('test-results', `${layer}.tap`);
  fs.mkdirSync(path.dirname(tapFile), { recursive: true });
  // A crash before the reporter writes must not let the last run's results be read as this run's.
  fs.rmSync(tapFile, { force: true });
  const args = [
    '--test',
    `--test-timeout=${NODE_TEST_TIMEOUT_MS[layer]}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...(options.grep ? [`--test-name-pattern=${escapeRegExp(options.grep)}`] : []),
    ...files,
  ];
  const outcome = await runWithTimeout(process.execPath, args, NODE_LAYER_TIMEOUT_MS[layer], { ...process.env, ...env });
  const tap = fs.existsSync(tapFile) ? fs.readFileSync(tapFile, 'utf8') : '';
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
  const passed = count('pass');
  let failed = count('fail') + count('cancelled');
  const layerFailures = [...tap.matchAll(/^\s*not ok \d+ - (.+)$/gm)].map((match) => match[1]);
  const skipped = [];
  // A name filter reports the tests it leaves out as skipped; without one, a skip breaks the no-skip rule unless it is
  // the corpus's (ACCEPTED_SKIP), which is listed with its reason.
  if (!options.grep) {
    for (const [, title, kind, reason = ''] of tap.matchAll(/^\s*ok \d+ - (.+?) # (SKIP|TODO)\b ?(.*)$/gm)) {
      if (kind === 'SKIP' && ACCEPTED_SKIP.test(reason)) skipped.push(`${title}: ${reason}`);
      else {
        failed++;
        layerFailures.push(`${title}: ${kind.toLowerCase()}${reason ? ` (${reason})` : ''}, and the project allows no skipped tests`);
      }
    }
  }
  if (outcome.timedOut) {
    failed++;
    layerFailures.push(`node --test did not end within ${NODE_LAYER_TIMEOUT_MS[layer] / 60_000} minutes and was stopped`);
  } else if (!outcome.ok && failed === 0) {
    failed = 1;
    layerFailures.push('node --test exited with an error but reported no failing test (see the output above)');
  }
  if (!tap.includes('# pass ') && !outcome.timedOut) {
    failed++;
    layerFailures.push(`node --test wrote no results to ${tapFile}`);
  }
  return { passed, failed, failures: layerFailures, skipped };
}

/** Runs a command in its own process group, killing the whole group (test files included) after `timeoutMs`. */
function runWithTimeout(command, args, timeoutMs, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', detached: true, env });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    // Ctrl+C on `npm test` reaches only this process now that the tests run in their own group.
    const forward = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      process.exit(130);
    };
    process.once('SIGINT', forward);
    process.once('SIGTERM', forward);
    child.on('error', (error) => console.error(`could not run ${command}: ${error.message}`));
    child.on('close', (code) => {
      clearTimeout(timer);
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve({ ok: code === 0 && !timedOut, timedOut });
    });
  });
}

async function runInVsCode(layer) {
  const harness = path.join(repoRoot, 'out', 'test', 'harness');
  if (layer === 'integration') {
    const { runIntegrationTests } = require(path.join(harness, 'integration.js'));
    return runIntegrationTests({ grep: options.grep });
  }
  const { runE2eTests } = require(path.join(harness, 'e2eRunner.js'));
  return runE2eTests({ grep: options.grep });
}

function finish() {
  if (skips.length > 0) {
    console.log('\nSkipped:');
    for (const skip of skips) console.log(`  - ${skip}`);
  }
  if (failures.length > 0) {
    console.log('\nFailures:');
    // Playwright's call logs carry terminal colour codes; the summary is read in plain CI logs too.
    for (const failure of failures) console.log(`  ✗ ${failure.replace(/\x1b\[[0-9;]*m/g, '')}`);
  }
  console.log(`\nTotal time ${seconds(started)}`);
  console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped > 0 ? `, ${totals.skipped} skipped` : ''}`);
  process.exit(totals.failed > 0 ? 1 : 0);
}

function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
