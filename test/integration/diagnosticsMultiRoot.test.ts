// @workspace test/fixtures/workspaces/multi-root/multi-root.code-workspace
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE, EXTENSION_ID, codeOf, diagnosticsWhen } from './support';

function folderNamed(name: string): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.find((candidate) => candidate.name === name);
  assert.ok(folder, `workspace folder ${name} missing`);
  return folder;
}

function summary(uri: vscode.Uri): string[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((diagnostic) => diagnostic.source === DIAGNOSTIC_SOURCE)
    .map((diagnostic) => `${codeOf(diagnostic)}@${diagnostic.range.start.line}:${vscode.DiagnosticSeverity[diagnostic.severity]}`)
    .sort();
}

/** The folder's diagnostics summary once `accept` holds (waits on onDidChangeDiagnostics). */
async function summaryWhen(uri: vscode.Uri, accept: (summary: string[]) => boolean): Promise<string[]> {
  await diagnosticsWhen(uri, () => accept(summary(uri)));
  return summary(uri);
}

describe('multi-root workspaces: each folder is its own project with its own settings', () => {
  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
  });

  it('the same image is a warning in alpha and public in beta, where other registries are errors', async () => {
    const alpha = vscode.Uri.joinPath(folderNamed('alpha').uri, '.gitlab-ci.yml');
    const beta = vscode.Uri.joinPath(folderNamed('beta').uri, '.gitlab-ci.yml');
    await vscode.window.showTextDocument(alpha);
    await vscode.window.showTextDocument(beta, { preview: false });
    assert.deepEqual(await summaryWhen(alpha, (found) => found.length > 0), ['missing-credentials@2:Warning']);
    assert.deepEqual(await summaryWhen(beta, (found) => found.length > 0), ['missing-credentials@6:Error']);
  });

  it('a setting changed in one folder re-checks that folder only', async () => {
    const alpha = vscode.Uri.joinPath(folderNamed('alpha').uri, '.gitlab-ci.yml');
    const beta = vscode.Uri.joinPath(folderNamed('beta').uri, '.gitlab-ci.yml');
    const betaConfiguration = vscode.workspace.getConfiguration('gitlabCiAuth', folderNamed('beta').uri);
    try {
      await betaConfiguration.update('ignoredRegistries', ['other.example.com'], vscode.ConfigurationTarget.WorkspaceFolder);
      await summaryWhen(beta, (found) => found.length === 0);
      assert.deepEqual(summary(alpha), ['missing-credentials@2:Warning']);
    } finally {
      await betaConfiguration.update('ignoredRegistries', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    }
    assert.deepEqual(await summaryWhen(beta, (found) => found.length > 0), ['missing-credentials@6:Error']);
  });
});
