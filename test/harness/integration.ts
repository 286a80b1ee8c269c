/**
 * Integration driver: for each group of test files sharing a workspace, starts code-server with the extension under
 * test plus the test-runner extension, opens the workbench in Chromium (code-server only starts the extension host
 * when a window connects) and follows the suite's event file until it ends or times out.
 */
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium, newWorkbenchContext } from './browser';
import { startCodeServer } from './codeServer';
import { suiteEnv, type SuiteEvent } from './integrationProtocol';
import { cacheDir, extensionVsix, repoRoot, resultsDir, screenshotsDir } from './paths';
import { findTestFiles, groupByEnvironment, type TestFile } from './testFiles';

export interface LayerResult {
  readonly passed: number;
  readonly failed: number;
  /** One line per failure: title and error. */
  readonly failures: readonly string[];
}

export interface IntegrationOptions {
  /** Substring of full test titles (mocha grep). */
  readonly grep?: string;
  readonly log?: (line: string) => void;
}

/** From opening the workbench to the suite's first event: extension host start plus loading the test files. */
const startTimeoutMs = 90_000;

const suiteEntry = path.join(repoRoot, 'out', 'test', 'integration', 'suite', 'index.js');

/** Runs every test/integration/*.test.ts (compiled) in code-server; never throws for test failures. */
export async function runIntegrationTests(options: IntegrationOptions = {}): Promise<LayerResult> {
  const log = options.log ?? console.log;
  const files = findTestFiles('test/integration', '.test.ts');
  if (files.length === 0) return { passed: 0, failed: 0, failures: [] };
  for (const file of files) {
    if (!fs.existsSync(file.compiled)) throw new Error(`${file.compiled} missing: compile the tests first (tsc -p .)`);
  }
  const runnerVsix = packageRunnerExtension();
  const browser = await launchChromium();
  let passed = 0;
  let failed = 0;
  const failures: string[] = [];
  try {
    for (const group of groupByEnvironment(files)) {
      const result = await runGroup(browser, group, runnerVsix, options.grep, log);
      passed += result.passed;
      failed += result.failed;
      failures.push(...result.failures);
    }
  } finally {
    await browser.close();
  }
  return { passed, failed, failures };
}

async function runGroup(
  browser: Browser,
  group: readonly TestFile[],
  runnerVsix: string,
  grep: string | undefined,
  log: (line: string) => void,
): Promise<LayerResult> {
  const first = group[0]!;
  const label = `integration-${path.basename(first.source, '.test.ts')}`;
  log(`\n[integration] ${group.map((file) => file.source).join(', ')}  (workspace ${first.workspace})`);
  // The pid keeps concurrent runs in one working tree apart.
  const resultsFile = path.join(resultsDir, 'integration', `${label}-${process.pid}.jsonl`);
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.rmSync(resultsFile, { force: true });

  const server = await startCodeServer({
    workspace: first.workspace,
    settings: first.settings,
    label,
    extensions: [extensionVsix, runnerVsix],
    env: {
      ...first.env,
      [suiteEnv.entry]: suiteEntry,
      [suiteEnv.files]: JSON.stringify(group.map((file) => file.compiled)),
      [suiteEnv.results]: resultsFile,
      ...(grep ? { [suiteEnv.grep]: grep } : {}),
    },
  });
  const context = await newWorkbenchContext(browser, new URL(server.url).origin);
  const page = await context.newPage();
  // Files of a group run one after another in one window, so their time budgets add up.
  const timeoutMs = group.reduce((sum, file) => sum + file.timeoutSeconds, 0) * 1000;
  try {
    await page.goto(server.url);
    const outcome = await followEvents(resultsFile, { startTimeoutMs, timeoutMs }, log);
    if (outcome.kind === 'ended') {
      if (outcome.result.failed === 0) fs.rmSync(resultsFile, { force: true });
      return outcome.result;
    }
    const screenshot = path.join(screenshotsDir, `${label}-${outcome.kind}.png`);
    await page.screenshot({ path: screenshot }).catch(() => undefined);
    const reason =
      outcome.kind === 'crashed'
        ? `the suite crashed while loading: ${firstLines(outcome.error, 8)}`
        : outcome.runningTest
          ? `no result within ${timeoutMs / 1000}s (stuck in "${outcome.runningTest}")`
          : `the suite did not start within ${startTimeoutMs / 1000}s (extension host or test-runner extension ` + 'not running; see the code-server log)';
    const failure = `${label}: ${reason}\n  code-server log: ${server.logFile}\n  screenshot: ${screenshot}`;
    log(`  ✗ ${failure}`);
    return {
      passed: outcome.partial.passed,
      failed: outcome.partial.failed + 1,
      failures: [...outcome.partial.failures, failure],
    };
  } finally {
    await context.close().catch(() => undefined);
    await server.stop();
  }
}

