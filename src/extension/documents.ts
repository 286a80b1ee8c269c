/**
 * Which documents are GitLab CI files, decided by path (language ids vary: `yaml`, `gitlab-ci`...).
 * A CI file belongs to the project of its workspace folder; the folder's root pipeline is `ciConfigPath`.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Settings } from '../core/settings';

/** `.gitlab/ci/**` files GitLab projects conventionally include. */
const CONVENTIONAL_CI_FILE = /^\.gitlab\/ci\/(?:.+\/)?[^/]+\.ya?ml$/;
const YAML_FILE = /\.ya?ml$/i;

/** A document's place in a project: its workspace folder and its path relative to it (posix separators). */
export interface ProjectFile {
  readonly folder: vscode.WorkspaceFolder;
  readonly relativePath: string;
}

/** The workspace folder and relative path of a file on disk, or undefined when it is outside every folder. */
export function projectFileOf(uri: vscode.Uri): ProjectFile | undefined {
  if (uri.scheme !== 'file') return undefined;
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder) return undefined;
  const relative = path.relative(folder.uri.fsPath, uri.fsPath);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return { folder, relativePath: relative.split(path.sep).join('/') };
}

/** True for a file that the root pipeline is likely to read: a YAML file, or the configured CI file whatever its name. */
export function mayBePipelineFile(file: ProjectFile, settings: Settings): boolean {
  return YAML_FILE.test(file.relativePath) || file.relativePath === settings.ciConfigPath;
}

/**
 * True when the path alone makes a document a CI file: the root pipeline, a `.gitlab/ci/**` YAML file, or an
 * `extraFiles` glob match. (Files the root pipeline includes are CI files too; the caller knows those.)
 */
export function isCiFileByPath(document: vscode.TextDocument, file: ProjectFile, settings: Settings): boolean {
  if (file.relativePath === settings.ciConfigPath || CONVENTIONAL_CI_FILE.test(file.relativePath)) return true;
  return settings.extraFiles.some((glob) => vscode.languages.match({ pattern: new vscode.RelativePattern(file.folder, glob) }, document) > 0);
}

/** Providers only need YAML files; which of them are CI files is decided by path (see projectFileOf). */
export const CI_DOCUMENT_SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', language: 'yaml' },
  { scheme: 'file', pattern: '**/*.{yml,yaml}' },
];
