/**
 * YAML text → `CiValue` with exact source spans, converted straight from yaml's CST (no Document nodes are built).
 * Handles anchors and aliases (each anchored node converted once), `<<` merge keys the way Ruby's Psych (GitLab's
 * parser) does, the `!reference` tag, and the `spec:` header document. Scalars resolve with yaml's own YAML 1.1 tags,
 * so values are those `parseAllDocuments(text, { version: '1.1' })` gives.
 */
import { CST, Parser, parseAllDocuments, type Document, type ScalarTag } from 'yaml';
import type { SourceSpan } from '../types';
import { reparseDocument } from './incrementalParse';
import type { CiReference, CiValue } from './ciValue';
import type { ResolveContext } from './context';
import { parseFast, type FastDocument } from './fastYaml';
import { plainSyntaxErrors } from './yamlMessages';
import { isPrimitive, PLAIN_TAGS, REFERENCE_TAG, resolveWithTag, SCHEMA, SCHEMA_TAGS, STRING_TAG, ValueBuilder, YAML_OPTIONS, type PairValue } from './valueBuilder';
import { documentLooksClean, emptyScalarPosition, endOffset, endsCleanly, readProps, type NodeProps } from './yamlSyntax';

export { REFERENCE_TAG } from './valueBuilder';

const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** One file split into its optional `spec:` header and its content document (yaml's CST documents). */
export interface ParsedFile {
  readonly path: string;
  readonly text: string;
  readonly header: CST.Document | undefined;
  readonly content: CST.Document | undefined;
  /** One document, free of syntax errors and directives: after an edit it may be re-parsed in part (`reparsePipelineFile`). */
  readonly single?: boolean;
  /** Set when the fast parser accepted the text (then `header` and `content` are undefined): the file's converted content. */
  readonly fast?: FastDocument;
}

/** Replaces a string scalar that contains `$[[ ... ]]`: a new value, or a string for in-place text. */
export type Interpolator = (text: string, span: SourceSpan) => CiValue | string;

const TOO_DEEP = 'The YAML could not be parsed (too deeply nested).';

/**
 * Parses a CI file. Syntax errors become `yaml-syntax` problems; what could be parsed is kept so that a file being
 * edited still yields partial results. Over-large files become `limit-exceeded` and yield nothing.
 */
export function parsePipelineFile(path: string, text: string, ctx: ResolveContext): ParsedFile {
  const whole: SourceSpan = { file: path, start: 0, end: 0 };
  if (text.length > ctx.limits.maxFileSize) {
    ctx.report('limit-exceeded', 'error', `File is larger than ${ctx.limits.maxFileSize} characters; it is not analysed.`, whole);
    return { path, text, header: undefined, content: undefined };
  }
  // YAML allows no C0 control characters but tab and line breaks (nor DEL); Psych refuses such a file outright.
  const control = CONTROL_CHARACTER.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    ctx.report('yaml-syntax', 'error', `The file contains the control character U+${code}, which YAML does not allow (is it a binary file?); it is not analysed.`, {
      file: path,
      start: control.index,
      end: control.index + 1,
    });
    return { path, text, header: undefined, content: undefined };
  }
  const documents: CST.Document[] = [];
  let clean = true;
  let others = false;
  try {
    for (const token of new Parser().parse(text)) {
      if (token.type === 'document') {
        documents.push(token);
        if (clean) clean = documentLooksClean(token);
      } else if (token.type === 'doc-end') {
        others = true;
        if (documents.length === 0 || !endsCleanly(token.end, true)) clean = false;
      } else if (token.type !== 'byte-order-mark' && token.type !== 'space' && token.type !== 'comment' && token.type !== 'newline') {
        clean = false; // directives (their tag handles, `%YAML 1.2`) and parse errors
      }
    }
  } catch {
    clean = false;
  }
  // Only a file that may hold a syntax error is composed, for yaml's exact messages and positions.
  if (!clean && !reportSyntaxErrors(path, text, ctx)) return { path, text, header: undefined, content: undefined };
  const first = documents[0];
  const second = documents[1];
  if (first && second && hasSpecKey(first)) return { path, text, header: first, content: second };
  return { path, text, header: undefined, content: first, single: clean && !others && documents.length === 1 };
}

