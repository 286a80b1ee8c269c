// @workspace test/fixtures/workspaces/smoke
// @settings {"gitlabCiAuth.clipboardClearSeconds": 59}
// Its own window (the setting only sets it apart): no other test has run a command here before these.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const extensionId = 'gitlab-ci-registry-auth.gitlab-ci-registry-auth';

describe('commands whose code loads on first use (dist/commands.js)', () => {
  it('every contributed command exists right after activation', async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is not installed`);
    await extension.activate();
    const contributed: string[] = extension.packageJSON.contributes.commands.map((entry: { command: string }) => entry.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      contributed.filter((command) => !registered.has(command)),
      [],
    );
  });

  it('the first run of a wizard command loads it and returns its result; later runs reach it directly', async () => {
    // Copy with nothing stored tells the user so and resolves false: a placeholder that did not hand over would give undefined.
    assert.equal(await vscode.commands.executeCommand('gitlabCiAuth.copyAuthConfig'), false);
    assert.equal(await vscode.commands.executeCommand('gitlabCiAuth.copyAuthConfig'), false);
    const registered = await vscode.commands.getCommands(true);
    for (const command of ['gitlabCiAuth.configureCredentials', 'gitlabCiAuth.manageCredentials', 'gitlabCiAuth.importAuthConfig', 'gitlabCiAuth.copyAuthConfig']) {
      assert.equal(registered.filter((name) => name === command).length, 1, command);
    }
  });
});
