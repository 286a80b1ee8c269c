// @workspace test/fixtures/workspaces/gitlab
// @settings {"gitlabCiAuth.clipboardClearSeconds": 0}
// @timeout 300
// Coverage as the runner sees it, in the real extension, with the loopback GitLab API test server: a credential stored
// in VS Code is "stored in VS Code only" (credential-not-in-gitlab) until GitLab's DOCKER_AUTH_CONFIG is known to hold
// it; read while connected, a variable without the key is missing-credentials; Copy gives the whole value.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/extension';
import { answeringQuickPicks } from '../support/quickPickAnswers';
import { FakeGitLab } from '../support/fakeGitLab';
import { codeOf, diagnosticsWhen, hoverText, serveGitLabFixture } from './support';

const apiToken = 'FAKE-coverage-gitlab-api-token';
const storedSecret = 'FAKE-coverage-stored-password';
const gitlabSecret = 'FAKE-coverage-gitlab-password';
const project = 'group/app';
/** The fixture's local job image is on line 6 (0-based). */
const imageLine = 6;

const auth = (username: string, password: string) => Buffer.from(`${username}:${password}`).toString('base64');
const of = (code: string) => (diagnostic: vscode.Diagnostic) => codeOf(diagnostic) === code && diagnostic.message.includes('private.example.com');
const notInGitLab = of('credential-not-in-gitlab');
const missing = of('missing-credentials');

