// @workspace test/fixtures/workspaces/diagnostics
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { EXTENSION_ID, codeOf, diagnosticsWhen, ourDiagnostics } from './support';

function workspaceFile(...segments: string[]): vscode.Uri {
  return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, ...segments);
}

/** `code@line:col-line:col`, 0-based, for readable assertions. */
function describe_(diagnostic: vscode.Diagnostic): string {
  const { start, end } = diagnostic.range;
  return `${codeOf(diagnostic)}@${start.line}:${start.character}-${end.line}:${end.character}`;
}

function rangesOf(diagnostics: vscode.Diagnostic[], code: string): string[] {
  return [...new Set(diagnostics.filter((diagnostic) => codeOf(diagnostic) === code).map(describe_))].sort();
}

async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('gitlabCiAuth').update(key, value, vscode.ConfigurationTarget.Workspace);
}

describe('diagnostics for .gitlab-ci.yml', () => {
  const root = () => workspaceFile('.gitlab-ci.yml');
  const build = () => workspaceFile('.gitlab', 'ci', 'build.yml');
  const deploy = () => workspaceFile('.gitlab', 'ci', 'deploy.yml');
  const expectedInRoot = [
    'missing-credentials@20:9-20:23', // test: image: $APP_IMAGE:2.0
    'missing-credentials@22:12-22:42', // test: services: - name: private.example.org:5000/db:15
    'missing-credentials@9:9-9:43', // .base: image, used by lint and unit
  ];

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
  });

  it('an included file opened alone gets its findings through the root pipeline', async () => {
    await vscode.window.showTextDocument(build());
    // $APP_IMAGE is only defined in the root: resolved through it, the image is a private registry.example.com one.
    const diagnostics = await diagnosticsWhen(build(), (found) => found.length > 0);
    assert.deepEqual(rangesOf(diagnostics, 'missing-credentials'), ['missing-credentials@2:9-2:29']);
    assert.deepEqual(rangesOf(diagnostics, 'registry-unknown'), []);
  });

  it('flags every image of a private registry no credential covers, at the scalar as written', async () => {
    await vscode.window.showTextDocument(root());
    const diagnostics = await diagnosticsWhen(root(), (found) => rangesOf(found, 'missing-credentials').length >= expectedInRoot.length);
    assert.deepEqual(rangesOf(diagnostics, 'missing-credentials'), expectedInRoot);
    for (const diagnostic of diagnostics.filter((candidate) => codeOf(candidate) === 'missing-credentials')) {
      assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
      const target = (diagnostic.code as { target: vscode.Uri }).target;
      assert.match(target.toString(), /\/docs\/rules\/missing-credentials\.md$/);
    }
    // alpine is on Docker Hub, a public registry.
    assert.ok(!diagnostics.some((diagnostic) => diagnostic.range.start.line === 26), 'the public image was flagged');
  });

  it('re-checks as the document is edited, before it is saved', async () => {
    const document = await vscode.workspace.openTextDocument(root());
    const line = document.lineAt(26);
    const imageStart = line.text.indexOf('alpine');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(root(), new vscode.Range(26, imageStart, 26, imageStart), 'quay.example.io/');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await diagnosticsWhen(root(), (found) => rangesOf(found, 'missing-credentials').includes('missing-credentials@26:9-26:36'));
    await vscode.commands.executeCommand('undo');
    const after = await diagnosticsWhen(root(), (found) => !rangesOf(found, 'missing-credentials').some((range) => range.includes('@26:')));
    assert.deepEqual(rangesOf(after, 'missing-credentials'), expectedInRoot);
  });

  it('follows an included file that changes on disk', async () => {
    assert.deepEqual(ourDiagnostics(deploy()), []);
    fs.writeFileSync(deploy().fsPath, 'deploy:\n  image: registry.example.com/ops/deployer:5\n  script: [deploy]\n');
    const diagnostics = await diagnosticsWhen(deploy(), (found) => found.length > 0);
    assert.deepEqual(rangesOf(diagnostics, 'missing-credentials'), ['missing-credentials@1:9-1:44']);
    fs.writeFileSync(deploy().fsPath, 'deploy:\n  image: alpine:3.20\n  script: [deploy]\n');
    await diagnosticsWhen(deploy(), (found) => found.length === 0);
  });

  it('takes each code\'s severity from gitlabCiAuth.severity, and "off" hides it', async () => {
    try {
      await setSetting('severity', { 'missing-credentials': 'error' });
      const errors = await diagnosticsWhen(root(), (found) => found.some((diagnostic) => diagnostic.severity === vscode.DiagnosticSeverity.Error));
      assert.ok(
        errors
          .filter((diagnostic) => codeOf(diagnostic) === 'missing-credentials')
          .every((diagnostic) => diagnostic.severity === vscode.DiagnosticSeverity.Error),
      );
      await setSetting('severity', { 'missing-credentials': 'off' });
      await diagnosticsWhen(root(), (found) => rangesOf(found, 'missing-credentials').length === 0);
    } finally {
      await setSetting('severity', undefined);
    }
    await diagnosticsWhen(root(), (found) => rangesOf(found, 'missing-credentials').length === expectedInRoot.length);
  });

  it('gitlabCiAuth.enable: false clears everything, true brings it back', async () => {
    try {
      await setSetting('enable', false);
      await diagnosticsWhen(root(), (found) => found.length === 0);
      await diagnosticsWhen(build(), (found) => found.length === 0);
    } finally {
      await setSetting('enable', undefined);
    }
    await diagnosticsWhen(root(), (found) => rangesOf(found, 'missing-credentials').length === expectedInRoot.length);
  });

  it("runnerCoveredRegistries counts as credentials, matched with the runner's rules", async () => {
    try {
      // A path-scoped key covers only that repository prefix: team/app, not team/base.
      await setSetting('runnerCoveredRegistries', ['registry.example.com/team/app']);
      const diagnostics = await diagnosticsWhen(root(), (found) => !rangesOf(found, 'missing-credentials').includes('missing-credentials@20:9-20:23'));
      assert.deepEqual(rangesOf(diagnostics, 'missing-credentials'), ['missing-credentials@22:12-22:42', 'missing-credentials@9:9-9:43']);
    } finally {
      await setSetting('runnerCoveredRegistries', undefined);
    }
    await diagnosticsWhen(root(), (found) => rangesOf(found, 'missing-credentials').length === expectedInRoot.length);
  });

  it('closing every file of the project clears its diagnostics, included files too', async () => {
    assert.ok(ourDiagnostics(root()).length > 0 && ourDiagnostics(build()).length > 0, 'precondition: root and include report');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await diagnosticsWhen(root(), (found) => found.length === 0);
    await diagnosticsWhen(build(), (found) => found.length === 0);
  });
});
