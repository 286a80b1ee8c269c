// @workspace test/fixtures/workspaces/job-token
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, codeOf, diagnosticsWhen, hoverText } from './support';

describe('hovers, and the project registry from the git origin', () => {
  const folder = () => vscode.workspace.workspaceFolders![0]!.uri;
  const pipeline = () => vscode.Uri.joinPath(folder(), '.gitlab-ci.yml');

  before(async () => {
    // The origin remote says: gitlab.example.com, project team/app (so CI_REGISTRY = registry.gitlab.example.com).
    const gitDir = path.join(folder().fsPath, '.git');
    fs.mkdirSync(gitDir, { recursive: true });
    fs.writeFileSync(
      path.join(gitDir, 'config'),
      '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@gitlab.example.com:team/app.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n',
    );
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
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

  it('hover on a template image shared by jobs names them as the warning does', async () => {
    const text = await hoverText(pipeline(), 18, 'other.example.com');
    assert.match(text, /Jobs: `lint`, `unit`/);
    const [diagnostic] = vscode.languages.getDiagnostics(pipeline()).filter((found) => found.range.start.line === 18);
    assert.equal(diagnostic?.message, 'No credentials for other.example.com (jobs lint, unit)');
  });

  it('hover on a tag made of run-time variables shows <CI_COMMIT_REF_SLUG>, never "Docker rejects"', async () => {
    const text = await hoverText(pipeline(), 29, 'CI_COMMIT_REF_SLUG');
    assert.ok(text.includes('registry.gitlab.example.com/team/app:<CI_COMMIT_REF_SLUG>-build'), text);
    assert.doesNotMatch(text, /Docker rejects|Invalid image/);
    assert.match(text, /job token/i);
    // The job runs only on main: the hover says which rule lets it run.
    assert.ok(text.includes('Runs only when its rules allow: rule 1 `if: $CI_COMMIT_BRANCH == "main"`'), text);
  });

  it('hover on an include with rules says whether GitLab merges it, and which rule decides', async () => {
    const text = await hoverText(pipeline(), 35, 'ci/optional.yml');
    assert.match(text, /Not included/);
    assert.ok(text.includes('no rule matches'), text);
    // Its job is not checked: the registry it names is flagged nowhere.
    const flagged = await diagnosticsWhen(pipeline(), (found) => found.length > 0);
    assert.ok(
      !flagged.some((diagnostic) => diagnostic.message.includes('registry.example.com/never')),
      flagged.map((diagnostic) => diagnostic.message).join('\n'),
    );
  });

  it('hover elsewhere in the file shows nothing of ours', async () => {
    const text = await hoverText(pipeline(), 3, 'script');
    assert.doesNotMatch(text, /credentials|runner looks up/i);
  });
});
