/**
 * What the integration tests share: the extension's identity, reading our diagnostics as a user sees them, and
 * waiting for them on onDidChangeDiagnostics (never sleeping).
 */
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension/extension';
import type { FakeGitLab } from '../support/fakeGitLab';

export const EXTENSION_ID = 'gitlab-ci-registry-auth.gitlab-ci-registry-auth';
export const DIAGNOSTIC_SOURCE = 'GitLab CI Auth';
export const TIMEOUT_MS = 20_000;

/** The rule code of a diagnostic (`code` is `{ value, target }` for ours). */
export function codeOf(diagnostic: vscode.Diagnostic): string {
  return String(typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code);
}

/** The `.gitlab-ci.yml` of the first workspace folder. */
export function pipelineUri(): vscode.Uri {
  return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, '.gitlab-ci.yml');
}

/** This extension's diagnostics of `uri`. */
export function ourDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === DIAGNOSTIC_SOURCE);
}

/** `code@line:col-line:col` (0-based) and the start of the message, for readable failures. */
export function describeDiagnostic(diagnostic: vscode.Diagnostic): string {
  const { start, end } = diagnostic.range;
  return `${codeOf(diagnostic)}@${start.line}:${start.character}-${end.line}:${end.character} ${diagnostic.message.slice(0, 90)}`;
}

/** Our diagnostics of `uri` once `accept` holds; rejects with what there is after `timeoutMs`. */
export function diagnosticsWhen(uri: vscode.Uri, accept: (diagnostics: vscode.Diagnostic[]) => boolean, timeoutMs = TIMEOUT_MS): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const current = ourDiagnostics(uri);
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
      const have = ourDiagnostics(uri).map(describeDiagnostic);
      reject(new Error(`timed out; diagnostics of ${vscode.workspace.asRelativePath(uri)}:\n${have.join('\n') || '(none)'}`));
    }, timeoutMs);
    check();
  });
}

/** Our diagnostics of `uri` once one with `code` is present (or, with `present` false, once none is). */
export function untilCode(uri: vscode.Uri, code: string, present = true): Promise<vscode.Diagnostic[]> {
  return diagnosticsWhen(uri, (diagnostics) => diagnostics.some((diagnostic) => codeOf(diagnostic) === code) === present).then((diagnostics) =>
    diagnostics.filter((diagnostic) => codeOf(diagnostic) === code),
  );
}

/** The text of every hover at the first occurrence of `text` on `line` (0-based), as the hover widget would show it. */
export async function hoverText(uri: vscode.Uri, line: number, text: string): Promise<string> {
  const document = await vscode.workspace.openTextDocument(uri);
  const character = document.lineAt(line).text.indexOf(text) + 2;
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line, character));
  return (hovers ?? [])
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === 'string' ? content : 'value' in content ? content.value : ''))
    .join('\n')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1'); // Markdown's backslash escapes (hover values are escaped), as the hover shows them
}

/**
 * Serves the `gitlab` workspace fixture's project on the loopback GitLab API test server (its `include: project` file
 * included), accepts `apiToken`, points the extension at it, and activates the extension.
 */
export async function serveGitLabFixture(gitlab: FakeGitLab, apiToken: string): Promise<ExtensionApi> {
  await gitlab.startWithFixtureProjects(apiToken);
  gitlab.addFile('group/shared-ci', 'v1.2', 'templates/build.yml', 'shared-build:\n  image: shared.example.com/ci/builder:2\n  script: [build]\n');
  const configuration = vscode.workspace.getConfiguration('gitlabCiAuth');
  await configuration.update('gitlab.instanceUrl', gitlab.baseUrl, vscode.ConfigurationTarget.Global);
  await configuration.update('gitlab.projectPath', 'group/app', vscode.ConfigurationTarget.Global);
  return (await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate()) as ExtensionApi;
}
