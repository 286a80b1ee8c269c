// @workspace test/fixtures/workspaces/smoke
import * as assert from 'node:assert/strict';
import { openWorkbench, type Workbench } from './harness';

describe('walkthrough: steps tick when the thing is done any way, not only from their buttons', () => {
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench({ workspace: 'test/fixtures/workspaces/smoke' });
  });

  after(async () => {
    await workbench?.close();
  });

  it('"See what the runner will fail to pull" ticks when the pipeline is opened from the Explorer', async () => {
    // Open first, as for a newcomer who follows it: the step is not done yet.
    await openWalkthrough();
    const step = (title: string) => workbench.page.locator('.getting-started-step', { hasText: title }).first();
    await step('See what the runner will fail to pull').waitFor();
    assert.equal(await step('See what the runner will fail to pull').getAttribute('aria-checked'), 'false');

    await workbench.openFile('.gitlab-ci.yml');
    await openWalkthrough();
    await workbench.page.locator('.getting-started-step[aria-checked="true"]', { hasText: 'See what the runner will fail to pull' }).first().waitFor();
    // Nothing stored and no GitLab connection: those steps stay open.
    assert.equal(await step('Build DOCKER_AUTH_CONFIG').getAttribute('aria-checked'), 'false');
    assert.equal(await step('Connect to GitLab').getAttribute('aria-checked'), 'false');
    await workbench.screenshot('walkthrough-ticked');
  });

  async function openWalkthrough(): Promise<void> {
    await workbench.runCommand('Welcome: Open Walkthrough...');
    await workbench.quickInput();
    await workbench.typeInQuickInput('GitLab CI Registry Auth');
    await workbench.pickQuickInputItem(/Get started with GitLab CI Registry Auth/);
  }
});
