// @workspace test/fixtures/workspaces/gitlab
// @timeout 300
// The GitLab connection inside the real extension, driven by the loopback GitLab API test server running in the
// extension host: CI/CD variable coverage reaches the diagnostics, and GitLab failures are bounded and said clearly.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/extension';
import { FakeGitLab } from '../support/fakeGitLab';
import { codeOf, diagnosticsWhen, hoverText, ourDiagnostics, serveGitLabFixture } from './support';
import { answeringQuickPicks } from '../support/quickPickAnswers';

const apiToken = 'FAKE-integration-gitlab-api-token';
const registrySecret = 'FAKE-integration-registry-password';
const project = 'group/app';

/** Fixture lines (0-based): the include's `file:` is on 3, the local job's image on 6. */
const includeLine = 3;
const imageLine = 6;

interface RefreshOutcome {
  readonly folder: string;
  readonly ok: boolean;
  readonly message: string;
}

function describeAll(diagnostics: readonly vscode.Diagnostic[]): string {
  return diagnostics.map((diagnostic) => `${codeOf(diagnostic)}@${diagnostic.range.start.line}: ${diagnostic.message.slice(0, 90)}`).join('\n');
}

const missingFor = (registry: string) => (diagnostic: vscode.Diagnostic) =>
  codeOf(diagnostic) === 'missing-credentials' && diagnostic.message.startsWith(`No credentials for ${registry} `);
const localMissing = missingFor('private.example.com');
const includedMissing = missingFor('shared.example.com');

function authConfig(registry: string, username: string, password: string): string {
  return JSON.stringify({ auths: { [registry]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } } });
}

