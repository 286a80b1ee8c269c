/**
 * Which documents are GitLab CI files, decided by path (language ids vary: `yaml`, `gitlab-ci`...).
 * A CI file belongs to the project of its workspace folder; the folder's root pipeline is `ciConfigPath`.
 */
import * as vscode from 'vscode';
import { normalizeProjectPath } from '../core/pipeline/projectFiles';
import type { Settings } from '../core/settings';

/** `.gitlab/ci/**` files GitLab projects conventionally include. */
const CONVENTIONAL_CI_FILE = /^\.gitlab\/ci\/(?:.+\/)?[^/]+\.ya?ml$/;
const YAML_FILE = /\.ya?ml$/i;

/** A document's place in a project: its workspace folder and its path relative to it (posix separators). */
export interface ProjectFile {
  readonly folder: vscode.WorkspaceFolder;
  readonly relativePath: string;
}

/**
 * The workspace folder and relative path of a file in it (on disk, or on the folder's virtual file system in the
 * browser), or undefined when it is outside every folder (other schemes, such as `git:` or `untitled:`, included).
 */
export function projectFileOf(uri: vscode.Uri): ProjectFile | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const relativePath = folder && relativePathIn(folder.uri, uri);
  return relativePath === undefined ? undefined : { folder: folder!, relativePath };
}

/** `uri`'s path below `base` (posix, project-relative), or undefined when it is not strictly inside it (another scheme or authority, `base` itself, `..`). */
export function relativePathIn(base: vscode.Uri, uri: vscode.Uri): string | undefined {
  if (uri.scheme !== base.scheme || uri.authority.toLowerCase() !== base.authority.toLowerCase()) return undefined;
  const root = base.path.endsWith('/') ? base.path : `${base.path}/`;
  // Case-insensitive disks (Windows drive letters, macOS): VS Code matched the folder the same way.
  if (!uri.path.startsWith(root) && !uri.path.toLowerCase().startsWith(root.toLowerCase())) return undefined;
  return normalizeProjectPath(uri.path.slice(root.length));
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
export const CI_DOCUMENT_SELECTOR: vscode.DocumentSelector = [{ language: 'yaml' }, { pattern: '**/*.{yml,yaml}' }];
