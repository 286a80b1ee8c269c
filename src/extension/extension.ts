/**
 * Composition root: activate() reads like a table of contents. Each registerX owns one VS Code concept
 * and pushes every disposable it creates to context.subscriptions.
 */
import * as vscode from 'vscode';
import { registerCredentialStore, type CredentialStore } from './credentialStore';
import { registerDiagnostics } from './diagnostics';
import { registerCodeActions } from './codeActions';
import { COMMAND_CONFIGURE_CREDENTIALS, COMMAND_COPY_AUTH_CONFIG, COMMAND_IMPORT_AUTH_CONFIG, COMMAND_MANAGE_CREDENTIALS, COMMAND_SAVE_AUTH_CONFIG_TO_GITLAB } from './commandIds';
import { registerHover } from './hover';
import { loadCommands, registerOnFirstUse } from './lazyCommands';
import { registerGitLabOnDemand } from './lazyGitLab';
import { registerPullCheck, type PullCheckService } from './pullCheck';
import { registerSaidInGitLab, type SaidInGitLab } from './saidInGitLab';

/** Every command `registerWizard` registers. An integration test checks that each contributed command exists right after activation. */
const WIZARD_COMMANDS = [COMMAND_CONFIGURE_CREDENTIALS, COMMAND_MANAGE_CREDENTIALS, COMMAND_IMPORT_AUTH_CONFIG, COMMAND_COPY_AUTH_CONFIG, COMMAND_SAVE_AUTH_CONFIG_TO_GITLAB];

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const log = vscode.window.createOutputChannel('GitLab CI Auth', { log: true });
  context.subscriptions.push(log);

  const credentials = registerCredentialStore(context, log);
  const gitlab = registerGitLabOnDemand(context, log, credentials);
  const said = registerSaidInGitLab(context);
  const pulls = registerPullCheck(context, log, credentials, () => diagnostics);
  const diagnostics = registerDiagnostics(context, log, [credentials, gitlab, said], gitlab, pulls);
  registerCodeActions(context, log, diagnostics, gitlab);
  registerHover(context, diagnostics, pulls);
  registerOnFirstUse(context, WIZARD_COMMANDS, () => loadCommands().registerWizard(context, log, credentials, gitlab, diagnostics, said));

  return { diagnostics, pulls, credentials, saidInGitLab: said };
}

export function deactivate(): void {}

/** Exported for the integration tests; not a stable public API. */
export interface ExtensionApi {
  readonly diagnostics: ReturnType<typeof registerDiagnostics>;
  readonly pulls: PullCheckService;
  readonly credentials: CredentialStore;
  readonly saidInGitLab: SaidInGitLab;
}
