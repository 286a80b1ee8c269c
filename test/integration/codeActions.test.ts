// @workspace test/fixtures/workspaces/quickfixes
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { eventually } from '../support/eventually';
import { assertSameSecretText } from '../support/secretAssert';
import { EXTENSION_ID, codeOf, diagnosticsWhen, untilCode } from './support';

/** The fake `auth` value in the fixtures: it must never travel in a command argument. */
const fixtureAuth = 'ZmFrZS11c2VyOmZha2UtdG9rZW4=';

function ciFile(name: string): vscode.Uri {
  return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, '.gitlab', 'ci', name);
}

async function quickFixes(uri: vscode.Uri, diagnostic: vscode.Diagnostic): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider',
    uri,
    diagnostic.range,
    vscode.CodeActionKind.QuickFix.value,
  );
  return (actions ?? []).filter((action) => action.kind?.value === vscode.CodeActionKind.QuickFix.value);
}

async function openWith(
  name: string,
  code: string,
): Promise<{ uri: vscode.Uri; document: vscode.TextDocument; diagnostic: vscode.Diagnostic; actions: vscode.CodeAction[] }> {
  const uri = ciFile(name);
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document);
  const [diagnostic] = await untilCode(uri, code, true);
  // The quick fixes come from the check behind the published diagnostics; right after activation a newer check of the
  // folder may still be on its way: wait until the light bulb has something, as a user would.
  const actions = await eventually(async () => {
    const offered = await quickFixes(uri, diagnostic!);
    return offered.length > 0 ? offered : undefined;
  }, `quick fixes are offered for ${code} in ${name}`);
  return { uri, document, diagnostic: diagnostic!, actions };
}

function titled(actions: vscode.CodeAction[], title: string): vscode.CodeAction {
  const action = actions.find((candidate) => candidate.title === title);
  assert.ok(action, `no quick fix "${title}" among [${actions.map((candidate) => candidate.title).join(' | ')}]`);
  return action;
}

async function apply(action: vscode.CodeAction): Promise<void> {
  assert.ok(action.edit, `"${action.title}" has no edit`);
  assert.ok(await vscode.workspace.applyEdit(action.edit));
}

