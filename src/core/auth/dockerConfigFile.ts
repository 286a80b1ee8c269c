/**
 * Merges registry credentials into a Docker CLI config file (`~/.docker/config.json`) so local `docker pull`s work,
 * without ever leaving a half-written or world-readable file: backup first, then temp file + fsync + rename.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, realpath, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AuthConfigError, authConfigKeyFor, mergeAuthConfig } from './build';
import type { CredentialInput } from './schemas';

export type DockerConfigFileErrorReason = 'invalid-json' | 'not-an-object' | 'invalid-auths' | 'invalid-input' | 'not-a-file';

/** Why the file was left alone. The message names the file and the reason, never its content. */
export class DockerConfigFileError extends Error {
  constructor(
    readonly reason: DockerConfigFileErrorReason,
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'DockerConfigFileError';
  }

  static is(error: unknown, reason?: DockerConfigFileErrorReason): error is DockerConfigFileError {
    return error instanceof DockerConfigFileError && (reason === undefined || error.reason === reason);
  }
}

export interface DockerConfigMergeOptions {
  /** Unused since backups are one file (`config.json.bak`); kept so callers need not change. */
  readonly now?: Date;
  /** Test seam: runs after the new content is durable in the temp file, before it replaces the target. */
  readonly beforeReplace?: (tempPath: string) => Promise<void> | void;
}

export interface DockerConfigMergeResult {
  /** Copy of the previous file (`config.json.bak`, mode 0600, the only backup kept); null when there was none. */
  readonly backupPath: string | null;
  /** True when the file did not exist before. */
  readonly created: boolean;
  /**
   * The `credsStore` helper the file names, or null. With one set, Docker reads credentials from that helper
   * and ignores the `auths` entries just written; the user has to `docker login` instead or remove `credsStore`.
   */
  readonly credsStore: string | null;
  /** Keys just written that a `credHelpers` entry overrides for Docker (the helper wins over `auths`). */
  readonly credHelperKeys: readonly string[];
  /** The `auths` keys written, one per entry. */
  readonly keys: readonly string[];
}

const FILE_MODE = 0o600;
const DIRECTORY_MODE = 0o700;

/**
 * Sets `auths[key].auth = base64(username:secret)` for each entry in a Docker config file, keeping every other key and
 * registry. Keys follow {@link authConfigKeyFor} on the entry's host (Docker CLI looks credentials up by host; Docker Hub
 * is `https://index.docker.io/v1/`). A missing file (and `~/.docker`, created 0700) counts as `{}`.
 * The previous file is backed up, the new one written atomically with mode 0600; a symlinked file is replaced at its target.
 * Throws {@link DockerConfigFileError} and leaves the file untouched when it is not a JSON object or an entry is invalid.
 */
export async function mergeIntoDockerConfigFile(
  path: string,
  entries: readonly CredentialInput[],
  options: DockerConfigMergeOptions = {},
): Promise<DockerConfigMergeResult> {
  const target = await resolveTarget(path);
  const existing = await readExisting(target);
  const hostEntries = entries.map((entry) => ({ ...entry, registry: hostOf(entry.registry) }));

  let merged: string;
  try {
    merged = mergeAuthConfig(existing ?? '', hostEntries);
  } catch (error) {
    if (AuthConfigError.is(error)) throw new DockerConfigFileError(error.reason, path, `${path} was not changed: ${error.message}`);
    throw error;
  }
  const config = JSON.parse(merged) as Record<string, unknown>;
  const keys = hostEntries.map((entry) => authConfigKeyFor(entry.registry));

  const directory = dirname(target);
  await mkdir(directory, { recursive: true, mode: DIRECTORY_MODE });
  const backupPath = existing === undefined ? null : await writeBackup(target, existing);
  await replaceAtomically(target, `${JSON.stringify(config, null, '\t')}\n`, options.beforeReplace);
  await removeStaleTempFiles(target);

  return {
    backupPath,
    created: existing === undefined,
    credsStore: credsStoreOf(config),
    credHelperKeys: keys.filter((key) => credHelperNames(config).has(key)),
    keys,
  };
}