describe('coverage the runner sees: stored in VS Code only vs GitLab, against the loopback GitLab API test server', function () {
  this.timeout(60_000);
  const gitlab = new FakeGitLab();
  const folder = () => vscode.workspace.workspaceFolders![0]!;
  const pipeline = () => vscode.Uri.joinPath(folder().uri, '.gitlab-ci.yml');
  let api: ExtensionApi;

  /** The quick fixes at a diagnostic's range (ours are offered for the one diagnostic there). */
  async function quickFixTitles(diagnostic: vscode.Diagnostic): Promise<vscode.CodeAction[]> {
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      pipeline(),
      diagnostic.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    return actions ?? [];
  }

  async function copied(): Promise<unknown> {
    await vscode.env.clipboard.writeText('nothing copied');
    assert.equal(await vscode.commands.executeCommand('gitlabCiAuth.copyAuthConfig', { folder: folder().uri.toString() }), true);
    return JSON.parse(await vscode.env.clipboard.readText());
  }

  async function projectVariable(value: string): Promise<void> {
    gitlab.variables.set(`project:${project}`, []);
    gitlab.addVariable(`project:${project}`, { key: 'DOCKER_AUTH_CONFIG', raw: true, masked: true, value });
    const [outcome] = await vscode.commands.executeCommand<{ ok: boolean; message: string }[]>('gitlabCiAuth.refreshGitLab');
    assert.equal(outcome?.ok, true, outcome?.message);
  }

  before(async () => {
    api = await serveGitLabFixture(gitlab, apiToken);
    await vscode.window.showTextDocument(pipeline());
    await diagnosticsWhen(pipeline(), (diagnostics) => diagnostics.some(missing));
  });

  after(async () => {
    await gitlab.stop();
  });

  it('a stored credential turns missing-credentials into the "stored in VS Code only" information, with its quick fixes and hover', async () => {
    const stored = JSON.stringify({ auths: { 'private.example.com': { auth: auth('puller', storedSecret) } } });
    assert.equal(await answeringQuickPicks(() => vscode.commands.executeCommand('gitlabCiAuth.importAuthConfig', { text: stored, origin: 'yaml' })), true);
    const diagnostics = await diagnosticsWhen(pipeline(), (found) => found.some(notInGitLab) && !found.some(missing));
    const finding = diagnostics.find(notInGitLab)!;
    assert.equal(finding.severity, vscode.DiagnosticSeverity.Information);
    assert.equal(finding.range.start.line, imageLine);
    assert.equal(finding.message, 'Credential for private.example.com stored in VS Code only (job build)');
    assert.ok(!finding.message.includes(storedSecret));

    const titles = (await quickFixTitles(finding)).map((action) => action.title);
    assert.deepEqual(titles.slice(0, 3), ['Connect to GitLab…', 'Copy DOCKER_AUTH_CONFIG', 'GitLab already has it'], titles.join(' | '));

    const hover = await hoverText(pipeline(), imageLine, 'private.example.com');
    assert.match(hover, /Stored in VS Code only — not yet in GitLab/);
    assert.doesNotMatch(hover, /Credentials found/);
    assert.deepEqual(await copied(), { auths: { 'private.example.com': { auth: auth('puller', storedSecret) } } });
  });

  it('"GitLab already has it" quiets the image for this project, the hover says so, and undoing it brings the finding back', async () => {
    const [finding] = (await diagnosticsWhen(pipeline(), (found) => found.some(notInGitLab))).filter(notInGitLab);
    const mark = (await quickFixTitles(finding!)).find((action) => action.title === 'GitLab already has it')!;
    await vscode.commands.executeCommand(mark.command!.command, ...(mark.command!.arguments ?? []));
    await diagnosticsWhen(pipeline(), (found) => !found.some(notInGitLab) && !found.some(missing));
    assert.match(await hoverText(pipeline(), imageLine, 'private.example.com'), /covers this, as you said/);
    const [said] = api.saidInGitLab.list();
    assert.deepEqual(said, { folder: folder().uri.toString(), key: 'private.example.com' });
    await api.saidInGitLab.remove(said!);
    await diagnosticsWhen(pipeline(), (found) => found.some(notInGitLab));
  });

  it('connected, GitLab’s variable without the key is missing-credentials naming the variable; Copy merges both sides', async () => {
    gitlab.addVariable(`project:${project}`, {
      key: 'DOCKER_AUTH_CONFIG',
      raw: true,
      masked: true,
      value: JSON.stringify({ auths: { 'other.example.com': { auth: auth('ci', gitlabSecret) } } }),
    });
    const connection = await answeringQuickPicks(() =>
      vscode.commands.executeCommand('gitlabCiAuth.connectGitLab', { instanceUrl: gitlab.baseUrl, token: apiToken }),
    );
    assert.ok(connection, 'connected');
    const diagnostics = await diagnosticsWhen(pipeline(), (found) => found.some(missing) && !found.some(notInGitLab));
    const warning = diagnostics.find(missing)!;
    assert.equal(warning.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(warning.message, "No credentials for private.example.com in GitLab's DOCKER_AUTH_CONFIG (job build)");
    // What the variable lacks, and that VS Code has the key, are the hover's details.
    const hover = await hoverText(pipeline(), imageLine, 'private.example.com');
    assert.match(hover, /GitLab's project variable DOCKER_AUTH_CONFIG \(group\/app\) has no key for it; one is stored in VS Code only/);
    const titles = (await quickFixTitles(warning)).map((action) => action.title);
    assert.deepEqual(titles.slice(0, 2), ['Save to GitLab…', 'Copy DOCKER_AUTH_CONFIG'], titles.join(' | '));

    // The whole value: GitLab's entry kept, the stored one added; pasting it drops nothing.
    assert.deepEqual(await copied(), {
      auths: { 'other.example.com': { auth: auth('ci', gitlabSecret) }, 'private.example.com': { auth: auth('puller', storedSecret) } },
    });
  });

  it('once GitLab’s variable holds the key the image is quiet and the hover names GitLab’s variable', async () => {
    await projectVariable(JSON.stringify({ auths: { 'private.example.com': { auth: auth('puller', storedSecret) } } }));
    await diagnosticsWhen(pipeline(), (found) => !found.some(missing) && !found.some(notInGitLab));
    const hover = await hoverText(pipeline(), imageLine, 'private.example.com');
    assert.match(hover, /GitLab's DOCKER_AUTH_CONFIG \(project variable\) covers this/);
    assert.ok(!hover.includes(storedSecret));
  });
});
