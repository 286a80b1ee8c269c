/**
 * The GitLab project a workspace folder belongs to, from its git `origin` remote and the GitLab settings.
 * Reads the git configuration files directly (no `git` process): `.git` may be a directory, or a file pointing
 * at the real git dir (worktrees, submodules), whose `commondir` then holds the shared `config`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitlabContextFromRemote, type GitLabContext } from '../core/gitlab/projectContext';
import type { Settings } from '../core/settings';

/** Where a folder's git configuration lives, or undefined when the folder is not in a git repository. */
export function findGitConfigFile(folderPath: string): string | undefined {
  for (let dir = path.resolve(folderPath); ; dir = path.dirname(dir)) {
    const gitDir = gitDirAt(dir);
    if (gitDir) {
      const commonDir = readFirstLine(path.join(gitDir, 'commondir'));
      const configDir = commonDir ? path.resolve(gitDir, commonDir) : gitDir;
      const configFile = path.join(configDir, 'config');
      return isFile(configFile) ? configFile : undefined;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

function gitDirAt(dir: string): string | undefined {
  const dotGit = path.join(dir, '.git');
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dotGit);
  } catch {
    return undefined;
  }
  if (stat.isDirectory()) return dotGit;
  // A worktree or submodule: ".git" is a file saying "gitdir: <path>", relative to the file's folder.
  const pointer = readFirstLine(dotGit)
    ?.match(/^gitdir:(.+)$/)?.[1]!
    .trim();
  return pointer ? path.resolve(dir, pointer) : undefined;
}

function readFirstLine(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').split(/\r?\n/)[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

interface GitConfigEntry {
  readonly section: string;
  readonly subsection: string | undefined;
  readonly key: string;
  readonly value: string;
}

/** The entries of a git config file, in order. Section and key names are case-insensitive (lower-cased here); subsections are not. */
export function parseGitConfig(text: string): GitConfigEntry[] {
  const entries: GitConfigEntry[] = [];
  let section = '';
  let subsection: string | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = line.match(/^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]/);
    if (header) {
      const [, name, quoted] = header;
      // The legacy form [section.subsection] lower-cases the subsection.
      const dot = quoted === undefined ? name!.indexOf('.') : -1;
      section = (dot >= 0 ? name!.slice(0, dot) : name!).toLowerCase();
      subsection = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : dot >= 0 ? name!.slice(dot + 1).toLowerCase() : undefined;
      continue;
    }
    const assignment = line.match(/^([A-Za-z][A-Za-z0-9-]*)\s*(?:=(.*))?$/);
    if (!assignment || section === '') continue;
    entries.push({ section, subsection, key: assignment[1]!.toLowerCase(), value: parseValue(assignment[2] ?? 'true') });
  }
  return entries;
}

function parseValue(raw: string): string {
  let value = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i]!;
    if (char === '"') quoted = !quoted;
    else if (char === '\\' && i + 1 < raw.length) value += raw[++i];
    else if ((char === '#' || char === ';') && !quoted) break;
    else value += char;
  }
  return value.trim();
}

/**
 * The URL of the `origin` remote (or of the only remote when there is no `origin`), after git's
 * `url.<base>.insteadOf` rewriting. Undefined when there is none.
 */
export function remoteUrlFromGitConfig(text: string): string | undefined {
  const entries = parseGitConfig(text);
  const remotes = new Map<string, string>();
  for (const entry of entries) {
    if (entry.section === 'remote' && entry.subsection !== undefined && entry.key === 'url' && !remotes.has(entry.subsection)) {
      remotes.set(entry.subsection, entry.value);
    }
  }
  const url = remotes.get('origin') ?? (remotes.size === 1 ? [...remotes.values()][0] : undefined);
  if (url === undefined) return undefined;
  // git applies the longest matching insteadOf prefix.
  let best: { base: string; prefix: string } | undefined;
  for (const entry of entries) {
    if (entry.section !== 'url' || entry.subsection === undefined || entry.key !== 'insteadof') continue;
    if (url.startsWith(entry.value) && (!best || entry.value.length > best.prefix.length)) best = { base: entry.subsection, prefix: entry.value };
  }
  return best ? best.base + url.slice(best.prefix.length) : url;
}

/**
 * How long a folder's git lookup (the walk up to `.git` and the config file's modification time) is trusted without
 * looking again. Hovers and checks run many times a second while typing; a `.git` inside the folder is also watched
 * (`forget`), this bounds how late a change elsewhere (a parent repository's config) is seen.
 */
const GIT_LOOKUP_TTL_MS = 2_000;

interface RemoteLookup {
  readonly configFile: string | undefined;
  readonly mtimeMs: number;
  readonly remoteUrl: string | undefined;
  readonly lookedAt: number;
}

/** Remembers each folder's remote until its git config file changes. */
export class ProjectContextResolver {
  private readonly cache = new Map<string, RemoteLookup>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The folder's `origin` remote URL, re-read only when `.git/config` changed. */
  remoteUrl(folderPath: string): string | undefined {
    const cached = this.cache.get(folderPath);
    const now = this.now();
    if (cached && now - cached.lookedAt < GIT_LOOKUP_TTL_MS) return cached.remoteUrl;
    const configFile = findGitConfigFile(folderPath);
    const mtimeMs = configFile ? modifiedTime(configFile) : 0;
    if (cached && cached.configFile === configFile && cached.mtimeMs === mtimeMs) {
      this.cache.set(folderPath, { ...cached, lookedAt: now });
      return cached.remoteUrl;
    }
    let remoteUrl: string | undefined;
    try {
      remoteUrl = configFile ? remoteUrlFromGitConfig(fs.readFileSync(configFile, 'utf8')) : undefined;
    } catch {
      remoteUrl = undefined;
    }
    this.cache.set(folderPath, { configFile, mtimeMs, remoteUrl, lookedAt: now });
    return remoteUrl;
  }

  /** Looks again on next use: the folder's git files changed, or the folder went (undefined: every folder). */
  forget(folderPath?: string): void {
    if (folderPath === undefined) this.cache.clear();
    else this.cache.delete(folderPath);
  }

  /** The folder's GitLab project (instance, registry, predefined CI variables), or null when neither the remote nor the settings say. */
  contextFor(folderPath: string, settings: Settings): GitLabContext | null {
    return gitlabContextFromRemote(this.remoteUrl(folderPath) ?? '', {
      instanceUrl: settings.gitlab.instanceUrl,
      registryHost: settings.gitlab.registryHost,
      projectPath: settings.gitlab.projectPath,
    });
  }
}

function modifiedTime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
