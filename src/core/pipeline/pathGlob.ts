/**
 * The two path patterns of GitLab CI, on one automaton. They are different languages, not one with options:
 *
 * - `fnmatch` — `rules: exists:` (include rules and job rules): Ruby's
 *   `File.fnmatch?(glob, path, File::FNM_PATHNAME | File::FNM_DOTMATCH | File::FNM_EXTGLOB)`
 *   (lib/gitlab/ci/build/rules/rule/clause/exists.rb `pattern_match?`): `*`, `?` and `[…]` never match `/`; `**​/` at
 *   the start of a segment matches any number of directories (elsewhere `**` is `*`); a leading `.` needs no literal
 *   (DOTMATCH); `{a,b}` alternatives (EXTGLOB); `\` escapes.
 * - `include-wildcard` — `include: local:` with a `*` (Mapper::LocationExpander#expand_wildcard_paths →
 *   app/models/repository.rb `search_files_by_wildcard_path`): the path is `RE2::Regexp.escape`d, then `**` becomes
 *   `.*?` (any run, `/` included, but not a line break: RE2's `.`) and `*` becomes `([^/])*?`, anchored at both ends.
 *   Everything else is literal: `?`, `[`, `{` and `\` are plain characters, and `configs/**.yml` matches files in
 *   every folder under `configs/`.
 *
 * Linear in the path for a bounded pattern: the pattern becomes a small automaton whose set of live states is
 * stepped once per path character (no backtracking), so a hostile pattern or path costs at most
 * `path length × pattern length` steps. Patterns past the bounds are `undefined` (undecidable), not guessed.
 */

export type GlobDialect = 'fnmatch' | 'include-wildcard';

/** Longest pattern matched at all (both dialects). */
export const MAX_GLOB_PATTERN_LENGTH = 1_024;
/** Brace alternatives one pattern may expand to (`{a,b}{c,d}…` doubles each time). */
const MAX_ALTERNATIVES = 64;

type State =
  | { readonly kind: 'char'; readonly char: string }
  | { readonly kind: 'any' }
  | { readonly kind: 'class'; readonly negated: boolean; readonly ranges: readonly (readonly [string, string])[] }
  /** `*`: any run of characters but `/`. */
  | { readonly kind: 'star' }
  /** `**` of an include wildcard: any run of characters but a line break, `/` included. */
  | { readonly kind: 'anyRun' }
  /** `**​/`: any run of whole directories; `inside` is its state within one directory name. */
  | { readonly kind: 'dirs' };

/** A compiled pattern. */
export interface PathGlob {
  matches(path: string): boolean;
}

/** `{a,b}` expanded to its alternatives (nested braces too); undefined past MAX_ALTERNATIVES. */
function expandBraces(pattern: string): string[] | undefined {
  let open = -1;
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\') {
      i++;
      continue;
    }
    if (char === '{') {
      if (depth === 0) open = i;
      depth++;
    } else if (char === '}' && depth > 0) {
      depth--;
      if (depth > 0) continue;
      // The outermost pair: split its inside at top-level commas.
      const inside = pattern.slice(open + 1, i);
      const parts: string[] = [];
      let start = 0;
      let level = 0;
      for (let j = 0; j < inside.length; j++) {
        if (inside[j] === '\\') j++;
        else if (inside[j] === '{') level++;
        else if (inside[j] === '}') level--;
        else if (inside[j] === ',' && level === 0) {
          parts.push(inside.slice(start, j));
          start = j + 1;
        }
      }
      parts.push(inside.slice(start));
      const results: string[] = [];
      const tail = pattern.slice(i + 1);
      for (const part of parts) {
        const expanded = expandBraces(pattern.slice(0, open) + part + tail);
        if (!expanded) return undefined;
        results.push(...expanded);
        if (results.length > MAX_ALTERNATIVES) return undefined;
      }
      return results;
    }
  }
  return [pattern];
}

/** `include-wildcard`: `**` any run, `*` any run within a name, every other character itself. */
function compileIncludeWildcard(pattern: string): State[] {
  const states: State[] = [];
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '*' && pattern[i + 1] === '*') {
      states.push({ kind: 'anyRun' });
      i++;
    } else states.push(pattern[i] === '*' ? { kind: 'star' } : { kind: 'char', char: pattern[i]! });
  }
  return states;
}

