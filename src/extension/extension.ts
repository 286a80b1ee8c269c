/**
 * Composition root: activate() reads like a table of contents. Each registerX owns one VS Code concept
 * and pushes every disposable it creates to context.subscriptions.
 */
import * as vscode from 'vscode';
import { registerCredentialStore, type CredentialStore } from './credentialStore';
import { registerDiagnostics } from './diagnostics';
import { registerCodeActions } from './codeActions';
import { COMMAND_CONFIGURE_CREDENTIALS, COMMAND_COPY_AUTH_CONFIG, COMMAND_IMPORT_AUTH_CONFIG, COMMAND_MANAGE_CREDENTIALS } from './commandIds';
import { registerHover } from './hover';
import { registerRuleDocs } from './ruleDocs';
import { registerWalkthroughProgress } from './walkthrough';
import { loadCommands, registerOnFirstUse } from './lazyCommands';
import { registerGitLabOnDemand } from './lazyGitLab';
import { registerPullCheck, type PullCheckService } from './pullCheck';

/** Every command `registerWizard` registers. An integration test checks that each contributed command exists right after activation. */
const WIZARD_COMMANDS = [COMMAND_CONFIGURE_CREDENTIALS, COMMAND_MANAGE_CREDENTIALS, COMMAND_IMPORT_AUTH_CONFIG, COMMAND_COPY_AUTH_CONFIG];

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const log = vscode.window.createOutputChannel('GitLab CI Auth', { log: true });
  context.subscriptions.push(log);

  registerRuleDocs(context);
  const credentials = registerCredentialStore(context, log);
  const gitlab = registerGitLabOnDemand(context, log, credentials);
  const pulls = registerPullCheck(context, log, credentials, () => diagnostics);
  const diagnostics = registerDiagnostics(context, log, [credentials, gitlab], gitlab, pulls);
  registerCodeActions(context, log, diagnostics);
  registerHover(context, diagnostics, pulls);
  registerWalkthroughProgress(context, credentials, gitlab);
  registerOnFirstUse(context, WIZARD_COMMANDS, () => loadCommands().registerWizard(context, log, credentials, gitlab, diagnostics));

  return { diagnostics, pulls, credentials };
}

export function deactivate(): void {}

/** Exported for the integration tests; not a stable public API. */
export interface ExtensionApi {
  readonly diagnostics: ReturnType<typeof registerDiagnostics>;
  readonly pulls: PullCheckService;
  readonly credentials: CredentialStore;
}
