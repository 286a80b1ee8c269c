// @workspace test/fixtures/workspaces/wizard
// The credential wizard through the real workbench, against a real basic-auth registry on 127.0.0.1: a user runs it
// from the command palette, mistypes the password, goes Back, fixes it, stores the token and copies DOCKER_AUTH_CONFIG;
// then what a stored credential does (Problems, reload, Manage → Rotate / Remove). Each test starts in a fresh browser
// window (empty SecretStorage and globalState) with the pipeline open and its warning shown, so any test runs alone.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { basicAuthorization, pushTestImage, startRegistry, type RunningRegistry } from '../support/registry';
import { freshWindowForEachTest, openWorkbench, type Problem, type Workbench } from './harness';
import { assertSameSecretText, secretForms } from '../support/secretAssert';
import { eventually } from '../support/eventually';
import { filesUnder } from '../support/files';
import { keepForReadme } from '../harness/workbenchRegistry';

/** Obviously fake test credentials; the wrong one differs only in its last characters. */
const username = 'ci-puller';
const password = 'fake-registry-pass-e2e-41';
// No word of the messages in it: the scrubber hides any 6-character piece of a secret that server text echoes.
const wrongPassword = 'fake-wrong-pass-e2e-00';
const wizardTitle = 'Configure Registry Credentials';
const nothingCopied = 'nothing copied yet';
const stepsOnTokenPath = 7;

// The few browser globals used inside page.evaluate(); the project compiles without the DOM lib.
declare const navigator: { readonly clipboard: { writeText(text: string): Promise<void> } };
declare const document: {
  getAnimations(): Array<{ readonly finished: Promise<unknown>; readonly effect: { getComputedTiming(): { endTime?: number | string } } | null }>;
};

function isMissingCredentials(problem: Problem, registry: string): boolean {
  return problem.code.includes('missing-credentials') && problem.message.includes(registry);
}

function isStoredOnly(problem: Problem, registry: string): boolean {
  return problem.code.includes('credential-not-in-gitlab') && problem.message.includes(registry);
}

/** The quick input's title with VS Code's step counter, e.g. "Configure Registry Credentials (3/7)". */
function stepTitle(step: number): RegExp {
  return new RegExp(`^${wizardTitle} \\(${step}/${stepsOnTokenPath}\\)$`);
}

