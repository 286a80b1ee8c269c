/**
 * Composition root: activate() reads like a table of contents. Each registerX owns one VS Code concept
 * and pushes every disposable it creates to context.subscriptions.
 */
import * as vscode from 'vscode';
import { registerCredentialStore } from './credentialStore';
import { registerGitLab } from './gitlab/gitlab';
import { registerDiagnostics } from './diagnostics';
import { registerCodeActions } from './codeActions';
import { COMMAND_CONFIGURE_CREDENTIALS, COMMAND_COPY_AUTH_CONFIG, COMMAND_IMPORT_AUTH_CONFIG, COMMAND_MANAGE_CREDENTIALS } from './commandIds';
import { registerHover } from './hover';
import { loadCommands } from './lazyCommands';

/** Every command `registerWizard` registers. An integration test checks that each contributed command exists right after activation. */
const WIZARD_COMMANDS = [COMMAND_CONFIGURE_CREDENTIALS, COMMAND_MANAGE_CREDENTIALS, COMMAND_IMPORT_AUTH_CONFIG, COMMAND_COPY_AUTH_CONFIG];

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const log = vscode.window.createOutputChannel('GitLab CI Auth', { log: true });
  context.subscriptions.push(log);

  const credentials = registerCredentialStore(context, log);
  const gitlab = registerGitLab(context, log, credentials);
  const diagnostics = registerDiagnostics(context, log, [credentials, gitlab], gitlab);
  registerCodeActions(context, log, diagnostics);
  registerHover(context, diagnostics);
  registerOnFirstUse(context, WIZARD_COMMANDS, () => loadCommands().registerWizard(context, log, credentials, gitlab));

  return { diagnostics };
}

export function deactivate(): void {}

/** Exported for the integration tests; not a stable public API. */
export interface ExtensionApi {
  readonly diagnostics: ReturnType<typeof registerDiagnostics>;
}

/**
 * Registers placeholders for `commands`; the first run of any of them replaces them all by the real ones (`register`)
 * and hands the call over with its arguments and result. The real commands run in this extension host, so the
 * hand-over cannot reach a placeholder again.
 */
function registerOnFirstUse(context: vscode.ExtensionContext, commands: readonly string[], register: () => void): void {
  let registered = false;
  const placeholders = commands.map((command) =>
    vscode.commands.registerCommand(command, (...args: unknown[]) => {
      if (!registered) {
        registered = true;
        for (const placeholder of placeholders) placeholder.dispose();
        register();
      }
      return vscode.commands.executeCommand(command, ...args);
    }),
  );
  context.subscriptions.push(...placeholders);
}

