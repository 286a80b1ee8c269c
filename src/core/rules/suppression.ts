/**
 * Inline suppression comments.
 *
 *   image: registry.example.com/app:1   # gitlab-ci-auth-ignore
 *   image: registry.example.com/app:1   # gitlab-ci-auth-ignore missing-credentials, key-near-miss -- pulled through a mirror
 *   # gitlab-ci-auth-ignore-file registry-unknown          (a comment line before the first YAML content)
 *
 * Without codes, every rule is silenced; unknown codes are ignored (a typo silences nothing); text after `--` is a free reason.
 */
import { LineIndex } from '../lineIndex';
import type { CiValue } from '../pipeline/ciValue';
import { parseFast } from '../yaml/fastReader';
import { DEFAULT_LIMITS } from '../pipeline/options';
import { composeDocuments } from '../yaml/reader';
import { isFindingCode } from './codes';
import type { FindingCode } from '../types';
import { Scalar, visit } from 'yaml';

export const IGNORE_MARKER = 'gitlab-ci-auth-ignore';
export const IGNORE_FILE_MARKER = 'gitlab-ci-auth-ignore-file';

const LINE_MARKER = /(?:^|\s)#(?:.*\s)?gitlab-ci-auth-ignore(?![\w-])(.*)$/;
const FILE_MARKER = /^\s*#(?:.*\s)?gitlab-ci-auth-ignore-file(?![\w-])(.*)$/;

/**
 * The codes silenced on a 0-based `line` of `text`: by a `# gitlab-ci-auth-ignore` comment on that line, or by a
 * `# gitlab-ci-auth-ignore-file` comment at the top of the file. `'all'` silences everything, null nothing.
 */
export function suppressedCodesAt(text: string, line: number): Set<FindingCode> | 'all' | null {
  if (!text.includes(IGNORE_MARKER)) return null;
  const lineText = lineAt(text, line);
  const onLine = lineText === null ? null : codesAfterMarker(LINE_MARKER.exec(lineText));
  return union(onLine, fileWideSuppression(text));
}

/** What a `# gitlab-ci-auth-ignore-file` comment in the file's leading comment block silences. */
export function fileWideSuppression(text: string): Set<FindingCode> | 'all' | null {
  let result: Set<FindingCode> | 'all' | null = null;
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const line = text.slice(start, end).replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed !== '' && trimmed !== '---' && !trimmed.startsWith('#') && !trimmed.startsWith('%')) break;
    result = union(result, codesAfterMarker(FILE_MARKER.exec(line)));
    start = end + 1;
  }
  return result;
}

/** Whether `code` is silenced by what `suppressedCodesAt` returned. */
export function isSuppressed(suppressed: Set<FindingCode> | 'all' | null, code: FindingCode): boolean {
  return suppressed === 'all' || (suppressed !== null && suppressed.has(code));
}

/**
 * Finds, for an offset in a YAML text, the 0-based line an ignore comment must be on: the line of a block scalar's
 * `|`/`>` header, or the last line of a (possibly multi-line) quoted or plain scalar; otherwise the offset's own line.
 * A comment anywhere else would be part of the scalar. Parses once; call the returned function per offset.
 */
export function ignoreCommentLocator(text: string): (offset: number) => number {
  return commentLineLocator(text, new LineIndex(text));
}

/**
 * Whether a finding of `code` starting at `offset` of `text` is silenced (by its line's comment or the file-wide one).
 * Build one per file text and ask it per finding: a text without the marker costs one search, and the text is parsed
 * (once, with the fast first pass when it can) only when a line comment needs placing.
 */
export function suppressionChecker(text: string): (offset: number, code: FindingCode) => boolean {
  if (!text.includes(IGNORE_MARKER)) return () => false;
  const fileWide = fileWideSuppression(text);
  // Without a line comment only the file-wide one counts, and the file need not be parsed.
  if (!hasLineMarker(text)) return (_offset, code) => isSuppressed(fileWide, code);
  const lines = new LineIndex(text);
  let locate: ((offset: number) => number) | undefined;
  return (offset, code) => {
    if (isSuppressed(fileWide, code)) return true;
    locate ??= commentLineLocator(text, lines);
    return isSuppressed(codesAfterMarker(LINE_MARKER.exec(lines.lineText(locate(offset)))), code);
  };
}

