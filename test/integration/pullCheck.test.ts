// @workspace test/fixtures/workspaces/pullcheck
// @timeout 300
// The pull check against real registries: Debian's docker-registry with htpasswd auth (two of them: one whose stored
// password is wrong) and with token auth behind the loopback GitLab-like token server, a closed port, and a name known
// only at run time. The command in the real extension, the CLI's --pull, and the GitLab CI/CD component run by
// gitlab-ci-local (shell executor) all report each outcome on the image's own line.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/extension';
import type { PullCheckSummary } from '../../src/extension/pullCheck';
import { pullCheckUsers, startPullCheckRegistries, wrongCarolPassword, type PullCheckRegistries } from '../support/registry';
import { initGitProject, runGitlabCiLocal, runProcess as run } from '../support/gitlabCiLocal';
import { EXTENSION_ID, codeOf, describeDiagnostic, diagnosticsWhen, hoverText, pipelineUri } from './support';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const { alice, bob, carol } = pullCheckUsers;

/** 0-based lines of the images in the fixture. */
const LINES = { found: 2, tagMissing: 5, token: 8, tokenService: 10, unreachable: 13, rejected: 16, runTime: 19 };
const PULL_CODES = ['image-not-found', 'pull-denied', 'credential-rejected', 'registry-unreachable'];

/** What a user sees of the pull check: `code@line` of each pull finding, sorted. */
function pullFindings(diagnostics: readonly vscode.Diagnostic[]): string[] {
  return diagnostics
    .filter((diagnostic) => PULL_CODES.includes(codeOf(diagnostic)))
    .map((diagnostic) => `${codeOf(diagnostic)}@${diagnostic.range.start.line}`)
    .sort();
}

const EXPECTED = [
  `credential-rejected@${LINES.rejected}`,
  `image-not-found@${LINES.tagMissing}`,
  `pull-denied@${LINES.tokenService}`,
  `registry-unreachable@${LINES.unreachable}`,
].sort();

const unescape = (markdown: string): string => markdown.replace(/\\(.)/g, '$1');

