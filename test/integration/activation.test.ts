// @workspace test/fixtures/workspaces/smoke
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const extensionId = 'gitlab-ci-registry-auth.gitlab-ci-registry-auth';

describe('extension activation in a real VS Code', () => {
  it('reports the VS Code version it runs in', () => {
    assert.match(vscode.version, /^\d+\.\d+\.\d+/);
  });

  it('opens the fixture workspace with its .gitlab-ci.yml', async () => {
    const found = await vscode.workspace.findFiles('.gitlab-ci.yml');
    assert.equal(found.length, 1);
  });

  it('activates and returns its API with diagnostics', async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is not installed`);
    const api: unknown = await extension.activate();
    assert.equal(extension.isActive, true);
    assert.ok(api && typeof api === 'object' && 'diagnostics' in api, 'activate() returned no { diagnostics } API');
  });
});
