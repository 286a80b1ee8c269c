// @workspace test/fixtures/workspaces/smoke
// @settings {"security.workspace.trust.enabled": true, "security.workspace.trust.startupPrompt": "never", "security.workspace.trust.untrustedFiles": "open"}
// Restricted Mode, as when a user opens a stranger's repository: the analysis runs, but nothing that sends a stored
// secret or a token anywhere, or stores a credential handed over by the workspace, happens.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/extension';
import { FakeGitLab } from '../support/fakeGitLab';
import { EXTENSION_ID, codeOf, diagnosticsWhen } from './support';

describe('untrusted workspace (Restricted Mode)', function () {
  this.timeout(60_000);
  const registryRequests: string[] = [];
  const registry = http.createServer((request, response) => {
    registryRequests.push(`${request.method} ${request.url}`);
    response.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
  });
  const gitlab = new FakeGitLab();
  const pipeline = () => vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, '.gitlab-ci.yml');
  let api: ExtensionApi;
  let registryHost: string;

  before(async () => {
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    registryHost = `127.0.0.1:${(registry.address() as AddressInfo).port}`;
    await gitlab.start();
    api = (await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate()) as ExtensionApi;
    await vscode.workspace.fs.writeFile(pipeline(), new TextEncoder().encode(`build:\n  image: ${registryHost}/team/app:1\n  script: [make]\n`));
    await vscode.window.showTextDocument(pipeline());
  });

  after(async () => {
    for (const credential of api.credentials.list()) await api.credentials.remove(credential);
    registry.close();
    await gitlab.stop();
  });

  it('is really untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('still checks the pipeline: the uncovered private image is flagged', async () => {
    await diagnosticsWhen(pipeline(), (diagnostics) => diagnostics.some((d) => codeOf(d) === 'missing-credentials' && d.message.includes(registryHost)));
  });

  it('the pull check refuses and sends no stored secret to the registry the repository names', async () => {
    await api.credentials.store({ registry: registryHost, username: 'robot', secret: 'FAKE-untrusted-secret', kind: 'imported' }, 'global');
    const summary = await vscode.commands.executeCommand('gitlabCiAuth.checkPulls');
    assert.equal(summary, undefined);
    assert.deepEqual(registryRequests, []);
  });

  it('a DOCKER_AUTH_CONFIG handed over by the workspace (a command link, a quick fix) is not imported', async () => {
    const before = api.credentials.list().length;
    const auth = Buffer.from('mallory:FAKE-planted').toString('base64');
    const stored = await vscode.commands.executeCommand('gitlabCiAuth.importAuthConfig', {
      text: JSON.stringify({ auths: { 'planted.example.com': { auth } } }),
    });
    assert.equal(stored, false);
    assert.equal(api.credentials.list().length, before);
    assert.ok(!api.credentials.list().some((credential) => credential.registry === 'planted.example.com'));
  });

  it('connecting to GitLab refuses before any token is sent', async () => {
    gitlab.tokens.set('FAKE-untrusted-api-token', { scopes: ['api'], expiresAt: '2099-12-31' });
    const connection = await vscode.commands.executeCommand('gitlabCiAuth.connectGitLab', { instanceUrl: gitlab.baseUrl, token: 'FAKE-untrusted-api-token' });
    assert.equal(connection, undefined);
    assert.deepEqual(gitlab.requests, []);
  });
});
