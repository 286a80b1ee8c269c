/**
 * Composition root, shared by the desktop and browser entries (extension.ts, web/extension.ts), which differ only in
 * the `Platform` they pass: activateWith() reads like a table of contents. Each registerX owns one VS Code concept
 * and pushes every disposable it creates to context.subscriptions.
 */
import * as vscode from 'vscode';
import { registerCredentialStore, type CredentialStore } from './credentialStore';
import { registerDiagnostics } from './diagnostics';
import { registerCodeActions } from './codeActions';
import {
  COMMAND_CONFIGURE_CREDENTIALS,
  COMMAND_COPY_AUTH_CONFIG,
  COMMAND_IMPORT_AUTH_CONFIG,
  COMMAND_MANAGE_CREDENTIALS,
  COMMAND_SAVE_AUTH_CONFIG_TO_GITLAB,
} from './commandIds';
import { registerHover } from './hover';
import { loadCommands, loadedCommands, registerOnFirstUse } from './lazyCommands';
import { registerRuleDocs } from './ruleDocs';
import { registerWalkthroughProgress } from './walkthrough';
import { registerGitLabOnDemand } from './lazyGitLab';
import { registerPullCheck, type PullCheckService } from './pullCheck';
import { registerSaidInGitLab, type SaidInGitLab } from './saidInGitLab';
import type { Platform } from './platform';

/** Every command `registerWizard` registers. An integration test checks that each contributed command exists right after activation. */
const WIZARD_COMMANDS = [
  COMMAND_CONFIGURE_CREDENTIALS,
  COMMAND_MANAGE_CREDENTIALS,
  COMMAND_IMPORT_AUTH_CONFIG,
  COMMAND_COPY_AUTH_CONFIG,
  COMMAND_SAVE_AUTH_CONFIG_TO_GITLAB,
];

export function activateWith(context: vscode.ExtensionContext, platform: Platform): ExtensionApi {
  const log = vscode.window.createOutputChannel('GitLab CI Auth', { log: true });
  context.subscriptions.push(log);

  registerRuleDocs(context);
  const credentials = registerCredentialStore(context, log);
  const gitlab = registerGitLabOnDemand(context, log, credentials, platform);
  const said = registerSaidInGitLab(context);
  const pulls = registerPullCheck(context, log, credentials, () => diagnostics, platform);
  const diagnostics = registerDiagnostics(context, log, platform, [credentials, gitlab, said], gitlab, pulls);
  registerCodeActions(context, log, diagnostics, gitlab);
  registerHover(context, diagnostics, pulls);
  registerWalkthroughProgress(context, credentials, gitlab);
  registerOnFirstUse(context, WIZARD_COMMANDS, () => loadCommands().registerWizard(context, log, credentials, gitlab, diagnostics, said, platform));

  return { diagnostics, pulls, credentials, saidInGitLab: said };
}

/** A DOCKER_AUTH_CONFIG we copied does not outlive the extension in the clipboard (the auto-clear timer dies with us). */
export function deactivate(): Thenable<void> | undefined {
  return loadedCommands()?.clearCopiedClipboard();
}

/** Exported for the integration tests; not a stable public API. */
export interface ExtensionApi {
  readonly diagnostics: ReturnType<typeof registerDiagnostics>;
  readonly pulls: PullCheckService;
  readonly credentials: CredentialStore;
  readonly saidInGitLab: SaidInGitLab;
}
