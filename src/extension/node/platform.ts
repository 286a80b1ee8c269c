/** The desktop: files and the git remote read from the local disk, `~/.docker/config.json` offered. */
import type * as vscode from 'vscode';
import { DiskFileCache } from '../../core/pipeline/diskFiles';
import type { Platform, ProjectContexts } from '../platform';
import { ProjectContextResolver } from '../projectContext';
import { uriProjectContexts, workspaceFolderFiles } from '../workspaceFiles';
import { mergeIntoDockerConfigWithConfirmation } from './dockerConfigOutput';

/** A folder on disk: its `origin` remote and the settings; a virtual folder (e.g. a remote repository): its URI and the settings. */
function gitRemoteContexts(): ProjectContexts {
  const resolver = new ProjectContextResolver();
  const onDisk = (folder: vscode.WorkspaceFolder) => folder.uri.scheme === 'file';
  return {
    contextFor: (folder, settings) => (onDisk(folder) ? resolver.contextFor(folder.uri.fsPath, settings) : uriProjectContexts.contextFor(folder, settings)),
    forget: (folder) => resolver.forget(folder?.uri.fsPath),
  };
}

export function nodePlatform(): Platform {
  return {
    folderFiles: (folder) => (folder.uri.scheme === 'file' ? new DiskFileCache(folder.uri.fsPath) : workspaceFolderFiles(folder)),
    projects: gitRemoteContexts(),
    mergeIntoDockerConfig: mergeIntoDockerConfigWithConfirmation,
    registryFetch: fetch,
  };
}
