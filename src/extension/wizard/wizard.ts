import type * as vscode from 'vscode';
import type { CredentialStore } from '../credentialStore';
import type { GitLabConnection } from '../gitlab/gitlab';

/** The command-palette wizard and the credential commands. (Filled in by the wizard work.) */
export function registerWizard(_context: vscode.ExtensionContext, _log: vscode.LogOutputChannel, _credentials: CredentialStore, _gitlab: GitLabConnection): void {}
