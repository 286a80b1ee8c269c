/**
 * `ProjectFiles` over any source of a folder's files, with unsaved editor texts laid over it, and GitLab's
 * `include: local` wildcards. No Node API here: the desktop's disk reader (diskFiles.ts) and the browser's
 * pre-read `vscode.workspace.fs` texts (prefetchedFiles.ts) both build on it.
 */
import type { ProjectFiles } from '../types';

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

/** Longest `include: local` wildcard matched at all: a longer one matches nothing (it is reported as not found). */
export const MAX_GLOB_PATTERN_LENGTH = 1024;

/** A compiled wildcard: `test` answers in time linear in the path (times the pattern's length, which is bounded). */
export interface LocalIncludeMatcher {
  test(path: string): boolean;
}

const ANY = -1; // `**`: any character, `/` included
const SEGMENT = -2; // `*`: any character but `/`

/**
 * GitLab's `include: local` wildcard: `**` matches any characters including `/`, `*` any except `/`,
 * the rest literally, against the whole project-relative path. Matched by stepping the set of pattern positions
 * through the path once (no backtracking regular expression: `**` repeated against a long name stays linear).
 */
export function localIncludeGlob(pattern: string): LocalIncludeMatcher {
  if (pattern.length > MAX_GLOB_PATTERN_LENGTH) return { test: () => false };
  const tokens: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '*' && pattern[i + 1] === '*') {
      tokens.push(ANY);
      i++;
    } else tokens.push(pattern[i] === '*' ? SEGMENT : pattern.charCodeAt(i));
  }
  const count = tokens.length;
  /** Adds the positions reachable from the marked ones without reading a character (a star matching nothing). */
  const close = (states: Uint8Array): void => {
    for (let i = 0; i < count; i++) if (states[i] && tokens[i]! < 0) states[i + 1] = 1;
  };
  return {
    test(path: string): boolean {
      let current = new Uint8Array(count + 1);
      let next = new Uint8Array(count + 1);
      current[0] = 1;
      close(current);
      for (let at = 0; at < path.length; at++) {
        const code = path.charCodeAt(at);
        next.fill(0);
        let alive = false;
        for (let i = 0; i < count; i++) {
          if (!current[i]) continue;
          const token = tokens[i]!;
          if (token === ANY || (token === SEGMENT && code !== 0x2f)) next[i] = 1;
          else if (token === code) next[i + 1] = 1;
          else continue;
          alive = true;
        }
        if (!alive) return false;
        close(next);
        [current, next] = [next, current];
      }
      return current[count] === 1;
    },
  };
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
      for (const key of normalizedOverlay.keys()) if (matcher.test(key)) found.add(key);
      for (const file of source.list()) if (matcher.test(file)) found.add(file);
      return [...found].sort();
    },
  };
}
