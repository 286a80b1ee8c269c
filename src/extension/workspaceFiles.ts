/**
 * A workspace folder's files read through `vscode.workspace.fs`, for hosts without a local disk (the browser) and for
 * virtual folders on the desktop. The resolver reads synchronously, so the reads are done ahead (`PrefetchedFiles`).
 */
import * as vscode from 'vscode';
import { PrefetchedFiles, type AsyncFileReader } from '../core/pipeline/prefetchedFiles';
import { gitlabContextFromRemote, remoteUrlOfFolderUri } from '../core/gitlab/projectContext';
import type { FolderFiles, ProjectContexts } from './platform';

const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git']);
/** The same bounds as the desktop's disk reader (diskFiles.ts). */
const MAX_LIST_ENTRIES = 20_000;
const MAX_LIST_DEPTH = 32;
const MAX_READ_BYTES = 64 * 1024 * 1024;

export function workspaceFolderFiles(folder: vscode.WorkspaceFolder): FolderFiles {
  return new PrefetchedFiles(workspaceReader(folder.uri));
}

/**
 * Reads below `root` only: paths come normalized (no `..`), and symbolic links are not followed (where they lead cannot
 * be told here, so a link out of the folder is never read).
 */
function workspaceReader(root: vscode.Uri): AsyncFileReader {
  const fs = vscode.workspace.fs;
  return {
    async read(normalized) {
      try {
        const uri = vscode.Uri.joinPath(root, ...normalized.split('/'));
        const stat = await fs.stat(uri);
        if (stat.type !== vscode.FileType.File || stat.size > MAX_READ_BYTES) return undefined;
        return new TextDecoder().decode(await fs.readFile(uri));
      } catch {
        return undefined;
      }
    },
    async list() {
      const files: string[] = [];
      let visited = 0;
      const walk = async (directory: vscode.Uri, relative: string, depth: number): Promise<void> => {
        if (depth > MAX_LIST_DEPTH) return;
        let entries: [string, vscode.FileType][];
        try {
          entries = await fs.readDirectory(directory);
        } catch {
          return;
        }
        for (const [name, type] of entries) {
          if (++visited > MAX_LIST_ENTRIES) return;
          if (SKIPPED_DIRECTORIES.has(name)) continue;
          const childRelative = relative ? `${relative}/${name}` : name;
          if (type === vscode.FileType.Directory) await walk(vscode.Uri.joinPath(directory, name), childRelative, depth + 1);
          else if (type === vscode.FileType.File) files.push(childRelative);
        }
      };
      await walk(root, '', 0);
      return files;
    },
  };
}

/**
 * The GitLab project from the settings and, for a folder opened by GitLab Workflow's remote file system
 * (`gitlab-remote://<instance host>/<label>?project=<group/project>&ref=<ref>`), from its URI.
 */
export const uriProjectContexts: ProjectContexts = {
  contextFor(folder, settings) {
    return gitlabContextFromRemote(remoteUrlOfFolderUri(folder.uri) ?? '', {
      instanceUrl: settings.gitlab.instanceUrl,
      registryHost: settings.gitlab.registryHost,
      projectPath: settings.gitlab.projectPath,
    });
  },
  forget() {},
};
