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
  return code === 95 /* _ */ || (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
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
 * Go's `os.Expand` walk (the runner's `ExpandValue`): `onText` gets the literal stretches, `onName` each variable name
 * (`$$` and the positional/special parameters are handled here: `$$` is a literal `$`, the others are empty).
 */
function runnerExpand(text: string, onText: (literal: string) => void, onName: (name: string) => void): void {
  let copiedUpTo = 0;
  for (let j = 0; j < text.length; j++) {
    if (text[j] !== '$' || j + 1 >= text.length) continue;
    if (j > copiedUpTo) onText(text.slice(copiedUpTo, j));
    const { name, width } = shellName(text, j + 1);
    if (name === '' && width > 0) {
      // invalid syntax: Go eats the characters
    } else if (name === '') {
      onText('$'); // a `$` not followed by a name stays
    } else if (name === '$') {
      onText('$');
    } else if (!RUNNER_EMPTY_SPECIAL.has(name)) {
      onName(name);
    }
    j += width;
    copiedUpTo = j + 1;
  }
  if (copiedUpTo < text.length) onText(text.slice(copiedUpTo));
}

/**
 * Expands `$VAR` / `${VAR}` in one pass exactly as GitLab Runner's `ExpandValue` does.
 * `lookup` gives a variable's value; undefined (unknown) expands to the empty string.
 */
export function expandVariables(text: string, lookup: VariableLookup): string {
  if (!text.includes('$')) return text;
  let out = '';
  runnerExpand(
    text,
    (literal) => (out += literal),
    (name) => (out += lookup(name) ?? ''),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// A job's variables as the runner finally sees them.
//
// GitLab (app/presenters/ci/build_runner_presenter.rb `runner_variables`) sends the job's variable collection through
// `Gitlab::Ci::Variables::Collection#sort_and_expand_all(keep_undefined: true, expand_file_refs: false,
// expand_raw_refs: false)` (lib/gitlab/ci/variables/collection.rb, collection/sort.rb, collection/item.rb): the
// variables are put in dependency order with Ruby's TSort and each is expanded against those already expanded, so a
// chain of any depth is resolved; an undefined name, a raw (`expand: false`) variable and a file variable are left as
// written for the runner. The runner (common/variables.go `JobVariables.Expand`) then expands every non-raw value once
// more (Go `os.Expand`, last variable of a name wins) and finally the image name with those values
// (runner-auth-rules.md §3.2).
// ---------------------------------------------------------------------------------------------------------------------

/** Longest expanded value kept (characters): a longer one is treated as unknown (hostile doubling chains). */
export const MAX_EXPANDED_LENGTH = 16_384;

/** One variable as GitLab collects it for a job; `value: null` = set, but its value is not known here (hidden, run time). */
export interface CollectedVariable {
  readonly key: string;
  readonly value: string | null;
  /** `expand: false` (YAML) or "Expand variable reference" off (CI/CD settings): no `$` in it is ever expanded. */
  readonly raw?: boolean;
}

/** A stretch of a final value: literal text, or the value of a variable that is not known here. */
export type ValueSegment = string | { readonly unknown: string };

/** A job's variables after GitLab's and the runner's expansion: what the image name is expanded with. */
export interface JobVariables {
  /** Final value of each name (the last variable of a name), as segments. */
  readonly segments: ReadonlyMap<string, readonly ValueSegment[]>;
  /** The names whose final value is wholly known, with it; a name absent here expands to something unknown. */
  readonly known: Readonly<Record<string, string>>;
  /** Names that are part of a reference cycle (GitLab: "circular variable reference detected"): their values are unknown. */
  readonly cyclic: readonly string[];
}

/** One reference `Item::VARIABLES_REGEXP` finds: `$$`/`%%` (name null) or `$NAME`, `${NAME}`, `${}` (null), `%NAME%`. */
interface GitLabReference {
  readonly start: number;
  readonly end: number;
  readonly name: string | null;
}

function isNameStart(code: number): boolean {
  return code === 95 || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function nameEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && isNameChar(text.charCodeAt(end))) end++;
  return end;
}

/**
 * The references GitLab sees in a value, left to right, as `gsub(VARIABLES_REGEXP)` finds them
 * (`/\$\$|%%|\$(?<key>[a-zA-Z_][a-zA-Z0-9_]*)|\${\g<key>?}|%\g<key>%/`), with a linear scan.
 */
function gitlabReferences(text: string): GitLabReference[] {
  const found: GitLabReference[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '$') {
      const next = text.charCodeAt(i + 1);
      if (text[i + 1] === '$') {
        found.push({ start: i, end: i + 2, name: null });
        i++;
      } else if (isNameStart(next)) {
        const end = nameEnd(text, i + 1);
        found.push({ start: i, end, name: text.slice(i + 1, end) });
        i = end - 1;
      } else if (text[i + 1] === '{') {
        if (text[i + 2] === '}') {
          found.push({ start: i, end: i + 3, name: null });
          i += 2;
        } else if (isNameStart(text.charCodeAt(i + 2))) {
          const end = nameEnd(text, i + 2);
          if (text[end] === '}') {
            found.push({ start: i, end: end + 1, name: text.slice(i + 2, end) });
            i = end;
          }
        }
      }
    } else if (char === '%') {
      if (text[i + 1] === '%') {
        found.push({ start: i, end: i + 2, name: null });
        i++;
      } else if (isNameStart(text.charCodeAt(i + 1))) {
        const end = nameEnd(text, i + 1);
        if (text[end] === '%') {
          found.push({ start: i, end: end + 1, name: text.slice(i + 1, end) });
          i = end;
        }
      }
    }
  }
  return found;
}