/** `fnmatch` (see the header). */
function compileFnmatch(pattern: string): State[] {
  const states: State[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    const segmentStart = i === 0 || pattern[i - 1] === '/';
    if (char === '*' && pattern[i + 1] === '*' && pattern[i + 2] === '/' && segmentStart) {
      states.push({ kind: 'dirs' });
      i += 2;
    } else if (char === '*') {
      // Several stars in a row (or `**` not followed by `/`) act as one.
      if (states.at(-1)?.kind !== 'star') states.push({ kind: 'star' });
    } else if (char === '?') states.push({ kind: 'any' });
    else if (char === '[') {
      const close = bracketEnd(pattern, i);
      if (close < 0) states.push({ kind: 'char', char });
      else {
        states.push(bracket(pattern.slice(i + 1, close)));
        i = close;
      }
    } else if (char === '\\' && i + 1 < pattern.length) states.push({ kind: 'char', char: pattern[++i]! });
    else states.push({ kind: 'char', char });
  }
  return states;
}

/** Index of the `]` closing the bracket opened at `open` (a `]` right after `[` or `[!` is literal), or -1. */
function bracketEnd(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === '!' || pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  for (; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === ']') return i;
  }
  return -1;
}

function bracket(body: string): State {
  const negated = body.startsWith('!') || body.startsWith('^');
  const chars = negated ? body.slice(1) : body;
  const ranges: [string, string][] = [];
  for (let i = 0; i < chars.length; i++) {
    let low = chars[i]!;
    if (low === '\\' && i + 1 < chars.length) low = chars[++i]!;
    if (chars[i + 1] === '-' && i + 2 < chars.length) {
      let high = chars[i + 2]!;
      i += 2;
      if (high === '\\' && i + 1 < chars.length) high = chars[++i]!;
      ranges.push([low, high]);
    } else ranges.push([low, low]);
  }
  return { kind: 'class', negated, ranges };
}

function accepts(state: State, char: string): boolean {
  if (state.kind === 'char') return state.char === char;
  if (state.kind === 'anyRun') return char !== '\n';
  if (char === '/') return false;
  if (state.kind === 'any' || state.kind === 'star') return true;
  if (state.kind === 'class') return state.ranges.some(([low, high]) => low <= char && char <= high) !== state.negated;
  return false;
}

/** Steps the automaton over `path`. States are indexes; `dirs` states also have an "inside a name" twin (index + n). */
function run(states: readonly State[], path: string): boolean {
  const n = states.length;
  let current = new Uint8Array(2 * n + 1);
  let next = new Uint8Array(2 * n + 1);
  // Adds `index` and what it reaches without a character: past a `*`, a `**` or a `**​/` (each may match nothing).
  const add = (set: Uint8Array, index: number): void => {
    while (index <= n && !set[index]) {
      set[index] = 1;
      const state = states[index];
      if (state?.kind !== 'star' && state?.kind !== 'anyRun' && state?.kind !== 'dirs') return;
      index++;
    }
  };
  add(current, 0);
  for (let at = 0; at < path.length; at++) {
    const char = path[at]!;
    next.fill(0);
    let alive = false;
    for (let index = 0; index < n; index++) {
      const state = states[index]!;
      if (state.kind === 'dirs') {
        // Inside a directory name (twin) or at its start: a name character stays inside, `/` ends the directory.
        if (current[index] || current[n + 1 + index]) {
          if (char === '/') add(next, index);
          else next[n + 1 + index] = 1;
          alive = true;
        }
        continue;
      }
      if (!current[index] || !accepts(state, char)) continue;
      add(next, state.kind === 'star' || state.kind === 'anyRun' ? index : index + 1);
      alive = true;
    }
    if (!alive) return false;
    [current, next] = [next, current];
  }
  return current[n] === 1;
}

/** Compiles a pattern of `dialect`; undefined when it is beyond the bounds (decide nothing from it). */
export function compilePathGlob(pattern: string, dialect: GlobDialect = 'fnmatch'): PathGlob | undefined {
  if (pattern.length > MAX_GLOB_PATTERN_LENGTH) return undefined;
  if (dialect === 'include-wildcard') {
    const states = compileIncludeWildcard(pattern);
    return { matches: (path) => run(states, path) };
  }
  const alternatives = expandBraces(pattern);
  if (!alternatives) return undefined;
  const compiled = alternatives.map(compileFnmatch);
  return { matches: (path) => compiled.some((states) => run(states, path)) };
}

const NOTHING: PathGlob = { matches: () => false };

/** An `include: local` wildcard; an overlong one matches nothing (the include is then reported as not found). */
export function localIncludeGlob(pattern: string): PathGlob {
  return compilePathGlob(pattern, 'include-wildcard') ?? NOTHING;
}
