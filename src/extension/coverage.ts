import type * as vscode from 'vscode';
import type { CredentialSource } from '../core/types';
import type { CollectedVariable } from '../core/registry/imageVariables';

/**
 * Something that knows which registries a workspace folder's pipelines are covered for:
 * the stored wizard credentials, settings, the GitLab project's CI/CD variables.
 * The diagnostics ask every contributor and re-check when one fires onDidChange.
 */
export interface CoverageContributor {
  readonly onDidChange: vscode.Event<void>;
  /** What is known now. Never blocks on the network; never returns a secret. */
  sourcesFor(folder: vscode.WorkspaceFolder): readonly CredentialSource[];
  /** CI/CD variables known for the folder (GitLab's visible ones), lowest precedence first; a hidden one has value null. */
  variablesFor?(folder: vscode.WorkspaceFolder): readonly CollectedVariable[];
}