describe('wizard: Configure Registry Credentials against a real registry, in the workbench', function () {
  let registry: RunningRegistry;
  let workbench: Workbench;
  let workspaceRoot: string;
  let expectedAuthConfig: string;

  before(async () => {
    registry = await startRegistry({ kind: 'htpasswd', users: [{ username, password }] });
    await pushTestImage(registry.url, 'team/app', '1.0', basicAuthorization(username, password));
    // The pipeline must name the registry's real port, so the workspace is written here rather than kept as a fixture.
    workspaceRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'gitlab-ci-auth-wizard-e2e-'));
    const workspace = path.join(workspaceRoot, 'wizard');
    fs.mkdirSync(workspace);
    fs.writeFileSync(
      path.join(workspace, '.gitlab-ci.yml'),
      [
        '# Pulls from a private registry that no DOCKER_AUTH_CONFIG covers yet.',
        'build:',
        `  image: ${registry.host}/team/app:1.0`,
        '  script:',
        '    - make',
        '',
      ].join('\n'),
    );
    expectedAuthConfig = `{"auths":{"${registry.host}":{"auth":"${Buffer.from(`${username}:${password}`).toString('base64')}"}}}`;
    workbench = await openWorkbench({
      workspace,
      settings: { 'workbench.colorTheme': 'Default Dark Modern', 'editor.minimap.enabled': false },
    });
  });

  after(async () => {
    await workbench?.close();
    await registry?.stop();
    if (workspaceRoot) fs.rmSync(workspaceRoot, { recursive: true, force: true });
  });

  freshWindowForEachTest(() => workbench);

  beforeEach(async () => {
    await workbench.openFile('.gitlab-ci.yml');
    await workbench.problems((list) => list.some((problem) => isMissingCredentials(problem, registry.host)));
  });

  afterEach(() => {
    // Whatever a test did, no token reached a plain file of code-server or the workspace.
    // Each token in every base64 alignment (standard and URL-safe), and each exact `auth` value.
    const needles = [password, wrongPassword].flatMap((secret) => [...secretForms(secret), Buffer.from(`${username}:${secret}`).toString('base64')]);
    for (const file of [...filesUnder(workbench.server.userDataDir), ...filesUnder(workbench.server.workspaceDir)]) {
      const content = fs.readFileSync(file);
      for (const needle of needles) {
        assert.equal(content.includes(needle), false, `${path.relative(workbench.server.userDataDir, file)} holds the token`);
      }
    }
  });

  it('shows the missing-credentials warning for the registry in the Problems panel', async () => {
    const problems = await workbench.problems((list) => list.some((problem) => isMissingCredentials(problem, registry.host)));
    const warning = problems.find((problem) => isMissingCredentials(problem, registry.host))!;
    assert.equal(warning.severity, 'warning');
    assert.equal(warning.line, 3);
    await screenshot('missing-credentials-warning');
  });

  it('walks every step from the command palette; a wrong password is reported, Back fixes it; the output channel logs both verifications; exactly the minified DOCKER_AUTH_CONFIG is copied', async () => {
    await workbench.runCommand(`GitLab CI Auth: ${wizardTitle}…`);

    // Step 1: the registry the pipeline uses without credentials is offered first.
    const registryStep = await workbench.quickInput({ title: stepTitle(1) });
    assert.equal(registryStep.items[0], registry.host, `step 1 lists: ${registryStep.items.join(' | ')}`);
    await screenshot('step-1-registry');
    await pick(registry.host);

    // Step 2: kinds that fit a self-hosted registry: its own account first, no GitLab token kinds.
    const kindStep = await workbench.quickInput({ title: stepTitle(2) });
    assert.deepEqual(kindStep.items, ['Registry account (username and password or token)', 'Harbor robot account']);
    await screenshot('step-2-kind');
    await pick('Registry account');

    // Step 3: username, with an example for this kind; Enter on an empty box says what goes there; ':' is rejected as typed.
    const usernameStep = await workbench.quickInput({ title: stepTitle(3) });
    assert.equal(usernameStep.placeholder, 'ci-pull');
    await workbench.page.keyboard.press('Enter');
    const empty = await waitForValidation('error');
    assert.equal(empty.message, 'Enter the username. The registry username');
    await workbench.typeInQuickInput('ci:puller');
    // The empty-box message stays until the validation of the typed text replaces it: wait for that one.
    const rejected = await waitForValidation('error', /:/);
    assert.match(rejected.message, /:/, `validation message: ${rejected.message}`);
    await workbench.typeInQuickInput(username);
    await screenshot('step-3-username');
    await workbench.submitQuickInput();

    // Step 4: the token, masked; first a wrong one.
    await workbench.quickInput({ title: stepTitle(4) });
    assert.equal(await workbench.page.locator('.quick-input-widget:visible .quick-input-box input').getAttribute('type'), 'password');
    await workbench.typeInQuickInput(wrongPassword);
    await screenshot('step-4-token');
    await workbench.submitQuickInput();

    // Step 5: verify against the registry → wrong credentials, with Back / Save anyway / Cancel.
    const verifyStep = await workbench.quickInput({ title: stepTitle(5) });
    assert.deepEqual(verifyStep.items, ['Verify now (recommended)', 'Skip verification']);
    await screenshot('step-5-verify');
    await pick('Verify now');
    const failure = await quickPickWithPlaceholder('Wrong credentials');
    // The registry's own answer is on the first item's detail line.
    const backRow = await workbench.page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row').first().innerText();
    assert.match(backRow, /rejected the username or token \(HTTP 401\)/);
    await progressGone();
    assert.match(failure.title, stepTitle(5));
    assert.deepEqual(failure.items, ['Back: change the username or token', 'Save anyway', 'Cancel']);
    keepForReadme(await screenshot('step-5-wrong-credentials'), 'screenshot-wizard');
    await pick('Back: change the username or token');

    // Back on the token step: type the right one and verify again.
    const tokenAgain = await workbench.quickInput({ title: stepTitle(4) });
    assert.ok(tokenAgain.value === wrongPassword, 'Back keeps what the user typed, so it can be corrected');
    await workbench.submitQuickInput(password);
    await workbench.quickInput({ title: stepTitle(5) });
    await pick('Verify now');

    // Step 6: the verification result is shown as a message and on the step, then where to remember it.
    await workbench.notification('The credentials are valid and can pull team/app:1.0.');
    const storeStep = await quickPickWithPlaceholder('The credentials are valid and can pull team/app:1.0.');
    await progressGone();
    assert.match(storeStep.title, stepTitle(6));
    assert.deepEqual(storeStep.items, ['On this computer, for all my projects', 'For this project only']);
    await screenshot('step-6-verified-store');
    await pick('On this computer, for all my projects');

    // Step 7: outputs; the clipboard is chosen by default.
    await clipboardWrite(nothingCopied);
    const outputStep = await workbench.quickInput({ title: stepTitle(7) });
    assert.ok(outputStep.items.includes('Copy DOCKER_AUTH_CONFIG to the clipboard'), outputStep.items.join(' | '));
    assert.deepEqual(await checkedItems(), ['Copy DOCKER_AUTH_CONFIG to the clipboard']);
    const rows = await workbench.page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row').allInnerTexts();
    assert.ok(
      rows.some((row) => row.includes('Cleared from the clipboard after 60 s')),
      rows.join(' | '),
    );
    // Not connected to GitLab: the GitLab choice says it connects first.
    assert.ok(outputStep.items.includes('Connect to GitLab and save as CI/CD variable…'), outputStep.items.join(' | '));
    assert.ok(!outputStep.items.includes('Save as CI/CD variable in GitLab'), outputStep.items.join(' | '));
    await screenshot('step-7-output');
    await workbench.submitQuickInput();

    // The GitLab guidance comes last, as a dialog.
    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    const guidance = await dialog.innerText();
    assert.match(guidance, /DOCKER_AUTH_CONFIG/);
    assert.match(guidance, /Variable \(not File\)/);
    assert.match(guidance, /Expand variable reference/);
    assert.match(guidance, /Masked/);
    await workbench.notification('DOCKER_AUTH_CONFIG copied');
    await screenshot('done-gitlab-guidance');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const logs = filesUnder(workbench.server.userDataDir).filter((file) => file.endsWith('GitLab CI Auth.log'));
    const log = logs.map((file) => fs.readFileSync(file, 'utf8')).join('\n');
    assert.match(log, new RegExp(`Verifying the credentials of ${username} for ${registry.host.replace(/\./g, '\\.')}/team/app:1\\.0`));
    assert.match(log, /Verification for .*: wrong-credentials/);
    assert.match(log, /Verification for .*: valid/);

    assertSameSecretText(await copiedText(), expectedAuthConfig, 'the copied DOCKER_AUTH_CONFIG');
    await clipboardWrite('');
  });

  it('turns the warning into the "stored in VS Code only" information: the runner cannot see VS Code', async () => {
    await storeThroughWizard(password);
    const problems = await workbench.problems(
      (list) => !list.some((problem) => isMissingCredentials(problem, registry.host)) && list.some((problem) => isStoredOnly(problem, registry.host)),
    );
    const stored = problems.find((problem) => isStoredOnly(problem, registry.host))!;
    assert.equal(stored.severity, 'info');
    assert.equal(stored.line, 3);
    await screenshot('stored-in-vs-code-only');
  });

  it('keeps the token in SecretStorage: after a reload, Copy DOCKER_AUTH_CONFIG still produces it', async () => {
    await storeThroughWizard(password);
    await workbench.reloadWindow();
    await clipboardWrite(nothingCopied);
    await workbench.runCommand('GitLab CI Auth: Copy DOCKER_AUTH_CONFIG');
    assertSameSecretText(await copiedText(), expectedAuthConfig, 'the copied DOCKER_AUTH_CONFIG');
    await clipboardWrite('');
  });

  it('Manage → Rotate: the registry rejects the new token, "Save anyway" still replaces it', async () => {
    await storeThroughWizard(password);
    await workbench.runCommand('GitLab CI Auth: Manage Registry Credentials');
    await workbench.quickInput({ title: 'Registry Credentials' });
    const listed = (await workbench.page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row').allInnerTexts()).join('\n');
    assert.match(listed, /Username and password or token/);
    assert.doesNotMatch(listed, /registry-account/);
    await screenshot('manage-list');
    await pick(registry.host);
    await workbench.quickInput({ title: registry.host });
    await pick('Rotate: replace the token');
    await workbench.quickInput({ title: `New token for ${registry.host} (${username})` });
    await workbench.submitQuickInput(wrongPassword);
    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.filter({ hasText: `The new token for ${registry.host} did not verify: The registry rejected the username or token` }).waitFor();
    await screenshot('manage-rotate-rejected');
    await dialog.getByRole('button', { name: 'Save anyway' }).click();
    await workbench.notification(`Token for ${registry.host} replaced`);

    await clipboardWrite(nothingCopied);
    await workbench.runCommand('GitLab CI Auth: Copy DOCKER_AUTH_CONFIG');
    const rotated = Buffer.from(`${username}:${wrongPassword}`).toString('base64');
    assertSameSecretText(await copiedText(), `{"auths":{"${registry.host}":{"auth":"${rotated}"}}}`, 'the copied DOCKER_AUTH_CONFIG');
    await clipboardWrite('');
  });

  it('Manage → Remove asks first, then deletes the credential and the warning returns', async () => {
    await storeThroughWizard(password);
    await workbench.problems((list) => !list.some((problem) => isMissingCredentials(problem, registry.host)));
    await workbench.runCommand('GitLab CI Auth: Manage Registry Credentials');
    await workbench.quickInput({ title: 'Registry Credentials' });
    await pick(registry.host);
    await workbench.quickInput({ title: registry.host });
    await pick('Remove');
    const dialog = workbench.page.locator('.monaco-dialog-box', { hasText: `Remove the stored credential for ${registry.host}?` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await workbench.problems((list) => list.some((problem) => isMissingCredentials(problem, registry.host)));

    await workbench.runCommand('GitLab CI Auth: Copy DOCKER_AUTH_CONFIG');
    await workbench.notification('No registry credentials are stored yet');
  });

  /** Stores `token` for the registry through the wizard's shortest path (no verification, clipboard output). */
  async function storeThroughWizard(token: string): Promise<void> {
    await workbench.runCommand(`GitLab CI Auth: ${wizardTitle}…`);
    await workbench.quickInput({ title: stepTitle(1) });
    await pick(registry.host);
    await workbench.quickInput({ title: stepTitle(2) });
    await pick('Registry account');
    await workbench.quickInput({ title: stepTitle(3) });
    await workbench.submitQuickInput(username);
    await workbench.quickInput({ title: stepTitle(4) });
    await workbench.submitQuickInput(token);
    await workbench.quickInput({ title: stepTitle(5) });
    await pick('Skip verification');
    await workbench.quickInput({ title: stepTitle(6) });
    await pick('On this computer, for all my projects');
    await workbench.quickInput({ title: stepTitle(7) });
    await workbench.submitQuickInput();
    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await clipboardWrite('');
  }

  /** Waits for a validation message of `severity` (whose text matches `text`, when given) and returns the quick input. */
  async function waitForValidation(severity: 'error' | 'warning' | 'info', text?: RegExp) {
    const box = workbench.page.locator(`.quick-input-widget:visible .quick-input-box .monaco-inputbox.${severity}`);
    await box.waitFor();
    if (!text) return workbench.quickInput();
    return eventually(async () => {
      const state = await workbench.quickInput();
      return text.test(state.message) ? state : undefined;
    }, `the validation message matches ${text}`);
  }

  /** Waits until the quick input's placeholder (a quick pick's headline) contains `text`. */
  async function quickPickWithPlaceholder(text: string) {
    const input = workbench.page.locator(`.quick-input-widget:visible .quick-input-box input[placeholder*=${JSON.stringify(text)}]`);
    await input.waitFor().catch(async () => {
      const shown = await workbench.quickInput().catch(() => undefined);
      throw new Error(`the quick input never showed "${text}"; it shows ${JSON.stringify(shown)}`);
    });
    return workbench.quickInput();
  }

  /** Chooses an item with the keyboard, as a user does: type to filter, then Enter on the (first) match. */
  async function pick(label: string): Promise<void> {
    await workbench.typeInQuickInput(label);
    const rows = workbench.page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row');
    await rows.first().locator('.label-name', { hasText: label }).first().waitFor();
    await workbench.submitQuickInput();
  }

  /** A screenshot once the quick input's and notifications' fade animations are over (README candidates). */
  async function screenshot(name: string): Promise<string> {
    // Away from the list: a row under the mouse (the one just clicked) would show its hover over the next step.
    await workbench.page.mouse.move(1100, 420);
    await workbench.page.evaluate(() =>
      Promise.all(
        document
          .getAnimations()
          .filter((animation) => Number.isFinite(Number(animation.effect?.getComputedTiming().endTime)))
          .map((animation) => animation.finished.catch(() => undefined)),
      ),
    );
    return workbench.screenshot(name);
  }

  /** VS Code keeps a finished progress notification up for a moment; wait it out so screenshots show the step alone. */
  async function progressGone(): Promise<void> {
    await workbench.page.locator('.notification-toast', { hasText: 'Verifying credentials' }).waitFor({ state: 'detached' });
  }

  /** What a command copied: waits until the clipboard no longer holds the {@link nothingCopied} marker. */
  async function copiedText(): Promise<string> {
    const { text } = await eventually(async () => {
      const text = await workbench.clipboard();
      return text !== nothingCopied && { text };
    }, 'something is copied to the clipboard');
    return text;
  }

  /** Puts `text` on the clipboard through the page, so a later read proves what a command copied. */
  async function clipboardWrite(text: string): Promise<void> {
    await workbench.page.evaluate((value) => navigator.clipboard.writeText(value), text);
  }

  async function checkedItems(): Promise<string[]> {
    return workbench.page
      .locator('.quick-input-widget:visible .quick-input-list .monaco-list-row[aria-checked="true"]')
      .evaluateAll((rows) => rows.map((row) => (row.querySelector('.label-name')?.textContent ?? '').trim()));
  }
});
