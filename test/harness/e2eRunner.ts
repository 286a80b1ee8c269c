/** Runs the compiled e2e scenarios (test/e2e/*.e2e.ts) with mocha in this process, one file after another. */
import Mocha from 'mocha';
import type { LayerResult } from './integration';
import { findTestFiles } from './testFiles';
import { screenshotOpenWorkbenches } from './workbenchRegistry';

export interface E2eOptions {
  readonly grep?: string;
}

export async function runE2eTests(options: E2eOptions = {}): Promise<LayerResult> {
  const files = findTestFiles('test/e2e', '.e2e.ts');
  if (files.length === 0) return { passed: 0, failed: 0, failures: [] };
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    timeout: 120_000,
    // A stray `.only` fails the run (mocha throws while loading) instead of reporting the rest as absent.
    forbidOnly: true,
    color: process.stdout.isTTY === true,
    ...(options.grep ? { grep: options.grep } : {}),
    rootHooks: {
      // Runs before the scenario's own `after` closes the workbench, so the failing screen is still there.
      async afterEach(this: Mocha.Context) {
        const test = this.currentTest;
        if (test?.state === 'failed') await screenshotOpenWorkbenches(`FAILED ${test.fullTitle()}`);
      },
    },
  });
  for (const file of files) mocha.addFile(file.compiled);
  await mocha.loadFilesAsync();
  return new Promise((resolve) => {
    let passed = 0;
    const failures: string[] = [];
    const runner = mocha.run(() => resolve({ passed, failed: failures.length, failures }));
    const { constants } = Mocha.Runner;
    runner.on(constants.EVENT_TEST_PASS, () => passed++);
    runner.on(constants.EVENT_TEST_FAIL, (test: Mocha.Runnable, error: Error) =>
      failures.push(`${test.fullTitle()}\n      ${error?.message ?? String(error)}`),
    );
    runner.on(constants.EVENT_TEST_PENDING, (test: Mocha.Test) => failures.push(`${test.fullTitle()}\n      skipped: the project allows no skipped tests`));
  });
}
