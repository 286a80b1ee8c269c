/**
 * What differs between the desktop (Node extension host) and the browser (web worker extension host: GitLab's Web IDE,
 * vscode.dev): how a folder's files and its GitLab project are found, which outputs need a local file system, how a
 * request the browser blocked is told apart. Each entry (extension.ts for Node, web/extension.ts for the browser)
 * hands one to `activateWith`; nothing else asks where it runs.
 */
import type * as vscode from 'vscode';
import type { GitLabContext } from '../core/gitlab/projectContext';
import type { DiskChange } from '../core/pipeline/projectFiles';
import type { Settings } from '../core/settings';
import type { ProjectFiles } from '../core/types';
import type { WizardCredential } from '../core/wizard/credentialWizard';

/** One workspace folder's files for the checks, kept between them until a change is reported. */
export interface FolderFiles {
  /** The files as last read, with unsaved editor texts (by project-relative path) laid over them. */
  files(overlay?: ReadonlyMap<string, string>): ProjectFiles;
  /** Forgets what a change at `relative` made stale; true when a check may now see different files. */
  invalidate(relative: string, change: DiskChange): boolean;
  clear(): void;
  /**
   * Where files are read asynchronously: reads what the checks asked for and did not find held, and settles once it is
   * (check again then). Undefined when the last check saw every file it asked for.
   */
  fetchMissing?(): Promise<void> | undefined;
}

/** The GitLab project of each workspace folder. */
export interface ProjectContexts {
  /** The folder's instance, project path and predefined variables, or null when neither its remote, its URI nor the settings say. */
  contextFor(folder: vscode.WorkspaceFolder, settings: Settings): GitLabContext | null;
  /** Looks again on next use (undefined: every folder). */
  forget(folder?: vscode.WorkspaceFolder): void;
}

export interface Platform {
  folderFiles(folder: vscode.WorkspaceFolder): FolderFiles;
  readonly projects: ProjectContexts;
  /** Merges credentials into `~/.docker/config.json` after asking; absent where there is no local file system. */
  readonly mergeIntoDockerConfig?: (credentials: readonly WizardCredential[], log: vscode.LogOutputChannel) => Promise<boolean>;
  /** The `fetch` registry requests (verification, pull check) go through. */
  readonly registryFetch: typeof fetch;
}

/** Bounds the rounds of `withEveryFile` (each round reads the files the previous one found it needs, e.g. one include level). */
const MAX_READ_ROUNDS = 64;

/** Runs `use` on the folder's files, again after reading what it asked for and missed, until it misses nothing (bounded). */
export async function withEveryFile<T>(files: FolderFiles, overlay: ReadonlyMap<string, string>, use: (files: ProjectFiles) => T): Promise<T> {
  for (let round = 1; ; round++) {
    const result = use(files.files(overlay));
    const reading = files.fetchMissing?.();
    if (!reading || round >= MAX_READ_ROUNDS) return result;
    await reading;
  }
}