type Outcome =
  | { kind: 'ended'; result: LayerResult }
  | { kind: 'crashed'; error: string; partial: LayerResult }
  | { kind: 'timeout'; runningTest: string | undefined; partial: LayerResult };

/** Tails the JSON-lines event file, printing progress, until `end`, `crash` or a deadline. */
async function followEvents(file: string, limits: { startTimeoutMs: number; timeoutMs: number }, log: (line: string) => void): Promise<Outcome> {
  const startDeadline = Date.now() + limits.startTimeoutMs;
  const deadline = Date.now() + limits.timeoutMs;
  let started = false;
  let consumed = 0;
  let passed = 0;
  let failed = 0;
  const failures: string[] = [];
  let runningTest: string | undefined;
  let ended = false;
  while (Date.now() < deadline && (started || Date.now() < startDeadline)) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    const fresh = complete.slice(consumed);
    consumed = complete.length;
    for (const line of fresh.split('\n').filter(Boolean)) {
      const event = JSON.parse(line) as SuiteEvent;
      switch (event.event) {
        case 'start':
          started = true;
          log(`  VS Code ${event.vscodeVersion}, ${event.total} test(s)`);
          break;
        case 'test':
          runningTest = event.title;
          break;
        case 'pass':
          passed++;
          log(`  ✓ ${event.title} (${event.durationMs}ms)`);
          break;
        case 'fail':
          failed++;
          failures.push(`${event.title}\n${indent(event.error)}`);
          log(`  ✗ ${event.title}\n${indent(event.error)}`);
          break;
        case 'crash':
          return { kind: 'crashed', error: event.error, partial: { passed, failed, failures } };
        case 'end':
          ended = true;
          break;
      }
    }
    if (ended) return { kind: 'ended', result: { passed, failed, failures } };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { kind: 'timeout', runningTest, partial: { passed, failed, failures } };
}

/** Packages test/harness/runner-extension into a .vsix, cached in .vscode-test/ by content. */
function packageRunnerExtension(): string {
  const source = path.join(repoRoot, 'test', 'harness', 'runner-extension');
  const hash = crypto.createHash('sha256');
  for (const name of fs.readdirSync(source).sort()) hash.update(name).update(fs.readFileSync(path.join(source, name)));
  const vsix = path.join(cacheDir, `integration-test-runner-${hash.digest('hex').slice(0, 12)}.vsix`);
  if (fs.existsSync(vsix)) return vsix;
  fs.mkdirSync(cacheDir, { recursive: true });
  const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  // Package under a private name, then rename: a concurrent run never sees a half-written file.
  const partial = `${vsix}.${process.pid}.partial.vsix`;
  const result = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '-o', partial], {
    cwd: source,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    fs.rmSync(partial, { force: true });
    throw new Error(`could not package the test-runner extension:\n${result.stderr}`);
  }
  fs.renameSync(partial, vsix);
  return vsix;
}

function firstLines(text: string, count: number): string {
  const lines = text.split('\n');
  return lines.length > count ? [...lines.slice(0, count), '    …'].join('\n') : text;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
}
