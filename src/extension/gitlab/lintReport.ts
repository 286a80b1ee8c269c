/** Read-only documents holding "Compare Local Resolution with GitLab CI Lint" reports (registered at activation). */
import * as vscode from 'vscode';

export const lintReportScheme = 'gitlab-ci-auth-lint';

export class LintReportProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly reports = new Map<string, string>();
  /** An open report document keeps its first content until told it changed (a second comparison of the same folder). */
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  dispose(): void {
    this.changed.dispose();
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.reports.get(uri.toString()) ?? '';
  }

  async show(folderName: string, report: string): Promise<void> {
    const uri = vscode.Uri.from({ scheme: lintReportScheme, path: `/${folderName}/ci-lint-comparison.md` });
    this.reports.set(uri.toString(), report);
    this.changed.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: true });
  }
}
