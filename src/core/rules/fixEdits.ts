/**
 * Pure text edits behind the quick fixes. Each works on the file text as written, touches as little as possible
 * and keeps comments and formatting; an empty list means "no safe edit here".
 */
import { LineIndex } from '../lineIndex';
import { findAuthConfigEchoes, isDockerRegistryCommand, kanikoExecutorOffset } from './shellPatterns';
import { isKanikoImage } from './imageEvaluation';
import { IGNORE_MARKER, ignoreCommentLocator } from './suppression';
import type { FindingCode, Pipeline, SourceSpan, TracedString } from '../types';
import { Document, Pair, Scalar, YAMLMap, YAMLSeq, isMap, isPair, isScalar, isSeq, parseAllDocuments, visit } from 'yaml';

/** Replace [start, end) of `file` with `newText`. */
export interface TextEdit {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly newText: string;
}

/**
 * Silences `code` on the line of the scalar at `offset`: appends `# gitlab-ci-auth-ignore <code>` or adds the code to
 * an ignore comment already there. For a block scalar the comment goes on its `|`/`>` header line, for a multi-line
 * quoted scalar on its last line (anywhere else it would be part of the value). `file` is copied into the edit.
 */
export function ignoreOnLineEdit(text: string, offset: number, code: FindingCode, file = ''): TextEdit[] {
  const lines = new LineIndex(text);
  const line = ignoreCommentLocator(text)(offset);
  const lineStart = lines.offsetAt({ line, character: 0 });
  const lineText = lines.lineText(line);
  const marker = /(?:^|\s)#(?:.*\s)?gitlab-ci-auth-ignore(?![\w-])(.*)$/.exec(lineText);
  if (marker) {
    const listStart = marker.index + marker[0].length - marker[1]!.length;
    const list = marker[1]!.split(/\s--(?:\s|$)|#/)[0]!;
    const words = list
      .trim()
      .split(/[\s,]+/)
      .filter(Boolean);
    if (words.length === 0 || words.includes(code)) return [];
    const at = lineStart + listStart + list.trimEnd().length;
    return [{ file, start: at, end: at, newText: `, ${code}` }];
  }
  const contentEnd = lineStart + lineText.trimEnd().length;
  return [{ file, start: contentEnd, end: lineStart + lineText.length, newText: ` # ${IGNORE_MARKER} ${code}` }];
}

const KANIKO_STEPS = ['mkdir -p /kaniko/.docker', `printf '%s' "$DOCKER_AUTH_CONFIG" > /kaniko/.docker/config.json`];
const DOCKER_STEPS = ['mkdir -p "$HOME/.docker"', `printf '%s' "$DOCKER_AUTH_CONFIG" > "$HOME/.docker/config.json"`];

/**
 * Inserts the steps that write `$DOCKER_AUTH_CONFIG` to the docker config a build tool reads, right before the step
 * that needs it, in the `before_script`/`script` list where that step is written (which may be a template the job
 * extends, in another file): `/kaniko/.docker/config.json` before `/kaniko/executor` for a kaniko job, otherwise
 * `$HOME/.docker/config.json` before the first registry-facing `docker` command. Keeps the list's style and indentation.
 */
export function kanikoConfigStepEdit(pipeline: Pipeline, jobName: string): TextEdit[] {
  const job = pipeline.jobs.find((candidate) => candidate.name === jobName);
  if (!job) return [];
  const kaniko = job.image !== null && isKanikoImage(job.image.value);
  const anchor = kaniko
    ? job.scriptLines.find((line) => kanikoExecutorOffset(line.value) >= 0)
    : job.scriptLines.find((line) => isDockerRegistryCommand(line.value));
  if (!anchor) return [];
  const text = pipeline.files.find((file) => file.path === anchor.span.file)?.text;
  if (text === undefined) return [];
  return insertStepsBefore(text, anchor, kaniko ? KANIKO_STEPS : DOCKER_STEPS);
}

function insertStepsBefore(text: string, anchor: TracedString, steps: readonly string[]): TextEdit[] {
  const located = locateScalar(text, anchor.span.start);
  if (!located) return [];
  const { scalar, parent } = located;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = new LineIndex(text);
  const file = anchor.span.file;
  const start = scalar.range![0];

  if (isSeq(parent) && parent.flow) {
    return [{ file, start, end: start, newText: steps.map((step) => `${step}, `).join('') }];
  }
  if (isSeq(parent)) {
    const position = lines.positionAt(start);
    const lineStart = start - position.character;
    const prefix = text.slice(lineStart, start);
    if (!/^\s*-\s+$/.test(prefix)) return [];
    // Keep a comment written just above the step attached to it.
    let insertLine = position.line;
    const indent = prefix.indexOf('-');
    while (insertLine > 0) {
      const above = lines.lineText(insertLine - 1);
      if (!/^\s*#/.test(above) || above.indexOf('#') < indent) break;
      insertLine--;
    }
    const at = lines.offsetAt({ line: insertLine, character: 0 });
    return [{ file, start: at, end: at, newText: steps.map((step) => `${prefix}${step}${eol}`).join('') }];
  }
  if (isPair(parent) && isScalar(parent.key) && parent.key.range) {
    if (scalar.type === Scalar.BLOCK_LITERAL) {
      // `script: |` with the executor inside: add the lines to the shell script, indented like the executor's line.
      const executorAt = start + Math.max(0, kanikoOrDockerOffset(text.slice(start, scalar.range![1])));
      const position = lines.positionAt(executorAt);
      const lineStart = executorAt - position.character;
      const indent = /^\s*/.exec(text.slice(lineStart, executorAt))![0];
      return [{ file, start: lineStart, end: lineStart, newText: steps.map((step) => `${indent}${step}${eol}`).join('') }];
    }
    if (scalar.type === Scalar.BLOCK_FOLDED || lines.positionAt(start).line !== lines.positionAt(scalar.range![1]).line) return [];
    // `script: one command` becomes a list with the new steps first.
    const keyStart = parent.key.range[0];
    const keyColumn = lines.positionAt(keyStart).character;
    const itemPrefix = `${' '.repeat(keyColumn + 2)}- `;
    const colon = text.lastIndexOf(':', start);
    return [{ file, start: colon + 1, end: start, newText: `${eol}${steps.map((step) => `${itemPrefix}${step}${eol}`).join('')}${itemPrefix}` }];
  }
  return [];
}

function kanikoOrDockerOffset(script: string): number {
  const kaniko = kanikoExecutorOffset(script);
  if (kaniko >= 0) return kaniko;
  const lines = script.split('\n');
  let offset = 0;
  for (const line of lines) {
    if (isDockerRegistryCommand(line)) return offset + (line.length - line.trimStart().length);
    offset += line.length + 1;
  }
  return 0;
}

/** How the File-type-safe rewrite of `echo $DOCKER_AUTH_CONFIG > file` should read. */
export type EchoRewrite = 'printf' | 'cat';

/**
 * Rewrites `echo $DOCKER_AUTH_CONFIG > file` (quoted or not, `-n`, `${...}`, `>>`, `| tee`) in the scalar around `span`.
 * `'printf'` (default) gives `printf '%s' "$DOCKER_AUTH_CONFIG" > file`: exact bytes for a Variable-type variable, which
 * is what GitLab creates by default, what the wizard recommends, and the only kind a `.gitlab-ci.yml` can define.
 * `'cat'` gives `cat "$DOCKER_AUTH_CONFIG" > file`, for a variable known to be File type (its value is then a path).
 * The redirect and target are kept, so `>>` and `| tee` keep working. The text is escaped for the scalar's quoting.
 */
export function replaceEchoEdit(text: string, span: SourceSpan, rewrite: EchoRewrite = 'printf'): TextEdit[] {
  const located = locateScalar(text, span.start);
  const scalarStart = located?.scalar.range?.[0] ?? span.start;
  const scalarEnd = located?.scalar.range?.[1] ?? span.end;
  // `span` says where the echo starts (the script line or the finding's range); the command may run past it.
  const from = Math.max(scalarStart, span.start);
  const to = Math.max(scalarEnd, span.end);
  const echo = findAuthConfigEchoes(text.slice(from, to))[0];
  if (!echo) return [];
  const replacement = rewrite === 'printf' ? `printf '%s' "${echo.variable}"` : `cat "${echo.variable}"`;
  return [{ file: span.file, start: from + echo.start, end: from + echo.end, newText: escapeForScalar(replacement, located?.scalar.type) }];
}

/**
 * Replaces a near-miss registry key written inside a YAML `DOCKER_AUTH_CONFIG` (the key's characters, between its
 * JSON quotes, at `keySpan`) with `suggestedKey`, escaped for the YAML scalar it sits in.
 */
export function replaceKeyEdit(text: string, keySpan: SourceSpan, suggestedKey: string): TextEdit[] {
  if (keySpan.end < keySpan.start || keySpan.end > text.length) return [];
  const located = locateScalar(text, keySpan.start);
  const json = JSON.stringify(suggestedKey).slice(1, -1);
  return [{ file: keySpan.file, start: keySpan.start, end: keySpan.end, newText: escapeForScalar(json, located?.scalar.type) }];
}

/**
 * Removes the `DOCKER_AUTH_CONFIG` entry (whose key or value contains `span.start`) from its `variables:` map: its
 * lines in a block map, the entry and one comma in a flow map. When it was the only variable, `variables:` goes too.
 */
export function removeVariableEdit(text: string, span: SourceSpan): TextEdit[] {
  const found = findVariablePair(text, span.start);
  if (!found) return [];
  const { pair, map, mapPair } = found;
  const file = span.file;
  if (map.items.length === 1 && mapPair && !isFlowParent(found.mapParent)) {
    return [{ file, ...wholeLines(text, mapPair.key as Scalar, nodeEnd(mapPair)) }];
  }
  if (map.flow) {
    const index = map.items.indexOf(pair);
    const keyStart = (pair.key as Scalar).range![0];
    if (map.items.length === 1) return [{ file, start: map.range![0], end: map.range![1], newText: '{}' }];
    if (index < map.items.length - 1) {
      const next = map.items[index + 1]!.key as Scalar;
      return [{ file, start: keyStart, end: next.range![0], newText: '' }];
    }
    const previousEnd = nodeEnd(map.items[index - 1]!);
    return [{ file, start: previousEnd, end: nodeEnd(pair), newText: '' }];
  }
  return [{ file, ...wholeLines(text, pair.key as Scalar, nodeEnd(pair)) }];
}

function wholeLines(text: string, key: Scalar, end: number): { start: number; end: number; newText: string } {
  const keyStart = key.range![0];
  const start = text.lastIndexOf('\n', keyStart - 1) + 1;
  const lastChar = Math.max(keyStart, end - 1);
  const newline = text.indexOf('\n', lastChar);
  return { start, end: newline < 0 ? text.length : newline + 1, newText: '' };
}

function nodeEnd(pair: Pair): number {
  const value = pair.value as { range?: [number, number, number] } | null;
  return value?.range?.[1] ?? (pair.key as Scalar).range![1];
}

function isFlowParent(node: unknown): boolean {
  return (isMap(node) || isSeq(node)) && Boolean(node.flow);
}

function findVariablePair(text: string, offset: number): { pair: Pair; map: YAMLMap; mapPair: Pair | null; mapParent: unknown } | null {
  let result: { pair: Pair; map: YAMLMap; mapPair: Pair | null; mapParent: unknown } | null = null;
  for (const document of parseAllDocuments(text)) {
    if (!(document instanceof Document)) continue;
    visit(document, {
      Pair(_key, pair, path) {
        if (!isScalar(pair.key) || pair.key.value !== 'DOCKER_AUTH_CONFIG' || !pair.key.range) return undefined;
        const end = nodeEnd(pair as Pair);
        if (offset < pair.key.range[0] || offset > end) return undefined;
        const map = path[path.length - 1];
        const mapPair = path[path.length - 2];
        if (!isMap(map)) return undefined;
        result = { pair: pair as Pair, map, mapPair: isPair(mapPair) ? (mapPair as Pair) : null, mapParent: path[path.length - 3] };
        return visit.BREAK;
      },
    });
    if (result) break;
  }
  return result;
}

/** The scalar node at `offset` and its parent (a sequence, or the pair it is the value of). */
function locateScalar(text: string, offset: number): { scalar: Scalar; parent: YAMLSeq | Pair | YAMLMap | null } | null {
  let found: { scalar: Scalar; parent: YAMLSeq | Pair | YAMLMap | null } | null = null;
  for (const document of parseAllDocuments(text)) {
    if (!(document instanceof Document)) continue;
    visit(document, {
      Scalar(_key, node, path) {
        const range = node.range;
        if (!range || offset < range[0] || offset >= Math.max(range[1], range[0] + 1)) return undefined;
        const parent = path[path.length - 1];
        found = { scalar: node, parent: isSeq(parent) || isPair(parent) || isMap(parent) ? (parent as YAMLSeq | Pair | YAMLMap) : null };
        return visit.BREAK;
      },
    });
    if (found) break;
  }
  return found;
}

/** Escapes text for insertion inside a YAML scalar of the given style (plain and block scalars take it as is). */
function escapeForScalar(value: string, type: Scalar.Type | undefined): string {
  if (type === Scalar.QUOTE_DOUBLE) return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  if (type === Scalar.QUOTE_SINGLE) return value.replace(/'/g, "''");
  return value;
}
