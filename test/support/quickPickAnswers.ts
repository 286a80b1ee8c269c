/**
 * Runs a command that asks through quick picks (integration tests, real VS Code): each quick pick that opens is answered
 * with its first item, the safe choice (scope "All workspaces", "Keep mine", "Connect" after the caller's arguments),
 * until the command settles. The extension host cannot see a quick pick, so the accept is repeated until it does.
 */
import * as vscode from 'vscode';

export async function answeringQuickPicks<T>(run: () => Thenable<T>, timeoutMs = 20_000): Promise<T> {
  let settled = false;
  const result = Promise.resolve(run()).finally(() => (settled = true));
  const deadline = Date.now() + timeoutMs;
  while (!settled && Date.now() < deadline) {
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await Promise.race([result.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 100))]);
  }
  return result;
}
