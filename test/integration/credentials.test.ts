// @workspace test/fixtures/workspaces/wizard
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { assertSameSecretText, secretForms } from '../support/secretAssert';
import { codeOf, ourDiagnostics, pipelineUri, untilCode } from './support';
import { eventually } from '../support/eventually';
import { filesUnder, maxScannedBytes } from '../support/files';
import { answeringQuickPicks } from '../support/quickPickAnswers';

const registry = 'registry.wizard.example:5050';
/** An obviously fake token that must never reach a file, a log or a setting. */
const sentinelToken = 'fake-sentinel-token-7f3a9c';
const sentinelAuth = Buffer.from(`ci-bot:${sentinelToken}`).toString('base64');

function missing(uri: vscode.Uri): vscode.Diagnostic[] {
  return ourDiagnostics(uri).filter((diagnostic) => codeOf(diagnostic) === 'missing-credentials');
}

/** Waits on onDidChangeDiagnostics (no sleeping) until `uri` has, or no longer has, a missing-credentials diagnostic. */
async function untilMissing(uri: vscode.Uri, present: boolean): Promise<void> {
  await untilCode(uri, 'missing-credentials', present);
}

describe('registry credentials (SecretStorage) in a real VS Code', () => {
  before(async () => {
    const document = await vscode.workspace.openTextDocument(pipelineUri());
    await vscode.window.showTextDocument(document);
    await untilMissing(pipelineUri(), true);
  });

  it('rejects an invalid DOCKER_AUTH_CONFIG on import and stores nothing', async () => {
    const stored = await vscode.commands.executeCommand<boolean>('gitlabCiAuth.importAuthConfig', {
      text: '{"auths":{"registry.wizard.example:5050":{"auth":"not base64!"}}}',
    });
    assert.equal(stored, false);
    // Asked of the store itself, not of the diagnostics (a re-check after a store would come later): Copy resolves
    // false only when no credential is stored.
    assert.equal(await vscode.commands.executeCommand<boolean>('gitlabCiAuth.copyAuthConfig'), false, 'a credential was stored');
    assert.equal(missing(pipelineUri()).length > 0, true);
  });

  it('imports a DOCKER_AUTH_CONFIG given as text, and the missing-credentials diagnostic disappears', async () => {
    const text = JSON.stringify({ auths: { [registry]: { auth: sentinelAuth } } }, null, 2);
    const stored = await answeringQuickPicks(() => vscode.commands.executeCommand<boolean>('gitlabCiAuth.importAuthConfig', { text, origin: 'yaml' }));
    assert.equal(stored, true);
    await untilMissing(pipelineUri(), false);
  });

  it('never replaces a stored credential without the user saying so: a file\'s credential for the same key is skipped on "Keep mine"', async () => {
    const attackerAuth = Buffer.from('attacker:FAKE-attacker-token').toString('base64');
    const text = JSON.stringify({ auths: { [registry]: { auth: attackerAuth } } });
    // Each quick pick is answered with its first item: scope "All workspaces", then "Keep mine".
    const stored = await answeringQuickPicks(() => vscode.commands.executeCommand<boolean>('gitlabCiAuth.importAuthConfig', { text, origin: 'yaml' }));
    assert.equal(stored, false, 'nothing imported');
    await vscode.env.clipboard.writeText('');
    assert.equal(await vscode.commands.executeCommand<boolean>('gitlabCiAuth.copyAuthConfig'), true);
    const clipboard = await vscode.env.clipboard.readText();
    await vscode.env.clipboard.writeText('');
    assert.ok(!clipboard.includes(attackerAuth), "the file's credential was not stored");
    assert.ok(clipboard.includes(sentinelAuth), "the user's credential is still there");
  });

  it('clears the clipboard on deactivate when it still holds the copied DOCKER_AUTH_CONFIG', async () => {
    await vscode.env.clipboard.writeText('');
    assert.equal(await vscode.commands.executeCommand<boolean>('gitlabCiAuth.copyAuthConfig'), true);
    assert.ok((await vscode.env.clipboard.readText()).includes(sentinelAuth), 'copied');
    // The module VS Code loaded (same require cache in this extension host): its deactivate, as VS Code calls it.
    const extension = vscode.extensions.getExtension('gitlab-ci-registry-auth.gitlab-ci-registry-auth')!;
    const main = require(path.join(extension.extensionPath, 'dist', 'extension.js')) as { deactivate(): Thenable<void> | undefined };
    await main.deactivate();
    assert.equal(await vscode.env.clipboard.readText(), '');
  });

  it('copies the combined DOCKER_AUTH_CONFIG: minified, one line, the imported key and auth', async () => {
    await vscode.env.clipboard.writeText('');
    const copied = await vscode.commands.executeCommand<boolean>('gitlabCiAuth.copyAuthConfig');
    assert.equal(copied, true);
    const clipboard = await vscode.env.clipboard.readText();
    assertSameSecretText(clipboard, `{"auths":{"${registry}":{"auth":"${sentinelAuth}"}}}`, 'the copied DOCKER_AUTH_CONFIG');
    await vscode.env.clipboard.writeText('');
  });

  it('never writes the token to the log, the settings or the workspace', async () => {
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    // The harness lays out <root>/workspace/<fixture> and <root>/user-data (logs, settings, global state).
    const userData = path.resolve(folder, '..', '..', 'user-data');
    assert.ok(fs.existsSync(path.join(userData, 'User', 'settings.json')), `no user-data dir at ${userData}`);
    // The log channel flushes to disk on its own time: wait for one of our own log lines to reach it.
    const logs = (): string[] =>
      filesUnder(path.join(userData, 'logs'), maxScannedBytes).filter((file) => fs.readFileSync(file, 'utf8').includes('registry credential'));
    await eventually(() => logs().length > 0, 'the GitLab CI Auth log file is under the user-data dir');

    for (const file of [...filesUnder(userData, maxScannedBytes), ...filesUnder(folder, maxScannedBytes)]) {
      const content = fs.readFileSync(file);
      // The token in every base64 alignment (inside an `auth` value or not), and the exact `auth` value.
      for (const needle of [...secretForms(sentinelToken), sentinelAuth]) {
        assert.equal(content.includes(needle), false, `${path.relative(path.dirname(userData), file)} contains the token`);
      }
    }
  });
});
