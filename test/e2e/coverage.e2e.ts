// Coverage as the runner sees it, through the real UI, with a real docker-registry (htpasswd) and the loopback GitLab
// API test server: a credential stored with the wizard is "stored in VS Code only", not a cleared warning; connected,
// GitLab's variable without the key is a warning again; Copy gives the whole DOCKER_AUTH_CONFIG (GitLab's entries
// kept); once GitLab's variable holds the key and the connection is refreshed, the image is quiet and the hover names it.
// Each test starts in a fresh browser window (nothing stored, not connected) with GitLab's variable as it first was, and
// takes the steps before its own.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeGitLab } from '../support/fakeGitLab';
import { basicAuthorization, pushTestImage, startRegistry, type RunningRegistry } from '../support/registry';
import { eventually } from '../support/eventually';
import { assertSameSecretText } from '../support/secretAssert';
import { freshWindowForEachTest, openWorkbench, type Problem, type Workbench } from './harness';

/** Obviously fake test credentials. */
const username = 'ci-puller';
const password = 'fake-registry-pass-coverage-e2e';
const apiToken = 'FAKE-coverage-e2e-gitlab-api-token';
const otherAuth = Buffer.from('ci:fake-other-registry-token').toString('base64');
const gitlabValue = `{"auths":{"other.example.com":{"auth":"${otherAuth}"}}}`;
const nothingCopied = 'nothing copied yet';

declare const navigator: { readonly clipboard: { writeText(text: string): Promise<void> } };

