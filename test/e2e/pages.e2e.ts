// @workspace test/fixtures/workspaces/smoke
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { openWorkbench, type Workbench } from './harness';

describe('pages and messages a newcomer meets: rule pages offline, plain YAML errors, Treat as public', () => {
  let workbench: Workbench;

  before(async () => {
    // One Explorer row per folder: tests that add files under .gitlab/ci open them the same way in any order.
    workbench = await openWorkbench({ workspace: 'test/fixtures/workspaces/smoke', settings: { 'explorer.compactFolders': false } });
  });

  after(async () => {
    await workbench?.close();
  });

  it('the rule code link in the Problems panel opens the rule page in the Markdown preview', async () => {
    await workbench.openFile('.gitlab-ci.yml');
    await workbench.problems((list) => list.some((problem) => problem.code.includes('missing-credentials')));
    const link = workbench.page
      .locator('.markers-panel .monaco-list-row .marker-code a, .markers-panel .monaco-list-row a.monaco-link')
      .filter({ hasText: 'missing-credentials' })
      .first();
    await link.click();
    // The page opens in the Markdown preview, and its source editor is closed again.
    await workbench.page.locator('.tabs-container .tab', { hasText: 'Preview missing-credentials.md' }).first().waitFor();
    await workbench.page.locator('.tabs-container .tab .label-name', { hasText: /^missing-credentials\.md$/ }).waitFor({ state: 'detached' });
    const heading = await waitForFrame(
      workbench,
      async (frame) =>
        (await frame
          .locator('h1')
          .first()
          .textContent({ timeout: 1000 })
          .catch(() => null)) === 'missing-credentials',
    );
    assert.match(await heading.locator('body').innerText(), /How to fix it/);
    await workbench.screenshot('rule-page');
  });

  it('a hover shows the short message, its details, and a rule link that opens the rule page in the Markdown preview', async () => {
    const file = workbench.workspaceFile('.gitlab/ci/login.yml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'login:\n  image: alpine:3.20\n  script:\n    - echo $DOCKER_AUTH_CONFIG > config.json\n');
    // A file written behind the workbench's back may not reach the Explorer by itself.
    await workbench.runCommand('Refresh Explorer');
    await workbench.openFile('.gitlab/ci/login.yml');
    const problems = await workbench.problems((list) => list.some((problem) => problem.file === 'login.yml' && problem.code.includes('file-variable-echo')));
    const echo = problems.find((problem) => problem.file === 'login.yml' && problem.code.includes('file-variable-echo'))!;
    // The fact, short; the jobs it names are those of the hover.
    assert.equal(echo.message, 'echo $DOCKER_AUTH_CONFIG > config.json writes a path if File-type (job login)');
    const hover = await workbench.hoverMatching('echo $DOCKER_AUTH_CONFIG', /its value in the job is the path of a temporary file/);
    assert.ok(hover.includes(echo.message), hover);
    assert.match(hover, /cat "\$DOCKER_AUTH_CONFIG" >/);
    await workbench.screenshot('hover-details');

    await workbench.page.locator('.monaco-hover:not(.hidden) a.code-link', { hasText: 'file-variable-echo' }).first().click();
    await workbench.page.locator('.tabs-container .tab', { hasText: 'Preview file-variable-echo.md' }).first().waitFor();
    const page = await waitForFrame(
      workbench,
      async (frame) =>
        (await frame
          .locator('h1')
          .first()
          .textContent({ timeout: 1000 })
          .catch(() => null)) === 'file-variable-echo',
    );
    assert.match(await page.locator('body').innerText(), /File-type/);
  });

  it('a YAML mistake is named in plain words on its line, with no quick fix that hides it', async () => {
    const file = workbench.workspaceFile('.gitlab/ci/broken.yml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'build:\n  stage build\n  script:\n    - make\n');
    await workbench.runCommand('Refresh Explorer');
    await workbench.openFile('.gitlab/ci/broken.yml');
    const problems = await workbench.problems((list) => list.some((problem) => problem.file === 'broken.yml'));
    const syntax = problems.filter((problem) => problem.file === 'broken.yml');
    assert.deepEqual(
      syntax.map((problem) => [problem.message, problem.line]),
      [['Missing ":" after `stage`', 2]],
    );
    const titles = await workbench.quickFixTitlesOrNone('stage build');
    assert.ok(!titles.some((title) => /Ignore yaml-syntax/.test(title)), titles.join(' | '));
    await workbench.screenshot('yaml-syntax-plain');
  });

  it('"Treat as public" adds just that registry to the settings picked, says so, and Undo takes it back', async () => {
    await workbench.openFile('.gitlab-ci.yml');
    const ours = (list: readonly { file: string; code: string }[]) =>
      list.filter((problem) => problem.file === '.gitlab-ci.yml' && problem.code.includes('missing-credentials'));
    await workbench.problems((list) => ours(list).length === 1);
    await workbench.quickFix('registry.example.com/team/builder', 'Treat registry.example.com as public');
    const where = await workbench.quickInput({ title: /Treat registry\.example\.com as public/ });
    assert.deepEqual(where.items, ['This project', 'All my projects']);
    await workbench.pickQuickInputItem('This project');
    const message = await workbench.notification(/treated as public/);
    assert.match(message, /registry\.example\.com is treated as public: added to gitlabCiAuth\.additionalPublicRegistries in the workspace settings/);
    await workbench.problems((list) => ours(list).length === 0);
    assert.deepEqual(JSON.parse(workbench.readWorkspaceFile('.vscode/settings.json')), { 'gitlabCiAuth.additionalPublicRegistries': ['registry.example.com'] });
    await workbench.screenshot('treat-as-public');
    await workbench.clickNotificationButton(/treated as public/, 'Undo');
    await workbench.problems((list) => ours(list).length === 1);
    assert.doesNotMatch(workbench.readWorkspaceFile('.vscode/settings.json'), /registry\.example\.com/);
  });
});

/** The first frame (webviews nest two iframes deep) for which `test` holds, waiting for it to appear. */
async function waitForFrame(workbench: Workbench, test: (frame: Frame) => Promise<boolean>): Promise<Frame> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    for (const frame of workbench.page.frames()) if (await test(frame)) return frame;
    if (Date.now() > deadline) throw new Error('no frame shows the expected content');
    await workbench.page.waitForEvent('framenavigated', { timeout: 2000 }).catch(() => undefined);
  }
}
