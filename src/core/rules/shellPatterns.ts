/**
 * Recognisers for the few shell idioms the rules and quick fixes care about. They work on raw script text:
 * a false negative only costs a missed hint, so they aim at the common spellings, not at parsing shell.
 */
import { trimTrailing } from '../text';

/** `echo [-n] $DOCKER_AUTH_CONFIG` / `"$DOCKER_AUTH_CONFIG"` / `${DOCKER_AUTH_CONFIG}` followed by a redirect or `| tee`. */
export interface AuthConfigEcho {
  /** Offsets into the searched text: from `echo` to the end of the variable (closing quote included). */
  readonly start: number;
  readonly end: number;
  /** The variable exactly as written (`$DOCKER_AUTH_CONFIG` or `${DOCKER_AUTH_CONFIG}`). */
  readonly variable: string;
  readonly quoted: boolean;
  /** Where the output goes (`~/.docker/config.json`...), as written. */
  readonly target: string;
}

const ECHO = /\becho((?:\s+-[neE]+)*)\s+(\\?"|')?(\$\{DOCKER_AUTH_CONFIG\}|\$DOCKER_AUTH_CONFIG(?![A-Za-z0-9_]))/g;
const REDIRECT_AFTER = /^\s*(?:>>?|\|\s*(?:sudo\s+)?tee(?:\s+-a)?)\s*(\\?["']?)([^\s;&|"'\\]+)/;

/** Every `echo $DOCKER_AUTH_CONFIG > file` in a script text. */
export function findAuthConfigEchoes(text: string): AuthConfigEcho[] {
  const found: AuthConfigEcho[] = [];
  if (!text.includes('DOCKER_AUTH_CONFIG')) return found; // what ECHO needs, found without running it
  for (const match of text.matchAll(ECHO)) {
    const open = match[2] ?? '';
    let end = match.index + match[0].length;
    if (open) {
      // Only a matching closing quote right after the variable makes it a quoted argument.
      if (!text.startsWith(open, end)) continue;
      end += open.length;
    }
    const redirect = REDIRECT_AFTER.exec(text.slice(end));
    if (!redirect) continue;
    found.push({ start: match.index, end, variable: match[3]!, quoted: open !== '', target: redirect[2]! });
  }
  return found;
}

/** True when the script line runs the kaniko executor and pushes: `--destination`/`-d` without `--no-push`. */
export function isKanikoPush(line: string): boolean {
  if (!/(?:^|[\s;&|(])\/kaniko\/executor(?![\w/-])/.test(line)) return false;
  if (/--no-push(?![\w-])(?!=false)/.test(line)) return false;
  return /(?:--destination|(?:^|\s)-d)(?:[\s=])/.test(line);
}

/** Offset of the kaniko executor call in a script text, or -1. */
export function kanikoExecutorOffset(text: string): number {
  const match = /\/kaniko\/executor(?![\w/-])/.exec(text);
  return match ? match.index : -1;
}

/**
 * True when the script text writes a docker `config.json` into one of `directories` (e.g. `/kaniko/.docker`):
 * a redirect, `tee`, `cp`/`mv`/`install`/`ln` onto the file or into the directory. Linear in the text: a copy is
 * recognised per command (split at `;`, `&`, `|` and line ends) by its last word, not by a backtracking pattern.
 */
export function writesDockerConfig(text: string, directories: readonly string[]): boolean {
  const targets = new Set<string>();
  for (const directory of directories) {
    const dir = trimTrailing(directory, '/');
    targets.add(`${dir}/config.json`).add(dir).add(`${dir}/`);
    const redirect = new RegExp(`(?:>>?|\\btee\\b(?:\\s+-a)?)\\s*["']?${escapeRegExp(dir)}/config\\.json(?![\\w.-])`);
    if (redirect.test(text)) return true;
  }
  for (const command of text.split(/[;&|\n]/)) {
    const words = command.trim().split(/\s+/);
    if (words.length < 2) continue;
    const target = stripQuotes(words[words.length - 1]!);
    if (!targets.has(target)) continue;
    if (/\b(?:cp|mv|install|ln)\b/.test(words.slice(0, -1).join(' '))) return true;
  }
  return false;
}

function stripQuotes(word: string): string {
  const start = word.startsWith('"') || word.startsWith("'") ? 1 : 0;
  const end = word.endsWith('"') || word.endsWith("'") ? word.length - 1 : word.length;
  return start < end ? word.slice(start, end) : word;
}

/** Directories a script line sets `DOCKER_CONFIG` to (`export DOCKER_CONFIG=/x` or `DOCKER_CONFIG=/x cmd`). */
export function dockerConfigDirectories(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/\bDOCKER_CONFIG=(["']?)([^\s"';&|]+)\1/g)) found.push(match[2]!);
  return found;
}

/** A command that talks to a registry with the docker CLI (where a docker job's config must exist first). */
export function isDockerRegistryCommand(line: string): boolean {
  return /(?:^|[\s;&|(])docker\s+(?:(?:buildx\s+)?build|push|pull|run|login|compose|tag|image\s+push|manifest)\b/.test(line);
}

/** `docker login ... -p literal` / `--password literal` / `--password=literal`: the literal's offsets, else null. */
export function literalDockerLoginPassword(text: string): { start: number; end: number } | null {
  if (!text.includes('login')) return null; // what `login` needs, found without running it
  const login = /\bdocker\s+login\b[^\n;&|]*/g;
  for (const command of text.matchAll(login)) {
    const flag = /(?:^|\s)(?:-p|--password)(?:\s+|=)(["']?)([^\s"';&|]+)\1/.exec(command[0]);
    if (!flag) continue;
    const value = flag[2]!;
    // `$VAR`, `${VAR}`, `$(cmd)` are references, not committed secrets.
    if (value.startsWith('$') || value.startsWith('`')) continue;
    const start = command.index + flag.index + flag[0].length - value.length - flag[1]!.length;
    return { start, end: start + value.length };
  }
  return null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
