// @workspace test/fixtures/workspaces/wizard
// One sentinel token through every credential flow of the real workbench (import by paste, copy, Manage → Rotate,
// a token lost from SecretStorage and re-entered, two windows at once). After each flow, a scan of everything
// code-server, the browser and the extension wrote or showed: only SecretStorage may hold a token. Each test starts in
// a fresh browser window (empty SecretStorage and globalState) and imports what it needs, so any test runs alone.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { Workbench, freshWindowForEachTest, openWorkbench } from './harness';
import { assertSameSecretText, hideSecrets, secretForms } from '../support/secretAssert';
import { eventually } from '../support/eventually';
import { filesUnder } from '../support/files';

const registry = 'registry.wizard.example:5050';
const username = 'ci-puller';
/** Obviously fake tokens: the sentinel, the rotated one, and the two the windows store at once. */
const sentinel = 'FAKE-e2e-sentinel-token-c0ffee';
const rotated = 'FAKE-e2e-sentinel-rotated-b0b0';
const windowOneToken = 'FAKE-e2e-window-one-token-1111';
const windowTwoToken = 'FAKE-e2e-window-two-token-2222';
const allTokens = [sentinel, rotated, windowOneToken, windowTwoToken];
const nothingCopied = 'nothing copied yet';
const clearSeconds = 2;

// The few browser globals used inside page.evaluate(); the project compiles without the DOM lib.
declare const navigator: { readonly clipboard: { writeText(text: string): Promise<void> } };
declare const localStorage: { readonly length: number; key(index: number): string | null; getItem(key: string): string | null; removeItem(key: string): void };

const needles = allTokens.flatMap(secretForms);

function leakIn(text: string): string | undefined {
  return needles.find((needle) => text.includes(needle));
}

function authConfig(key: string, token: string): string {
  return JSON.stringify({ auths: { [key]: { auth: Buffer.from(`${username}:${token}`).toString('base64') } } });
}

