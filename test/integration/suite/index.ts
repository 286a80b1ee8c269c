/**
 * Integration suite loader. Runs inside a real extension host: code-server (via the test-runner extension in
 * test/harness/runner-extension) or desktop VS Code (via @vscode/test-electron, which calls `run()`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { suiteEnv, type SuiteEvent } from '../../harness/integrationProtocol';

/** Runs the test files named by the environment; rejects when any test fails (test-electron's contract). */
export async function run(): Promise<void> {
  const resultsFile = process.env[suiteEnv.results];
  const emit = (event: SuiteEvent): void => {
    if (resultsFile) fs.appendFileSync(resultsFile, JSON.stringify(event) + '\n');
  };
  try {
    await runMocha(emit);
  } catch (error) {
    if (!(error instanceof TestFailures)) emit({ event: 'crash', error: describeError(error) });
    throw error;
  }
}

class TestFailures extends Error {}

async function runMocha(emit: (event: SuiteEvent) => void): Promise<void> {
  const grep = process.env[suiteEnv.grep];
  // forbidOnly: a stray `.only` fails the run (mocha throws while loading) instead of reporting the rest as absent.
  const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, color: false, forbidOnly: true, ...(grep ? { grep } : {}) });
  for (const file of testFiles()) mocha.addFile(file);
  await mocha.loadFilesAsync();

  return new Promise<void>((resolve, reject) => {
    let passed = 0;
    let failed = 0;
    const runner = mocha.run(() => {
      emit({ event: 'end', passed, failed });
      if (failed > 0) reject(new TestFailures(`${failed} integration test(s) failed`));
      else resolve();
    });
    const { constants } = Mocha.Runner;
    runner.once(constants.EVENT_RUN_BEGIN, () => emit({ event: 'start', total: runner.total, vscodeVersion: vscode.version }));
    runner.on(constants.EVENT_TEST_BEGIN, (test: Mocha.Test) => emit({ event: 'test', title: test.fullTitle() }));
    runner.on(constants.EVENT_TEST_PASS, (test: Mocha.Test) => {
      passed++;
      emit({ event: 'pass', title: test.fullTitle(), durationMs: test.duration ?? 0 });
    });
    // Hooks fail through this event too ("before all" hook …), so a broken setup is never silent.
    runner.on(constants.EVENT_TEST_FAIL, (test: Mocha.Runnable, error: unknown) => {
      failed++;
      emit({ event: 'fail', title: test.fullTitle(), error: describeError(error) });
    });
    // The project allows no skipped tests: a skip is reported as a failure.
    runner.on(constants.EVENT_TEST_PENDING, (test: Mocha.Test) => {
      failed++;
      emit({ event: 'fail', title: test.fullTitle(), error: 'skipped: the project allows no skipped tests' });
    });
  });
}

function testFiles(): string[] {
  const named = process.env[suiteEnv.files];
  if (named) return JSON.parse(named) as string[];
  // test-electron without a driver: every compiled integration test next to this folder.
  const dir = path.resolve(__dirname, '..');
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.test.js'))
    .map((name) => path.join(dir, name));
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
