/**
 * GitLab Runner's variable expansion for `image:` and `services:` names (runner-auth-rules.md §3.2):
 * Go's `os.Expand` with the runner's `Variables.Get`, applied once. Only `$VAR` and `${VAR}` are recognised,
 * `$$` gives `$`, an unknown variable gives the empty string and `${VAR:-x}` looks up a variable literally named `VAR:-x`.
 */

/** Known variables by name; a name that is absent is unknown to the caller. */
export type VariableValues = Readonly<Record<string, string>>;

/** What the lookup returns for an unknown variable; undefined means "expand to the empty string", as the runner does. */
export type VariableLookup = (name: string) => string | undefined;

// Positional and special shell parameters: the runner's Get returns "$" for `$$` and "" for the others.
const SHELL_SPECIAL = new Set(['*', '#', '$', '@', '!', '?', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
const RUNNER_EMPTY_SPECIAL = new Set(['*', '#', '@', '!', '?', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

function isNameChar(code: number): boolean {
  return (
    code === 95 /* _ */ ||
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122)
  );
}

/** Go's `getShellName`: the name after a `$` and how many characters the reference takes (0 = a lone `$`). */
function shellName(text: string, from: number): { name: string; width: number } {
  const first = text[from]!;
  if (first === '{') {
    if (text.length - from > 2 && SHELL_SPECIAL.has(text[from + 1]!) && text[from + 2] === '}') {
      return { name: text[from + 1]!, width: 3 };
    }
    const close = text.indexOf('}', from + 1);
    if (close < 0) return { name: '', width: 1 }; // bad syntax: "${" is eaten
    if (close === from + 1) return { name: '', width: 2 }; // "${}" is eaten
    return { name: text.slice(from + 1, close), width: close - from + 1 };
  }
  if (SHELL_SPECIAL.has(first)) return { name: first, width: 1 };
  let end = from;
  while (end < text.length && isNameChar(text.charCodeAt(end))) end++;
  return { name: text.slice(from, end), width: end - from };
}

/**
 * Expands `$VAR` / `${VAR}` in one pass exactly as GitLab Runner's `ExpandValue` does.
 * `lookup` gives a variable's value; undefined (unknown) expands to the empty string.
 */
export function expandVariables(text: string, lookup: VariableLookup): string {
  if (!text.includes('$')) return text;
  let out = '';
  let copiedUpTo = 0;
  for (let j = 0; j < text.length; j++) {
    if (text[j] !== '$' || j + 1 >= text.length) continue;
    out += text.slice(copiedUpTo, j);
    const { name, width } = shellName(text, j + 1);
    if (name === '' && width > 0) {
      // invalid syntax: Go eats the characters
    } else if (name === '') {
      out += '$'; // a `$` not followed by a name stays
    } else if (name === '$') {
      out += '$';
    } else if (!RUNNER_EMPTY_SPECIAL.has(name)) {
      out += lookup(name) ?? '';
    }
    j += width;
    copiedUpTo = j + 1;
  }
  return out + text.slice(copiedUpTo);
}

/**
 * The runner expands every variable's value once against the raw values (`Variables.Expand`), then the image name
 * against those expanded values. This returns that final image name; unknown variables become empty.
 */
export function expandImageName(image: string, variables: VariableValues): string {
  return expandTwoLevels(image, variables, '');
}

// A character that cannot occur in YAML text read from a file: marks where an unknown variable was.
const UNKNOWN_MARK = '\u0000';

/** `text` expanded against `variables` whose values are expanded once first; `unknown` stands for a variable not in them. */
function expandTwoLevels(text: string, variables: VariableValues, unknown: string): string {
  const lookupRaw = (name: string): string => (Object.hasOwn(variables, name) ? variables[name]! : unknown);
  const expandedCache = new Map<string, string>();
  return expandVariables(text, (name) => {
    if (!Object.hasOwn(variables, name)) return unknown;
    let expanded = expandedCache.get(name);
    if (expanded === undefined) {
      expanded = expandVariables(variables[name]!, lookupRaw);
      expandedCache.set(name, expanded);
    }
    return expanded;
  });
}

/** An image name after the runner's expansion, with what it depends on that is not known. */
export interface ImageNameExpansion {
  /** `expandImageName`'s result: unknown variables expanded to the empty string. */
  readonly expanded: string;
  /** Variables the name refers to, directly or through a known variable's value, that are not known; first seen first. */
  readonly unknownVariables: readonly string[];
  /** `registryDependsOnUnknownVariable`'s result. */
  readonly registryUnknown: boolean;
}

const NO_NAMES: readonly string[] = [];

/**
 * `expandImageName`, the unknown variables and `registryDependsOnUnknownVariable` in one expansion: the name is expanded
 * with a mark where an unknown variable was, and the unknown names are collected on the way. Removing the marks gives
 * the runner's expansion, unless the text itself holds a NUL (a YAML "\0"): then it is expanded again to be exact.
 */
export function expandImageNameTracked(image: string, variables: VariableValues): ImageNameExpansion {
  let unknown: Set<string> | undefined;
  let holdsMark = image.includes(UNKNOWN_MARK);
  const known = (name: string): string | undefined => {
    if (!Object.hasOwn(variables, name)) {
      (unknown ??= new Set()).add(name);
      return undefined;
    }
    const value = variables[name]!;
    if (value.includes(UNKNOWN_MARK)) holdsMark = true;
    return value;
  };
  const expandedCache = new Map<string, string>();
  const marked = expandVariables(image, (name) => {
    let expanded = expandedCache.get(name);
    if (expanded === undefined) {
      const raw = known(name);
      if (raw === undefined) return UNKNOWN_MARK;
      expanded = expandVariables(raw, (inner) => known(inner) ?? UNKNOWN_MARK);
      expandedCache.set(name, expanded);
    }
    return expanded;
  });
  if (!unknown) return { expanded: marked, unknownVariables: NO_NAMES, registryUnknown: false };
  return {
    expanded: holdsMark ? expandImageName(image, variables) : marked.replaceAll(UNKNOWN_MARK, ''),
    unknownVariables: [...unknown],
    registryUnknown: registryDependsOnUnknownIn(marked),
  };
}

/**
 * True when the registry part of an image name (its first path component, when the name has a `/`) still depends on a
 * variable the caller does not know, after the runner's expansion with `variables`.
 * An unknown variable in the tag or digest (`node:$VERSION`, `app@$DIGEST`) does not make the registry unknown;
 * one in the first component (`$HOST/app`, `registry:$PORT/app`) or in a bare name that could hold a host (`$IMAGE`) does.
 */
export function registryDependsOnUnknownVariable(image: string, variables: VariableValues): boolean {
  return registryDependsOnUnknownIn(expandTwoLevels(image, variables, UNKNOWN_MARK));
}

/** The decision of `registryDependsOnUnknownVariable` on a name expanded with `UNKNOWN_MARK` for unknown variables. */
function registryDependsOnUnknownIn(expanded: string): boolean {
  const firstUnknown = expanded.indexOf(UNKNOWN_MARK);
  if (firstUnknown < 0) return false;
  const firstSlash = expanded.indexOf('/');
  if (firstSlash >= 0 && firstSlash < firstUnknown) return false; // only the repository path is unknown
  if (firstSlash > firstUnknown) return true; // inside the host component
  // No `/` after it: the name is a Docker Hub name unless the unknown value itself brings a host.
  const before = expanded.slice(0, firstUnknown);
  return !(before.includes(':') || before.includes('@'));
}