describe('pull check against real docker-registry instances (htpasswd, and token auth by the loopback GitLab-like token server)', function () {
  this.timeout(120_000);
  let registries: PullCheckRegistries;
  let api: ExtensionApi;
  let hosts: { basic: string; token: string; refused: string; reject: string };

  before(async () => {
    registries = await startPullCheckRegistries();
    hosts = { basic: registries.basic.host, token: registries.token.host, refused: registries.refusedHost, reject: registries.reject.host };

    const uri = pipelineUri();
    const template = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
    const text = template
      .replace(/\bBASIC\//g, `${hosts.basic}/`)
      .replace(/\bTOKEN\//g, `${hosts.token}/`)
      .replace(/\bREFUSED\//g, `${hosts.refused}/`)
      .replace(/\bREJECT\//g, `${hosts.reject}/`);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text));
    api = (await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate())!;
    await api.credentials.store({ registry: hosts.basic, username: alice.username, secret: alice.password, kind: 'imported' }, 'workspace');
    await api.credentials.store({ registry: hosts.token, username: bob.username, secret: bob.password, kind: 'imported' }, 'workspace');
    await api.credentials.store({ registry: hosts.reject, username: carol.username, secret: wrongCarolPassword, kind: 'imported' }, 'workspace');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await diagnosticsWhen(uri, (diagnostics) => diagnostics.some((diagnostic) => diagnostic.range.start.line === LINES.unreachable));
  });

  after(async () => {
    for (const credential of api?.credentials.list() ?? []) await api.credentials.remove(credential);
    await registries?.stop();
  });

  it('nothing is sent before the command runs, and no pull finding shows', () => {
    assert.equal(registries.tokenServer.requests.length, 0);
    assert.deepEqual(pullFindings(vscode.languages.getDiagnostics(pipelineUri())), []);
  });

  it('the command reports tag missing, denied, rejected and unreachable, each on its image line; found and run-time images get none', async () => {
    const summary = await vscode.commands.executeCommand<PullCheckSummary>('gitlabCiAuth.checkPulls');
    assert.ok(summary, 'the command returned no summary');
    const diagnostics = await diagnosticsWhen(pipelineUri(), (current) => pullFindings(current).length >= EXPECTED.length);
    assert.deepEqual(pullFindings(diagnostics), EXPECTED, diagnostics.map(describeDiagnostic).join('\n'));
    // found (basic and token), tag missing, denied, unreachable, rejected: 6 checked; the run-time name is skipped.
    assert.deepEqual(
      { checked: summary.checked, cached: summary.cached, failed: summary.failed, skipped: summary.skipped },
      { checked: 6, cached: 0, failed: 4, skipped: 1 },
    );
    const denied = diagnostics.find((diagnostic) => codeOf(diagnostic) === 'pull-denied')!;
    assert.match(denied.message, /may not pull team\/other/);
    const unreachable = diagnostics.find((diagnostic) => codeOf(diagnostic) === 'registry-unreachable')!;
    assert.match(unreachable.message, /connection refused/);
    const written = (await vscode.workspace.openTextDocument(pipelineUri())).getText(unreachable.range);
    assert.match(await hoverText(pipelineUri(), unreachable.range.start.line, written), /ECONNREFUSED/, 'the HTTP-level detail is in the hover');
    // bob asked for pull on team/api and team/other, with his own credential.
    assert.deepEqual(registries.tokenServer.requests.map((request) => `${request.username} ${request.scopes.join(' ')}`).sort(), [
      'bob repository:team/api:pull',
      'bob repository:team/other:pull',
    ]);
    for (const diagnostic of diagnostics) {
      for (const secret of [alice.password, bob.password, wrongCarolPassword]) assert.ok(!diagnostic.message.includes(secret), 'a secret reached a diagnostic');
    }
  });

  it('the hover shows when the pull was checked and that it may pull; a run-time name says why it was skipped', async () => {
    // The hover's text is Markdown with the registry's words escaped: read it as the user sees it.
    const found = unescape(await hoverText(pipelineUri(), LINES.found, 'group/app'));
    assert.match(found, /Pull checked just now: the manifest exists and this credential \(127\.0\.0\.1:\d+\) may pull it\./);
    const runTime = unescape(await hoverText(pipelineUri(), LINES.runTime, 'team/app'));
    assert.match(runTime, /Pull not checked \(just now\): The name depends on \$RUNTIME_REGISTRY, known only when the job runs\./);
  });

  it('a second run within the cache time sends no request', async () => {
    const before = registries.tokenServer.requests.length;
    const summary = await vscode.commands.executeCommand<PullCheckSummary>('gitlabCiAuth.checkPulls');
    assert.equal(summary.checked, 0);
    assert.equal(summary.cached, 6);
    assert.equal(summary.skipped, 1);
    assert.equal(summary.failed, 4);
    assert.equal(registries.tokenServer.requests.length, before, 'the token service was asked again');
    assert.deepEqual(pullFindings(vscode.languages.getDiagnostics(pipelineUri())), EXPECTED);
  });

  it('changing the credential drops its results: the next run asks the registry again', async () => {
    const before = registries.tokenServer.requests.length;
    const [stored] = api.credentials.list().filter((credential) => credential.key === hosts.reject);
    await api.credentials.store({ registry: hosts.reject, username: carol.username, secret: carol.password, kind: 'imported' }, stored!.scope);
    await diagnosticsWhen(pipelineUri(), (current) => pullFindings(current).length === 0);
    const summary = await vscode.commands.executeCommand<PullCheckSummary>('gitlabCiAuth.checkPulls');
    assert.equal(summary.cached, 0);
    assert.ok(registries.tokenServer.requests.length > before, 'the token registry was not asked again');
    const diagnostics = await diagnosticsWhen(pipelineUri(), (current) => pullFindings(current).length >= EXPECTED.length - 1);
    assert.deepEqual(
      pullFindings(diagnostics),
      EXPECTED.filter((entry) => !entry.startsWith('credential-rejected')),
    );
  });

  it('the CLI check --pull (DOCKER_AUTH_CONFIG from the environment) reports the same codes on the same lines and exits 1', async () => {
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const cli = path.join(repoRoot, 'dist', 'cli.js');
    assert.ok(fs.existsSync(cli), `${cli} is missing: the package step builds it`);
    const authConfig = JSON.stringify(registries.authConfig);
    const result = await run(process.execPath, [cli, 'check', '.gitlab-ci.yml', '--pull', '--format', 'json'], {
      cwd: folder,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', DOCKER_AUTH_CONFIG: authConfig },
    });
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout) as { findings: { code: string; line: number }[]; pullSkipped: { image: string; reason: string }[] };
    const lines = report.findings
      .filter((finding) => PULL_CODES.includes(finding.code))
      .map((finding) => `${finding.code}@${finding.line - 1}`)
      .sort();
    assert.deepEqual(lines, EXPECTED);
    assert.deepEqual(
      report.pullSkipped.map((skipped) => skipped.image),
      ['$RUNTIME_REGISTRY/team/app:1'],
    );
    assert.ok(!result.stdout.includes(alice.password) && !result.stdout.includes(bob.password));
  });

  it('the GitLab CI/CD component, run by gitlab-ci-local (shell executor), writes a Code Quality report with the pull findings', async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'gitlab-ci-auth-component-'));
    try {
      // A project that uses the component as its catalog layout ships it, with `cli` pointing at this checkout's
      // build: the default (`npx --yes gitlab-ci-registry-auth`) installs the published package, not this one.
      fs.mkdirSync(path.join(project, 'templates', 'registry-auth-check'), { recursive: true });
      fs.copyFileSync(
        path.join(repoRoot, 'templates', 'registry-auth-check', 'template.yml'),
        path.join(project, 'templates', 'registry-auth-check', 'template.yml'),
      );
      fs.copyFileSync(pipelineUri().fsPath, path.join(project, 'app.gitlab-ci.yml'));
      fs.writeFileSync(
        path.join(project, '.gitlab-ci.yml'),
        [
          'include:',
          '  - local: templates/registry-auth-check/template.yml',
          '    inputs:',
          `      cli: ${JSON.stringify(`${process.execPath} ${path.join(repoRoot, 'dist', 'cli.js')}`)}`,
          '      files: app.gitlab-ci.yml',
          '      pull: true',
          '',
        ].join('\n'),
      );
      await initGitProject(project, 'https://gitlab.example.com/group/app.git');
      const authConfig = JSON.stringify(registries.authConfig);
      const result = await runGitlabCiLocal(
        ['--force-shell-executor', '--home', path.join(project, '.home'), '--variable', `DOCKER_AUTH_CONFIG=${authConfig}`, 'registry-auth-check'],
        { cwd: project },
      );
      const reportPath = path.join(project, 'registry-auth.codequality');
      assert.ok(fs.existsSync(reportPath), `no Code Quality report; gitlab-ci-local said:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-2000)}`);
      assert.notEqual(result.code, 0, 'the job must fail when a pull would fail');
      const issues = JSON.parse(fs.readFileSync(reportPath, 'utf8')) as { check_name: string; location: { path: string; lines: { begin: number } } }[];
      const lines = issues
        .filter((issue) => PULL_CODES.includes(issue.check_name))
        .map((issue) => `${issue.check_name}@${issue.location.lines.begin - 1}`)
        .sort();
      assert.deepEqual(lines, EXPECTED);
      assert.ok(issues.every((issue) => issue.location.path === 'app.gitlab-ci.yml'));
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
