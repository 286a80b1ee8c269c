import * as vscode from 'vscode';
import type { CoverageContributor } from './coverage';

/** Diagnostics for GitLab CI files. (Filled in by the diagnostics work.) */
export function registerDiagnostics(context: vscode.ExtensionContext, _log: vscode.LogOutputChannel, _coverage: readonly CoverageContributor[]) {
  const collection = vscode.languages.createDiagnosticCollection('gitlab-ci-auth');
  context.subscriptions.push(collection);
  return { collection };
}