/**
 * Reads a CI file for conversion: with the fast parser when it accepts the text (it reports nothing then), else as
 * `parsePipelineFile` does. A `previous` parse of the same path that was a clean single CST document lets a
 * declined edit re-parse only its changed items; it must not be used afterwards.
 */
export function readPipelineFile(path: string, text: string, ctx: ResolveContext, previous?: ParsedFile): ParsedFile {
  const fast = parseFast(path, text, ctx.limits);
  if (fast) return { path, text, header: undefined, content: undefined, fast };
  return (previous && reparsePipelineFile(previous, text, ctx)) ?? parsePipelineFile(path, text, ctx);
}

/**
 * The content document of a file without a `spec:` header, converted: the fast parser's value when it has one and
 * `ctx` allows it as is, else `convertDocument` of the CST (which stops and reports where limits cut it short).
 */
export function convertContent(parsed: ParsedFile, ctx: ResolveContext, hooks: ConvertHooks = {}): CiValue | undefined {
  const fast = parsed.fast;
  if (!fast) return parsed.content && convertDocument(parsed.content, parsed.path, parsed.text, ctx, hooks);
  const { limits } = ctx;
  if (hooks.interpolate || fast.depth > limits.maxYamlDepth || fast.size > limits.maxExpandedValues || fast.spent > ctx.expansionsRemaining) {
    const document = [...new Parser().parse(parsed.text)].find((token): token is CST.Document => token.type === 'document');
    return document && convertDocument(document, parsed.path, parsed.text, ctx, hooks);
  }
  if (fast.spent > 0) ctx.spend(fast.spent, { file: parsed.path, start: 0, end: 0 });
  if (hooks.onReference) for (const reference of fast.references) hooks.onReference(reference);
  return fast.root;
}

/**
 * `parsePipelineFile(previous.path, text, ctx)` computed by re-parsing only the top-level items an edit changed, or
 * undefined when that cannot be done with certainty (then parse the whole file). Only for a `previous` that is a
 * single clean document (it reported nothing); `previous` must not be used afterwards, whatever the answer.
 */
export function reparsePipelineFile(previous: ParsedFile, text: string, ctx: ResolveContext): ParsedFile | undefined {
  if (!previous.single || !previous.content || text.length > ctx.limits.maxFileSize || CONTROL_CHARACTER.test(text)) return undefined;
  let content: CST.Document | undefined;
  try {
    content = reparseDocument(previous.content, previous.text, text);
  } catch {
    return undefined; // absurd nesting
  }
  return content && { path: previous.path, text, header: undefined, content, single: true };
}

/** Reports the errors yaml's Composer finds; false when it gives up (absurd nesting). */
function reportSyntaxErrors(path: string, text: string, ctx: ResolveContext): boolean {
  let documents: Document.Parsed[];
  try {
    documents = parseAllDocuments(text, YAML_OPTIONS) as Document.Parsed[];
  } catch {
    // The yaml package recurses per nesting level: absurd nesting ends as a RangeError.
    ctx.report('yaml-syntax', 'error', TOO_DEEP, { file: path, start: 0, end: 0 });
    return false;
  }
  // Plain words, never quoting the file (a broken line may hold a secret); the range shows the user where.
  for (const error of plainSyntaxErrors(documents.flatMap((document) => document.errors), text)) {
    ctx.report('yaml-syntax', 'error', error.message, { file: path, start: error.start, end: error.end });
  }
  return true;
}

/** A first document that is a map with a `spec` key is a header (`spec: inputs:`), followed by the content. */
function hasSpecKey(document: CST.Document): boolean {
  const value = document.value;
  if (value?.type !== 'block-map' && !(value?.type === 'flow-collection' && value.start.source === '{')) return false;
  return value.items.some((item) => {
    const key = item.key;
    if (key?.type !== 'scalar' && key?.type !== 'single-quoted-scalar' && key?.type !== 'double-quoted-scalar' && key?.type !== 'block-scalar') return false;
    const tag = item.start.find((token) => token.type === 'tag');
    return resolveScalar(key, tag, (): void => undefined).value === 'spec';
  });
}

type ScalarToken = CST.FlowScalar | CST.BlockScalar;

