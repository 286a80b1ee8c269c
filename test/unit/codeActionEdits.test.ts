/**
 * The quick fixes' edits reach the editor only through toWorkspaceEdit (src/extension/codeActions.ts): core offsets into
 * the texts the check read become one WorkspaceEdit of line/character ranges. Run here with a stand-in `vscode`, so a
 * fix that produces no edit, or one in the wrong place, fails without a VS Code.
 */
import { Uri, WorkspaceEdit, type Replacement } from '../support/fakeVscode';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ignoreOnLineEdit, removeVariableEdit, type TextEdit } from '../../src/core/rules/fixEdits';
import { toWorkspaceEdit } from '../../src/extension/codeActions';
import { ProjectText, type ProjectCheck } from '../../src/extension/diagnostics';

const folder = Uri.file('/workspace/project');

function projectOf(files: Record<string, string>): ProjectCheck {
  const texts = new Map(Object.entries(files).map(([file, text]) => [file, new ProjectText(text)]));
  return { folder: { uri: folder, name: 'project', index: 0 }, texts } as unknown as ProjectCheck;
}

/** Applies the WorkspaceEdit's line/character ranges to `text`, as the editor would. */
function applyRanges(text: string, replacements: readonly Replacement[]): string {
  const lines = text.split('\n');
  const offset = (line: number, character: number): number => lines.slice(0, line).reduce((sum, each) => sum + each.length + 1, 0) + character;
  let result = text;
  const sorted = [...replacements].sort((a, b) => offset(b.range.start.line, b.range.start.character) - offset(a.range.start.line, a.range.start.character));
  for (const { range, newText } of sorted) {
    result = result.slice(0, offset(range.start.line, range.start.character)) + newText + result.slice(offset(range.end.line, range.end.character));
  }
  return result;
}

describe('toWorkspaceEdit', () => {
  it('turns the ignore-on-this-line edit into a replacement at that line of that file', () => {
    const text = 'build:\n  image: registry.example.com/team/app:1\n  script: [make]\n';
    const project = projectOf({ 'ci/build.yml': text });
    const edits = ignoreOnLineEdit(text, text.indexOf('registry.example.com'), 'missing-credentials', 'ci/build.yml');
    const edit = toWorkspaceEdit(edits, project);
    assert.ok(edit instanceof WorkspaceEdit, 'an edit for the quick fix');
    const replacements = (edit as unknown as WorkspaceEdit).replacements;
    assert.equal(replacements.length, edits.length);
    for (const replacement of replacements) assert.equal(replacement.uri.toString(), 'file:///workspace/project/ci/build.yml');
    assert.deepEqual(
      replacements.map(({ range }) => [range.start.line, range.end.line]),
      edits.map(() => [1, 1]),
    );
    assert.equal(
      applyRanges(text, replacements),
      'build:\n  image: registry.example.com/team/app:1 # gitlab-ci-auth-ignore missing-credentials\n  script: [make]\n',
    );
  });

  it('spans several lines when the core edit does (removing a committed variable)', () => {
    const text = 'variables:\n  DOCKER_AUTH_CONFIG: >-\n    {"auths": {}}\n  OTHER: x\njob:\n  script: [x]\n';
    const start = text.indexOf('DOCKER_AUTH_CONFIG');
    const end = text.indexOf('\n  OTHER');
    const edits = removeVariableEdit(text, { file: '.gitlab-ci.yml', start, end });
    const edit = toWorkspaceEdit(edits, projectOf({ '.gitlab-ci.yml': text })) as unknown as WorkspaceEdit | undefined;
    assert.ok(edit, 'an edit for the quick fix');
    assert.equal(applyRanges(text, edit.replacements), 'variables:\n  OTHER: x\njob:\n  script: [x]\n');
  });

  it('gives nothing to apply for no edits, or an edit of a file the check did not read', () => {
    assert.equal(toWorkspaceEdit([], projectOf({ '.gitlab-ci.yml': 'a: 1\n' })), undefined);
    const elsewhere: TextEdit[] = [{ file: 'other.yml', start: 0, end: 0, newText: '# x\n' }];
    assert.equal(toWorkspaceEdit(elsewhere, projectOf({ '.gitlab-ci.yml': 'a: 1\n' })), undefined);
  });
});
