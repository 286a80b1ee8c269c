import * as vscode from 'vscode';
import type { CoverageContributor } from '../coverage';
import type { CredentialStore } from '../credentialStore';

/** The GitLab connection: CI/CD variable coverage, token creation, remote includes. (Filled in by the GitLab API work.) */
export interface GitLabConnection extends CoverageContributor {}

export function registerGitLab(context: vscode.ExtensionContext, _log: vscode.LogOutputChannel, _credentials: CredentialStore): GitLabConnection {
  const changed = new vscode.EventEmitter<void>();
  context.subscriptions.push(changed);
  return { onDidChange: changed.event, sourcesFor: () => [] };
}