describe('coverage in the workbench: stored in VS Code only until GitLab has it (real registry, loopback GitLab API test server)', function () {
  this.timeout(300_000);
  const gitlab = new FakeGitLab();
  let registry: RunningRegistry;
  let workbench: Workbench;
  let workspaceRoot: string;
  let image: string;
  let storedAuth: string;

  const of = (code: string) => (problem: Problem) => problem.code.includes(code) && problem.message.includes(registry.host);
  const missing = (problem: Problem) => of('missing-credentials')(problem);
  const storedOnly = (problem: Problem) => of('credential-not-in-gitlab')(problem);

  before(async () => {
    registry = await startRegistry({ kind: 'htpasswd', users: [{ username, password }] });
    await pushTestImage(registry.url, 'team/app', '1.0', basicAuthorization(username, password));
    image = `${registry.host}/team/app:1.0`;
    storedAuth = Buffer.from(`${username}:${password}`).toString('base64');
    await gitlab.startWithFixtureProjects(apiToken);
    // The pipeline names the registry's real port, so the workspace is written here.
    workspaceRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'gitlab-ci-auth-coverage-e2e-'));
    const workspace = path.join(workspaceRoot, 'coverage');
    fs.mkdirSync(workspace);
    fs.writeFileSync(
      path.join(workspace, '.gitlab-ci.yml'),
      ['# A private image of the local registry.', 'build:', `  image: ${image}`, '  script:', '    - make', ''].join('\n'),
    );
    workbench = await openWorkbench({
      workspace,
      label: 'e2e-coverage',
      settings: {
        ...gitlab.settingsForApp(),
        'gitlabCiAuth.clipboardClearSeconds': 0,
        // The sticky "build:" line would cover the image line the hovers and quick fixes point at.
        'editor.stickyScroll.enabled': false,
        // The loopback GitLab and the registry share 127.0.0.1: the dependency proxy's job-token key (127.0.0.1 with
        // GitLab's port) would be a port near miss of the registry's image, which real hosts never are.
        'gitlabCiAuth.severity': { 'key-near-miss': 'off' },
      },
    });
  });

  freshWindowForEachTest(() => workbench);

  beforeEach(async () => {
    // GitLab's variable already holds another registry's key: a copied value must keep it.
    setGitLabVariable(gitlabValue);
    await workbench.openFile('.gitlab-ci.yml');
    await workbench.problems((list) => list.some(missing));
  });

  function setGitLabVariable(value: string): void {
    gitlab.variables.set('project:group/app', []);
    gitlab.addVariable('project:group/app', { key: 'DOCKER_AUTH_CONFIG', value, raw: true, masked: true });
  }

  /** Chooses an item with the keyboard, as a user does: type to filter, then Enter on the (first) match. */
  async function pick(label: string): Promise<void> {
    const rows = workbench.page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row');
    // The items may arrive after the step opens (step 1 reads the diagnostics first).
    await rows.locator('.label-name', { hasText: label }).first().waitFor();
    await workbench.typeInQuickInput(label);
    await rows.first().locator('.label-name', { hasText: label }).first().waitFor();
    await workbench.submitQuickInput();
  }

  /**
   * The hover at the image once it shows `wanted`: with a diagnostic there, the problem's part may come first and ours
   * a moment later, so every part of the hover is read until ours is there.
   */
  function hoverShowing(wanted: RegExp): Promise<string> {
    return workbench.hoverMatching(image, wanted);
  }

  /** The wizard: the registry's account, verified, remembered on this computer; the guidance dialog dismissed. */
  async function storeWithWizard(): Promise<void> {
    await workbench.runCommand('GitLab CI Auth: Configure Registry Credentials…');
    await workbench.quickInput({ title: /Configure Registry Credentials/ });
    await pick(registry.host);
    await pick('Registry account');
    await workbench.quickInput({ title: /\(3\/\d+\)/ });
    await workbench.submitQuickInput(username);
    await workbench.quickInput({ title: /\(4\/\d+\)/ });
    await workbench.submitQuickInput(password);
    await pick('Verify now');
    await pick('On this computer, for all my projects');
    // The output step by its number: Enter while the storage step is still up would land in the editor.
    await workbench.quickInput({ title: /Configure Registry Credentials \(7\/7\)/ });
    await workbench.submitQuickInput();
    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    // The guidance dialog; with a known project it also offers to open its CI/CD settings.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
  }

  /** Connects through the image's quick fix with the API token; GitLab's variable then decides coverage. */
  async function connectThroughQuickFix(): Promise<void> {
    await workbench.quickFix(image, 'Connect to GitLab…');
    await workbench.quickInput({ title: /instance/ });
    await workbench.submitQuickInput();
    await workbench.quickInput({ title: /token for 127\.0\.0\.1/ });
    await workbench.submitQuickInput(apiToken);
    await workbench.notification(/Connected to 127\.0\.0\.1/);
  }

  /** Stores the credential, then connects: GitLab's variable (without the key) makes the image a warning again. */
  async function storeAndConnect(): Promise<Problem[]> {
    await storeWithWizard();
    await workbench.problems((list) => list.some(storedOnly));
    await connectThroughQuickFix();
    return workbench.problems((list) => list.some(missing) && !list.some(storedOnly));
  }

  /** Copy DOCKER_AUTH_CONFIG through the image's quick fix; resolves with what reached the clipboard. */
  async function copyThroughQuickFix(): Promise<string> {
    await workbench.page.evaluate((value) => navigator.clipboard.writeText(value), nothingCopied);
    await workbench.quickFix(image, 'Copy DOCKER_AUTH_CONFIG');
    return eventually(async () => {
      const text = await workbench.clipboard();
      return text !== nothingCopied && text;
    }, 'DOCKER_AUTH_CONFIG is copied');
  }

  after(async () => {
    await workbench?.close();
    await gitlab.stop();
    await registry?.stop();
    if (workspaceRoot) fs.rmSync(workspaceRoot, { recursive: true, force: true });
  });

  it('stores a verified credential with the wizard: the warning becomes "stored in VS Code only", not a quiet file', async () => {
    await storeWithWizard();
    const problems = await workbench.problems((list) => !list.some(missing) && list.some(storedOnly));
    const finding = problems.find(storedOnly)!;
    assert.equal(finding.severity, 'info');
    assert.equal(finding.line, 3);
    assert.match(finding.message, /^Credential for .+ stored in VS Code only \(job build\)$/);
    assert.match(await hoverShowing(/Stored in VS Code only — not yet in GitLab/), /the runner cannot see it/);
    assert.deepEqual((await workbench.quickFixTitles(image)).slice(0, 3), ['Connect to GitLab…', 'Copy DOCKER_AUTH_CONFIG', 'GitLab already has it']);
    await workbench.screenshot('coverage-stored-only');
  });

  it('connected through the quick fix, GitLab’s variable without the key makes it a warning again, naming the variable', async () => {
    const problems = await storeAndConnect();
    const warning = problems.find(missing)!;
    assert.equal(warning.severity, 'warning');
    assert.match(warning.message, /^No credentials for .+ in GitLab's DOCKER_AUTH_CONFIG \(job build\)$/);
    // The details are in the hover.
    assert.match(await hoverShowing(/GitLab's project variable DOCKER_AUTH_CONFIG \(group\/app\) has no key for/), /one is stored in VS Code only/);
  });

  it('Copy DOCKER_AUTH_CONFIG gives the whole value: GitLab’s entry kept, the stored one added', async () => {
    await storeAndConnect();
    const copied = await copyThroughQuickFix();
    // It says what it holds; read in the Notifications center, where a toast that already faded is still listed.
    await workbench.runCommand('Notifications: Show Notifications');
    const said = workbench.page.locator('.notifications-center .notification-list-item-message', { hasText: /already in GitLab's variable/ }).first();
    await said.waitFor();
    const message = (await said.innerText()).trim();
    assert.match(
      message,
      new RegExp(
        `^DOCKER_AUTH_CONFIG copied\\. It holds ${registry.host.replace(/\./g, '\\.')} from VS Code and other\\.example\\.com already in GitLab's variable\\.`,
      ),
    );
    const expected = JSON.stringify({ auths: { 'other.example.com': { auth: otherAuth }, [registry.host]: { auth: storedAuth } } });
    assertSameSecretText(JSON.stringify(JSON.parse(copied)), expected, 'the copied DOCKER_AUTH_CONFIG');
  });

  it('after a refresh, GitLab’s variable holds the key: the image is quiet and the hover names GitLab’s variable', async () => {
    await storeAndConnect();
    // The user pastes the copied value into GitLab's variable (here: the loopback server's project variable).
    setGitLabVariable(await copyThroughQuickFix());
    await workbench.runCommand('GitLab CI Auth: Refresh CI/CD Variables from GitLab');
    await workbench.problems((list) => !list.some(missing) && !list.some(storedOnly));
    const hover = await hoverShowing(/GitLab's DOCKER_AUTH_CONFIG \(project variable\) covers this/);
    assert.ok(!hover.includes(password) && !hover.includes(storedAuth));
    await workbench.screenshot('coverage-in-gitlab');
  });
});
