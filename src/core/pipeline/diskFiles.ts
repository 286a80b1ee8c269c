/**
 * `ProjectFiles` over a folder on disk, with unsaved editor texts laid over it. Reads only inside the root:
 * `..`, absolute paths and symlinks whose real path leaves the root are refused. `DiskFileCache` keeps the reads
 * between checks for an owner that is told of every change on disk (the extension's file-system watcher).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProjectFiles } from '../types';
import { normalizeProjectPath, projectFilesOver, type DiskChange, type FileSource } from './projectFiles';

export { normalizeProjectPath, type DiskChange } from './projectFiles';

const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git']);
/** Bounds on one glob walk, so a huge checkout cannot stall the analysis. */
const MAX_GLOB_ENTRIES = 20_000;
const MAX_GLOB_DEPTH = 32;
/** Files beyond this are not read at all (the resolver's own size limit is smaller and reported). */
const MAX_READ_BYTES = 64 * 1024 * 1024;

/**
 * @param root the project folder
 * @param overlay unsaved editor texts by project-relative path; they win over the disk
 */
export function createDiskProjectFiles(root: string, overlay: ReadonlyMap<string, string> = new Map()): ProjectFiles {
  return projectFilesOver(new DiskReader(root), overlay);
}

/**
 * One project folder's disk reads kept between checks: file texts (and misses), their real paths, and the file listing
 * wildcard includes match against. Its owner reports every change under the folder (a file-system watcher) through
 * `invalidate`, and drops the cache when the folder goes. A file read is trusted for a few seconds, then one `stat`
 * confirms it, so a change the watcher never reports (an excluded folder, no watch handles left) shows within seconds.
 * Files in `.git` and `node_modules` (by path or real path) are read from disk every time: watchers skip their insides.
 */
export class DiskFileCache {
  private readonly reader: DiskReader;
  private readonly reads = new Map<string, { read: DiskRead; checkedAt: number }>();
  private listing: readonly string[] | undefined;
  private readonly maxFiles: number;
  private readonly caseInsensitive: boolean;
  private readonly revalidateAfterMs: number;
  private readonly now: () => number;

  /**
   * @param options.maxFiles bound on the texts held; the least recently read go first
   * @param options.caseInsensitive paths compare without case when a change is reported (macOS and Windows disks
   *   usually ignore case: `include: CI/a.yml` reads `ci/a.yml`, and the watcher reports that name); over-invalidating
   *   on a case-sensitive disk there only costs a re-read
   * @param options.revalidateAfterMs how long a read is trusted before a `stat` confirms it
   */
  constructor(
    root: string,
    options: { readonly maxFiles?: number; readonly caseInsensitive?: boolean; readonly revalidateAfterMs?: number; readonly now?: () => number } = {},
  ) {
    this.reader = new DiskReader(root);
    this.maxFiles = options.maxFiles ?? 1_000;
    this.caseInsensitive = options.caseInsensitive ?? (process.platform === 'darwin' || process.platform === 'win32');
    this.revalidateAfterMs = options.revalidateAfterMs ?? 3_000;
    this.now = options.now ?? Date.now;
  }

  /** The folder's files as they were last reported, with unsaved editor texts (by project-relative path) laid over them. */
  files(overlay: ReadonlyMap<string, string> = new Map()): ProjectFiles {
    return projectFilesOver(
      {
        read: (normalized): DiskRead => {
          const cached = this.reads.get(normalized);
          const now = this.now();
          if (cached) {
            const trusted = now - cached.checkedAt < this.revalidateAfterMs;
            if (trusted || this.reader.stamp(normalized) === cached.read.stamp) {
              // Most recently read last, so the bound drops the least recently read.
              this.reads.delete(normalized);
              this.reads.set(normalized, trusted ? cached : { read: cached.read, checkedAt: now });
              return cached.read;
            }
          }
          this.reads.delete(normalized);
          const read = this.reader.read(normalized);
          if (!isSkipped(normalized) && !(read.realPath !== undefined && isSkipped(read.realPath))) {
            this.reads.set(normalized, { read, checkedAt: now });
            if (this.reads.size > this.maxFiles) this.reads.delete(this.reads.keys().next().value!);
          }
          return read;
        },
        list: () => (this.listing ??= this.reader.list()),
      },
      overlay,
    );
  }