describe('quick fixes', () => {
  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
  });

  it('offers to configure credentials for the registry, passing registry and folder to the wizard', async () => {
    const { actions, diagnostic } = await openWith('private-image.yml', 'missing-credentials');
    assert.equal(diagnostic.range.start.line, 1);
    const configure = titled(actions, 'Configure credentials for registry.example.com…');
    assert.equal(configure.command?.command, 'gitlabCiAuth.configureCredentials');
    const [args] = configure.command!.arguments as [{ registry: string; folder?: string }];
    assert.equal(args.registry, 'registry.example.com');
    assert.equal(args.folder, vscode.workspace.workspaceFolders![0]!.uri.toString());
    assert.equal(configure.isPreferred, true);
  });

  it('"Ignore on this line" appends the ignore comment after the existing one and the warning goes', async () => {
    const { uri, document, actions } = await openWith('private-image.yml', 'missing-credentials');
    await apply(titled(actions, 'Ignore missing-credentials on this line'));
    assert.equal(
      document.getText(),
      'build:\n  image: registry.example.com/team/app:1 # the build image # gitlab-ci-auth-ignore missing-credentials\n  script:\n    - make\n',
    );
    await untilCode(uri, 'missing-credentials', false);
  });

  // What the command then asks and writes (just this registry, in the scope picked, with Undo) is driven through the
  // UI in test/e2e/pages.e2e.ts; here: the quick fix names the registry and the folder.
  it('"Treat as public" is offered for the registry and the folder of the warning', async () => {
    const { uri, actions } = await openWith('treat-public.yml', 'missing-credentials');
    const treat = titled(actions, 'Treat mirror.example.net as public');
    assert.equal(treat.command?.command, 'gitlabCiAuth.treatAsPublic');
    assert.deepEqual(treat.command?.arguments, [{ registry: 'mirror.example.net', folder: vscode.workspace.getWorkspaceFolder(uri)!.uri.toString() }]);
  });

  it('"Use printf instead of echo" rewrites only the echo, keeping the redirect and the comment', async () => {
    const { uri, document, actions } = await openWith('echo.yml', 'file-variable-echo');
    await apply(titled(actions, 'Use printf instead of echo'));
    assert.equal(document.lineAt(8).text, `    - printf '%s' "$DOCKER_AUTH_CONFIG" > $HOME/.docker/config.json # keep this comment`);
    await untilCode(uri, 'file-variable-echo', false);
  });

  it('writes /kaniko/.docker/config.json before the executor, keeping the comment above it', async () => {
    const { uri, document, actions } = await openWith('kaniko.yml', 'kaniko-missing-config');
    await apply(titled(actions, 'Write /kaniko/.docker/config.json from DOCKER_AUTH_CONFIG'));
    const lines = document.getText().split('\n');
    const writes = lines.findIndex((line) => line.includes(`'%s' "$DOCKER_AUTH_CONFIG" > /kaniko/.docker/config.json`));
    const executor = lines.findIndex((line) => line.includes('/kaniko/executor'));
    assert.ok(writes >= 0 && writes < executor, document.getText());
    assert.ok(lines.includes('    # build and push'));
    assert.ok(lines.slice(0, 5).join('\n').includes('name: gcr.io/kaniko-project/executor:debug'));
    await untilCode(uri, 'kaniko-missing-config', false);
  });

  it('"Change key to …" fixes a near-miss key inside the YAML DOCKER_AUTH_CONFIG, which then covers the image', async () => {
    const { uri, document, actions } = await openWith('near-miss.yml', 'key-near-miss');
    await apply(titled(actions, 'Change key to registry.example.com'));
    assertSameSecretText(document.lineAt(2).text, `  DOCKER_AUTH_CONFIG: '{"auths":{"registry.example.com":{"auth":"${fixtureAuth}"}}}'`, 'line 3');
    await untilCode(uri, 'key-near-miss', false);
    await untilCode(uri, 'missing-credentials', false);
  });

  it('moving committed credentials out runs the import command with a location, never the secret', async () => {
    const { actions } = await openWith('committed.yml', 'committed-credentials');
    const move = titled(actions, 'Remove credentials from this file and store them safely');
    assert.equal(move.command?.command, 'gitlabCiAuth.moveCredentialsOutOfFile');
    assert.equal(move.edit, undefined, 'the file must only change once the credentials are stored');
    assert.ok(!JSON.stringify(move.command!.arguments).includes(fixtureAuth));
    const diagnostics = vscode.languages.getDiagnostics(ciFile('committed.yml'));
    assert.ok(diagnostics.every((diagnostic) => !diagnostic.message.includes(fixtureAuth)));
  });

  it('every diagnostic, whatever its code, offers "Ignore <code> on this line" that comments that code on its line', async () => {
    // Its own file (the other tests edit theirs), written to raise many rules at once.
    const uri = ciFile('every-rule.yml');
    const text = [
      'variables:',
      '  DOCKER_AUTH_CONFIG: \'{"auths":{"registry.example.com/v1/":{"auth":"ZmFrZS11c2VyOmZha2UtdG9rZW4="}}}\'',
      'private:',
      '  image: registry.example.com/team/app:1',
      '  script: [make]',
      'other:',
      '  image: other.example.org/team/app:1',
      '  script: [make]',
      'unknown:',
      '  image: $UNSET_REGISTRY/team/app:1',
      '  script: [make]',
      'echo:',
      '  image: docker:27',
      '  script:',
      '    - echo $DOCKER_AUTH_CONFIG > $HOME/.docker/config.json',
      'kaniko:',
      '  image: {name: gcr.io/kaniko-project/executor:debug, entrypoint: [""]}',
      '  script:',
      '    - /kaniko/executor --context . --destination registry.example.com/team/app:1',
      'child:',
      '  extends: .no-such-template',
      '  script: [make]',
      '',
    ].join('\n');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const expectedCodes = [
      'committed-credentials',
      'extends-missing',
      'file-variable-echo',
      'kaniko-missing-config',
      'key-near-miss',
      'missing-credentials',
      'registry-unknown',
    ];
    const diagnostics = await diagnosticsWhen(uri, (found) => expectedCodes.every((code) => found.some((diagnostic) => codeOf(diagnostic) === code)));
    for (const diagnostic of diagnostics) {
      const code = codeOf(diagnostic);
      const ignore = titled(await quickFixes(uri, diagnostic), `Ignore ${code} on this line`);
      const edits = ignore.edit?.get(uri) ?? [];
      assert.ok(edits.length > 0, `"${ignore.title}" edits nothing`);
      assert.ok(
        edits.some((edit) => edit.newText.includes(`gitlab-ci-auth-ignore ${code}`)),
        `"${ignore.title}" writes ${JSON.stringify(edits.map((edit) => edit.newText))}`,
      );
      // The comment lands on the line the diagnostic starts on (a block scalar's header line is the only exception).
      assert.ok(
        edits.every((edit) => edit.range.start.line === diagnostic.range.start.line),
        `"${ignore.title}" edits another line than ${diagnostic.range.start.line}`,
      );
    }
  });
});
