// @workspace test/fixtures/workspaces/smoke
import * as assert from 'node:assert/strict';
import { openWorkbench, type Workbench } from './harness';

describe('smoke: the extension in code-server, driven like a user', () => {
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench({ workspace: 'test/fixtures/workspaces/smoke' });
  });

  after(async () => {
    await workbench?.close();
  });

  it('opens .gitlab-ci.yml from the Explorer', async () => {
    await workbench.openFile('.gitlab-ci.yml');
    assert.match(await workbench.visibleEditorText(), /registry\.example\.com\/team\/builder:1\.4/);
    await workbench.screenshot('gitlab-ci-open');
  });

  it("shows the extension's warning for the private image in the Problems panel (so it activated)", async () => {
    // Its own state: diagnostics are published for the open pipeline.
    await workbench.openFile('.gitlab-ci.yml');
    const problems = await workbench.problems((list) => list.some((problem) => problem.source === 'GitLab CI Auth'));
    await workbench.screenshot('problems');
    const ours = problems.filter((problem) => problem.source === 'GitLab CI Auth');
    assert.deepEqual(
      ours.map((problem) => [problem.file, problem.line, problem.message.includes('registry.example.com')]),
      [['.gitlab-ci.yml', 4, true]],
      'expected one finding, on the private image (the public node image needs no credentials)',
    );
  });

  it('runs "GitLab CI Auth: Configure Registry Credentials…" from the command palette: step 1 offers the flagged registry first', async () => {
    // Its own state: the file open and its warning shown, whatever ran before.
    await workbench.openFile('.gitlab-ci.yml');
    await workbench.problems((list) => list.some((problem) => problem.source === 'GitLab CI Auth' && problem.message.includes('registry.example.com')));
    const labels = await workbench.searchCommands('GitLab CI Auth: Configure Registry');
    await workbench.screenshot('command-palette');
    assert.ok(
      labels.some((label) => label.includes('GitLab CI Auth: Configure Registry Credentials…')),
      `palette shows: ${labels.join(' | ')}`,
    );
    await workbench.dismissQuickInput();
    await workbench.runCommand('GitLab CI Auth: Configure Registry Credentials…');
    const step = await workbench.quickInput({ title: /^Configure Registry Credentials \(1\/\d\)$/ });
    assert.equal(step.items[0], 'registry.example.com', `step 1 lists: ${step.items.join(' | ')}`);
    await workbench.dismissQuickInput();
  });
});
