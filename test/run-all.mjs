#!/usr/bin/env node
// One command for every test layer: `npm test` (all), `npm test -- --only unit|integration|e2e`,
// `npm test -- --grep <text>` (substring of test titles). Fails fast on the first failing step unless --no-bail.
// The last line is always `N passed, N failed`, counting the tests of every layer that ran.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const layers = ['unit', 'integration', 'e2e'];

/** A failure already counted and reported; it only stops the run. */
class StepFailure extends Error {}

const usage = `usage: node test/run-all.mjs [--only ${layers.join('|')}] [--grep <text>] [--no-bail]`;
const options = parseArgs(process.argv.slice(2));
const totals = { passed: 0, failed: 0 };
const failures = [];
const started = Date.now();

process.chdir(repoRoot);
try {
  step('typecheck and compile tests (tsc -p .)', () => run('npx', ['tsc', '-p', '.']));
  // Lint (regexp backtracking, floating promises, no vscode in src/core); skipped for a narrowed --grep run.
  if (!options.grep) step('lint (eslint)', () => run('npx', ['eslint', '--max-warnings', '0']));
  if (options.layers.some((layer) => layer !== 'unit')) {
    step('build and package the extension (npm run package)', () => run('npm', ['run', '--silent', 'package']));
  }
  for (const layer of options.layers) {
    const result = await layerStep(layer);
    totals.passed += result.passed;
    totals.failed += result.failed;
    failures.push(...result.failures.map((failure) => `[${layer}] ${failure}`));
    if (result.failed > 0 && options.bail) throw new StepFailure(`${layer} tests failed`);
  }
  if (options.grep && totals.passed + totals.failed === 0) {
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
    } else if (arg === '--grep' || arg === '-g') parsed.grep = value();
    else if (arg.startsWith('--grep=')) parsed.grep = arg.slice('--grep='.length);
    else if (arg === '--no-bail') parsed.bail = false;
    else if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    } else exitWithUsage(`unknown argument "${arg}"`);
  }
  return parsed;
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
  const result = layer === 'unit' ? runUnitTests() : await runInVsCode(layer);
  console.log(`  ${layer}: ${result.passed} passed, ${result.failed} failed (${seconds(layerStarted)})`);
  return result;
}

function runUnitTests() {
  // Only compiled tests whose source still exists: out/ may hold files of deleted or renamed tests.
  const files = fs
    .readdirSync(path.join(repoRoot, 'test', 'unit'))
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => path.join('out', 'test', 'unit', name.replace(/\.ts$/, '.js')));
  if (files.length === 0) return { passed: 0, failed: 0, failures: [] };
  const tapFile = path.join('test-results', 'unit.tap');
  fs.mkdirSync(path.dirname(tapFile), { recursive: true });
  const args = [
    '--test',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
    ...(options.grep ? [`--test-name-pattern=${escapeRegExp(options.grep)}`] : []),
    ...files,
  ];
  const exitedCleanly = run(process.execPath, args);
  const tap = fs.existsSync(tapFile) ? fs.readFileSync(tapFile, 'utf8') : '';
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
  const passed = count('pass');
  let failed = count('fail') + count('cancelled');
  const unitFailures = [...tap.matchAll(/^\s*not ok \d+ - (.+)$/gm)].map((match) => match[1]);
  // A name filter reports the tests it leaves out as skipped; without one, a skip breaks the no-skip rule.
  const skipped = options.grep ? 0 : count('skipped') + count('todo');
  if (skipped > 0) {
    failed += skipped;
    unitFailures.push(`${skipped} skipped/todo test(s): the project allows no skipped tests`);
  }
  if (!exitedCleanly && failed === 0) {
    failed = 1;
    unitFailures.push('node --test exited with an error but reported no failing test (see the output above)');
  }
  return { passed, failed, failures: unitFailures };
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
  if (failures.length > 0) {
    console.log('\nFailures:');
    // Playwright's call logs carry terminal colour codes; the summary is read in plain CI logs too.
    for (const failure of failures) console.log(`  ✗ ${failure.replace(/\x1b\[[0-9;]*m/g, '')}`);
  }
  console.log(`\nTotal time ${seconds(started)}`);
  console.log(`${totals.passed} passed, ${totals.failed} failed`);
  process.exit(totals.failed > 0 ? 1 : 0);
}

function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
