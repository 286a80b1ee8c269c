/**
 * A fast first pass: one scan of the text straight to the `CiValue` the reference reader (yaml/reader.ts) gives, for
 * the YAML that CI files actually hold. It accepts a conservative subset (one document, block maps and sequences
 * indented with spaces, single-line scalars and flow collections, `|`/`>` block scalars, comments, anchors, aliases,
 * `<<` and `!reference [...]`) and declines everything else, cheaply and early; the reference reader then reads it.
 * Spans follow yaml's node ranges exactly, including where trailing comments end a collection.
 */
import { CST } from 'yaml';
import type { SourceSpan } from '../types';
import type { CiReference, CiScalar, CiValue } from '../pipeline/ciValue';
import type { ResolveLimits } from '../pipeline/options';
import { isPrimitive, REFERENCE_TAG, resolvePlain, ValueBuilder, type PairValue } from './valueBuilder';

/** A file the fast parser accepted: its converted content and what converting it takes from a check. */
export interface FastDocument {
  readonly root: CiValue;
  /** Every `!reference` written, in document order (what `onReference` receives). */
  readonly references: readonly CiReference[];
  /** Alias and merge-key expansions taken from the alias budget. */
  readonly spent: number;
  /** The deepest nesting level of a node (the root is 0). */
  readonly depth: number;
  /** Values once every alias is expanded (GitLab's size check). */
  readonly size: number;
}

/** Thrown to give up on the text: the reference reader handles it. */
class Declined extends Error {}
const DECLINED = new Declined();
const decline = (): never => {
  throw DECLINED;
};

// C0 controls but tab and LF, DEL, CR, a byte-order mark anywhere: left to the reference reader (it reports or reads them).
const UNHANDLED_CHARACTER = /[\u0000-\u0008\u000B-\u001F\u007F\uFEFF]/;

const SPACE = 32;
const NEWLINE = 10;
const TAB = 9;
const HASH = 35;
const COLON = 58;
const DASH = 45;
const COMMA = 44;

/** An anchor whose node is being converted (an alias to it inside would be a cycle). */
const PENDING: CiValue = { kind: 'scalar', value: null, span: { file: '', start: 0, end: 0 }, via: [] };

/**
 * The content of `text` when the fast parser accepts it, else undefined (then use the reference reader). Accepted text
 * is a single clean document whose root is a block map, within `limits` (depth, alias budget, file size).
 */
export function parseFast(file: string, text: string, limits: ResolveLimits): FastDocument | undefined {
  if (text.length > limits.maxFileSize || UNHANDLED_CHARACTER.test(text)) return undefined;
  try {
    return new FastParser(file, text, limits).document();
  } catch (error) {
    if (error === DECLINED) return undefined;
    throw error;
  }
}

