/**
 * Runs the integration suite in desktop VS Code downloaded by @vscode/test-electron (`npm run test:electron`), for
 * contributors with internet access and a display (or xvfb-run). CI uses code-server instead (test/run-all.mjs);
 * both load the same suite (./suite/index.ts) with the same per-file workspace headers.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { suiteEnv } from '../harness/integrationProtocol';
import { repoRoot } from '../harness/paths';
import { findTestFiles, groupByEnvironment } from '../harness/testFiles';
import { copyWorkspace, writeUserSettings } from '../harness/workspace';

async function main(): Promise<void> {
  const grep = process.argv[2];
  let failedGroups = 0;
  for (const group of groupByEnvironment(findTestFiles('test/integration', '.test.ts'))) {
    const first = group[0]!;
    console.log(`\n[electron] ${group.map((file) => file.source).join(', ')} (workspace ${first.workspace})`);
    const { workspacePath, userDataDir, cleanup } = prepare(first.workspace, first.settings);
    try {
      await runTests({
        extensionDevelopmentPath: repoRoot,
        extensionTestsPath: path.join(repoRoot, 'out', 'test', 'integration', 'suite', 'index.js'),
        launchArgs: [workspacePath, '--disable-extensions', '--skip-welcome', `--user-data-dir=${userDataDir}`],
        extensionTestsEnv: {
          ...first.env,
          [suiteEnv.files]: JSON.stringify(group.map((file) => file.compiled)),
          ...(grep ? { [suiteEnv.grep]: grep } : {}),
        },
      });
    } catch {
      failedGroups++;
    } finally {
      cleanup();
    }
  }
  if (failedGroups > 0) {
    console.error(`\n${failedGroups} group(s) of integration tests failed`);
    process.exit(1);
  }
}

function prepare(workspace: string, settings: Readonly<Record<string, unknown>>) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitlab-ci-auth-electron-'));
  const userDataDir = path.join(root, 'user-data');
  writeUserSettings(userDataDir, settings);
  const { workspacePath } = copyWorkspace(workspace, root);
  return { workspacePath, userDataDir, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
