/**
 * Composition root: activate() reads like a table of contents. Each registerX owns one VS Code concept
 * and pushes every disposable it creates to context.subscriptions.
 */
import * as vscode from 'vscode';
import { registerCredentialStore } from './credentialStore';
import { registerGitLab } from './gitlab/gitlab';
import { registerDiagnostics } from './diagnostics';
import { registerCodeActions } from './codeActions';
import { registerHover } from './hover';
import { registerWizard } from './wizard/wizard';

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const log = vscode.window.createOutputChannel('GitLab CI Auth', { log: true });
  context.subscriptions.push(log);

  const credentials = registerCredentialStore(context, log);
  const gitlab = registerGitLab(context, log, credentials);
  const diagnostics = registerDiagnostics(context, log, [credentials, gitlab], gitlab);
  registerCodeActions(context, log, diagnostics);
  registerHover(context, diagnostics);
  registerWizard(context, log, credentials, gitlab);

  return { diagnostics };
}

export function deactivate(): void {}

/** Exported for the integration tests; not a stable public API. */
export interface ExtensionApi {
  readonly diagnostics: ReturnType<typeof registerDiagnostics>;
}
