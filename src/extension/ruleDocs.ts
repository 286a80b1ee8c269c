/**
 * Rule documentation shipped in the package: `docs/rules/<code>.md`, one page per rule code (adding a rule page is
 * adding that one file). A diagnostic's code link is the page's file URI — the Problems panel and the diagnostic
 * hover open code links without command permission, so a `command:` link would be dropped there — and a page opened
 * that way is shown in VS Code's Markdown preview instead of as source.
 */
import * as vscode from 'vscode';
import type { FindingCode } from '../core/types';

let docsFolder: vscode.Uri | undefined;

export function registerRuleDocs(context: vscode.ExtensionContext): void {
  docsFolder = vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules');
  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (editor && isRuleDoc(editor.document.uri)) void showAsPreview(editor.document.uri);
    }),
  );
  const active = vscode.window.activeTextEditor;
  if (active && isRuleDoc(active.document.uri)) void showAsPreview(active.document.uri);
}

/** The page documenting a rule code, inside the installed extension; undefined before `registerRuleDocs`. */
export function ruleDocsUri(code: FindingCode): vscode.Uri | undefined {
  return docsFolder && vscode.Uri.joinPath(docsFolder, `${code}.md`);
}

function isRuleDoc(uri: vscode.Uri): boolean {
  if (!docsFolder || uri.scheme !== docsFolder.scheme) return false;
  const folder = `${docsFolder.path}/`;
  return uri.path.startsWith(folder) && !uri.path.slice(folder.length).includes('/') && uri.path.endsWith('.md');
}

/** Replaces the page's text editor (if one is open) with its Markdown preview. */
async function showAsPreview(uri: vscode.Uri): Promise<void> {
  const sources = vscode.window.tabGroups.all.flatMap((group) =>
    group.tabs.filter((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === uri.toString()),
  );
  await vscode.commands.executeCommand('markdown.showPreview', uri);
  if (sources.length > 0) await vscode.window.tabGroups.close(sources);
}