interface ResolvedScalar {
  /** As yaml's Composer resolves it: a string, number, boolean, null, or something else (a Date, a merge marker...). */
  readonly value: unknown;
  /** The scalar's text value before tag resolution (yaml's `Scalar.source`). */
  readonly source: string;
  readonly quoted: boolean;
  readonly range: [number, number, number];
}

/** A port of yaml's `composeScalar`: the text value, then the tag named, or for a plain scalar the first whose test matches. */
function resolveScalar(token: ScalarToken, tagToken: CST.SourceToken | undefined, onError: () => void): ResolvedScalar {
  const { value: source, type, range } = CST.resolveAsScalar(token, true, onError);
  const quoted = type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE';
  let tag: ScalarTag;
  if (tagToken) tag = tagByName(source, tagName(tagToken.source));
  else if (token.type === 'scalar') tag = PLAIN_TAGS.find((candidate) => candidate.test!.test(source)) ?? STRING_TAG;
  else tag = STRING_TAG;
  return { value: resolveWithTag(tag, source, onError), source, quoted, range: range as [number, number, number] };
}

/** yaml's default tag handles (documents with `%TAG` directives are composed first, see `parsePipelineFile`). */
function tagName(source: string): string {
  if (source === '!') return '!';
  if (source.startsWith('!<') && source.endsWith('>')) return source.slice(2, -1);
  if (source.startsWith('!!')) return `tag:yaml.org,2002:${source.slice(2)}`;
  return source;
}

function tagByName(source: string, name: string): ScalarTag {
  if (name === '!') return STRING_TAG;
  const withTest: ScalarTag[] = [];
  for (const tag of SCHEMA_TAGS) {
    if (tag.collection || tag.tag !== name) continue;
    if (tag.default && tag.test) withTest.push(tag as ScalarTag);
    else return tag as ScalarTag;
  }
  for (const tag of withTest) if (tag.test!.test(source)) return tag;
  const known = SCHEMA.knownTags[name];
  return known && !known.collection ? (known as ScalarTag) : STRING_TAG;
}

/** The length of a token's text (`CST.stringify(token).length`), without recursing: nesting may be absurd. */
function tokenLength(token: CST.Token): number {
  let length = 0;
  const pending: CST.Token[] = [token];
  const add = (parts: readonly CST.SourceToken[] | undefined): void => {
    if (parts) for (const part of parts) length += part.source.length;
  };
  for (let next = pending.pop(); next; next = pending.pop()) {
    if ('source' in next) length += next.source.length;
    if ('props' in next) pending.push(...next.props);
    if ('end' in next && Array.isArray(next.end)) add(next.end);
    if (next.type === 'flow-collection') length += next.start.source.length;
    if (next.type === 'document') add(next.start);
    if ('items' in next) {
      for (const item of next.items) {
        add(item.start);
        add(item.sep);
        if (item.key) pending.push(item.key);
        if (item.value) pending.push(item.value);
      }
    }
    if (next.type === 'document' && next.value) pending.push(next.value);
  }
  return length;
}

export interface ConvertHooks {
  /** Rewrites string scalars (values and keys) that contain `$[[`. */
  readonly interpolate?: Interpolator;
  /** Called once per `!reference` tag written in the document. */
  readonly onReference?: (reference: CiReference) => void;
}

interface Anchored {
  value: CiValue | undefined;
  /** True while the anchored node itself is being converted (an alias inside it is null, as a cycle). */
  pending: boolean;
}

const ignoreError = (): void => undefined;

/**
 * Converts one YAML document into a `CiValue`. Every node is converted once; aliases share the anchored value and add
 * an `anchor` provenance step.
 */
