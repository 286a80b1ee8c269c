// The browser build in a browser extension host: code-server runs the browser-only variant of the packaged extension
// (no `main`, so only dist/web/extension.js can run, in the web worker extension host, as in GitLab's Web IDE and
// vscode.dev), driven through the workbench like the desktop scenarios.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { browserOnlyVsix } from '../harness/browserOnlyExtension';
import { basicAuthorization, pushTestImage, startRegistry, type RunningRegistry } from '../support/registry';
import { assertSameSecretText } from '../support/secretAssert';
import { eventually } from '../support/eventually';
import { openWorkbench, type Problem, type Workbench } from './harness';

const settings = { 'workbench.colorTheme': 'Default Dark Modern', 'editor.minimap.enabled': false };
const nothingCopied = 'nothing copied yet';

// The few browser globals used inside page.evaluate(); the project compiles without the DOM lib.
declare const navigator: { readonly clipboard: { writeText(text: string): Promise<void> } };

const isMissing = (problem: Problem, registry: string) => problem.code.includes('missing-credentials') && problem.message.includes(registry);

describe('web extension: diagnostics, hover and quick fix in the browser extension host', function () {
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench({ workspace: 'test/fixtures/workspaces/web', settings, extensions: [browserOnlyVsix()], label: 'e2e-web' });
  });

  after(async () => {
    await workbench?.close();
  });

  it('runs from the browser entry alone: the installed manifest has no Node entry, and the extension is active', async () => {
    const extensionsDir = path.join(path.dirname(workbench.server.userDataDir), 'extensions');
    const installed = fs.readdirSync(extensionsDir).find((name) => name.startsWith('gitlab-ci-registry-auth.'));
    assert.ok(installed, `installed: ${fs.readdirSync(extensionsDir).join(', ')}`);
    const manifest = JSON.parse(fs.readFileSync(path.join(extensionsDir, installed, 'package.json'), 'utf8')) as { main?: string; browser?: string };
    assert.equal(manifest.main, undefined);
    assert.equal(manifest.browser, './dist/web/extension.js');
    await workbench.openFile('.gitlab-ci.yml');
    await workbench.problems((list) => list.some((problem) => isMissing(problem, 'registry.example.com')));
  });

  it('shows warnings for the pipeline and for the file it includes, read through vscode.workspace.fs', async () => {
    await workbench.openFile('.gitlab-ci.yml');
    const problems = await workbench.problems(
      (list) => list.some((problem) => isMissing(problem, 'registry.example.com')) && list.some((problem) => isMissing(problem, 'private.example.org')),
    );
    const root = problems.find((problem) => isMissing(problem, 'registry.example.com'))!;
    assert.equal(root.file, '.gitlab-ci.yml');
    assert.equal(root.line, 6);
    const included = problems.find((problem) => isMissing(problem, 'private.example.org'))!;
    assert.equal(included.file, 'build.yml');
    assert.equal(included.line, 2);
    assert.ok(!problems.some((problem) => problem.code.includes('include-not-found')), problems.map((problem) => problem.message).join('\n'));
    await workbench.screenshot('web-problems');
  });

  it('hovering the image explains that nothing covers its registry', async () => {
    await workbench.openFile('.gitlab-ci.yml');
    const hover = await workbench.hoverMatching('registry.example.com', /No credentials cover this registry/);
    assert.match(hover, /registry\.example\.com\/team\/tester/);
    await workbench.screenshot('web-hover');
    await workbench.page.keyboard.press('Escape');
  });

  it('"Ignore on this line" with Ctrl+. edits the file and the warning goes', async () => {
    await workbench.openFile('.gitlab-ci.yml');
    await workbench.problems((list) => list.some((problem) => isMissing(problem, 'registry.example.com')));
    await workbench.quickFix('registry.example.com', 'Ignore missing-credentials on this line');
    await workbench.problems((list) => !list.some((problem) => isMissing(problem, 'registry.example.com')));
    assert.match(await workbench.visibleEditorText(), /gitlab-ci-auth-ignore/);
    await workbench.screenshot('web-quick-fix');
  });
});

