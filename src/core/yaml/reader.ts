/**
 * The reference YAML reader: yaml's own Composer (YAML 1.1, as GitLab's Psych reads it) gives the documents, their
 * syntax errors and every node's range; `DocumentConverter` turns a document into a `CiValue` with exact source spans,
 * aliases sharing the anchored value, `<<` merge keys the way Psych merges them, and the `!reference` tag. The fast
 * first pass (fastReader.ts) reads most CI files instead and gives the same values; this reader takes everything else.
 */
import { Composer, isAlias, isMap, isPair, isScalar, isSeq, Lexer, Parser, type CST, type Document, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import type { Deadline } from '../deadline';
import type { SourceSpan } from '../types';
import type { CiReference, CiValue } from '../pipeline/ciValue';
import type { ResolveContext } from '../pipeline/context';
import { parseFast, type FastDocument } from './fastReader';
import { plainSyntaxErrors } from './syntaxErrors';
import { isPrimitive, psychScalarValue, REFERENCE_TAG, ValueBuilder, YAML_OPTIONS, type PairValue } from './valueBuilder';

export { REFERENCE_TAG } from './valueBuilder';

const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** One file split into its optional `spec:` header and its content document (yaml's composed documents). */
export interface ParsedFile {
  readonly path: string;
  readonly text: string;
  readonly header: Document.Parsed | undefined;
  readonly content: Document.Parsed | undefined;
  /** Set when the fast parser accepted the text (then `header` and `content` are undefined): the file's converted content. */
  readonly fast?: FastDocument;
}

/** Replaces a string scalar that contains `$[[ ... ]]`: a new value, or a string for in-place text. */
export type Interpolator = (text: string, span: SourceSpan) => CiValue | string;

export interface ConvertHooks {
  /** Rewrites string scalars (values and keys) that contain `$[[`. */
  readonly interpolate?: Interpolator;
  /** Called once per `!reference` tag written in the document. */
  readonly onReference?: (reference: CiReference) => void;
}

/**
 * Parses a CI file. Syntax errors become `yaml-syntax` problems; what could be parsed is kept so that a file being
 * edited still yields partial results. Over-large and over-deep files become `limit-exceeded` and yield nothing.
 */
export function parsePipelineFile(path: string, text: string, ctx: ResolveContext): ParsedFile {
  const nothing: ParsedFile = { path, text, header: undefined, content: undefined };
  if (text.length > ctx.limits.maxFileSize) {
    ctx.report('limit-exceeded', 'error', `File is larger than ${ctx.limits.maxFileSize} characters; it is not analysed.`, { file: path, start: 0, end: 0 });
    return nothing;
  }
  // YAML allows no C0 control characters but tab and line breaks (nor DEL); Psych refuses such a file outright.
  const control = CONTROL_CHARACTER.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    ctx.report(
      'yaml-syntax',
      'error',
      `Not YAML: control character U+${code} in the file`,
      {
        file: path,
        start: control.index,
        end: control.index + 1,
      },
      undefined,
      [],
      'YAML does not allow it (is it a binary file?); the file is not analysed.',
    );
    return nothing;
  }
  const documents = readDocuments(path, text, ctx);
  if (!documents) return nothing;
  reportSyntaxErrors(path, text, documents, ctx);
  const [first, second] = documents;
  if (first && second && hasSpecKey(first)) return { path, text, header: first, content: second };
  return { path, text, header: undefined, content: first };
}

/**
 * Reads a CI file for conversion: with the fast parser when it accepts the text (it reports nothing then), else as
 * `parsePipelineFile` does.
 */
export function readPipelineFile(path: string, text: string, ctx: ResolveContext): ParsedFile {
  const fast = parseFast(path, text, ctx.limits);
  if (fast) return { path, text, header: undefined, content: undefined, fast };
  return parsePipelineFile(path, text, ctx);
}

/**
 * The content document of a file without a `spec:` header, converted: the fast parser's value when it has one and
 * `ctx` allows it as is, else the reference reader's (which stops and reports where `ctx`'s limits cut it short).
 */
export function convertContent(parsed: ParsedFile, ctx: ResolveContext, hooks: ConvertHooks = {}): CiValue | undefined {
  const fast = parsed.fast;
  if (!fast) return parsed.content && convertDocument(parsed.content, parsed.path, parsed.text, ctx, hooks);
  const { limits } = ctx;
  if (hooks.interpolate || fast.depth > limits.maxYamlDepth || fast.size > limits.maxExpandedValues || fast.spent > ctx.expansionsRemaining) {
    // The fast parser accepted the text, so it is one clean document.
    const document = readDocuments(parsed.path, parsed.text, ctx)?.[0];
    return document && convertDocument(document, parsed.path, parsed.text, ctx, hooks);
  }
  if (fast.spent > 0) ctx.spend(fast.spent, { file: parsed.path, start: 0, end: 0 });
  if (hooks.onReference) for (const reference of fast.references) hooks.onReference(reference);
  return fast.root;
}

/** Syntax errors after which a file is not read further: GitLab (Psych) stops at the first one. */
export const MAX_SYNTAX_ERRORS = 1_000;

/** Why `composeDocuments` stopped reading, and where. */
export interface ComposeStop {
  readonly stop: 'too-deep' | 'too-many-errors';
  readonly at: number;
}

/**
 * yaml's documents of `text`, or where reading stopped: collections nested more than `maxDepth + 2` levels deep (the
 * document, and a scalar being read, take a level each), or more than `MAX_SYNTAX_ERRORS` syntax errors. yaml's
 * Composer recurses per level: given `[[[[…` 2 MB deep it would take most of a minute and gigabytes before overflowing
 * its stack, so such a text never reaches it; and each error costs it an Error object (`? - &a ` repeated 80,000 times
 * took 4 s), so it is stopped at the first error past the bound. Throws `CheckStopped` once `deadline` has passed.
 */
export function composeDocuments(text: string, maxDepth: number, deadline?: Deadline): Document.Parsed[] | ComposeStop {
  const parser = new Parser();
  const tokens: CST.Token[] = [];
  let lexemes = 0;
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token);
    if (parser.stack.length > maxDepth + 2) return { stop: 'too-deep', at: Math.min(parser.offset, text.length) };
    if (deadline && ++lexemes % 4096 === 0) deadline.check();
  }
  for (const token of parser.end()) tokens.push(token);
  deadline?.check();
  const composer = new Composer(YAML_OPTIONS);
  // The Composer reports each error through its (private) `onError`, read when each document is composed: count them
  // there. yaml catches errors around collections and reports them through `onError` again, so a stop is sticky.
  const hooked = composer as unknown as { onError: ComposerOnError };
  const onError = hooked.onError;
  let errors = 0;
  let stopped: Error | undefined;
  hooked.onError = (source, code, message, warning) => {
    if (stopped) throw stopped;
    if (!warning && ++errors > MAX_SYNTAX_ERRORS) throw (stopped = new TooManyErrors(errorOffset(source)));
    try {
      if (deadline && errors % 64 === 0) deadline.check();
    } catch (error) {
      throw (stopped = error as Error);
    }
    onError(source, code, message, warning);
  };
  // yaml makes each syntax error an Error: without the stack trace nobody reads, many errors cost a fraction.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const documents: Document.Parsed[] = [];
    for (const document of composer.compose(tokens)) {
      documents.push(document as Document.Parsed);
      deadline?.check();
    }
    return documents;
  } catch (error) {
    if (error instanceof TooManyErrors) return { stop: 'too-many-errors', at: Math.min(Math.max(error.at, 0), text.length) };
    throw error;
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

type ComposerOnError = (source: number | readonly number[] | { readonly offset: number }, code: string, message: string, warning?: boolean) => void;

function errorOffset(source: Parameters<ComposerOnError>[0]): number {
  if (typeof source === 'number') return source;
  return 'offset' in source ? source.offset : (source[0] ?? 0);
}

class TooManyErrors extends Error {
  constructor(readonly at: number) {
    super('too many syntax errors');
  }
}

/** `composeDocuments` for a file, reporting where it stopped being read. */
function readDocuments(path: string, text: string, ctx: ResolveContext): Document.Parsed[] | undefined {
  const documents = composeDocuments(text, ctx.limits.maxYamlDepth, ctx.deadline);
  if (Array.isArray(documents)) return documents;
  const span = { file: path, start: documents.at, end: documents.at };
  if (documents.stop === 'too-deep') reportTooDeep(ctx, span);
  else ctx.report('limit-exceeded', 'error', `The file has more than ${MAX_SYNTAX_ERRORS} YAML syntax errors; it is not analysed. Fix the first ones.`, span);
  return undefined;
}

function reportTooDeep(ctx: ResolveContext, span: SourceSpan): void {
  ctx.report('limit-exceeded', 'error', `YAML nested deeper than ${ctx.limits.maxYamlDepth} levels is not analysed.`, span);
}

/** Reports the errors yaml's Composer found. */
function reportSyntaxErrors(path: string, text: string, documents: readonly Document.Parsed[], ctx: ResolveContext): void {
  // Plain words, never quoting the file (a broken line may hold a secret); the range shows the user where.
  for (const error of plainSyntaxErrors(
    documents.flatMap((document) => document.errors),
    text,
  )) {
    ctx.report('yaml-syntax', 'error', error.message, { file: path, start: error.start, end: error.end });
  }
}

/** A first document that is a map with a `spec` key is a header (`spec: inputs:`), followed by the content. */
function hasSpecKey(document: Document.Parsed): boolean {
  const root = document.contents;
  return isMap(root) && root.items.some((pair) => isScalar(pair.key) && psychScalarValue(pair.key) === 'spec');
}

/** Converts one composed YAML document into a `CiValue`; undefined (reported) when aliases expand it past the limit. */
export function convertDocument(document: Document.Parsed, file: string, text: string, ctx: ResolveContext, hooks: ConvertHooks = {}): CiValue | undefined {
  const builder = new ValueBuilder(file, (amount, where) => ctx.spend(amount, where));
  const root = new DocumentConverter(file, text, ctx, hooks, builder).convert(document.contents, 0, 0);
  if (builder.sizeOf(root) > ctx.limits.maxExpandedValues) {
    ctx.report(
      'limit-exceeded',
      'error',
      `With its aliases expanded the document holds more than ${ctx.limits.maxExpandedValues} values (an alias bomb?); it is not analysed.`,
      { file, start: 0, end: 0 },
    );
    return undefined;
  }
  return root;
}

interface Anchored {
  value: CiValue | undefined;
  /** True while the anchored node itself is being converted (an alias inside it is null, as a cycle). */
  pending: boolean;
}

type Range = readonly [number, number, number];

/**
 * One document's nodes to values, each node converted once: an alias shares its anchor's value and adds an `anchor`
 * provenance step, taking one from the alias budget. Nodes deeper than `maxYamlDepth` become null (reported once).
 */
class DocumentConverter {
  private readonly anchors = new Map<string, Anchored>();
  private depthReported = false;

  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly ctx: ResolveContext,
    private readonly hooks: ConvertHooks,
    private readonly builder: ValueBuilder,
  ) {}

  /** A node (a missing one is null at `at`), `depth` levels below the root. */
  convert(node: unknown, depth: number, at: number): CiValue {
    if (isAlias(node)) return this.alias(node.source, node.range!);
    if (!isScalar(node) && !isMap(node) && !isSeq(node)) return this.builder.nullAt(this.span(at, at));
    const [start, end] = node.range!;
    if (depth > this.ctx.limits.maxYamlDepth) return this.tooDeep(start, end);
    if (!node.anchor) return this.build(node, depth);
    const entry: Anchored = { value: undefined, pending: true };
    this.anchors.set(node.anchor, entry);
    entry.value = this.build(node, depth);
    entry.pending = false;
    return entry.value;
  }

  private build(node: Scalar | YAMLMap | YAMLSeq, depth: number): CiValue {
    if (isScalar(node)) return this.scalar(node);
    this.ctx.checkTime();
    const [start, end] = node.range!;
    if (isSeq(node)) {
      if (node.tag === REFERENCE_TAG) return this.reference(node.items, start, end);
      return this.builder.seq(
        node.items.map((item) => this.convert(item, depth + 1, start)),
        start,
        end,
      );
    }
    const pairs: PairValue[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = this.convert(pair.key, depth + 1, start);
      const value = pair.value === null ? undefined : this.convert(pair.value, depth + 1, key.span.end);
      // `<<` as a plain key (whatever its tag): a merge when its value is a map or a list of maps.
      const merge = isScalar(pair.key) && pair.key.type === 'PLAIN' && pair.key.source === '<<';
      pairs.push({ key, value, merge });
    }
    return this.builder.map(pairs, this.span(start, end));
  }

  private scalar(node: Scalar): CiValue {
    const [start, end] = node.range!;
    const value = psychScalarValue(node);
    // The span a diagnostic underlines: the text between quotes when it equals the value, else the token.
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
    const inner = quoted && end - start >= 2 && this.text.slice(start + 1, end - 1) === String(value);
    const span = inner ? this.span(start + 1, end - 1) : this.span(start, end);
    if (this.hooks.interpolate && typeof value === 'string' && value.includes('$[[')) {
      const result = this.hooks.interpolate(value, span);
      return typeof result === 'string' ? { kind: 'scalar', value: result, span, via: [] } : result;
    }
    return { kind: 'scalar', value: isPrimitive(value) ? value : (node.source ?? ''), span, via: [] };
  }

  private alias(name: string, [start, end]: Range): CiValue {
    const span = this.span(start, end);
    const target = this.anchors.get(name);
    if (!target) {
      // Psych (GitLab's reader) rejects the whole file here: "An alias referenced an unknown anchor" (Psych::AnchorNotDefined).
      this.ctx.report('yaml-syntax', 'error', `*${name} refers to no anchor: define &${name} above it. GitLab rejects this file.`, span);
      return this.builder.nullAt(span);
    }
    if (!this.builder.take(1, span) || target.pending || !target.value) return this.builder.nullAt(span);
    return this.builder.alias(target.value, name, span);
  }

  /** `!reference [key, subkey...]`: each item's text (an item that is not a scalar is ''), its span from the tag on. */
  private reference(items: readonly unknown[], start: number, end: number): CiValue {
    const path = items.map((item) => {
      if (!isScalar(item)) return '';
      const value = psychScalarValue(item);
      return isPrimitive(value) ? String(value) : String(item.source ?? '');
    });
    const tagStart = this.text.lastIndexOf(REFERENCE_TAG, start);
    const from = tagStart >= 0 && this.text.slice(tagStart + REFERENCE_TAG.length, start).trim() === '' ? tagStart : start;
    const reference: CiReference = { kind: 'reference', path, span: this.span(from, end), via: [] };
    this.hooks.onReference?.(reference);
    return reference;
  }

  private tooDeep(start: number, end: number): CiValue {
    const span = this.span(start, end);
    if (!this.depthReported) {
      this.depthReported = true;
      reportTooDeep(this.ctx, span);
    }
    return this.builder.nullAt(span);
  }

  private span(start: number, end: number): SourceSpan {
    return { file: this.file, start, end };
  }
}
