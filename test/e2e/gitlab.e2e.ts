// Through the real UI against the loopback GitLab API test server: connect, see the `include: project` file fetched
// and its job's private image flagged on the include line, see that a broken project DOCKER_AUTH_CONFIG leaves the
// private image uncovered, and save a fixed variable (checking the PUT GitLab receives). After a reload, the stored
// connection alone (no command run) brings back the variable's coverage and the fetched include.
// Each test starts in a fresh browser window (nothing stored, not connected) with GitLab as it first was (the broken
// variable, no request received), and takes the steps before its own.
import * as assert from 'node:assert/strict';
import { FakeGitLab } from '../support/fakeGitLab';
import { freshWindowForEachTest, openWorkbench, type Problem, type Workbench } from './harness';

const workspace = 'test/fixtures/workspaces/gitlab';
const apiToken = 'FAKE-e2e-gitlab-api-token';
const registryToken = 'FAKE-e2e-registry-token';
// Valid JSON, but its auth does not decode to user:password: the runner drops the whole variable.
const brokenAuth = Buffer.from('no-colon-in-here').toString('base64');
const brokenValue = `{"auths":{"private.example.com":{"auth":"${brokenAuth}"}}}`;
// What the wizard saves in place of the broken value (the PUT the save test checks).
const fixedAuth = Buffer.from(`ci-puller:${registryToken}`).toString('base64');
const fixedValue = `{"auths":{"private.example.com":{"auth":"${fixedAuth}"}}}`;

const uncovered = (problems: readonly Problem[]) =>
  problems.some((problem) => /missing-credentials/.test(problem.code) && /private\.example\.com/.test(problem.message));
// The fixture's `include: project: group/shared-ci, ref: v1.2, file: templates/build.yml` (its `file:` is on line 4).
const includeLine = 4;
const sharedTemplate = ['shared-build:', '  image: shared.example.com/ci/builder:2', '  script:', '    - build', ''].join('\n');
const sharedUncovered = (problem: Problem) => /missing-credentials/.test(problem.code) && /shared\.example\.com/.test(problem.message);
const unresolvedInclude = (problem: Problem) => /unresolved-include/.test(problem.code) && /group\/shared-ci:templates\/build\.yml@v1\.2/.test(problem.message);

