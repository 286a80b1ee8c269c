/**
 * `ProjectFiles` over any source of a folder's files, with unsaved editor texts laid over it, and GitLab's
 * `include: local` wildcards (pathGlob.ts). No Node API here: the desktop's disk reader (diskFiles.ts) and the browser's
 * pre-read `vscode.workspace.fs` texts (prefetchedFiles.ts) both build on it.
 */
import type { ProjectFiles } from '../types';
import { localIncludeGlob } from './pathGlob';

/** What a file-system watcher reports about a path. */
export type DiskChange = 'changed' | 'created' | 'deleted';

/** A project-relative posix path without `.` segments, or undefined when it is absolute or climbs out with `..`. */
export function normalizeProjectPath(relative: string): string | undefined {
  if (relative === '' || relative.includes('\0') || relative.startsWith('/') || relative.includes('\\') || /^[a-zA-Z]:/.test(relative)) return undefined;
  const segments: string[] = [];
  for (const segment of relative.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') return undefined;
    segments.push(segment);
  }
  return segments.length > 0 ? segments.join('/') : undefined;
}

/** What `projectFilesOver` needs of a folder's files. */
export interface FileSource<Read extends { readonly text: string | undefined } = { readonly text: string | undefined }> {
  /** `normalized` is a project path from `normalizeProjectPath`; `text` is undefined when the file is missing or unreadable. */
  read(normalized: string): Read;
  /** Every file under the root, in walk order (within the walk's bounds). */
  list(): readonly string[];
}

export function projectFilesOver(source: FileSource, overlay: ReadonlyMap<string, string>): ProjectFiles {
  const normalizedOverlay = new Map<string, string>();
  for (const [key, text] of overlay) {
    const normalized = normalizeProjectPath(key.replace(/^\/+/, ''));
    if (normalized) normalizedOverlay.set(normalized, text);
  }

  return {
    read(relative: string): string | undefined {
      const normalized = normalizeProjectPath(relative);
      if (!normalized) return undefined;
      return normalizedOverlay.get(normalized) ?? source.read(normalized).text;
    },

    glob(pattern: string): readonly string[] {
      const normalizedPattern = pattern.replace(/^\/+/, '').replace(/^(\.\/)+/, '');
      const matcher = localIncludeGlob(normalizedPattern);
      const found = new Set<string>();
      for (const key of normalizedOverlay.keys()) if (matcher.matches(key)) found.add(key);
      for (const file of source.list()) if (matcher.matches(file)) found.add(file);
      return [...found].sort();
    },
  };
}