  /**
   * Forgets what a change at `relative` (project-relative, a file or a directory) can have made stale: a changed
   * file's text (by requested or real path); for a created or deleted path, everything read at or under it and the
   * listing; for a created path also every miss (a symlink may lead there). True when something held here was
   * dropped, i.e. a check may now see different files.
   */
  invalidate(relative: string, change: DiskChange): boolean {
    const reported = normalizeProjectPath(relative);
    if (!reported) return false;
    const fold = (path: string): string => (this.caseInsensitive ? path.toLowerCase() : path);
    const changed = fold(reported);
    const affects = (path: string | undefined): boolean =>
      path !== undefined && (fold(path) === changed || (change !== 'changed' && fold(path).startsWith(`${changed}/`)));
    // Nothing under .git or node_modules is held, nor listed: creating files there (git does, often) changes nothing here.
    const missesMayAppear = change === 'created' && !isSkipped(changed);
    let dropped = false;
    for (const [path, { read }] of this.reads) {
      if (affects(path) || affects(read.realPath) || (missesMayAppear && read.text === undefined)) {
        this.reads.delete(path);
        dropped = true;
      }
    }
    if (change !== 'changed' && this.listing !== undefined && !isSkipped(changed)) {
      this.listing = undefined;
      dropped = true;
    }
    return dropped;
  }

  /** Forgets everything read. */
  clear(): void {
    this.reads.clear();
    this.listing = undefined;
  }
}

/** One read of a file: its text (undefined when missing, unreadable or outside the root) and its root-relative real path. */
interface DiskRead {
  readonly text: string | undefined;
  readonly realPath: string | undefined;
  /** The file's modification time, size and inode when read (`stampOf`); undefined when there was no file. */
  readonly stamp?: string;
}

function stampOf(stat: fs.Stats): string {
  return `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
}

/** Whether `path` is in a directory the glob walk skips (at any depth), or is one. */
function isSkipped(path: string): boolean {
  return path.split('/').some((segment) => SKIPPED_DIRECTORIES.has(segment));
}

/** Reads straight from the disk, every time. */
class DiskReader implements FileSource<DiskRead> {
  private realRoot: string | undefined;

  constructor(private readonly root: string) {}

  private get rootReal(): string {
    if (this.realRoot === undefined) {
      try {
        this.realRoot = fs.realpathSync(this.root);
      } catch {
        this.realRoot = path.resolve(this.root);
      }
    }
    return this.realRoot;
  }

  read(normalized: string): DiskRead {
    const rootReal = this.rootReal;
    try {
      const real = fs.realpathSync(path.join(rootReal, ...normalized.split('/')));
      const stat = fs.statSync(real);
      const stamp = stampOf(stat);
      const prefix = rootReal.endsWith(path.sep) ? rootReal : rootReal + path.sep;
      if (real !== rootReal && !real.startsWith(prefix)) return { text: undefined, realPath: undefined, stamp };
      const realPath = real.slice(prefix.length).split(path.sep).join('/');
      if (!stat.isFile() || stat.size > MAX_READ_BYTES) return { text: undefined, realPath, stamp };
      return { text: fs.readFileSync(real, 'utf8'), realPath, stamp };
    } catch {
      return { text: undefined, realPath: undefined };
    }
  }

  /** What `read` would record as the stamp of `normalized` now (one `stat`, following symlinks). */
  stamp(normalized: string): string | undefined {
    try {
      return stampOf(fs.statSync(path.join(this.rootReal, ...normalized.split('/'))));
    } catch {
      return undefined;
    }
  }

  list(): readonly string[] {
    const files: string[] = [];
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
        // Symlinks are not followed: a link could leave the root or loop.
        if (entry.isDirectory()) walk(path.join(directory, entry.name), childRelative, depth + 1);
        else if (entry.isFile()) files.push(childRelative);
      }
    };
    walk(this.rootReal, '', 0);
    return files;
  }
}
