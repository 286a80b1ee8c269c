// @workspace test/fixtures/workspaces/smoke
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/extension';
import { pipelineUri, untilCode } from './support';

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

  it('checks the pipeline once active: the private image is flagged, the public one is not, and the API knows the finding', async () => {
    const api = (await vscode.extensions.getExtension(extensionId)!.activate()) as ExtensionApi;
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(pipelineUri()));
    const flagged = await untilCode(pipelineUri(), 'missing-credentials');
    assert.deepEqual(
      flagged.map((diagnostic) => [diagnostic.range.start.line, diagnostic.message.includes('registry.example.com')]),
      [[3, true]],
      'one finding, on the private image (node:20-alpine on line 9 is public)',
    );
    assert.equal(api.diagnostics.findingFor(pipelineUri(), flagged[0]!)?.code, 'missing-credentials');
  });
});