class FastParser {
  private pos = 0;
  /** Column of the content at `pos` after `gap` (-1 at the end of the text). */
  private indent = -1;
  /** Where the last node ends with its trailing tokens (yaml's `range[2]`). */
  private lastEnd = 0;
  /** Deepest comment indent in the comment lines (and blank lines) not yet given to a node; -1 when none. */
  private looseComment = -1;
  private depth = 0;
  private spent = 0;
  private readonly anchors = new Map<string, CiValue>();
  private readonly references: CiReference[] = [];
  private readonly builder: ValueBuilder;

  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly limits: ResolveLimits,
  ) {
    this.builder = new ValueBuilder(file, (amount) => {
      this.spent += amount;
      return this.spent <= limits.maxAliasExpansions || decline();
    });
  }

  document(): FastDocument {
    const text = this.text;
    this.gap(0, -1, true);
    if (text.startsWith('---', this.pos) && this.indent === 0 && this.endsToken(this.pos + 3)) {
      // Only a comment may follow `---` on its line: content there is a syntax error or part of the root.
      this.gap(this.restOfLine(this.pos + 3), -1, false);
    }
    if (this.indent !== 0 || this.isSeqItem(this.pos)) decline();
    const root = this.blockMap(0, 0);
    if (this.pos !== text.length) decline();
    return { root, references: this.references, spent: this.spent, depth: this.depth, size: this.builder.sizeOf(root) };
  }

  // ───────────── lines ─────────────

  /**
   * Skips blank and comment lines from `from` (a line start) to the next content, setting `pos` and `indent`. A value
   * that keeps trailing tokens (a flow scalar, an alias, a flow collection: `absorbAbove` is its collection's indent)
   * takes comment lines indented deeper than its collection into its end, as yaml's parser does, until a comment that
   * is not; the other comments are loose (`looseComment`).
   */
  private gap(from: number, absorbAbove: number, documentStart: boolean): void {
    const text = this.text;
    const length = text.length;
    let absorbing = absorbAbove >= 0;
    let loose = -1;
    let i = from;
    for (;;) {
      const lineStart = i;
      let code = text.charCodeAt(i);
      while (code === SPACE) code = text.charCodeAt(++i);
      if (i >= length) {
        this.pos = length;
        this.indent = -1;
        break;
      }
      if (code === NEWLINE) {
        i++;
        continue;
      }
      if (code === TAB) decline();
      if (code === HASH) {
        const indent = i - lineStart;
        const end = this.lineEnd(i);
        if (absorbing && indent > absorbAbove) this.lastEnd = end;
        else {
          absorbing = false;
          if (indent > loose) loose = indent;
        }
        i = end;
        continue;
      }
      if (i === lineStart && !documentStart && (text.startsWith('---', i) || text.startsWith('...', i)) && this.endsToken(i + 3)) decline();
      if (code === 37 /* % */ && i === lineStart) decline(); // a directive
      this.pos = i;
      this.indent = i - lineStart;
      break;
    }
    this.looseComment = loose;
  }

  /** The offset after the line break that ends the line holding `at` (the text's length on the last line). */
  private lineEnd(at: number): number {
    const newline = this.text.indexOf('\n', at);
    return newline < 0 ? this.text.length : newline + 1;
  }

  /** After a value on its line: spaces, an optional comment, the line break. Returns where the line ends. */
  private restOfLine(at: number): number {
    const text = this.text;
    let i = at;
    while (text.charCodeAt(i) === SPACE) i++;
    if (i >= text.length) return i;
    const code = text.charCodeAt(i);
    if (code === NEWLINE) return i + 1;
    if (code === HASH && i > at) return this.lineEnd(i);
    return decline();
  }

  /** True when `at` is a space, a line break or the end: what must follow `-`, `:`, `---`. */
  private endsToken(at: number): boolean {
    const code = this.text.charCodeAt(at);
    return at >= this.text.length || code === SPACE || code === NEWLINE;
  }

  private isSeqItem(at: number): boolean {
    return this.text.charCodeAt(at) === DASH && this.endsToken(at + 1);
  }

  private skipSpaces(at: number): number {
    const text = this.text;
    let i = at;
    let code = text.charCodeAt(i);
    while (code === SPACE) code = text.charCodeAt(++i);
    if (code === TAB) decline();
    return i;
  }

  private reach(depth: number): void {
    if (depth > this.depth) {
      if (depth > this.limits.maxYamlDepth) decline();
      this.depth = depth;
    }
  }

  private span(start: number, end: number): SourceSpan {
    return { file: this.file, start, end };
  }

  // ───────────── block collections ─────────────

  /** A block map whose keys are at column `column`; `pos` is at its first key. */
  private blockMap(column: number, depth: number): CiValue {
    this.reach(depth);
    const start = this.pos;
    const pairs: PairValue[] = [];
    let end = start;
    for (;;) {
      const key = this.key(depth + 1);
      const value = this.mapValue(column, depth + 1);
      pairs.push({ key: key.value, value, merge: key.merge });
      end = this.lastEnd;
      if (this.indent !== column) break;
      if (this.isSeqItem(this.pos)) decline();
    }
    if (this.indent > column) decline();
    this.closeCollection(column, end);
    return this.builder.map(pairs, this.span(start, end));
  }

  /** A block sequence whose `-` are at column `column`; `pos` is at the first `-`. */
  private blockSeq(column: number, depth: number): CiValue {
    this.reach(depth);
    const start = this.pos;
    const items: CiValue[] = [];
    let end = start;
    for (;;) {
      items.push(this.seqItem(column, depth + 1));
      end = this.lastEnd;
      if (this.indent !== column || !this.isSeqItem(this.pos)) break;
    }
    if (this.indent > column) decline();
    this.closeCollection(column, end);
    return this.builder.seq(items, start, end);
  }

  /**
   * A collection ends: loose comment lines after its last item stay in it (its end for the parent then reaches the
   * next content) unless it is at column 0 or they are all indented less than it, as yaml's parser moves them up.
   */
  private closeCollection(column: number, end: number): void {
    if (column > 0 && this.looseComment >= column) {
      this.lastEnd = this.pos;
      this.looseComment = -1;
    } else this.lastEnd = end;
  }

  private key(depth: number): { value: CiValue; merge: boolean } {
    this.reach(depth);
    const text = this.text;
    const start = this.pos;
    const code = text.charCodeAt(start);
    let value: CiValue;
    let merge = false;
    let after: number;
    if (code === 34 /* " */ || code === 39 /* ' */) {
      value = this.quoted(start);
      after = this.skipSpaces(this.pos);
    } else {
      this.plainStart(start, false);
      let i = start;
      let last = start;
      for (;;) {
        const c = text.charCodeAt(i);
        if (c === COLON && this.endsToken(i + 1)) break;
        if (c === NEWLINE || i >= text.length || c === TAB || (c === HASH && text.charCodeAt(i - 1) === SPACE)) decline();
        if (c !== SPACE) last = i + 1;
        i++;
      }
      if (last - start > 1000) decline(); // yaml: an implicit key is at most 1024 characters
      value = this.plainValue(start, last);
      merge = last - start === 2 && text.startsWith('<<', start);
      after = i;
    }
    if (text.charCodeAt(after) !== COLON || !this.endsToken(after + 1)) decline();
    this.pos = after + 1;
    return { value, merge };
  }

  /** The value after `key:`; `pos` is just after the colon. */
  private mapValue(column: number, depth: number): CiValue | undefined {
    const at = this.skipSpaces(this.pos);
    const code = this.text.charCodeAt(at);
    if (at >= this.text.length || code === NEWLINE || code === HASH) {
      const comment = code === HASH;
      this.gap(this.lineEnd(at), -1, false);
      if (this.indent > column) return this.isSeqItem(this.pos) || this.isKeyAhead(this.pos) ? this.block(depth) : this.nextLineScalar(column, depth);
      if (this.indent === column && this.isSeqItem(this.pos)) return this.blockSeq(column, depth);
      return this.empty(at, comment, depth);
    }
    this.pos = at;
    return this.inline(column, column, depth);
  }

  private seqItem(column: number, depth: number): CiValue {
    const at = this.skipSpaces(this.pos + 1);
    const code = this.text.charCodeAt(at);
    if (at >= this.text.length || code === NEWLINE || code === HASH) {
      // A comment on the `-` line, or loose comment lines before it: the empty item's end then reaches the next content.
      const comment = code === HASH || this.looseComment >= 0;
      this.gap(this.lineEnd(at), -1, false);
      if (this.indent > column) decline(); // `-` alone, its value on the next lines
      return this.empty(at, comment, depth);
    }
    this.pos = at;
    if (this.isSeqItem(at)) decline(); // `- - a`
    if (this.isKeyAhead(at)) return this.blockMap(at - this.lineStart(at), depth);
    return this.inline(column, at - this.lineStart(at), depth);
  }

  private lineStart(at: number): number {
    return this.text.lastIndexOf('\n', at - 1) + 1;
  }

  /** `key:` with a plain or quoted scalar alone on the next line. */
  private nextLineScalar(column: number, depth: number): CiValue {
    if ('|>&!*[{'.includes(this.text[this.pos]!)) decline();
    return this.inline(column, this.indent, depth);
  }

  /** A value on the next lines: a map or a sequence at column `indent`. */
  private block(depth: number): CiValue {
    return this.isSeqItem(this.pos) ? this.blockSeq(this.indent, depth) : this.blockMap(this.indent, depth);
  }

  /**
   * A key or item left empty (null), placed as yaml places it: after the indicator and the spaces that follow it.
   * The comments after it belong to it (its end then reaches the next content).
   */
  private empty(at: number, comment: boolean, depth: number): CiValue {
    this.reach(depth);
    const value: CiValue = { kind: 'scalar', value: resolvePlain('', decline) as null, span: this.span(at, at), via: [] };
    this.lastEnd = comment || this.looseComment >= 0 ? this.pos : at;
    this.looseComment = -1;
    return value;
  }

  /** Whether the line from `at` is `key: ...` (a compact map in a sequence item). */
  private isKeyAhead(at: number): boolean {
    const text = this.text;
    let i = at;
    const code = text.charCodeAt(i);
    if (code === 34 || code === 39) {
      const close = text.indexOf(String.fromCharCode(code), i + 1);
      const newline = text.indexOf('\n', i);
      if (close < 0 || (newline >= 0 && close > newline)) return false;
      i = close + 1;
      while (text.charCodeAt(i) === SPACE) i++;
      return text.charCodeAt(i) === COLON && this.endsToken(i + 1);
    }
    if ('&*!|>[{%@`,'.includes(text[i]!)) return false;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === NEWLINE || (c === HASH && text.charCodeAt(i - 1) === SPACE)) return false;
      if (c === COLON && this.endsToken(i + 1)) return true;
    }
    return false;
  }

  // ───────────── values on the key's or item's line ─────────────

  /**
   * A value written at `pos`, on the line of its key or `-`: then that line's comment and line break, and the next
   * content. `column` is the collection's indent; `lineIndent` yaml's indent of the line (for block scalars).
   */
  private inline(column: number, lineIndent: number, depth: number): CiValue {
    const text = this.text;
    let anchor: string | undefined;
    if (text.charCodeAt(this.pos) === 38 /* & */) {
      anchor = this.name(this.pos + 1, false);
      const at = this.skipSpaces(this.pos + 1 + anchor.length);
      if (at === this.pos + 1 + anchor.length && at < text.length && text.charCodeAt(at) !== NEWLINE) decline();
      // The same name defined again inside its own node: the inner definition wins in yaml and Psych; left to the reference reader (reader.ts).
      if (this.anchors.get(anchor) === PENDING) decline();
      this.anchors.set(anchor, PENDING);
      const code = text.charCodeAt(at);
      if (at >= text.length || code === NEWLINE || code === HASH) {
        // `key: &a` then the anchored map or sequence on the next lines
        this.gap(this.lineEnd(at), -1, false);
        if (this.indent > column || (this.indent === column && this.isSeqItem(this.pos) && lineIndent === column)) {
          const value = this.block(depth);
          this.anchors.set(anchor, value);
          return value;
        }
        return decline();
      }
      this.pos = at;
    }
    const code = text.charCodeAt(this.pos);
    let value: CiValue;
    if (code === 124 /* | */ || code === 62 /* > */) {
      value = this.blockScalar(column, lineIndent, depth);
    } else {
      if (code === 42 /* * */) {
        if (anchor !== undefined) decline();
        value = this.alias(false);
      } else if (code === 33 /* ! */) {
        if (anchor !== undefined) decline();
        value = this.reference(depth);
      } else if (code === 91 /* [ */ || code === 123 /* { */) {
        value = this.flow(depth);
      } else if (code === 34 || code === 39) {
        this.reach(depth);
        value = this.quoted(this.pos);
      } else {
        this.reach(depth);
        value = this.plain(column);
      }
      this.lastEnd = this.restOfLine(this.pos);
      this.gap(this.lastEnd, column, false);
    }
    if (anchor !== undefined) this.anchors.set(anchor, value);
    return value;
  }

  /**
   * A plain scalar in block context, ending before ` #` or at a line break. It goes on over the next lines while they
   * are blank or indented deeper than its collection (`column`) and do not start with `#`, as yaml's lexer reads it.
   */
  private plain(column: number): CiValue {
    const text = this.text;
    const length = text.length;
    const start = this.pos;
    this.plainStart(start, false);
    let last = start;
    let lines = false;
    for (let i = start; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c === SPACE) {
        if (text.charCodeAt(i + 1) === HASH) break;
      } else if (c === NEWLINE) {
        if (text.charCodeAt(i + 1) === HASH) break;
        // yaml's `continueScalar`: a blank line, or one indented past the collection
        let k = i + 1;
        while (text.charCodeAt(k) === SPACE) k++;
        if (!(text.charCodeAt(k) === NEWLINE || k - (i + 1) > column)) break;
        if (text.charCodeAt(k) === TAB) decline();
        lines = true;
        i = Math.max(i, k - 2);
      } else if ((c === COLON && this.endsToken(i + 1)) || c === TAB) {
        decline();
      } else last = i + 1;
    }
    this.pos = last;
    if (!lines || text.indexOf('\n', start) >= last) return this.plainValue(start, last);
    // Over several lines: yaml folds them (one line break a space, an empty line a line break), then resolves the tag.
    const token: CST.FlowScalar = { type: 'scalar', offset: start, indent: column, source: text.slice(start, last) };
    const folded = CST.resolveAsScalar(token, true, decline).value;
    const value = resolvePlain(folded, decline);
    return { kind: 'scalar', value: isPrimitive(value) ? value : folded, span: this.span(start, last), via: [] };
  }

  /** The plain scalar written in [start, end), resolved with the YAML 1.1 tags. */
  private plainValue(start: number, end: number): CiValue {
    const source = this.text.slice(start, end);
    const value = resolvePlain(source, decline);
    return { kind: 'scalar', value: isPrimitive(value) ? value : source, span: this.span(start, end), via: [] };
  }

  /** Declines a plain scalar starting with an indicator. */
  private plainStart(at: number, flow: boolean): void {
    const code = this.text.charCodeAt(at);
    if ('#&*!|>\'"%@`,[]{}'.includes(this.text[at] ?? '#')) decline();
    if (code === DASH || code === 63 /* ? */ || code === COLON) {
      const next = this.text.charCodeAt(at + 1);
      if (this.endsToken(at + 1) || (flow && (next === COMMA || next === 93 || next === 125 || next === 91 || next === 123))) decline();
    }
  }

  /** A single- or double-quoted scalar on one line at `start`; `pos` moves after the closing quote. */
  private quoted(start: number): CiValue {
    const text = this.text;
    const double = text.charCodeAt(start) === 34;
    let value = '';
    let from = start + 1;
    let i = start + 1;
    for (;;) {
      if (i >= text.length) decline();
      const c = text.charCodeAt(i);
      if (c === NEWLINE) decline();
      if (double) {
        if (c === 34) break;
        if (c === 92 /* \ */) {
          value += text.slice(from, i) + this.escape(i);
          i += text.charCodeAt(i + 1) === 120 ? 4 : text.charCodeAt(i + 1) === 117 ? 6 : text.charCodeAt(i + 1) === 85 ? 10 : 2;
          from = i;
          continue;
        }
      } else if (c === 39) {
        if (text.charCodeAt(i + 1) !== 39) break;
        value += text.slice(from, i + 1);
        i += 2;
        from = i;
        continue;
      }
      i++;
    }
    value += text.slice(from, i);
    const end = i + 1;
    this.pos = end;
    // The span a diagnostic underlines: the text between quotes when it equals the value, else the token.
    const inner = end - start >= 2 && text.slice(start + 1, end - 1) === value;
    return { kind: 'scalar', value, span: inner ? this.span(start + 1, end - 1) : this.span(start, end), via: [] };
  }

  /** The character a double-quoted escape at `at` stands for, as yaml reads it. */
  private escape(at: number): string {
    const next = this.text[at + 1];
    const simple = next === undefined ? undefined : ESCAPES[next];
    if (simple !== undefined) return simple;
    const length = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : decline();
    const hex = this.text.substr(at + 2, length);
    if (hex.length !== length || !/^[0-9a-fA-F]+$/.test(hex)) decline();
    const code = parseInt(hex, 16);
    return code > 0x10ffff ? decline() : String.fromCodePoint(code);
  }

  /** An anchor or alias name at `at`: letters, digits and `_-./`, then a space, a line break or (in flow) `,]}`. */
  private name(at: number, flow: boolean): string {
    const text = this.text;
    let i = at;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === DASH || c === 46 || c === 47)) break;
    }
    const c = text.charCodeAt(i);
    if (i === at || !(this.endsToken(i) || (flow && (c === COMMA || c === 93 || c === 125)))) decline();
    return text.slice(at, i);
  }

  private alias(flow: boolean): CiValue {
    const start = this.pos;
    const name = this.name(start + 1, flow);
    const end = start + 1 + name.length;
    this.pos = end;
    const target = this.anchors.get(name);
    // An unknown anchor, or one whose node holds this alias: left to the reference reader.
    if (!target || target === PENDING) return decline();
    const span = this.span(start, end);
    this.builder.take(1, span);
    return this.builder.alias(target, name, span);
  }

  /** `!reference [a, b]` (no other tag): a `CiReference` from the tag to the closing bracket. */
  private reference(depth: number): CiValue {
    const text = this.text;
    const start = this.pos;
    if (!text.startsWith(REFERENCE_TAG, start)) decline();
    const open = this.skipSpaces(start + REFERENCE_TAG.length);
    if (open === start + REFERENCE_TAG.length || text.charCodeAt(open) !== 91) decline();
    this.reach(depth);
    this.pos = open + 1;
    const path: string[] = [];
    this.flowItems(93, () => {
      const code = text.charCodeAt(this.pos);
      if (code === 34 || code === 39) path.push(String((this.quoted(this.pos) as CiScalar).value));
      else path.push(String(resolvePlain(text.slice(this.pos, this.flowPlainEnd()), decline)));
    });
    const reference: CiReference = { kind: 'reference', path, span: this.span(start, this.pos), via: [] };
    this.references.push(reference);
    return reference;
  }

  // ───────────── flow collections (on one line) ─────────────

  private flow(depth: number): CiValue {
    this.reach(depth);
    const text = this.text;
    const start = this.pos;
    const isMap = text.charCodeAt(start) === 123;
    this.pos = start + 1;
    if (isMap) {
      const pairs: PairValue[] = [];
      this.flowItems(125, () => {
        const code = text.charCodeAt(this.pos);
        if (code === 91 || code === 123 || code === 42) decline(); // a key that is not a scalar
        const key = this.flowNode(depth + 1);
        const merge = code !== 34 && code !== 39 && key.span.end - key.span.start === 2 && text.startsWith('<<', key.span.start);
        const colon = this.skipSpaces(this.pos);
        if (text.charCodeAt(colon) !== COLON || text.charCodeAt(colon + 1) !== SPACE) decline();
        this.pos = this.skipSpaces(colon + 1);
        pairs.push({ key, value: this.flowNode(depth + 1), merge });
      });
      return this.builder.map(pairs, this.span(start, this.pos));
    }
    const items: CiValue[] = [];
    this.flowItems(93, () => items.push(this.flowNode(depth + 1)));
    return this.builder.seq(items, start, this.pos);
  }

  /** Items separated by `, ` up to the closing `close`; `pos` ends after it. No empty item, no trailing comma. */
  private flowItems(close: number, item: () => void): void {
    const text = this.text;
    this.pos = this.skipSpaces(this.pos);
    if (text.charCodeAt(this.pos) === close) {
      this.pos++;
      return;
    }
    for (;;) {
      item();
      const at = this.skipSpaces(this.pos);
      const code = text.charCodeAt(at);
      if (code === close) {
        this.pos = at + 1;
        return;
      }
      if (code !== COMMA) decline();
      this.pos = this.skipSpaces(at + 1);
      if (text.charCodeAt(this.pos) === close) decline();
    }
  }

  private flowNode(depth: number): CiValue {
    const code = this.text.charCodeAt(this.pos);
    if (code === 91 || code === 123) return this.flow(depth);
    if (code === 42) return this.alias(true);
    this.reach(depth);
    if (code === 34 || code === 39) return this.quoted(this.pos);
    return this.flowPlain();
  }

  private flowPlain(): CiValue {
    const start = this.pos;
    return this.plainValue(start, this.flowPlainEnd());
  }

  /** Where a plain scalar inside a flow collection ends: before `,`, a bracket, or `: `; `pos` moves there. */
  private flowPlainEnd(): number {
    const text = this.text;
    const start = this.pos;
    this.plainStart(start, true);
    let i = start;
    let last = start;
    for (;;) {
      if (i >= text.length) decline();
      const c = text.charCodeAt(i);
      if (c === COMMA || c === 93 || c === 125) break;
      if (c === COLON) {
        const next = text.charCodeAt(i + 1);
        if (next === SPACE || next === COMMA || next === 93 || next === 125) break;
      }
      if (c === NEWLINE || c === TAB || c === 91 || c === 123 || (c === HASH && text.charCodeAt(i - 1) === SPACE)) decline();
      if (c !== SPACE) last = i + 1;
      i++;
    }
    this.pos = last;
    return last;
  }

  // ───────────── block scalars ─────────────

  /**
   * `|` or `>` with optional chomping (no indentation indicator, no comment on the header line). Which lines belong to
   * it follows yaml's lexer; the value is yaml's own `resolveAsScalar` of that token.
   */
  private blockScalar(column: number, lineIndent: number, depth: number): CiValue {
    this.reach(depth);
    const text = this.text;
    const length = text.length;
    const start = this.pos;
    let i = start + 1;
    const chomp = text.charCodeAt(i);
    if (chomp === DASH || chomp === 43 /* + */) i++;
    const header = text.slice(start, i);
    const afterHeader = this.skipSpaces(i);
    if (text.charCodeAt(afterHeader) !== NEWLINE) decline();
    const contentStart = afterHeader + 1;
    // The first line with content decides the indent; blank lines before it may not be longer.
    let nl = afterHeader;
    let indent = 0;
    let longestBlank = 0;
    for (let j = contentStart; ; j++) {
      const c = text.charCodeAt(j);
      if (c === SPACE) indent++;
      else if (c === NEWLINE) {
        if (indent > longestBlank) longestBlank = indent;
        nl = j;
        indent = 0;
      } else {
        if (j >= length || c === TAB) decline();
        break;
      }
    }
    const indentNext = column + 1;
    if (indent < indentNext || longestBlank > indent) decline();
    // Lines continue the scalar while blank or indented at least as much.
    for (;;) {
      const lineAt = nl + 1;
      let k = lineAt;
      while (text.charCodeAt(k) === SPACE) k++;
      const c = text.charCodeAt(k);
      if (!(c === NEWLINE || k - lineAt >= indent)) break;
      const next = text.indexOf('\n', k);
      if (next < 0) {
        nl = length;
        break;
      }
      nl = next;
    }
    if (chomp !== 43) {
      // Trailing blank lines no longer than the indent are not part of a clipped or stripped scalar.
      for (;;) {
        let k = nl - 1;
        const lastChar = k;
        while (text.charCodeAt(k) === SPACE) k--;
        if (text.charCodeAt(k) === NEWLINE && k >= contentStart && k + 1 + indent > lastChar) nl = k;
        else break;
      }
    }
    const end = Math.min(nl + 1, length);
    const source = text.slice(contentStart, end);
    if (source.includes('\t')) decline();
    let after = end;
    while (text.charCodeAt(after) === SPACE) after++;
    if (text.charCodeAt(after) === TAB) decline();
    const props: CST.SourceToken[] = [{ type: 'block-scalar-header', offset: start, indent: lineIndent, source: header }];
    if (afterHeader > i) props.push({ type: 'space', offset: i, indent: lineIndent, source: text.slice(i, afterHeader) });
    props.push({ type: 'newline', offset: afterHeader, indent: lineIndent, source: '\n' });
    const token: CST.BlockScalar = { type: 'block-scalar', offset: start, indent: lineIndent, props, source };
    const resolved = CST.resolveAsScalar(token, true, decline);
    this.lastEnd = end;
    this.gap(end, -1, false);
    return { kind: 'scalar', value: resolved.value, span: this.span(start, end), via: [] };
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  '\t': '\t',
};
