/**
 * "Compare Local Resolution with GitLab CI Lint": sends the root CI file to `POST /projects/:id/ci/lint` and shows,
 * in a read-only document, where GitLab's merged configuration has other images or services than the local resolution.
 */
import * as vscode from 'vscode';
import { compareJobImages, formatComparison, jobImagesFromMergedYaml, jobImagesFromPipeline } from '../../core/gitlab/ciLintCompare';
import { resolvePipeline } from '../../core/pipeline';
import type { ExternalIncludes } from '../../core/pipeline/options';
import { projectFileOf } from '../documents';
import { withEveryFile, type FolderFiles } from '../platform';
import type { FolderAccess } from './connections';
import type { LintReportProvider } from './lintReport';

/** Runs the comparison for a folder; the report says where local and server resolution differ. */
export async function compareWithCiLint(
  folder: vscode.WorkspaceFolder,
  access: FolderAccess & { ok: true },
  ciConfigPath: string,
  externalIncludes: ExternalIncludes | undefined,
  reports: LintReportProvider,
  folderFiles: FolderFiles,
): Promise<void> {
  const overlay = new Map<string, string>();
  for (const document of vscode.workspace.textDocuments) {
    const file = projectFileOf(document.uri);
    if (file?.folder.uri.toString() === folder.uri.toString()) overlay.set(file.relativePath, document.getText());
  }
  const { rootText, pipeline } = await withEveryFile(folderFiles, overlay, (files) => ({
    rootText: files.read(ciConfigPath),
    pipeline: resolvePipeline(ciConfigPath, files, { variables: access.context.predefinedVariables, ...(externalIncludes ? { externalIncludes } : {}) }),
  }));
  if (rootText === undefined) throw new Error(vscode.l10n.t('{0} not found in {1}.', ciConfigPath, folder.name));
  const lint = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Asking GitLab CI Lint about {0}…', ciConfigPath) },
    () => access.api.ciLint(access.context.projectPath, rootText),
  );
  const local = jobImagesFromPipeline(pipeline);
  const server = lint.merged_yaml ? jobImagesFromMergedYaml(lint.merged_yaml) : new Map();
  const differences = compareJobImages(local, server);
  let report = formatComparison(ciConfigPath, new Set([...local.keys(), ...server.keys()]).size, differences, lint.errors);
  // GitLab reads `include: local` files from the repository, not from this working copy.
  report += `\n_${vscode.l10n.t("GitLab resolved local includes from the repository's default branch; unsaved or uncommitted changes to them are not in its view.")}_\n`;
  await reports.show(folder.name, report);
}