describe('web extension: the wizard in the browser extension host', function () {
  const username = 'ci-puller';
  const password = 'fake-registry-pass-web-17';
  let registry: RunningRegistry;
  let workbench: Workbench;
  let workspaceRoot: string;

  before(async () => {
    // A real registry on 127.0.0.1: as every registry, it sends no CORS headers, so the browser withholds its answers.
    registry = await startRegistry({ kind: 'htpasswd', users: [{ username, password }] });
    await pushTestImage(registry.url, 'team/app', '1.0', basicAuthorization(username, password));
    workspaceRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'gitlab-ci-auth-web-e2e-'));
    const workspace = path.join(workspaceRoot, 'web-wizard');
    fs.mkdirSync(workspace);
    fs.writeFileSync(path.join(workspace, '.gitlab-ci.yml'), `build:\n  image: ${registry.host}/team/app:1.0\n  script:\n    - make\n`);
    workbench = await openWorkbench({ workspace, settings, extensions: [browserOnlyVsix()], label: 'e2e-web-wizard' });
  });

  after(async () => {
    await workbench?.close();
    await registry?.stop();
    if (workspaceRoot) fs.rmSync(workspaceRoot, { recursive: true, force: true });
  });

  it('says verification is not possible from the browser, stores the token anyway and copies DOCKER_AUTH_CONFIG', async () => {
    await workbench.openFile('.gitlab-ci.yml');
    await workbench.problems((list) => list.some((problem) => isMissing(problem, registry.host)));
    await workbench.runCommand('GitLab CI Auth: Configure Registry Credentials…');
    await workbench.quickInput({ title: /Configure Registry Credentials \(1\// });
    await pick(registry.host);
    await workbench.quickInput({ title: /\(2\// });
    await pick('Registry account');
    await workbench.quickInput({ title: /\(3\// });
    await workbench.submitQuickInput(username);
    await workbench.quickInput({ title: /\(4\// });
    await workbench.submitQuickInput(password);
    await workbench.quickInput({ title: /\(5\// });
    await pick('Verify now');

    // The browser blocks the registry's answer: said plainly, and the token can still be saved.
    const blocked = workbench.page.locator(
      '.quick-input-widget:visible .quick-input-box input[placeholder*="Verification is not possible from the browser: registries do not allow it"]',
    );
    await blocked.waitFor();
    const failure = await workbench.quickInput();
    assert.ok(failure.items.includes('Save anyway'), failure.items.join(' | '));
    await workbench.screenshot('web-wizard-verification-blocked');
    await pick('Save anyway');

    await workbench.quickInput({ title: /\(6\// });
    await pick('For this project only');

    // No local file system in the browser: ~/.docker/config.json is not offered.
    await clipboardWrite(nothingCopied);
    const outputs = await workbench.quickInput({ title: /\(7\// });
    assert.ok(outputs.items.includes('Copy DOCKER_AUTH_CONFIG to the clipboard'), outputs.items.join(' | '));
    assert.ok(!outputs.items.some((item) => item.includes('docker/config.json')), outputs.items.join(' | '));
    await workbench.screenshot('web-wizard-outputs');
    await workbench.submitQuickInput();

    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'OK' }).click();
    await workbench.notification('DOCKER_AUTH_CONFIG copied');
    const { text } = await eventually(async () => {
      const text = await workbench.clipboard();
      return text !== nothingCopied && { text };
    }, 'DOCKER_AUTH_CONFIG is copied');
    const auth = Buffer.from(`${username}:${password}`).toString('base64');
    assertSameSecretText(text, `{"auths":{"${registry.host}":{"auth":"${auth}"}}}`, 'the copied DOCKER_AUTH_CONFIG');
    await clipboardWrite('');
  });

  it('keeps the token in SecretStorage: the warning becomes "stored in VS Code only"', async () => {
    await workbench.openFile('.gitlab-ci.yml');
    await workbench.problems(
      (list) => !list.some((problem) => isMissing(problem, registry.host)) && list.some((problem) => problem.code.includes('credential-not-in-gitlab')),
    );
  });

  async function pick(label: string): Promise<void> {
    await workbench.typeInQuickInput(label);
    const rows = workbench.page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row');
    await rows.first().locator('.label-name', { hasText: label }).first().waitFor();
    await workbench.submitQuickInput();
  }

  async function clipboardWrite(text: string): Promise<void> {
    await workbench.page.evaluate((value) => navigator.clipboard.writeText(value), text);
  }
});
