// @workspace test/fixtures/workspaces/smoke
// @settings {"gitlabCiAuth.clipboardClearSeconds": 59}
// Its own window (the setting only sets it apart): no other test has run a command here before these.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { FakeGitLab } from '../support/fakeGitLab';
import { answeringQuickPicks } from '../support/quickPickAnswers';

const extensionId = 'gitlab-ci-registry-auth.gitlab-ci-registry-auth';
const apiToken = 'FAKE-integration-lazy-gitlab-token';
const gitlabCommands = ['gitlabCiAuth.connectGitLab', 'gitlabCiAuth.refreshGitLab', 'gitlabCiAuth.createRegistryToken', 'gitlabCiAuth.compareWithCiLint'];

interface RefreshOutcome {
  readonly folder: string;
  readonly ok: boolean;
  readonly message: string;
}

describe('commands whose code runs on first use (the wizard, the GitLab connection)', () => {
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

  it('the first run of a GitLab command loads the implementation and hands the call over; every GitLab command is then the real one', async function () {
    this.timeout(60_000);
    const gitlab = await new FakeGitLab().start();
    try {
      gitlab.tokens.set(apiToken, { scopes: ['api'], expiresAt: '2099-12-31' });
      // The real command checks the token with GitLab and resolves with the stored connection; a placeholder that did not hand over would give undefined.
      const connection = await answeringQuickPicks(() =>
        vscode.commands.executeCommand<Record<string, unknown> | undefined>('gitlabCiAuth.connectGitLab', { instanceUrl: gitlab.baseUrl, token: apiToken }),
      );
      assert.equal(connection?.['username'], 'alice');
      assert.equal(gitlab.requestsTo('GET', /^\/personal_access_tokens\/self$/).length, 1);

      const registered = await vscode.commands.getCommands(true);
      for (const command of gitlabCommands) assert.equal(registered.filter((name) => name === command).length, 1, command);

      // The smoke workspace has no GitLab project: the real commands say so (a result, or a notification and no throw).
      const outcomes = await vscode.commands.executeCommand<RefreshOutcome[]>('gitlabCiAuth.refreshGitLab');
      assert.equal(outcomes.length, 1);
      assert.equal(outcomes[0]!.ok, false);
      assert.match(outcomes[0]!.message, /^No GitLab project for /);
      // They resolve false after saying why (no project here); a placeholder that did not hand over would give undefined.
      assert.equal(await vscode.commands.executeCommand('gitlabCiAuth.createRegistryToken'), false);
      assert.equal(await vscode.commands.executeCommand('gitlabCiAuth.compareWithCiLint'), false);
    } finally {
      await gitlab.stop();
    }
  });

  it('the first run of a wizard command loads it and returns its result; later runs reach it directly', async () => {
    // Copy with nothing stored tells the user so and resolves false: a placeholder that did not hand over would give undefined.
    assert.equal(await vscode.commands.executeCommand('gitlabCiAuth.copyAuthConfig'), false);
    assert.equal(await vscode.commands.executeCommand('gitlabCiAuth.copyAuthConfig'), false);
    const registered = await vscode.commands.getCommands(true);
    for (const command of [
      'gitlabCiAuth.configureCredentials',
      'gitlabCiAuth.manageCredentials',
      'gitlabCiAuth.importAuthConfig',
      'gitlabCiAuth.copyAuthConfig',
    ]) {
      assert.equal(registered.filter((name) => name === command).length, 1, command);
    }
  });
});
