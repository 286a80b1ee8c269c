/**
 * The walkthrough's steps tick when the thing is done, however it was done: context keys set here from what the
 * extension sees (a pipeline file shown, a credential stored, a GitLab connection stored) are the steps'
 * `onContext:` completion events, next to `onCommand:` for the walkthrough's own buttons.
 */
import * as vscode from 'vscode';
import type { CredentialStore } from './credentialStore';
import type { GitLabConnection } from './gitlab/gitlab';
import { hasStoredConnection } from './gitlab/storageKeys';
import { projectFileOf } from './documents';

export const CONTEXT_PIPELINE_OPENED = 'gitlabCiAuth.pipelineOpened';
export const CONTEXT_CREDENTIAL_STORED = 'gitlabCiAuth.credentialStored';
export const CONTEXT_GITLAB_CONNECTED = 'gitlabCiAuth.gitlabConnected';

export function registerWalkthroughProgress(context: vscode.ExtensionContext, credentials: CredentialStore, gitlab: GitLabConnection): void {
  const set = (key: string, value: boolean) => void vscode.commands.executeCommand('setContext', key, value);
  let pipelineOpened = false;
  const checkEditor = (editor: vscode.TextEditor | undefined) => {
    if (pipelineOpened || !editor || !isPipelineFile(editor.document.uri)) return;
    pipelineOpened = true;
    set(CONTEXT_PIPELINE_OPENED, true);
  };
  const checkCredentials = () => set(CONTEXT_CREDENTIAL_STORED, credentials.list().length > 0);
  const checkConnection = () => set(CONTEXT_GITLAB_CONNECTED, hasStoredConnection(context.globalState));
  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor(checkEditor),
    credentials.onDidChange(checkCredentials),
    gitlab.onDidChange(checkConnection),
  );
  checkEditor(vscode.window.activeTextEditor);
  checkCredentials();
  checkConnection();
}

/** The folder's CI configuration file (`ciConfigPath`) or a conventional `.gitlab/ci/` file. */
function isPipelineFile(uri: vscode.Uri): boolean {
  const file = projectFileOf(uri);
  if (!file) return false;
  const ciConfigPath = vscode.workspace.getConfiguration('gitlabCiAuth', file.folder).get<string>('ciConfigPath', '.gitlab-ci.yml');
  return file.relativePath === ciConfigPath || /^\.gitlab\/ci\/.+\.ya?ml$/.test(file.relativePath);
}