/** `Item#depends_on`: the names a non-raw value refers to (none for a raw or unknown value). */
function dependsOn(variable: CollectedVariable): string[] {
  if (variable.raw || variable.value === null) return [];
  if (!variable.value.includes('$') && !variable.value.includes('%')) return [];
  const names: string[] = [];
  for (const reference of gitlabReferences(variable.value)) if (reference.name !== null) names.push(reference.name);
  return names;
}

/**
 * Ruby's `TSort#each_strongly_connected_component` over the collection (nodes in collection order, children in
 * `depends_on` order, each name giving every variable of that name): Tarjan's algorithm, iterative so that a long
 * chain cannot overflow the stack. Returns the components in the order TSort yields them (dependencies first).
 */
function stronglyConnected(variables: readonly CollectedVariable[]): number[][] {
  const byKey = new Map<string, number[]>();
  variables.forEach((variable, index) => {
    const list = byKey.get(variable.key);
    if (list) list.push(index);
    else byKey.set(variable.key, [index]);
  });
  const children = variables.map((variable) => dependsOn(variable).flatMap((name) => byKey.get(name) ?? []));
  const order = new Array<number>(variables.length).fill(-1);
  const low = new Array<number>(variables.length).fill(0);
  const onStack = new Array<boolean>(variables.length).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < variables.length; root++) {
    if (order[root] !== -1) continue;
    const frames: { node: number; next: number }[] = [{ node: root, next: 0 }];
    order[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const edges = children[frame.node]!;
      if (frame.next < edges.length) {
        const child = edges[frame.next++]!;
        if (order[child] === -1) {
          order[child] = low[child] = counter++;
          stack.push(child);
          onStack[child] = true;
          frames.push({ node: child, next: 0 });
        } else if (onStack[child]) {
          low[frame.node] = Math.min(low[frame.node]!, order[child]!);
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low[parent.node] = Math.min(low[parent.node]!, low[frame.node]!);
      if (low[frame.node] === order[frame.node]) {
        const component: number[] = [];
        let member: number;
        do {
          member = stack.pop()!;
          onStack[member] = false;
          component.push(member);
        } while (member !== frame.node);
        components.push(component.reverse());
      }
    }
  }
  return components;
}

/**
 * A job's variables as the runner finally sees them (see above). `variables` is the job's collection in GitLab's
 * order (`variablePrecedence`), the last of a name winning. Variables in a reference cycle, and the ones whose value is
 * not known here, have unknown values; a name that no variable defines is unknown too (the runner may set it).
 */
export function resolveJobVariables(variables: readonly CollectedVariable[]): JobVariables {
  const { sorted: afterGitLab, cyclic } = sortAndExpandAll(variables);
  const lastByKey = new Map<string, CollectedVariable>();
  for (const variable of afterGitLab) lastByKey.set(variable.key, variable);
  // The runner's `Expand`: each non-raw value once, looking names up in the list GitLab sent (last of a name wins).
  const segments = new Map<string, readonly ValueSegment[]>();
  const known: Record<string, string> = {};
  for (const variable of afterGitLab) {
    let value: readonly ValueSegment[];
    if (variable.value === null) value = [{ unknown: variable.key }];
    else if (variable.raw) value = [variable.value];
    else value = segmentsOf(variable.value, (name) => lastByKey.get(name)?.value ?? undefined, variable.key);
    segments.set(variable.key, value);
    setOwn(known, variable.key, value.length === 1 && typeof value[0] === 'string' ? value[0] : value.length === 0 ? '' : undefined);
  }
  return { segments, known, cyclic };
}

/**
 * GitLab's `sort_and_expand_all(keep_undefined: true, expand_file_refs: false, expand_raw_refs: false)`, the options
 * `Ci::BuildRunnerPresenter#runner_variables` uses: the variables in TSort order, each non-raw value expanded against
 * those before it; an undefined name and a reference to a raw variable stay as written. GitLab refuses a job whose
 * variables form a cycle ("circular variable reference detected"); here the variables of a cycle get unknown values
 * (`cyclic` names them). A reference to a variable whose value is unknown is kept as `${NAME}` for the runner's pass.
 */
export function sortAndExpandAll(variables: readonly CollectedVariable[]): { sorted: CollectedVariable[]; cyclic: string[] } {
  const cyclic = new Set<number>();
  const order: number[] = [];
  for (const component of stronglyConnected(variables)) {
    if (component.length > 1) for (const member of component) cyclic.add(member);
    order.push(...component);
  }
  const sorted: CollectedVariable[] = [];
  const lastByKey = new Map<string, CollectedVariable>();
  for (const index of order) {
    const variable = variables[index]!;
    let expanded: CollectedVariable;
    if (cyclic.has(index)) expanded = { key: variable.key, value: null };
    else if (variable.raw || variable.value === null || dependsOn(variable).length === 0) expanded = variable;
    else {
      const value = variable.value;
      let out = '';
      let copiedUpTo = 0;
      for (const reference of gitlabReferences(value)) {
        if (reference.name === null) continue;
        const target = lastByKey.get(reference.name);
        if (!target || target.raw) continue; // left for the runner as written
        out += value.slice(copiedUpTo, reference.start) + (target.value === null ? `\${${reference.name}}` : target.value);
        copiedUpTo = reference.end;
        if (out.length > MAX_EXPANDED_LENGTH) break;
      }
      out += value.slice(copiedUpTo);
      // `A: $B$B`, `B: $C$C`… doubles at each level: past the bound the value is unknown rather than gigabytes long.
      expanded = { key: variable.key, value: out.length > MAX_EXPANDED_LENGTH ? null : out };
    }
    sorted.push(expanded);
    lastByKey.set(expanded.key, expanded);
  }
  return { sorted, cyclic: [...new Set([...cyclic].map((index) => variables[index]!.key))] };
}

/** `known[key] = value` (or deletes it for undefined) without letting a key named `__proto__` touch the prototype. */
function setOwn(record: Record<string, string>, key: string, value: string | undefined): void {
  if (value === undefined) delete record[key];
  else Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `text` expanded once by the runner's rules; `lookup` gives a known value, undefined for an unknown one. */
function segmentsOf(text: string, lookup: (name: string) => string | undefined, key: string): ValueSegment[] {
  const out: ValueSegment[] = [];
  let length = 0;
  const pushText = (literal: string) => {
    if (literal === '' || length > MAX_EXPANDED_LENGTH) return; // over the bound: the result is unknown anyway
    length += literal.length;
    const last = out[out.length - 1];
    if (typeof last === 'string') out[out.length - 1] = last + literal;
    else out.push(literal);
  };
  if (!text.includes('$')) return text === '' ? out : [text];
  runnerExpand(text, pushText, (name) => {
    const value = lookup(name);
    if (value === undefined) out.push({ unknown: name });
    else pushText(value);
  });
  return length > MAX_EXPANDED_LENGTH ? [{ unknown: key }] : out;
}

/** A plain record of known, expandable variables (in its own key order) as a job's variables. */
export function jobVariablesOf(values: VariableValues): JobVariables {
  return resolveJobVariables(Object.keys(values).map((key) => ({ key, value: values[key]! })));
}

/** An image name after the runner's expansion, with what it depends on that is not known. */
export interface ImageNameExpansion {
  /** The runner's expansion with unknown variables as the empty string (what the runner does with a name it lacks). */
  readonly expanded: string;
  /** The same with `<NAME>` where an unknown value goes: what a hover shows (`…:<CI_COMMIT_REF_SLUG>-build`). */
  readonly shown: string;
  /** Variables the name depends on, directly or through a value, that are not known; first seen first. */
  readonly unknownVariables: readonly string[];
  /** True when the registry part (the first path component, or a bare name that could hold a host) is unknown. */
  readonly registryUnknown: boolean;
}

const NO_NAMES: readonly string[] = [];

/** The runner's expansion of an image (or service) name with a job's final variables. */
export function expandImageNameTracked(image: string, variables: JobVariables | VariableValues): ImageNameExpansion {
  const job = isJobVariables(variables) ? variables : jobVariablesOf(variables);
  let expanded = '';
  let shown = '';
  let firstUnknown = -1;
  let unknown: Set<string> | undefined;
  const addText = (literal: string) => {
    expanded += literal;
    shown += literal;
  };
  const addUnknown = (name: string) => {
    if (firstUnknown < 0) firstUnknown = expanded.length;
    (unknown ??= new Set()).add(name);
    shown += `<${name}>`;
  };
  runnerExpand(image, addText, (name) => {
    const value = job.segments.get(name);
    if (!value || expanded.length > MAX_EXPANDED_LENGTH) return addUnknown(name);
    for (const segment of value) {
      if (typeof segment === 'string') addText(segment);
      else addUnknown(segment.unknown);
    }
  });
  if (!unknown) return { expanded, shown, unknownVariables: NO_NAMES, registryUnknown: false };
  return { expanded, shown, unknownVariables: [...unknown], registryUnknown: registryUnknownAt(expanded, firstUnknown) };
}

function isJobVariables(value: JobVariables | VariableValues): value is JobVariables {
  return value.segments instanceof Map && typeof value.known === 'object' && Array.isArray(value.cyclic);
}

/** The runner's expansion of an image name, unknown variables as the empty string. */
export function expandImageName(image: string, variables: JobVariables | VariableValues): string {
  return expandImageNameTracked(image, variables).expanded;
}

/**
 * True when the registry part of an image name (its first path component, when the name has a `/`) still depends on a
 * variable the caller does not know, after the runner's expansion with `variables`.
 * An unknown variable in the tag or digest (`node:$VERSION`, `app@$DIGEST`) does not make the registry unknown;
 * one in the first component (`$HOST/app`, `registry:$PORT/app`) or in a bare name that could hold a host (`$IMAGE`) does.
 */
export function registryDependsOnUnknownVariable(image: string, variables: JobVariables | VariableValues): boolean {
  return expandImageNameTracked(image, variables).registryUnknown;
}

/** The decision of `registryDependsOnUnknownVariable` on the expanded name, the first unknown value standing at `at`. */
function registryUnknownAt(expanded: string, at: number): boolean {
  const firstSlash = expanded.indexOf('/');
  if (firstSlash >= 0 && firstSlash < at) return false; // only the repository path is unknown
  if (firstSlash >= at) return true; // inside the host component
  // No `/` after it: the name is a Docker Hub name unless the unknown value itself brings a host.
  const before = expanded.slice(0, at);
  return !(before.includes(':') || before.includes('@'));
}