export function convertDocument(
  document: CST.Document,
  file: string,
  text: string,
  ctx: ResolveContext,
  hooks: ConvertHooks = {},
): CiValue | undefined {
  const { interpolate, onReference } = hooks;
  const anchors = new Map<string, Anchored>();
  const builder = new ValueBuilder(file, (amount, where) => ctx.spend(amount, where));
  const sizeOf = (value: CiValue | undefined): number => builder.sizeOf(value);
  const maxDepth = ctx.limits.maxYamlDepth;
  let depthReported = false;
  // yaml's `range[2]` of the node converted last: where it ends with its trailing comments, which is where the
  // collection holding it ends (`range[1]`).
  let lastEnd = 0;

  const nullAt = (span: SourceSpan): CiValue => builder.nullAt(span);

  const scalarValue = (value: unknown, source: string, span: SourceSpan): CiValue => {
    if (interpolate && typeof value === 'string' && value.includes('$[[')) {
      const result = interpolate(value, span);
      return typeof result === 'string' ? { kind: 'scalar', value: result, span, via: [] } : result;
    }
    return { kind: 'scalar', value: isPrimitive(value) ? value : source, span, via: [] };
  };

  const anchor = (props: NodeProps, depth: number, build: () => CiValue): CiValue => {
    if (!props.anchor) return build();
    const entry: Anchored = { value: undefined, pending: true };
    if (depth <= maxDepth) anchors.set(props.anchor.source.slice(1), entry);
    const value = build();
    entry.value = value;
    entry.pending = false;
    return value;
  };

  const tooDeep = (start: number, end: number): CiValue => {
    const span: SourceSpan = { file, start, end };
    if (!depthReported) {
      depthReported = true;
      ctx.report('limit-exceeded', 'error', `YAML nested deeper than ${maxDepth} levels is not analysed.`, span);
    }
    return nullAt(span);
  };

  // An empty key or value (`key:` with nothing after it), placed as yaml places it.
  const convertEmpty = (offset: number, before: readonly CST.SourceToken[] | undefined, props: NodeProps, depth: number): CiValue => {
    const at = emptyScalarPosition(offset, before);
    lastEnd = props.hasComment ? props.end : at;
    if (depth > maxDepth) return tooDeep(at, at);
    const span: SourceSpan = { file, start: at, end: at };
    return anchor(props, depth, () => {
      const { value, source } = resolveScalar({ type: 'scalar', offset: at, indent: -1, source: '' }, props.tag, ignoreError);
      return scalarValue(value, source, span);
    });
  };

  const convert = (token: CST.Token, props: NodeProps, depth: number): CiValue => {
    switch (token.type) {
      case 'alias':
        return convertAlias(token);
      case 'scalar':
      case 'single-quoted-scalar':
      case 'double-quoted-scalar':
      case 'block-scalar': {
        const resolved = resolveScalar(token, props.tag, ignoreError);
        const [start, end, after] = resolved.range;
        lastEnd = after;
        if (depth > maxDepth) return tooDeep(start, end);
        // The span a diagnostic underlines: the text between quotes when it equals the value, else the token.
        const inner = resolved.quoted && end - start >= 2 && text.slice(start + 1, end - 1) === String(resolved.value);
        const span: SourceSpan = inner ? { file, start: start + 1, end: end - 1 } : { file, start, end };
        return anchor(props, depth, () => scalarValue(resolved.value, resolved.source, span));
      }
      case 'block-map':
      case 'block-seq':
      case 'flow-collection': {
        if (depth > maxDepth) {
          lastEnd = token.offset + tokenLength(token);
          return tooDeep(token.offset, lastEnd);
        }
        if (props.tag?.source === REFERENCE_TAG && (token.type === 'block-seq' || (token.type === 'flow-collection' && token.start.source === '['))) {
          return anchor(props, depth, () => convertReference(token));
        }
        return anchor(props, depth, () =>
          token.type === 'block-map' ? convertBlockMap(token, depth) : token.type === 'block-seq' ? convertBlockSeq(token, depth) : convertFlow(token, depth),
        );
      }
      default:
        lastEnd = token.offset;
        return nullAt({ file, start: token.offset, end: token.offset });
    }
  };

  const convertAlias = (token: CST.FlowScalar): CiValue => {
    const start = token.offset;
    const end = start + token.source.length;
    lastEnd = endOffset(token.end, end);
    const span: SourceSpan = { file, start, end };
    const name = token.source.slice(1);
    const target = anchors.get(name);
    if (!target || !builder.take(1, span)) return nullAt(span);
    if (target.pending || !target.value) return nullAt(span);
    return builder.alias(target.value, name, span);
  };

  const convertReference = (token: CST.BlockSequence | CST.FlowCollection): CiValue => {
    const flow = token.type === 'flow-collection';
    const path: string[] = [];
    for (const { start, sep, value } of token.items) {
      const tag = start.find((part) => part.type === 'tag');
      const written = value || sep || tag || start.some((part) => part.type === 'anchor' || part.type === (flow ? 'explicit-key-ind' : 'seq-item-ind'));
      if (!written) continue; // a comment, or a trailing comma
      if (sep || (flow && start.some((part) => part.type === 'explicit-key-ind'))) path.push(''); // a pair, not a scalar
      else if (!value) path.push(String(resolveScalar({ type: 'scalar', offset: 0, indent: -1, source: '' }, tag, ignoreError).value));
      else if (value.type === 'alias' || !('source' in value)) path.push('');
      else path.push(String(resolveScalar(value as ScalarToken, tag, ignoreError).value));
    }
    const span = token.type === 'block-seq' ? measureBlockSeq(token) : measureFlow(token);
    const tagStart = text.lastIndexOf(REFERENCE_TAG, span.start);
    const start = tagStart >= 0 && text.slice(tagStart + REFERENCE_TAG.length, span.start).trim() === '' ? tagStart : span.start;
    const reference: CiReference = { kind: 'reference', path, span: { file, start, end: span.end }, via: [] };
    onReference?.(reference);
    return reference;
  };

  // The span of a collection measured without converting its items (a `!reference`), as `convert*` computes it.
  const measureBlockSeq = (token: CST.BlockSequence): SourceSpan => {
    let offset = token.offset;
    let commentEnd: number | undefined;
    for (const { start, value } of token.items) {
      const props = readProps(start, { flow: false, indicator: 'seq-item-ind', next: value, offset, parentIndent: token.indent, startOnNewline: true });
      if (!props.found && !props.anchor && !props.tag && !value) {
        commentEnd = props.end;
        continue;
      }
      offset = value ? nodeEnd(value) : props.hasComment ? props.end : emptyScalarPosition(props.end, start);
    }
    lastEnd = commentEnd ?? offset;
    return { file, start: token.offset, end: offset };
  };

  const measureFlow = (token: CST.FlowCollection): SourceSpan => {
    const last = token.items[token.items.length - 1];
    const itemsEnd = last ? token.offset + tokenLength(token) - token.end.reduce((sum, part) => sum + part.source.length, 0) : token.offset + token.start.source.length;
    return { file, start: token.offset, end: closeFlow(token, itemsEnd) };
  };

  // Where a flow collection's closing bracket ends (its span's end); sets `lastEnd` after its trailing tokens.
  const closeFlow = (token: CST.FlowCollection, itemsEnd: number): number => {
    const [close, ...rest] = token.end;
    const closed = close?.source === (token.start.source === '{' ? '}' : ']');
    const closeAt = closed ? close!.offset + close!.source.length : itemsEnd;
    lastEnd = endOffset(closed ? rest : close && close.source.length !== 1 ? token.end : rest, closeAt);
    return closeAt;
  };

  // Where a node ends with its trailing tokens, without converting it.
  const nodeEnd = (token: CST.Token): number => {
    if (token.type === 'alias') return endOffset(token.end, token.offset + token.source.length);
    if (token.type === 'scalar' || token.type === 'single-quoted-scalar' || token.type === 'double-quoted-scalar' || token.type === 'block-scalar') {
      return CST.resolveAsScalar(token, true, ignoreError).range[2];
    }
    if (token.type === 'block-seq' || token.type === 'flow-collection') {
      (token.type === 'block-seq' ? measureBlockSeq : measureFlow)(token as never);
      return lastEnd;
    }
    return token.offset + tokenLength(token);
  };

  // `<<` as a plain key (whatever its tag): a merge when its value is a map or a list of maps.
  const isMergeKey = (key: CST.Token | null | undefined): boolean => key?.type === 'scalar' && key.source === '<<';

  const convertBlockMap = (token: CST.BlockMap, depth: number): CiValue => {
    const pairs: PairValue[] = [];
    let offset = token.offset;
    let commentEnd: number | undefined;
    for (const { start, key, sep, value } of token.items) {
      const keyProps = readProps(start, { flow: false, indicator: 'explicit-key-ind', next: key ?? sep?.[0], offset, parentIndent: token.indent, startOnNewline: true });
      if (!keyProps.found && !keyProps.anchor && !keyProps.tag && !sep) {
        commentEnd = keyProps.end;
        continue;
      }
      const keyValue = key ? convert(key, keyProps, depth + 1) : convertEmpty(keyProps.end, start, keyProps, depth + 1);
      const valueProps = readProps(sep ?? [], { flow: false, indicator: 'map-value-ind', next: value, offset: lastEnd, parentIndent: token.indent, startOnNewline: !key || key.type === 'block-scalar' });
      offset = valueProps.end;
      let valueValue: CiValue | undefined;
      if (valueProps.found) {
        valueValue = value ? convert(value, valueProps, depth + 1) : convertEmpty(offset, sep, valueProps, depth + 1);
        offset = lastEnd;
      }
      pairs.push({ key: keyValue, value: valueValue, merge: isMergeKey(key) });
    }
    lastEnd = commentEnd ?? offset;
    return builder.map(pairs, { file, start: token.offset, end: offset });
  };

  const convertBlockSeq = (token: CST.BlockSequence, depth: number): CiValue => {
    const items: CiValue[] = [];
    let offset = token.offset;
    let commentEnd: number | undefined;
    for (const { start, value } of token.items) {
      const props = readProps(start, { flow: false, indicator: 'seq-item-ind', next: value, offset, parentIndent: token.indent, startOnNewline: true });
      if (!props.found && !props.anchor && !props.tag && !value) {
        commentEnd = props.end;
        continue;
      }
      const item = value ? convert(value, props, depth + 1) : convertEmpty(props.end, start, props, depth + 1);
      offset = lastEnd;
      items.push(item);
    }
    lastEnd = commentEnd ?? offset;
    return builder.seq(items, token.offset, offset);
  };

  const convertFlow = (token: CST.FlowCollection, depth: number): CiValue => {
    const isMap = token.start.source === '{';
    const items: CiValue[] = [];
    const pairs: PairValue[] = [];
    let offset = token.offset + token.start.source.length;
    for (const { start, key, sep, value } of token.items) {
      const props = readProps(start, { flow: true, indicator: 'explicit-key-ind', next: key ?? sep?.[0], offset, parentIndent: token.indent, startOnNewline: false });
      if (!props.found && !props.anchor && !props.tag && !sep && !value) {
        offset = props.end;
        continue;
      }
      if (!isMap && !sep && !props.found) {
        const item = value ? convert(value, props, depth + 1) : convertEmpty(props.end, sep, props, depth + 1);
        offset = lastEnd;
        items.push(item);
        continue;
      }
      const keyValue = key ? convert(key, props, depth + 1) : convertEmpty(props.end, start, props, depth + 1);
      const keyEnd = lastEnd;
      const valueProps = readProps(sep ?? [], { flow: true, indicator: 'map-value-ind', next: value, offset: keyEnd, parentIndent: token.indent, startOnNewline: false });
      const valueValue = value ? convert(value, valueProps, depth + 1) : valueProps.found ? convertEmpty(valueProps.end, sep, valueProps, depth + 1) : undefined;
      offset = valueValue ? lastEnd : valueProps.end;
      const pair: PairValue = { key: keyValue, value: valueValue, merge: isMergeKey(key) };
      if (isMap) {
        pairs.push(pair);
      } else {
        // `[a: 1]`: a one-pair map in the sequence, from the key to the value.
        const end = (valueValue ?? keyValue).span.end;
        items.push(builder.map([pair], { file, start: keyValue.span.start, end }));
      }
    }
    const closeAt = closeFlow(token, offset);
    const span: SourceSpan = { file, start: token.offset, end: closeAt };
    if (isMap) return builder.map(pairs, span);
    return builder.seq(items, token.offset, closeAt);
  };

  const rootProps = readProps(document.start, { flow: false, indicator: 'doc-start', next: document.value ?? document.end?.[0], offset: document.offset, parentIndent: 0, startOnNewline: true });
  const root = document.value ? convert(document.value, rootProps, 0) : convertEmpty(rootProps.end, document.start, rootProps, 0);
  if (sizeOf(root) > ctx.limits.maxExpandedValues) {
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