describe('GitLab connection in the workbench, against the loopback GitLab API test server', function () {
  this.timeout(300_000);
  const gitlab = new FakeGitLab();
  let workbench: Workbench;

  before(async () => {
    await gitlab.startWithFixtureProjects(apiToken);
    gitlab.addFile('group/shared-ci', 'v1.2', 'templates/build.yml', sharedTemplate);
    workbench = await openWorkbench({ workspace, label: 'e2e-gitlab', settings: gitlab.settingsForApp() });
  });

  freshWindowForEachTest(() => workbench);

  beforeEach(async () => {
    setGitLabVariable(brokenValue);
    gitlab.requests.length = 0;
    await workbench.openFile('.gitlab-ci.yml');
  });

  function setGitLabVariable(value: string): void {
    gitlab.variables.set('project:group/app', []);
    gitlab.addVariable('project:group/app', { key: 'DOCKER_AUTH_CONFIG', value, raw: true, masked: true });
  }

  /** Connects through the command palette with the API token; resolves with the instance box's value and the notification. */
  async function connect(): Promise<{ instance: string; connected: string }> {
    await workbench.runCommand('GitLab CI Auth: Connect to GitLab…');
    const instance = await workbench.quickInput({ title: /instance/ });
    await workbench.submitQuickInput();
    await workbench.quickInput({ title: /token for 127\.0\.0\.1/ });
    await workbench.submitQuickInput(apiToken);
    return { instance: instance.value, connected: await workbench.notification(/Connected to 127\.0\.0\.1/) };
  }

  /** The warning about the broken variable, in the Notifications center (a toast may already have timed out). */
  function brokenNotification() {
    return workbench.page.locator('.notifications-center .notification-list-item-message', { hasText: /is not valid, so the runner ignores it/ }).first();
  }

  /** Opens the Notifications center (left open) and waits for the warning about the broken variable there. */
  async function showBrokenNotification(): Promise<void> {
    await workbench.runCommand('Notifications: Show Notifications');
    await brokenNotification().waitFor();
  }

  after(async () => {
    await workbench?.close();
    await gitlab.stop();
  });

  it('flags the private image before connecting; the include:project file is unresolved, so nothing is claimed about its jobs', async () => {
    const problems = await workbench.problems((list) => uncovered(list) && list.some(unresolvedInclude));
    const unresolved = problems.find(unresolvedInclude)!;
    assert.equal(unresolved.severity, 'info');
    assert.equal(unresolved.line, includeLine);
    assert.ok(!problems.some(sharedUncovered), 'no missing-credentials for a job not read yet');
    assert.equal(gitlab.requests.length, 0, 'nothing is asked of GitLab before connecting');
  });

  it('connects with a token typed into a password box, checked against /personal_access_tokens/self', async () => {
    const { instance, connected } = await connect();
    assert.equal(instance, gitlab.baseUrl);
    assert.match(connected, /as alice\. Scopes: api\./);
    assert.equal(gitlab.requestsTo('GET', /^\/personal_access_tokens\/self$/).length, 1);
    await workbench.screenshot('connected');
  });

  it('fetches the include:project file at its ref and flags its job on the include line', async () => {
    await connect();
    const problems = await workbench.problems((list) => list.some(sharedUncovered) && !list.some(unresolvedInclude));
    const [fetch, ...again] = gitlab.requestsTo('GET', /^\/projects\/group%2Fshared-ci\/repository\/files\/templates%2Fbuild\.yml\/raw$/);
    assert.ok(fetch, 'GitLab received the Repository Files API request');
    assert.equal(fetch.query.get('ref'), 'v1.2');
    assert.equal(fetch.headers['private-token'], apiToken);
    assert.equal(again.length, 0, 'fetched once, then served from the cache');

    const shared = problems.find(sharedUncovered)!;
    assert.equal(shared.severity, 'warning');
    assert.equal(shared.file, '.gitlab-ci.yml');
    assert.equal(shared.line, includeLine);
    assert.match(
      shared.message,
      /^No credentials for shared\.example\.com \(job shared-build\), in gitlab:group\/shared-ci@v1\.2\/templates\/build\.yml, line 2$/,
    );
    assert.ok(uncovered(problems), 'the local job is still flagged where it is written');
    assert.match(await workbench.hover('private.example.com/team/build:1.0'), /No credentials cover this registry/);
    await workbench.screenshot('include-fetched');
  });

  it('reports the broken project variable, whose registry stays uncovered, without showing its value', async () => {
    await connect();
    await showBrokenNotification();
    const message = await brokenNotification().innerText();
    assert.match(message, /project variable DOCKER_AUTH_CONFIG \(group\/app\)/);
    assert.ok(!message.includes(brokenAuth));
    assert.ok(gitlab.requestsTo('GET', /^\/projects\/group%2Fapp\/variables$/).length >= 1);
    await workbench.problems(uncovered);
    await workbench.page.locator('.statusbar-item', { hasText: 'DOCKER_AUTH_CONFIG' }).first().waitFor();
    await workbench.screenshot('broken-variable');
  });

  it('saves a fixed variable through the wizard, merged and confirmed, with a PUT GitLab accepts', async () => {
    await connect();
    await showBrokenNotification();
    await workbench.page
      .locator('.notifications-center .notification-list-item', { hasText: /is not valid, so the runner ignores it/ })
      .first()
      .locator('.monaco-button', { hasText: 'Build a New One' })
      .click();
    await workbench.quickInput({ title: /Configure Registry Credentials/ });
    await workbench.pickQuickInputItem('private.example.com');
    await workbench.pickQuickInputItem('Registry account (username and password or token)');
    await workbench.quickInput({ message: /username/i });
    await workbench.submitQuickInput('ci-puller');
    await workbench.quickInput({ message: /token or password/i });
    await workbench.submitQuickInput(registryToken);
    await workbench.pickQuickInputItem('Skip verification');
    await workbench.pickQuickInputItem('For this project only');
    await workbench.pickQuickInputItem('Save as CI/CD variable in GitLab');
    await workbench.submitQuickInput();

    await workbench.quickInput({ title: /Save DOCKER_AUTH_CONFIG \(1\/3\)/ });
    await workbench.pickQuickInputItem('Project group/app');
    await workbench.quickInput({ title: /environment scope/ });
    await workbench.submitQuickInput();
    await workbench.pickQuickInputItem('Every branch and tag');

    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    const detail = await dialog.innerText();
    assert.match(detail, /Update the project variable DOCKER_AUTH_CONFIG \(group\/app\)\?/);
    assert.match(detail, /Added: private\.example\.com/);
    assert.match(detail, /not a valid DOCKER_AUTH_CONFIG/);
    assert.ok(!detail.includes(registryToken) && !detail.includes(brokenAuth), 'the dialog shows registries, never values');
    await workbench.screenshot('save-confirmation');
    await dialog.getByRole('button', { name: 'Replace' }).click();

    // The Notifications center is still open, so new messages are listed there rather than as toasts.
    await workbench.page
      .locator('.notifications-center .notification-list-item-message', { hasText: /Updated the project variable DOCKER_AUTH_CONFIG \(group\/app\)/ })
      .first()
      .waitFor();
    const [put] = gitlab.requestsTo('PUT', /^\/projects\/group%2Fapp\/variables\/DOCKER_AUTH_CONFIG$/);
    assert.ok(put, 'GitLab received a PUT');
    assert.equal(put.query.get('filter[environment_scope]'), '*');
    assert.deepEqual(put.body, {
      value: fixedValue,
      variable_type: 'env_var',
      protected: false,
      masked: true,
      raw: true,
      environment_scope: '*',
    });
    assert.equal(put.headers['private-token'], apiToken, 'the token went to the confirmed loopback instance');
    await workbench.page.locator('.statusbar-item', { hasText: 'DOCKER_AUTH_CONFIG' }).first().waitFor();
    await workbench.problems((problems) => !uncovered(problems) || problems.length === 0);
    await workbench.screenshot('fixed');
  });

  it('after a reload, the stored connection alone reads the variables and fetches the include: no command is run', async () => {
    // GitLab already holds the fixed variable (as the save test leaves it); connected, it covers the local job's registry.
    setGitLabVariable(fixedValue);
    await connect();
    const covered = (problems: readonly Problem[]) => problems.some(sharedUncovered) && !problems.some(unresolvedInclude) && !uncovered(problems);
    await workbench.problems(covered);
    const variablesReads = () => gitlab.requestsTo('GET', /^\/projects\/group%2Fapp\/variables$/).length;
    const includeFetches = () => gitlab.requestsTo('GET', /^\/projects\/group%2Fshared-ci\/repository\/files\/templates%2Fbuild\.yml\/raw$/).length;
    const [readsBefore, fetchesBefore] = [variablesReads(), includeFetches()];
    await workbench.reloadWindow();
    // The fetched include's job is flagged on the include line, and the saved variable covers the local job's registry.
    await workbench.problems(covered);
    assert.ok(variablesReads() > readsBefore, 'the CI/CD variables were read again after the reload');
    assert.ok(includeFetches() > fetchesBefore, 'the include was fetched again after the reload');
    await workbench.screenshot('after-reload');
  });
});
