/**
 * Composition root: activate() reads like a table of contents. Each registerX owns one VS Code concept
 * and pushes every disposable it creates to context.subscriptions.
 */
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('GitLab CI Auth', { log: true });
  context.subscriptions.push(output);
  output.info('activated');
}

export function deactivate(): void {}
