import * as vscode from 'vscode';
import type * as Commands from './commands';

/** The command-only UI, required on first use: activation never runs its modules (esbuild keeps the `require` lazy). */
let loaded: typeof Commands | undefined;

export function loadCommands(): typeof Commands {
  return (loaded ??= require('./commands') as typeof Commands);
}

/** The commands bundle if a command has loaded it, without loading it (for deactivate). */
export function loadedCommands(): typeof Commands | undefined {
  return loaded;
}

/**
 * Registers placeholders for `commands`; the first run of any of them replaces them all by the real ones (`register`)
 * and hands the call over with its arguments and result. The real commands run in this extension host, so the
 * hand-over cannot reach a placeholder again. Returns the same replacement for callers that need the real commands
 * before any of them runs; it does nothing once done.
 */
export function registerOnFirstUse(context: vscode.ExtensionContext, commands: readonly string[], register: () => void): () => void {
  let registered = false;
  const registerNow = (): void => {
    if (registered) return;
    registered = true;
    for (const placeholder of placeholders) placeholder.dispose();
    register();
  };
  const placeholders = commands.map((command) =>
    vscode.commands.registerCommand(command, (...args: unknown[]) => {
      registerNow();
      return vscode.commands.executeCommand(command, ...args);
    }),
  );
  context.subscriptions.push(...placeholders);
  return registerNow;
}