describe('GitLab connection through the extension API, against the loopback GitLab API test server', function () {
  this.timeout(60_000);
  const gitlab = new FakeGitLab();
  const folder = () => vscode.workspace.workspaceFolders![0]!;
  const pipeline = () => vscode.Uri.joinPath(folder().uri, '.gitlab-ci.yml');
  let api: ExtensionApi;

  /** Replaces the project's DOCKER_AUTH_CONFIG on the server and refreshes through the command the status bar runs. */
  async function projectVariableThenRefresh(variable: { value: string | null; hidden?: boolean; masked?: boolean } | undefined): Promise<RefreshOutcome> {
    gitlab.variables.set(`project:${project}`, []);
    if (variable) gitlab.addVariable(`project:${project}`, { key: 'DOCKER_AUTH_CONFIG', raw: true, ...variable, value: variable.value ?? '{"auths":{}}' });
    const outcomes = await vscode.commands.executeCommand<RefreshOutcome[]>('gitlabCiAuth.refreshGitLab');
    assert.equal(outcomes.length, 1);
    return outcomes[0]!;
  }

  /** The findings of the check as it stands now (the same data the diagnostics are published from). */
  function currentFindings() {
    const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === pipeline().toString());
    assert.ok(document, 'the pipeline is open');
    const check = api.diagnostics.projectFor(document);
    assert.ok(check, 'the pipeline is checked');
    return check.entries.flatMap((entry) => entry.findings);
  }

  before(async () => {
    api = await serveGitLabFixture(gitlab, apiToken);
    await vscode.window.showTextDocument(pipeline());
    await diagnosticsWhen(pipeline(), (diagnostics) => diagnostics.some(localMissing));
  });

  after(async () => {
    await gitlab.stop();
  });

  it('a token given without its instanceUrl is refused before anything is sent', async () => {
    const connection = await vscode.commands.executeCommand('gitlabCiAuth.connectGitLab', { token: apiToken });
    assert.equal(connection, undefined);
    assert.equal(gitlab.requests.length, 0);
  });

  it("a token connected to another instance is never sent to the workspace project's instance", async () => {
    const elsewhere = await new FakeGitLab().start();
    try {
      const otherToken = 'FAKE-integration-other-instance-token';
      elsewhere.tokens.set(otherToken, { scopes: ['api'] });
      const connection = await answeringQuickPicks(() =>
        vscode.commands.executeCommand<Record<string, unknown> | undefined>('gitlabCiAuth.connectGitLab', {
          instanceUrl: elsewhere.baseUrl,
          token: otherToken,
        }),
      );
      assert.equal(connection?.['origin'], elsewhere.baseUrl);
      const [outcome] = await vscode.commands.executeCommand<RefreshOutcome[]>('gitlabCiAuth.refreshGitLab');
      assert.equal(outcome!.ok, false);
      assert.match(outcome!.message, /^Not connected to 127\.0\.0\.1:\d+/);
      assert.equal(gitlab.requests.length, 0, "the workspace's instance received nothing");
      assert.ok(elsewhere.requests.every((request) => request.headers['private-token'] === otherToken));
    } finally {
      await elsewhere.stop();
    }
  });

  it('connects with {instanceUrl, token} as command arguments: checked on that instance, kept out of the result', async () => {
    assert.equal(gitlab.requests.length, 0, 'nothing reaches GitLab before connecting');
    const connection = await answeringQuickPicks(() =>
      vscode.commands.executeCommand<Record<string, unknown> | undefined>('gitlabCiAuth.connectGitLab', {
        instanceUrl: gitlab.baseUrl,
        token: apiToken,
      }),
    );
    assert.ok(connection, 'connected');
    assert.equal(connection['username'], 'alice');
    assert.deepEqual(connection['scopes'], ['api']);
    assert.ok(!JSON.stringify(connection).includes(apiToken), 'the token is not handed back');
    assert.equal(gitlab.requestsTo('GET', /^\/personal_access_tokens\/self$/).length, 1);
    assert.ok(
      gitlab.requests.every((request) => request.headers['private-token'] === apiToken),
      'every request carries the token to the confirmed instance',
    );
  });

  it('fetches the include:project file once connected; its job is flagged on the include line', async () => {
    const diagnostics = await diagnosticsWhen(pipeline(), (found) => found.some(includedMissing));
    const included = diagnostics.find(includedMissing)!;
    assert.equal(included.range.start.line, includeLine);
    assert.match(included.message, /^No credentials for .* \(job shared-build\), in gitlab:group\/shared-ci@v1\.2\/templates\/build\.yml, line 2$/);
    assert.ok(
      (included.relatedInformation ?? []).every((related) => related.location.uri.toString() === pipeline().toString()),
      'related locations are workspace files only',
    );
    const fetches = gitlab.requestsTo('GET', /^\/projects\/group%2Fshared-ci\/repository\/files\/templates%2Fbuild\.yml\/raw$/);
    assert.equal(fetches.length, 1);
    assert.equal(fetches[0]!.query.get('ref'), 'v1.2');
  });

  it('a project variable DOCKER_AUTH_CONFIG covering the registry removes missing-credentials, and the hover names it', async () => {
    const outcome = await projectVariableThenRefresh({ value: authConfig('private.example.com', 'puller', registrySecret), masked: true });
    assert.equal(outcome.ok, true);
    assert.equal(outcome.message, 'project variable DOCKER_AUTH_CONFIG (group/app) covers private.example.com.');
    const diagnostics = await diagnosticsWhen(pipeline(), (found) => !found.some(localMissing));
    assert.ok(diagnostics.some(includedMissing), 'shared.example.com, which the variable does not list, is still flagged');
    const hover = await hoverText(pipeline(), imageLine, 'private.example.com');
    assert.match(hover, /Credentials found/);
    assert.match(
      hover,
      /GitLab's DOCKER_AUTH_CONFIG \(project variable\) covers this: project variable DOCKER_AUTH_CONFIG \(group\/app\), key `private\.example\.com`/,
    );
    assert.ok(!hover.includes(registrySecret) && !describeAll(diagnostics).includes(registrySecret));
  });

  it('a hidden variable makes coverage unknown: no missing-credentials, the hover says "Coverage unknown" instead', async () => {
    const outcome = await projectVariableThenRefresh({ value: null, hidden: true, masked: true });
    assert.equal(outcome.ok, true);
    assert.equal(outcome.message, 'project variable DOCKER_AUTH_CONFIG (group/app) is hidden: it is set, what it covers is unknown.');
    const diagnostics = await diagnosticsWhen(pipeline(), (found) => !found.some(localMissing) && !found.some(includedMissing));
    assert.deepEqual(
      diagnostics.filter((diagnostic) => codeOf(diagnostic) === 'missing-credentials'),
      [],
      'neither the local nor the included job is claimed to be uncovered',
    );
    const hover = await hoverText(pipeline(), imageLine, 'private.example.com');
    assert.match(hover, /Coverage unknown/);
    assert.match(hover, /may come from hidden project variable DOCKER_AUTH_CONFIG \(group\/app\)/, 'the hover names the hidden variable');
  });

  it('a broken variable (the runner drops it whole) leaves the registry flagged; its value is never shown', async () => {
    const brokenAuth = Buffer.from('no-colon-in-here').toString('base64');
    const outcome = await projectVariableThenRefresh({ value: `{"auths":{"private.example.com":{"auth":"${brokenAuth}"}}}`, masked: true });
    assert.equal(outcome.ok, true, 'GitLab answered; the variable is what is wrong');
    assert.match(outcome.message, /^project variable DOCKER_AUTH_CONFIG \(group\/app\) is broken: the runner ignores it/);
    assert.ok(!outcome.message.includes(brokenAuth));
    const diagnostics = await diagnosticsWhen(pipeline(), (found) => found.some(localMissing) && found.some(includedMissing));
    assert.ok(!describeAll(diagnostics).includes(brokenAuth));
  });

  it('GitLab answering 500: three attempts, then a clear message; what was read before is kept and nothing is written', async () => {
    const covering = await projectVariableThenRefresh({ value: authConfig('private.example.com', 'puller', registrySecret), masked: true });
    assert.equal(covering.ok, true);
    await diagnosticsWhen(pipeline(), (found) => !found.some(localMissing));
    const projectPath = /^\/projects\/group%2Fapp$/;
    const serverError = { status: 500, body: '{"message":"500 Internal Server Error"}' };

    // Two failures, then an answer: retried within the bound, and the refresh succeeds.
    let before = gitlab.requestsTo('GET', projectPath).length;
    gitlab.failNext('GET', projectPath, serverError, 2);
    const recovered = await vscode.commands.executeCommand<RefreshOutcome[]>('gitlabCiAuth.refreshGitLab');
    assert.equal(recovered[0]!.ok, true, recovered[0]!.message);
    assert.equal(gitlab.requestsTo('GET', projectPath).length - before, 3);

    // Failing every time: bounded at three attempts, then one clear message.
    before = gitlab.requestsTo('GET', projectPath).length;
    const writesBefore = gitlab.requests.filter((request) => request.method !== 'GET').length;
    gitlab.failNext('GET', projectPath, serverError, 3);
    const [failed] = await vscode.commands.executeCommand<RefreshOutcome[]>('gitlabCiAuth.refreshGitLab');
    assert.equal(gitlab.requestsTo('GET', projectPath).length - before, 3, 'three attempts, no more');
    assert.equal(failed!.ok, false);
    assert.match(failed!.message, /GitLab had a server error \(500\) for GET \/projects\/group\/app on 127\.0\.0\.1:\d+\./);
    assert.match(failed!.message, /Try again later\./);
    assert.match(failed!.message, /The DOCKER_AUTH_CONFIG read before is still used until GitLab answers\./);
    assert.ok(!failed!.message.includes(apiToken));

    // Nothing lost: the coverage still holds, no request wrote anything, and the variable on GitLab is untouched.
    assert.deepEqual(
      currentFindings().filter((finding) => finding.code === 'missing-credentials' && finding.data?.['registry'] === 'private.example.com'),
      [],
    );
    assert.ok(ourDiagnostics(pipeline()).every((diagnostic) => !localMissing(diagnostic)));
    assert.equal(gitlab.requests.filter((request) => request.method !== 'GET').length, writesBefore);
    assert.equal(gitlab.variables.get(`project:${project}`)?.[0]?.value, authConfig('private.example.com', 'puller', registrySecret));

    // GitLab back: the next refresh reads again.
    const [back] = await vscode.commands.executeCommand<RefreshOutcome[]>('gitlabCiAuth.refreshGitLab');
    assert.equal(back!.ok, true, back!.message);
  });
});
