// @workspace test/fixtures/workspaces/disk-cache
/**
 * The extension keeps what it read from disk between checks and relies on the file watcher to learn of changes. These
 * tests change included files the way another program does (node's fs, not VS Code) and wait for what the user sees:
 * the diagnostics and hovers follow every change, created, changed, deleted, or moved away with its folder.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { EXTENSION_ID, codeOf, diagnosticsWhen, hoverText, ourDiagnostics, pipelineUri, untilCode } from './support';

function workspaceFile(...segments: string[]): vscode.Uri {
  return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, ...segments);
}

const PRIVATE_JOB = (name: string, image: string) => `${name}:\n  image: ${image}\n  script: [run]\n`;
/** 0-based lines of the root pipeline's `include:` items. */
const LATER_INCLUDE_LINE = 22;
const WILDCARD_INCLUDE_LINE = 23;
const ROOT_JOB_IMAGE_LINE = 26;

function includeErrorLines(): number[] {
  return ourDiagnostics(pipelineUri())
    .filter((diagnostic) => codeOf(diagnostic) === 'include-not-found')
    .map((diagnostic) => diagnostic.range.start.line)
    .sort((a, b) => a - b);
}

describe('diagnostics follow included files changed on disk by other programs', () => {
  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    await vscode.window.showTextDocument(pipelineUri());
    // Twenty includes resolve; only the include of a file that does not exist yet is reported.
    await diagnosticsWhen(pipelineUri(), (found) => found.some((diagnostic) => codeOf(diagnostic) === 'include-not-found'));
    assert.deepEqual(includeErrorLines(), [LATER_INCLUDE_LINE]);
  });

  it('an included file changed on disk: its findings appear, and go when it changes back', async () => {
    const part = workspaceFile('ci', 'part-05.yml');
    const original = fs.readFileSync(part.fsPath, 'utf8');
    fs.writeFileSync(part.fsPath, PRIVATE_JOB('part-05', 'registry.example.com/team/five:1'));
    const found = await untilCode(part, 'missing-credentials');
    assert.equal(found[0]!.range.start.line, 1);
    fs.writeFileSync(part.fsPath, original);
    await untilCode(part, 'missing-credentials', false);
  });

  it('a missing include created on disk resolves, and deleting it reports it missing again', async () => {
    const later = workspaceFile('ci', 'later.yml');
    fs.writeFileSync(later.fsPath, PRIVATE_JOB('later', 'registry.example.com/team/later:1'));
    await untilCode(later, 'missing-credentials');
    await untilCode(pipelineUri(), 'include-not-found', false);
    fs.unlinkSync(later.fsPath);
    await untilCode(later, 'missing-credentials', false);
    await untilCode(pipelineUri(), 'include-not-found');
    assert.deepEqual(includeErrorLines(), [LATER_INCLUDE_LINE]);
  });

  it('a file created where a wildcard include looks joins the pipeline, and leaves it when deleted', async () => {
    const added = workspaceFile('ci', 'extra', 'added.yml');
    fs.writeFileSync(added.fsPath, PRIVATE_JOB('added', 'registry.example.com/team/added:1'));
    await untilCode(added, 'missing-credentials');
    fs.unlinkSync(added.fsPath);
    await untilCode(added, 'missing-credentials', false);
  });

  it('a folder moved away takes the files a wildcard included from it; moved back, they return', async () => {
    const inFolder = workspaceFile('ci', 'extra', 'moving.yml');
    fs.writeFileSync(inFolder.fsPath, PRIVATE_JOB('moving', 'registry.example.com/team/moving:1'));
    await untilCode(inFolder, 'missing-credentials');
    const extra = workspaceFile('ci', 'extra').fsPath;
    const parked = workspaceFile('parked').fsPath;
    try {
      fs.renameSync(extra, parked);
      await untilCode(inFolder, 'missing-credentials', false);
      // The wildcard now matches nothing, which GitLab reports like a missing file.
      await diagnosticsWhen(pipelineUri(), () => includeErrorLines().includes(WILDCARD_INCLUDE_LINE));
    } finally {
      fs.renameSync(parked, extra);
    }
    await untilCode(inFolder, 'missing-credentials');
    await diagnosticsWhen(pipelineUri(), () => !includeErrorLines().includes(WILDCARD_INCLUDE_LINE));
    fs.unlinkSync(inFolder.fsPath);
    await untilCode(inFolder, 'missing-credentials', false);
  });

  it('hovers follow an unsaved edit of the root and a change on disk of an included file', async () => {
    const document = await vscode.workspace.openTextDocument(pipelineUri());
    const line = document.lineAt(ROOT_JOB_IMAGE_LINE);
    const start = line.text.indexOf('alpine:3.20');
    assert.ok(start > 0, line.text);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(
      pipelineUri(),
      new vscode.Range(ROOT_JOB_IMAGE_LINE, start, ROOT_JOB_IMAGE_LINE, start + 'alpine:3.20'.length),
      'registry.example.com/team/edited:2',
    );
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      const rootHover = await hoverText(pipelineUri(), ROOT_JOB_IMAGE_LINE, 'registry.example.com');
      assert.match(rootHover, /No credentials cover this registry/);
      assert.ok(rootHover.includes('`registry.example.com/team/edited`'), rootHover);

      const part = workspaceFile('ci', 'part-03.yml');
      const original = fs.readFileSync(part.fsPath, 'utf8');
      fs.writeFileSync(part.fsPath, PRIVATE_JOB('part-03', 'quay.example.io/ops/tool:7'));
      try {
        await untilCode(part, 'missing-credentials');
        const partHover = await hoverText(part, 1, 'quay.example.io');
        assert.match(partHover, /No credentials cover this registry/);
        assert.ok(partHover.includes('`quay.example.io/ops/tool`'), partHover);
      } finally {
        fs.writeFileSync(part.fsPath, original);
      }
      await untilCode(part, 'missing-credentials', false);
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });
});
