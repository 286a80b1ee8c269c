/**
 * Maps positions in a YAML scalar's value back to the file, so a finding about a JSON key or value inside a
 * `DOCKER_AUTH_CONFIG:` scalar underlines the exact characters. Decodes the scalar as YAML does (quotes, escapes,
 * line folding, block indentation) and gives up (null) whenever its decoding does not reproduce the known value.
 */
import type { SourceSpan } from '../types';
import { beforeFirst, trimTrailing } from '../text';

/** Value index → file offset for one scalar; `offsets[value.length]` is the end of the last character. */
export interface ScalarSourceMap {
  readonly offsets: readonly number[];
  /** The file span of value characters [start, end), or null when the map does not reach that far. */
  spanOf(start: number, end: number): SourceSpan | null;
}

/** Builds the map for the scalar at `span` of `text` whose decoded value is `value`; null when unsure. */
export function scalarSourceMap(text: string, span: SourceSpan, value: string): ScalarSourceMap | null {
  const raw = text.slice(span.start, span.end);
  if (raw.length === 0) return null;
  const decoded =
    raw[0] === '|' || raw[0] === '>'
      ? decodeBlock(raw)
      : raw[0] === '"'
        ? decodeFlow(raw, 1, raw.lastIndexOf('"'), 'double')
        : raw[0] === "'"
          ? decodeFlow(raw, 1, raw.lastIndexOf("'"), 'single')
          : decodeFlow(raw, 0, raw.length, 'plain');
  if (!decoded) return null;
  const trimmedDecoded = trimTrailing(decoded.value, '\n');
  const trimmedValue = trimTrailing(value, '\n');
  if (trimmedDecoded !== trimmedValue) return null;
  const length = trimmedValue.length;
  const offsets = decoded.offsets.slice(0, length).map((offset) => offset + span.start);
  const ends = decoded.ends.slice(0, length).map((offset) => offset + span.start);
  offsets.push(length > 0 ? ends[length - 1]! : span.start);
  return {
    offsets,
    spanOf(start, end) {
      if (start < 0 || end > length || start > end) return null;
      const from = offsets[start]!;
      return { file: span.file, start: from, end: end > start ? ends[end - 1]! : from };
    },
  };
}

interface Decoded {
  value: string;
  /** Source start of each value character. */
  offsets: number[];
  /** Source end of each value character (an escape or a `''` spans several). */
  ends: number[];
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_ESCAPES: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/** Plain, single- or double-quoted scalar content raw[from, to): escapes and line folding. */
function decodeFlow(raw: string, from: number, to: number, style: 'plain' | 'single' | 'double'): Decoded | null {
  if (to < from) return null;
  const value: string[] = [];
  const offsets: number[] = [];
  const ends: number[] = [];
  const push = (char: string, start: number, end: number): void => {
    value.push(char);
    offsets.push(start);
    ends.push(end);
  };
  let i = from;
  while (i < to) {
    const char = raw[i]!;
    if (char === '\r' || char === '\n') {
      // Folding: trailing blanks before the break go, leading blanks after it go; one break → space, n+1 breaks → n newlines.
      while (value.length > 0 && (value[value.length - 1] === ' ' || value[value.length - 1] === '\t') && offsets[offsets.length - 1]! >= from) {
        value.pop();
        offsets.pop();
        ends.pop();
      }
      const breakAt = i;
      let breaks = 0;
      while (i < to && /[\r\n \t]/.test(raw[i]!)) {
        if (raw[i] === '\n') breaks++;
        i++;
      }
      if (breaks <= 1) push(' ', breakAt, breakAt + 1);
      else for (let n = 1; n < breaks; n++) push('\n', breakAt, breakAt + 1);
      continue;
    }
    if (style === 'single' && char === "'" && raw[i + 1] === "'") {
      push("'", i, i + 2);
      i += 2;
      continue;
    }
    if (style === 'double' && char === '\\') {
      const next = raw[i + 1];
      if (next === undefined) return null;
      if (next === '\n' || next === '\r') {
        // Escaped line break: nothing is inserted and the next line's indentation is skipped.
        i += 1;
        while (i < to && /[\r\n]/.test(raw[i]!)) i++;
        while (i < to && /[ \t]/.test(raw[i]!)) i++;
        continue;
      }
      const simple = SIMPLE_ESCAPES[next];
      if (simple !== undefined) {
        push(simple, i, i + 2);
        i += 2;
        continue;
      }
      const width = HEX_ESCAPES[next];
      if (width === undefined) return null;
      const hex = raw.slice(i + 2, i + 2 + width);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) return null;
      for (const unit of String.fromCodePoint(parseInt(hex, 16))) push(unit, i, i + 2 + width);
      i += 2 + width;
      continue;
    }
    push(char, i, i + 1);
    i++;
  }
  if (style === 'plain') {
    // A plain scalar's span may include a trailing comment or blanks on its last line; the value never does.
    while (value.length > 0 && /[ \t]/.test(value[value.length - 1]!)) {
      value.pop();
      offsets.pop();
      ends.pop();
    }
  }
  return { value: value.join(''), offsets, ends };
}