/** `host[:port]` of an entry: Docker CLI matches config keys by host only, so a path would at best be ignored. */
function hostOf(registry: string): string {
  const withoutScheme = registry.trim().replace(/^https?:\/\//i, '');
  return withoutScheme.split('/')[0] ?? withoutScheme;
}

/** The file to write: the path itself, or what it links to (as Docker CLI does, so dotfile symlinks survive). */
async function resolveTarget(path: string): Promise<string> {
  try {
    const stats = await lstat(path);
    const target = stats.isSymbolicLink() ? await realpath(path).catch(() => path) : path;
    if (target !== path) {
      const targetStats = await lstat(target);
      if (!targetStats.isFile()) throw new DockerConfigFileError('not-a-file', path, `${path} is not a regular file; it was not changed.`);
    } else if (!stats.isFile()) {
      throw new DockerConfigFileError('not-a-file', path, `${path} is not a regular file; it was not changed.`);
    }
    return target;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return path;
    throw error;
  }
}

async function readExisting(target: string): Promise<string | undefined> {
  try {
    return await readFile(target, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * One backup, `config.json.bak` next to the file (mode 0600, replaced atomically): a backup holds the previous tokens,
 * so older ones are not kept. Timestamped backups written by earlier versions (`config.json.bak-<UTC stamp>`) are removed.
 */
async function writeBackup(target: string, content: string): Promise<string> {
  const backup = `${target}.bak`;
  await replaceAtomically(backup, content, undefined);
  const older = new RegExp(`^${escapeForRegExp(basename(target))}\\.bak-\\d{8}T\\d{6}Z(?:-\\d+)?$`);
  for (const name of await readdir(dirname(target)).catch(() => [] as string[])) {
    if (older.test(name)) await unlink(join(dirname(target), name)).catch(() => undefined);
  }
  return backup;
}

function escapeForRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const TEMP_PREFIX = '.gitlab-ci-auth-';

/** Temp file in the same directory (same filesystem, so rename is atomic), fsynced before it replaces the target. */
async function replaceAtomically(target: string, content: string, beforeReplace: DockerConfigMergeOptions['beforeReplace']): Promise<void> {
  const tempPath = join(dirname(target), `${TEMP_PREFIX}${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeDurably(tempPath, content, 'wx');
    await beforeReplace?.(tempPath);
    await rename(tempPath, target);
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(target));
}

async function writeDurably(path: string, content: string, flags: 'wx'): Promise<void> {
  const handle = await open(path, flags, FILE_MODE);
  try {
    // open()'s mode is filtered by the umask; make 0600 exact.
    await handle.chmod(FILE_MODE);
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes the rename itself durable. Not possible on every platform (Windows), hence best effort. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}

/** Temp files of earlier writes that were killed before their rename (their process is gone). */
async function removeStaleTempFiles(target: string): Promise<void> {
  const prefix = `${TEMP_PREFIX}${basename(target)}.`;
  const names = await readdir(dirname(target)).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isProcessAlive(pid)) await unlink(join(dirname(target), name)).catch(() => undefined);
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Go's encoding/json (Docker CLI) matches field names case-insensitively. */
function fieldFolded(config: Record<string, unknown>, field: string): unknown {
  const key = Object.keys(config).find((candidate) => candidate.toLowerCase() === field.toLowerCase());
  return key === undefined ? undefined : config[key];
}

function credsStoreOf(config: Record<string, unknown>): string | null {
  const value = fieldFolded(config, 'credsStore');
  return typeof value === 'string' && value !== '' ? value : null;
}

function credHelperNames(config: Record<string, unknown>): Set<string> {
  const helpers = fieldFolded(config, 'credHelpers');
  return new Set(typeof helpers === 'object' && helpers !== null ? Object.keys(helpers) : []);
}
