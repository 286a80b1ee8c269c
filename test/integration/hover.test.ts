// @workspace test/fixtures/workspaces/job-token
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const extensionId = 'gitlab-ci-registry-auth.gitlab-ci-registry-auth';
const source = 'GitLab CI Auth';
const timeoutMs = 20_000;

function codeOf(diagnostic: vscode.Diagnostic): string {
  return String(typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code);
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === source);
}

function diagnosticsWhen(uri: vscode.Uri, accept: (diagnostics: vscode.Diagnostic[]) => boolean): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const current = ours(uri);
      if (!accept(current)) return;
      clearTimeout(timer);
      listener.dispose();
      resolve(current);
    };
    const listener = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((changed) => changed.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`timed out; have [${ours(uri).map((diagnostic) => `${codeOf(diagnostic)}@${diagnostic.range.start.line}`).join(', ')}]`));
    }, timeoutMs);
    check();
  });
}

async function hoverText(uri: vscode.Uri, line: number, text: string): Promise<string> {
  const document = await vscode.workspace.openTextDocument(uri);
  const character = document.lineAt(line).text.indexOf(text) + 2;
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line, character));
  return (hovers ?? [])
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === 'string' ? content : 'value' in content ? content.value : ''))
    .join('\n');
}

describe('hovers, and the project registry from the git origin', () => {
  const folder = () => vscode.workspace.workspaceFolders![0]!.uri;
  const pipeline = () => vscode.Uri.joinPath(folder(), '.gitlab-ci.yml');

  before(async () => {
    // The origin remote says: gitlab.example.com, project team/app (so CI_REGISTRY = registry.gitlab.example.com).
    const gitDir = path.join(folder().fsPath, '.git');
    fs.mkdirSync(gitDir, { recursive: true });
    fs.writeFileSync(path.join(gitDir, 'config'), '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@gitlab.example.com:team/app.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n');
    await vscode.extensions.getExtension(extensionId)!.activate();
    await vscode.window.showTextDocument(pipeline());
  });

  it('the job token covers the project registry and the dependency proxy; other registries are flagged', async () => {
    const diagnostics = await diagnosticsWhen(pipeline(), (found) => found.some((diagnostic) => codeOf(diagnostic) === 'missing-credentials'));
    const flaggedLines = [...new Set(diagnostics.map((diagnostic) => `${codeOf(diagnostic)}@${diagnostic.range.start.line}`))].sort();
    assert.deepEqual(flaggedLines, ['missing-credentials@14', 'missing-credentials@18']);
  });

  it('hover on an image with variables: the expanded name, the lookup path and the job token', async () => {
    const text = await hoverText(pipeline(), 2, '$CI_REGISTRY_IMAGE');
    assert.match(text, /job token/i);
    assert.ok(text.includes('registry.gitlab.example.com/team/app/tools:1'), text);
    assert.ok(text.includes('registry.gitlab.example.com/team/app/tools'), text);
  });

  it('hover on an uncovered image says no credential covers it and what the runner looks up', async () => {
    const text = await hoverText(pipeline(), 14, 'other.example.com');
    assert.match(text, /No credentials cover this registry/);
    assert.ok(text.includes('`other.example.com/ops/tool`'), text);
    assert.ok(text.includes('`other.example.com`'), text);
  });

  it('hover on a template image shared by jobs tells how many use it', async () => {
    const text = await hoverText(pipeline(), 18, 'other.example.com');
    assert.match(text, /Used by 2 jobs/);
  });

  it('hover elsewhere in the file shows nothing of ours', async () => {
    const text = await hoverText(pipeline(), 3, 'script');
    assert.doesNotMatch(text, /credentials|runner looks up/i);
  });
});
