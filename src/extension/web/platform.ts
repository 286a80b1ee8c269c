/**
 * The browser (web worker extension host): files read through `vscode.workspace.fs`, the GitLab project from the
 * workspace URI and the settings (no git here), no local file system to write to, registry requests that the browser
 * may block (CORS) told apart.
 */
import { browserRegistryFetch } from '../../core/registry/browserFetch';
import type { Platform } from '../platform';
import { uriProjectContexts, workspaceFolderFiles } from '../workspaceFiles';

export function browserPlatform(): Platform {
  return { folderFiles: workspaceFolderFiles, projects: uriProjectContexts, registryFetch: browserRegistryFetch() };
}
