// @workspace test/fixtures/workspaces/gitlab
// A newcomer who is not connected to GitLab runs the wizard from the Command Palette and picks "Connect to GitLab and
// save…": the wizard connects (against the loopback GitLab API test server) and goes on to save the value, which
// arrives at the server. The walkthrough, never used for any of it, then shows "Build DOCKER_AUTH_CONFIG" and
// "Connect to GitLab" as done.
import * as assert from 'node:assert/strict';
import { FakeGitLab } from '../support/fakeGitLab';
import { openWorkbench, type Workbench } from './harness';

const apiToken = 'FAKE-e2e-connect-and-save-api-token';
const registryToken = 'FAKE-e2e-connect-and-save-registry-token';

describe('wizard from the palette: "Connect to GitLab and save…" connects to the loopback GitLab API test server, then saves', function () {
  this.timeout(300_000);
  const gitlab = new FakeGitLab();
  let workbench: Workbench;

  before(async () => {
    await gitlab.startWithFixtureProjects(apiToken);
    workbench = await openWorkbench({ workspace: 'test/fixtures/workspaces/gitlab', label: 'e2e-connect-and-save', settings: gitlab.settingsForApp() });
  });

  after(async () => {
    await workbench?.close();
    await gitlab.stop();
  });

  const step = (title: string) => workbench.page.locator('.getting-started-step', { hasText: title }).first();

  async function openWalkthrough(): Promise<void> {
    await workbench.runCommand('Welcome: Open Walkthrough...');
    await workbench.quickInput();
    await workbench.typeInQuickInput('GitLab CI Registry Auth');
    await workbench.pickQuickInputItem(/Get started with GitLab CI Registry Auth/);
  }

  it('not connected: the wizard connects, then saves the new DOCKER_AUTH_CONFIG in GitLab; the walkthrough ticks both steps', async () => {
    await openWalkthrough();
    await step('Build DOCKER_AUTH_CONFIG').waitFor();
    assert.equal(await step('Build DOCKER_AUTH_CONFIG').getAttribute('aria-checked'), 'false');
    assert.equal(await step('Connect to GitLab').getAttribute('aria-checked'), 'false');

    await workbench.openFile('.gitlab-ci.yml');
    await workbench.problems((list) => list.some((problem) => /missing-credentials/.test(problem.code) && /private\.example\.com/.test(problem.message)));
    await workbench.runCommand('GitLab CI Auth: Configure Registry Credentials…');
    await workbench.quickInput({ title: /Configure Registry Credentials/ });
    await workbench.pickQuickInputItem('private.example.com');
    await workbench.pickQuickInputItem('Registry account (username and password or token)');
    await workbench.quickInput({ message: /username/i });
    await workbench.submitQuickInput('ci-puller');
    await workbench.quickInput({ message: /token or password/i });
    await workbench.submitQuickInput(registryToken);
    await workbench.pickQuickInputItem('Skip verification');
    await workbench.pickQuickInputItem('For this project only');

    const output = await workbench.quickInput({ title: /Configure Registry Credentials/ });
    assert.ok(output.items.includes('Connect to GitLab and save as CI/CD variable…'), output.items.join(' | '));
    await workbench.pickQuickInputItem('Copy DOCKER_AUTH_CONFIG to the clipboard'); // ticked by default: only GitLab this time
    await workbench.pickQuickInputItem('Connect to GitLab and save as CI/CD variable…');
    await workbench.submitQuickInput();

    // Connecting comes next, straight away (no "not connected" message to click first)…
    const instance = await workbench.quickInput({ title: /instance/ });
    assert.equal(instance.value, gitlab.baseUrl);
    await workbench.submitQuickInput();
    await workbench.quickInput({ title: /token for 127\.0\.0\.1/ });
    await workbench.submitQuickInput(apiToken);

    // …and then saving the value the wizard built: the wizard did not end at connecting.
    await workbench.quickInput({ title: /Save DOCKER_AUTH_CONFIG \(1\/3\)/ });
    await workbench.pickQuickInputItem('Project group/app');
    await workbench.quickInput({ title: /environment scope/ });
    await workbench.submitQuickInput();
    await workbench.pickQuickInputItem('Every branch and tag');
    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Create the project variable DOCKER_AUTH_CONFIG \(group\/app\)\?/);
    await workbench.screenshot('connect-and-save-confirmation');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await workbench.notification(/Created the project variable DOCKER_AUTH_CONFIG \(group\/app\)/);

    const [post, ...more] = gitlab.requestsTo('POST', /^\/projects\/group%2Fapp\/variables$/);
    assert.ok(post, 'GitLab received the new variable');
    assert.equal(more.length, 0);
    assert.equal(post.headers['private-token'], apiToken);
    const auth = Buffer.from(`ci-puller:${registryToken}`).toString('base64');
    assert.deepEqual(
      { key: (post.body as { key?: string }).key, value: (post.body as { value?: string }).value },
      { key: 'DOCKER_AUTH_CONFIG', value: `{"auths":{"private.example.com":{"auth":"${auth}"}}}` },
    );
    await workbench.problems((list) => !list.some((problem) => /missing-credentials/.test(problem.code) && /private\.example\.com/.test(problem.message)));

    // The walkthrough was not used for any of it, yet shows both steps as done.
    await openWalkthrough();
    await workbench.page.locator('.getting-started-step[aria-checked="true"]', { hasText: 'Build DOCKER_AUTH_CONFIG' }).first().waitFor();
    await workbench.page.locator('.getting-started-step[aria-checked="true"]', { hasText: 'Connect to GitLab' }).first().waitFor();
    await workbench.screenshot('walkthrough-stored-and-connected');
  });
});