/** Literal (`|`) or folded (`>`) block scalar, header included in `raw`. */
function decodeBlock(raw: string): Decoded | null {
  const headerEnd = raw.indexOf('\n');
  if (headerEnd < 0) return { value: '', offsets: [], ends: [] };
  const header = beforeFirst(raw.slice(0, headerEnd), '#').trim();
  const folded = header.startsWith('>');
  const explicitIndent = /[1-9]/.exec(header);
  const lines: { start: number; text: string }[] = [];
  let start = headerEnd + 1;
  while (start <= raw.length) {
    const newline = raw.indexOf('\n', start);
    const end = newline < 0 ? raw.length : newline;
    lines.push({ start, text: raw.slice(start, end).replace(/\r$/, '') });
    if (newline < 0) break;
    start = end + 1;
  }
  let indent = explicitIndent ? Number(explicitIndent[0]) : -1;
  if (indent < 0) {
    const first = lines.find((line) => line.text.trim() !== '');
    if (!first) return { value: '', offsets: [], ends: [] };
    indent = first.text.length - first.text.trimStart().length;
  }
  // The block's lines carry at least `indent` leading spaces (blank lines excepted); find where the block ends.
  const content: { start: number; text: string; blank: boolean; moreIndented: boolean }[] = [];
  for (const line of lines) {
    const blank = line.text.trim() === '';
    if (!blank && line.text.length - line.text.trimStart().length < indent) break;
    const text = blank ? '' : line.text.slice(indent);
    content.push({ start: line.start + indent, text, blank, moreIndented: !blank && /^[ \t]/.test(text) });
  }
  const value: string[] = [];
  const offsets: number[] = [];
  const ends: number[] = [];
  const push = (char: string, start: number): void => {
    value.push(char);
    offsets.push(start);
    ends.push(start + 1);
  };
  let previous: (typeof content)[number] | null = null;
  let pendingBlank = 0;
  for (const line of content) {
    if (line.blank) {
      pendingBlank++;
      continue;
    }
    if (previous) {
      const foldable = folded && !previous.moreIndented && !line.moreIndented;
      const breakAt = previous.start + previous.text.length;
      if (foldable && pendingBlank === 0) push(' ', breakAt);
      else for (let n = 0; n < (foldable ? pendingBlank : pendingBlank + 1); n++) push('\n', breakAt);
    } else {
      for (let n = 0; n < pendingBlank; n++) push('\n', line.start);
    }
    pendingBlank = 0;
    for (let i = 0; i < line.text.length; i++) push(line.text[i]!, line.start + i);
    previous = line;
  }
  return { value: value.join(''), offsets, ends };
}
