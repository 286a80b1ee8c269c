/**
 * A folder's files where they can only be read asynchronously (VS Code for the Web reads through
 * `vscode.workspace.fs`), served to the synchronous resolver from what was read before. A check through `files()`
 * records what it asked for and did not have; `fetchMissing()` reads that, and the owner checks again once it is held,
 * until a check asks for nothing new. Every path is read at most once until a change is reported, and at most
 * `maxFiles` are held, so the rounds end.
 */
import type { ProjectFiles } from '../types';
import { normalizeProjectPath, projectFilesOver, type DiskChange } from './projectFiles';

/** How the files are really read; both never reject (a failure is a missing file, an empty listing). */
export interface AsyncFileReader {
  /** The file's text; undefined when it is missing, no regular file, too large or unreadable. */
  read(normalized: string): Promise<string | undefined>;
  /** Every file under the root, project-relative (within the reader's bounds). */
  list(): Promise<readonly string[]>;
}

export class PrefetchedFiles {
  /** Texts read, by normalized path; undefined: read and found missing. */
  private readonly texts = new Map<string, string | undefined>();
  private listing: readonly string[] | undefined;
  /** Asked for by a check, neither held nor being read. */
  private readonly missing = new Set<string>();
  private listingMissing = false;
  /** Being read now. */
  private readonly reading = new Set<string>();
  private inflight: Promise<void> | undefined;
  /** Bumped by every reported change: reads started before it are dropped when they land. */
  private generation = 0;

  constructor(
    private readonly reader: AsyncFileReader,
    private readonly maxFiles = 1_000,
  ) {}

  /** The files held now, with unsaved editor texts (by project-relative path) laid over them; what is not held yet reads as missing and is noted. */
  files(overlay: ReadonlyMap<string, string> = new Map()): ProjectFiles {
    return projectFilesOver(
      {
        read: (normalized) => {
          if (this.texts.has(normalized)) return { text: this.texts.get(normalized) };
          if (!this.reading.has(normalized) && this.texts.size + this.reading.size + this.missing.size < this.maxFiles) this.missing.add(normalized);
          return { text: undefined };
        },
        list: () => {
          if (this.listing === undefined) this.listingMissing = true;
          return this.listing ?? [];
        },
      },
      overlay,
    );
  }

  /**
   * Starts reading what checks asked for and this does not hold; settles once everything asked for so far is held
   * (then check again). Undefined when nothing is missing or being read: the last check saw every file it asked for.
   */
  fetchMissing(): Promise<void> | undefined {
    if (this.missing.size === 0 && !this.listingMissing) return this.inflight;
    const generation = this.generation;
    const paths = [...this.missing];
    this.missing.clear();
    for (const path of paths) this.reading.add(path);
    const reads = paths.map(async (path) => {
      const text = await this.reader.read(path).catch(() => undefined);
      if (generation !== this.generation) return;
      this.reading.delete(path);
      this.texts.set(path, text);
    });
    if (this.listingMissing) {
      this.listingMissing = false;
      reads.push(
        this.reader.list().then(
          (listing) => {
            if (generation === this.generation) this.listing = listing;
          },
          () => undefined,
        ),
      );
    }
    const round: Promise<void> = Promise.all([this.inflight, ...reads]).then(() => {
      if (this.inflight === round) this.inflight = undefined;
    });
    this.inflight = round;
    return round;
  }

  /**
   * Forgets what a change at `relative` (a file or a directory) can have made stale: the texts at or under it, the
   * listing when something appeared or went, every known miss when something appeared. True when something held was
   * dropped (a check may now see different files).
   */
  invalidate(relative: string, change: DiskChange): boolean {
    const changed = normalizeProjectPath(relative);
    if (!changed) return false;
    const affects = (path: string): boolean => path === changed || (change !== 'changed' && path.startsWith(`${changed}/`));
    let dropped = false;
    for (const [path, text] of this.texts) {
      if (affects(path) || (change === 'created' && text === undefined)) {
        this.texts.delete(path);
        dropped = true;
      }
    }
    if (change !== 'changed' && this.listing !== undefined) {
      this.listing = undefined;
      dropped = true;
    }
    // A read under way may have seen the file before the change: start those over.
    this.restartReads();
    return dropped;
  }

  /** Forgets everything read. */
  clear(): void {
    this.texts.clear();
    this.listing = undefined;
    this.restartReads();
  }

  private restartReads(): void {
    this.generation++;
    this.reading.clear();
    this.inflight = undefined;
  }
}
