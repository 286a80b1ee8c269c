import * as vscode from 'vscode';
import type { CoverageContributor } from './coverage';

/** Registry credentials: tokens in SecretStorage, metadata in Memento. (Filled in by the wizard work.) */
export interface CredentialStore extends CoverageContributor {}

export function registerCredentialStore(context: vscode.ExtensionContext, _log: vscode.LogOutputChannel): CredentialStore {
  const changed = new vscode.EventEmitter<void>();
  context.subscriptions.push(changed);
  return { onDidChange: changed.event, sourcesFor: () => [] };
}
