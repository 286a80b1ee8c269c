/**
 * Inline suppression comments.
 *
 *   image: registry.example.com/app:1   # gitlab-ci-auth-ignore
 *   image: registry.example.com/app:1   # gitlab-ci-auth-ignore missing-credentials, key-near-miss -- pulled through a mirror
 *   # gitlab-ci-auth-ignore-file registry-unknown          (a comment line before the first YAML content)
 *
 * Without codes, every rule is silenced; unknown codes are ignored (a typo silences nothing); text after `--` is a free reason.
 */
import { LineIndex } from './lineIndex';
import { isFindingCode } from './rules/codes';
import type { FindingCode } from './types';
import { Scalar, parseAllDocuments, visit } from 'yaml';

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
 * Build one per file text and ask it per finding: the text is parsed once, and a text without the marker costs one search.
 */
export function suppressionChecker(text: string): (offset: number, code: FindingCode) => boolean {
  if (!text.includes(IGNORE_MARKER)) return () => false;
  const lines = new LineIndex(text);
  const locate = commentLineLocator(text, lines);
  const fileWide = fileWideSuppression(text);
  return (offset, code) => isSuppressed(union(codesAfterMarker(LINE_MARKER.exec(lines.lineText(locate(offset)))), fileWide), code);
}

function commentLineLocator(text: string, lines: LineIndex): (offset: number) => number {
  const scalars: { start: number; end: number; commentAt: number }[] = [];
  for (const document of parseAllDocuments(text)) {
    if (!('contents' in document)) continue;
    visit(document, {
      Scalar(_key, node) {
        collectScalar(node);
      },
    });
  }
  scalars.sort((a, b) => a.start - b.start);

  function collectScalar(node: Scalar): void {
    if (!node.range) return;
    const [start, valueEnd] = node.range;
    const isBlock = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
    scalars.push({ start, end: valueEnd, commentAt: isBlock ? start : Math.max(start, valueEnd - 1) });
  }

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