function hasLineMarker(text: string): boolean {
  for (let at = text.indexOf(IGNORE_MARKER); at >= 0; at = text.indexOf(IGNORE_MARKER, at + IGNORE_MARKER.length)) {
    const start = text.lastIndexOf('\n', at) + 1;
    const end = text.indexOf('\n', at);
    if (LINE_MARKER.test(text.slice(start, end < 0 ? text.length : end).replace(/\r$/, ''))) return true;
  }
  return false;
}

interface ScalarExtent {
  readonly start: number;
  readonly end: number;
  /** Where a comment about this scalar must be: the `|`/`>` header of a block scalar, else its last character. */
  readonly commentAt: number;
}

function commentLineLocator(text: string, lines: LineIndex): (offset: number) => number {
  const scalars = scalarExtentsFast(text) ?? scalarExtentsComposed(text);
  scalars.sort((a, b) => a.start - b.start);

  return (offset) => {
    let low = 0;
    let high = scalars.length - 1;
    let found: (typeof scalars)[number] | undefined;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const scalar = scalars[mid]!;
      if (scalar.start <= offset) {
        found = scalar;
        low = mid + 1;
      } else high = mid - 1;
    }
    const at = found && offset < found.end ? found.commentAt : offset;
    return lines.positionAt(at).line;
  };
}

/**
 * The scalars of a file the fast first pass accepts, from its values' spans (keys are one line there, so they need
 * no entry); undefined when it declines. A value reached through aliases is listed once.
 */
function scalarExtentsFast(text: string): ScalarExtent[] | undefined {
  const parsed = parseFast('', text, DEFAULT_LIMITS);
  if (!parsed) return undefined;
  const extents: ScalarExtent[] = [];
  const seen = new Set<CiValue>();
  const pending: CiValue[] = [parsed.root];
  for (let value = pending.pop(); value; value = pending.pop()) {
    if (seen.has(value)) continue;
    seen.add(value);
    if (value.kind === 'map') for (const entry of value.entries.values()) pending.push(entry.value);
    else if (value.kind === 'seq') pending.push(...value.items);
    else if (value.kind === 'scalar') {
      const { start, end } = value.span;
      const isBlock = text[start] === '|' || text[start] === '>';
      extents.push({ start, end, commentAt: isBlock ? start : Math.max(start, end - 1) });
    }
  }
  return extents;
}

/** The scalars (keys too) of any YAML, from yaml's composed documents; none when it nests too deep to be read. */
function scalarExtentsComposed(text: string): ScalarExtent[] {
  const extents: ScalarExtent[] = [];
  const documents = composeDocuments(text, DEFAULT_LIMITS.maxYamlDepth);
  if (!Array.isArray(documents)) return extents;
  for (const document of documents) {
    if (!('contents' in document)) continue;
    visit(document, {
      Scalar(_key, node) {
        if (!node.range) return;
        const [start, valueEnd] = node.range;
        const isBlock = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
        extents.push({ start, end: valueEnd, commentAt: isBlock ? start : Math.max(start, valueEnd - 1) });
      },
    });
  }
  return extents;
}

function codesAfterMarker(match: RegExpExecArray | null): Set<FindingCode> | 'all' | null {
  if (!match) return null;
  const list = match[1]!.split(/\s--(?:\s|$)|#/)[0]!.trim();
  if (list === '') return 'all';
  const codes = new Set<FindingCode>();
  for (const word of list.split(/[\s,]+/)) if (isFindingCode(word)) codes.add(word);
  return codes;
}

function union(a: Set<FindingCode> | 'all' | null, b: Set<FindingCode> | 'all' | null): Set<FindingCode> | 'all' | null {
  if (a === 'all' || b === 'all') return 'all';
  if (a === null) return b;
  if (b === null) return a;
  return new Set([...a, ...b]);
}

function lineAt(text: string, line: number): string | null {
  let start = 0;
  for (let current = 0; current < line; current++) {
    const newline = text.indexOf('\n', start);
    if (newline < 0) return null;
    start = newline + 1;
  }
  const newline = text.indexOf('\n', start);
  return text.slice(start, newline < 0 ? text.length : newline).replace(/\r$/, '');
}