describe('secrets: one sentinel token through every flow, each followed by a scan of everything written and shown', function () {
  let workbench: Workbench;
  /** Every notification and dialog text and every Problems message shown during the current test. */
  const shown: string[] = [];
  /** How many extension logs said "Imported" before the current test (each window's extension host has its own). */
  let importLogsBefore = 0;

  before(async () => {
    workbench = await openWorkbench({
      workspace: 'test/fixtures/workspaces/wizard',
      settings: { 'gitlabCiAuth.clipboardClearSeconds': clearSeconds, 'gitlabCiAuth.verifyTimeoutSeconds': 2 },
    });
  });

  after(async () => {
    await workbench?.close();
  });

  freshWindowForEachTest(() => workbench);

  beforeEach(async () => {
    shown.length = 0;
    importLogsBefore = importLogs().length;
    await workbench.openFile('.gitlab-ci.yml');
    await problemsUntil(true);
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'passed') return;
    await assertNoTokenOutsideSecretStorage();
  });

  it('Import → paste: the JSON is typed into a password box, stored, and the warning clears', async () => {
    await importByPaste(workbench, authConfig(registry, sentinel));
    await problemsUntil(false);
  });

  it(`Copy: the clipboard holds the DOCKER_AUTH_CONFIG, and ${clearSeconds} s later no longer does`, async () => {
    await importByPaste(workbench, authConfig(registry, sentinel));
    await clipboardWrite(workbench.page, nothingCopied);
    await workbench.runCommand('GitLab CI Auth: Copy DOCKER_AUTH_CONFIG');
    await seen(workbench, `the clipboard is cleared in ${clearSeconds} s if it still holds it`);
    assertSameSecretText(await copiedText(workbench), authConfig(registry, sentinel), 'the copied DOCKER_AUTH_CONFIG');
    await eventually(async () => (await workbench.clipboard()) === '', 'the clipboard is cleared');
  });

  it('Manage → Rotate: the new token replaces the old one', async () => {
    await importByPaste(workbench, authConfig(registry, sentinel));
    await workbench.runCommand('GitLab CI Auth: Manage Registry Credentials');
    await workbench.quickInput({ title: 'Registry Credentials' });
    await pick(workbench, registry);
    await workbench.quickInput({ title: registry });
    await pick(workbench, 'Rotate: replace the token');
    await rotateTo(rotated);
    await clipboardWrite(workbench.page, nothingCopied);
    await workbench.runCommand('GitLab CI Auth: Copy DOCKER_AUTH_CONFIG');
    assertSameSecretText(await copiedText(workbench), authConfig(registry, rotated), 'the copied DOCKER_AUTH_CONFIG');
    await clipboardWrite(workbench.page, '');
  });

  it('a token gone from SecretStorage (state from another machine): flagged again, Copy names it, Manage offers to re-enter it', async () => {
    await importByPaste(workbench, authConfig(registry, sentinel));
    await problemsUntil(false);
    // code-server keeps SecretStorage in the browser's localStorage under this key (sealed, see the last test).
    await workbench.page.evaluate(() => localStorage.removeItem('secrets.provider'));
    await workbench.reloadWindow();
    await workbench.openFile('.gitlab-ci.yml');
    await problemsUntil(true);

    await clipboardWrite(workbench.page, nothingCopied);
    await workbench.runCommand('GitLab CI Auth: Copy DOCKER_AUTH_CONFIG');
    const refusal = await seen(workbench, 'Nothing copied');
    assert.match(refusal, new RegExp(`the token for ${registry.replace(/\./g, '\\.')} is missing from SecretStorage`));
    assert.equal(await workbench.clipboard(), nothingCopied, 'no broken or empty DOCKER_AUTH_CONFIG is copied');

    await workbench.runCommand('GitLab CI Auth: Manage Registry Credentials');
    await workbench.quickInput({ title: 'Registry Credentials' });
    const row = await workbench.page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row', { hasText: registry }).first().innerText();
    assert.match(row, /Token missing — re-enter/);
    shown.push(row);
    await pick(workbench, registry);
    const actions = await workbench.quickInput({ title: registry });
    assert.equal(actions.items[0], 'Re-enter the token');
    assert.equal(actions.items.includes('Verify again'), false);
    await pick(workbench, 'Re-enter the token');
    await rotateTo(sentinel);
    await problemsUntil(false);
  });

  it('two windows import different registries at once: both stay listed; the token code-server dropped is flagged and named by Copy, the other is copied', async function () {
    // Two windows, two imports and two reloads (each restarts an extension host): minutes on a busy machine.
    this.timeout(300_000);
    // code-server's SecretStorage (LocalStorageSecretStorageProvider in its workbench.js) reads localStorage["secrets.provider"]
    // once, when a window loads, and every write seals that window's whole cached map back. Both windows are loaded before
    // either import, so window two's write drops the token window one stored: that loss is code-server's, and certain.
    // The metadata (globalState, shared by the windows) keeps both registries; the extension must then flag one's token
    // as missing and name it when copying, and keep two's token intact. Anything else is a token the extension lost.
    // Copy gives the stored credentials the pipeline uses, so the pipeline pulls from both registries.
    const pipelineFile = path.join(workbench.server.workspaceDir, '.gitlab-ci.yml');
    const pulls = ['one', 'two'].map((name) => `${name}:\n  image: ${name}.wizard.example/team/app:1.0\n  script:\n    - make\n`);
    const pipeline = fs.readFileSync(pipelineFile, 'utf8');
    fs.writeFileSync(pipelineFile, `${pipeline.trimEnd()}\n${pulls.join('')}`);
    try {
      await storeInTwoWindowsAndCheckBoth();
    } finally {
      fs.writeFileSync(pipelineFile, pipeline);
    }
  });

  async function storeInTwoWindowsAndCheckBoth(): Promise<void> {
    const second = new Workbench(workbench.server, workbench.context.browser()!, workbench.context, await workbench.context.newPage());
    await second.waitUntilReady();
    await importByPaste(workbench, authConfig('one.wizard.example', windowOneToken));
    await importByPaste(second, authConfig('two.wizard.example', windowTwoToken));

    for (const window of [workbench, second]) {
      await window.reloadWindow();
      await window.runCommand('GitLab CI Auth: Manage Registry Credentials');
      await window.quickInput({ title: 'Registry Credentials' });
      const rows = await window.page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row').allInnerTexts();
      shown.push(...rows);
      await window.dismissQuickInput();
      const rowOf = (key: string): string => rows.find((text) => text.includes(key)) ?? assert.fail(`${key} is not listed: ${rows.join(' | ')}`);
      assert.match(rowOf('one.wizard.example'), /Token missing — re-enter/, 'the dropped token is flagged');
      assert.doesNotMatch(rowOf('two.wizard.example'), /Token missing/, 'the token stored last is kept');

      await clipboardWrite(window.page, nothingCopied);
      await window.runCommand('GitLab CI Auth: Copy DOCKER_AUTH_CONFIG');
      const copied = JSON.parse(await copiedText(window)) as { auths: Record<string, { auth: string }> };
      const message = await seen(window, 'DOCKER_AUTH_CONFIG copied');
      assert.deepEqual(
        copied.auths['two.wizard.example'],
        { auth: Buffer.from(`${username}:${windowTwoToken}`).toString('base64') },
        'two.wizard.example is copied with its own token',
      );
      assert.equal(copied.auths['one.wizard.example'], undefined, 'no entry without its token is copied');
      const holds = (/It holds (.*?) from VS Code\./.exec(message)?.[1] ?? '').split(', ');
      assert.ok(holds.includes('two.wizard.example') && !holds.includes('one.wizard.example'), `Copy says what it holds: ${message}`);
      assert.match(message, /It leaves out one\.wizard\.example: the token is missing from SecretStorage\./, `Copy names the missing token: ${message}`);
      await clipboardWrite(window.page, '');
    }
    await second.page.close();
  }

  /** No token, in plain text or base64, in any file of code-server or the workspace, the logs, the browser storage or the UI. */
  async function assertNoTokenOutsideSecretStorage(): Promise<void> {
    shown.push(...(await workbench.notifications()));
    for (const text of shown) assert.equal(leakIn(text), undefined, `shown in the UI: ${hideSecrets(text, needles).slice(0, 80)}`);
    const problems = await workbench.problems(() => true);
    for (const problem of problems) assert.equal(leakIn(problem.label), undefined, 'a problem shows the token');

    // The extension's output channel is a file under the user-data dir's logs; wait until it has our lines.
    await eventually(() => importLogs().length > importLogsBefore, 'the extension log of this test is on disk');
    for (const file of [...filesUnder(workbench.server.userDataDir), ...filesUnder(workbench.server.workspaceDir)]) {
      assert.equal(leakIn(fs.readFileSync(file, 'latin1')), undefined, `${file} holds a token`);
    }

    // The browser side: code-server's SecretStorage is localStorage["secrets.provider"], AES-GCM sealed with a key
    // minted by the server; everything else there (workbench state) must not hold a token either.
    const storage = await workbench.page.evaluate(() => {
      const entries: Array<[string, string]> = [];
      for (let i = 0; i < localStorage.length; i++) {
        const key = localStorage.key(i)!;
        entries.push([key, localStorage.getItem(key) ?? '']);
      }
      return entries;
    });
    assert.ok(
      storage.some(([key]) => key === 'secrets.provider'),
      'SecretStorage is where code-server keeps it',
    );
    for (const [key, value] of storage) assert.equal(leakIn(value), undefined, `localStorage["${key}"] holds a token`);
    assert.equal(leakIn(await workbench.clipboard()), undefined, 'the clipboard no longer holds a token');
  }

  /** The extension logs (one a window's extension host) that record an import. */
  function importLogs(): string[] {
    return filesUnder(path.join(workbench.server.userDataDir, 'logs')).filter((file) =>
      fs.readFileSync(file, 'utf8').includes('Imported 1 registry credential'),
    );
  }

  // ---- helpers ----

  async function importByPaste(window: Workbench, json: string): Promise<void> {
    await window.runCommand('GitLab CI Auth: Import Existing DOCKER_AUTH_CONFIG…');
    await window.quickInput({ title: 'Import Existing DOCKER_AUTH_CONFIG' });
    await pick(window, 'Paste the JSON');
    await window.quickInput({ message: /It is hidden as you type/ });
    assert.equal(await window.page.locator('.quick-input-widget:visible .quick-input-box input').getAttribute('type'), 'password');
    await window.submitQuickInput(json);
    await window.quickInput({ title: 'Remember the imported credentials for…' });
    await pick(window, 'On this computer, for all my projects');
    await seen(window, 'Imported 1 credential(s) into SecretStorage.');
  }

  /** The "New token" box of Rotate / Re-enter; the registry cannot be reached, so the token is saved anyway. */
  async function rotateTo(token: string): Promise<void> {
    await workbench.quickInput({ title: `New token for ${registry} (${username})` });
    await workbench.submitQuickInput(token);
    const dialog = workbench.page.locator('.monaco-dialog-box', { hasText: `The new token for ${registry} did not verify` });
    await dialog.waitFor();
    shown.push(await dialog.innerText());
    await dialog.getByRole('button', { name: 'Save anyway' }).click();
    await seen(workbench, `Token for ${registry} replaced`);
  }

  async function problemsUntil(missing: boolean): Promise<void> {
    const problems = await workbench.problems(
      (list) => list.some((problem) => problem.code.includes('missing-credentials') && problem.message.includes(registry)) === missing,
    );
    shown.push(...problems.map((problem) => problem.label));
  }

  /** Waits for a notification and remembers every notification on screen for the final scan. */
  async function seen(window: Workbench, text: string): Promise<string> {
    const message = await window.notification(text);
    shown.push(message, ...(await window.notifications()));
    return message;
  }
});

async function pick(window: Workbench, label: string): Promise<void> {
  await window.typeInQuickInput(label);
  await window.page
    .locator('.quick-input-widget:visible .quick-input-list .monaco-list-row')
    .first()
    .locator('.label-name', { hasText: label })
    .first()
    .waitFor();
  await window.submitQuickInput();
}

async function clipboardWrite(page: Page, text: string): Promise<void> {
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
}

/** What a command copied: waits until the clipboard no longer holds the {@link nothingCopied} marker. */
async function copiedText(window: Workbench): Promise<string> {
  return eventually(async () => {
    const text = await window.clipboard();
    return text !== nothingCopied && { text };
  }, 'something is copied').then(({ text }) => text);
}
