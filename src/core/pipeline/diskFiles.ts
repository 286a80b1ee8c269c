/**
 * `ProjectFiles` over a folder on disk, with unsaved editor texts laid over it. Reads only inside the root:
 * `..`, absolute paths and symlinks whose real path leaves the root are refused.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProjectFiles } from '../types';

const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git']);
/** Bounds on one glob walk, so a huge checkout cannot stall the analysis. */
const MAX_GLOB_ENTRIES = 20_000;
const MAX_GLOB_DEPTH = 32;
/** Files beyond this are not read at all (the resolver's own size limit is smaller and reported). */
const MAX_READ_BYTES = 64 * 1024 * 1024;

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

/**
 * GitLab's `include: local` wildcard: `**` matches any characters including `/`, `*` any except `/`,
 * the rest literally, against the whole project-relative path.
 */
export function localIncludeGlob(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (pattern[i] === '*') source += '[^/]*';
    else source += pattern[i]!.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * @param root the project folder
 * @param overlay unsaved editor texts by project-relative path; they win over the disk
 */
export function createDiskProjectFiles(root: string, overlay: ReadonlyMap<string, string> = new Map()): ProjectFiles {
  const rootReal = (() => {
    try {
      return fs.realpathSync(root);
    } catch {
      return path.resolve(root);
    }
  })();
  const inside = (real: string): boolean => real === rootReal || real.startsWith(rootReal.endsWith(path.sep) ? rootReal : rootReal + path.sep);
  const normalizedOverlay = new Map<string, string>();
  for (const [key, text] of overlay) {
    const normalized = normalizeProjectPath(key.replace(/^\/+/, ''));
    if (normalized) normalizedOverlay.set(normalized, text);
  }

  return {
    read(relative: string): string | undefined {
      const normalized = normalizeProjectPath(relative);
      if (!normalized) return undefined;
      const unsaved = normalizedOverlay.get(normalized);
      if (unsaved !== undefined) return unsaved;
      try {
        const real = fs.realpathSync(path.join(rootReal, ...normalized.split('/')));
        if (!inside(real)) return undefined;
        const stat = fs.statSync(real);
        if (!stat.isFile() || stat.size > MAX_READ_BYTES) return undefined;
        return fs.readFileSync(real, 'utf8');
      } catch {
        return undefined;
      }
    },

    glob(pattern: string): readonly string[] {
      const normalizedPattern = pattern.replace(/^\/+/, '').replace(/^(\.\/)+/, '');
      const matcher = localIncludeGlob(normalizedPattern);
      const found = new Set<string>();
      for (const key of normalizedOverlay.keys()) if (matcher.test(key)) found.add(key);
      let visited = 0;
      const walk = (directory: string, relative: string, depth: number): void => {
        if (depth > MAX_GLOB_DEPTH) return;
        let entries: fs.Dirent[];
        try {
          entries = fs.readdirSync(directory, { withFileTypes: true });
        } catch {
          return;
        }
        for (const entry of entries) {
          if (++visited > MAX_GLOB_ENTRIES) return;
          if (SKIPPED_DIRECTORIES.has(entry.name)) continue;
          const childRelative = relative ? `${relative}/${entry.name}` : entry.name;
          const childPath = path.join(directory, entry.name);
          // Symlinks are not followed: a link could leave the root or loop.
          if (entry.isDirectory()) walk(childPath, childRelative, depth + 1);
          else if (entry.isFile() && matcher.test(childRelative)) found.add(childRelative);
        }
      };
      walk(rootReal, '', 0);
      return [...found].sort();
    },
  };
}
