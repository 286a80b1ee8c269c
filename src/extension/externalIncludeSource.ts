import type * as vscode from 'vscode';
import type { ExternalIncludeRequest, ExternalIncludes } from '../core/pipeline/options';

/**
 * Something that can supply `include: project/template/remote/component` files the disk does not have
 * (the GitLab connection). Reads are synchronous from what was fetched; fetching runs in the background and is
 * announced through the provider's coverage `onDidChange`, which re-runs the diagnostics.
 */
export interface ExternalIncludeSource {
  externalIncludesFor(folder: vscode.WorkspaceFolder): ExternalIncludes | undefined;
  requestIncludes(folder: vscode.WorkspaceFolder, requests: readonly ExternalIncludeRequest[]): void;
}
