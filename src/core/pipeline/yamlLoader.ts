/**
 * YAML text → `CiValue` with exact source spans. Handles anchors and aliases (each anchored node converted once),
 * `<<` merge keys the way Ruby's Psych (GitLab's parser) does, the `!reference` tag, and the `spec:` header document.
 */
import {
  Alias,
  Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  Scalar,
  type Node as YamlNode,
  type ParsedNode,
  type Tags,
} from 'yaml';
import type { SourceSpan } from '../types';
import type { CiEntry, CiMap, CiReference, CiValue } from './ciValue';
import { withVia } from './ciValue';
import type { ResolveContext } from './context';

export const REFERENCE_TAG = '!reference';

const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

// Registered so a valid `!reference [...]` is neither a warning nor resolved by the yaml package itself.
const GITLAB_TAGS: Tags = [{ tag: REFERENCE_TAG, collection: 'seq', default: false, resolve: (seq) => seq }];

/** One file split into its optional `spec:` header and its content document. */
export interface ParsedFile {
  readonly path: string;
  readonly text: string;
  readonly header: Document.Parsed | undefined;
  readonly content: Document.Parsed | undefined;
}

/** Replaces a string scalar that contains `$[[ ... ]]`: a new value, or a string for in-place text. */
export type Interpolator = (text: string, span: SourceSpan) => CiValue | string;

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
  let documents: Document.Parsed[];
  try {
    documents = parseAllDocuments(text, {
      version: '1.1', // GitLab reads YAML with Psych (YAML 1.1): `<<` merge keys, sexagesimal numbers...
      customTags: GITLAB_TAGS,
      uniqueKeys: false, // Psych keeps the last duplicate key
      prettyErrors: true,
      keepSourceTokens: false,
    }) as Document.Parsed[];
  } catch {
    // The yaml package recurses per nesting level: absurd nesting ends as a RangeError.
    ctx.report('yaml-syntax', 'error', 'The YAML could not be parsed (too deeply nested).', whole);
    return { path, text, header: undefined, content: undefined };
  }
  for (const document of documents) {
    for (const error of document.errors) {
      // Only the first line, and nothing after a colon: the rest quotes the file (`…in YAML stream: "<token>"`),
      // which may hold a secret. The range shows the user where.
      const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').replace(/: .*$/, '');
      const start = Math.min(error.pos[0], text.length);
      ctx.report('yaml-syntax', 'error', `YAML syntax error: ${message}`, { file: path, start, end: Math.max(start, Math.min(error.pos[1], text.length)) });
    }
  }
  const first = documents[0];
  const second = documents[1];
  if (first && second && isMap(first.contents) && first.contents.items.some((pair) => isScalar(pair.key) && pair.key.value === 'spec')) {
    return { path, text, header: first, content: second };
  }
  return { path, text, header: undefined, content: first };
}

/** The span a diagnostic underlines for a scalar: the text between quotes when it equals the value, else the token. */
function scalarSpan(node: Scalar, file: string, text: string): SourceSpan {
  const [start, end] = node.range ?? [0, 0];
  if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && end - start >= 2) {
    if (text.slice(start + 1, end - 1) === String(node.value)) return { file, start: start + 1, end: end - 1 };
  }
  return { file, start, end };
}

function nodeSpan(node: YamlNode, file: string): SourceSpan {
  const range = node.range ?? [0, 0];
  return { file, start: range[0], end: range[1] };
}

export interface ConvertHooks {
  /** Rewrites string scalars (values and keys) that contain `$[[`. */
  readonly interpolate?: Interpolator;
  /** Called once per `!reference` tag written in the document. */
  readonly onReference?: (reference: CiReference) => void;
}

/**
 * Converts one YAML document into a `CiValue`. Every node is converted once; aliases share the anchored value and add
 * an `anchor` provenance step.
 */
export function convertDocument(
  document: Document.Parsed,
  file: string,
  text: string,
  ctx: ResolveContext,
  hooks: ConvertHooks = {},
): CiValue | undefined {
  const { interpolate, onReference } = hooks;
  const anchors = new Map<string, YamlNode>();
  const converted = new Map<YamlNode, CiValue>();
  const inProgress = new Set<YamlNode>();
  // How many values the document holds once every alias is expanded (what GitLab's size check sees).
  const expandedSize = new WeakMap<CiValue, number>();
  const sized = <T extends CiValue>(value: T, size: number): T => {
    expandedSize.set(value, size);
    return value;
  };
  const sizeOf = (value: CiValue | undefined): number => (value ? (expandedSize.get(value) ?? 1) : 0);
  let depthReported = false;
  let budgetLeft = true;

  const nullAt = (span: SourceSpan): CiValue => ({ kind: 'scalar', value: null, span, via: [] });

  const convert = (node: unknown, depth: number): CiValue | undefined => {
    if (node === null || node === undefined) return undefined;
    const yamlNode = node as YamlNode;
    if (isAlias(yamlNode)) return convertAlias(yamlNode, depth);
    const cached = converted.get(yamlNode);
    if (cached) return cached;
    if (inProgress.has(yamlNode)) return nullAt(nodeSpan(yamlNode, file));
    if (yamlNode.anchor) anchors.set(yamlNode.anchor, yamlNode);
    if (depth > ctx.limits.maxYamlDepth) {
      if (!depthReported) {
        depthReported = true;
        ctx.report('limit-exceeded', 'error', `YAML nested deeper than ${ctx.limits.maxYamlDepth} levels is not analysed.`, nodeSpan(yamlNode, file));
      }
      return nullAt(nodeSpan(yamlNode, file));
    }
    inProgress.add(yamlNode);
    const value = convertNode(yamlNode, depth);
    inProgress.delete(yamlNode);
    if (value) converted.set(yamlNode, value);
    return value;
  };

  const convertAlias = (alias: Alias, depth: number): CiValue | undefined => {
    const span = nodeSpan(alias, file);
    const target = anchors.get(alias.source);
    if (!target || !budgetLeft || !(budgetLeft = ctx.spend(1, span))) return nullAt(span);
    const value = convert(target, depth);
    return value && sized(withVia(value, [{ kind: 'anchor', name: `*${alias.source}`, span }]), sizeOf(value));
  };

  const convertScalar = (node: Scalar): CiValue => {
    const span = scalarSpan(node, file, text);
    const value = node.value;
    if (interpolate && typeof value === 'string' && value.includes('$[[')) {
      const result = interpolate(value, span);
      return typeof result === 'string' ? { kind: 'scalar', value: result, span, via: [] } : result;
    }
    const plain = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null ? value : node.source;
    return { kind: 'scalar', value: plain ?? null, span, via: [] };
  };

  const keyText = (key: unknown, depth: number): { key: string; span: SourceSpan } | undefined => {
    const value = convert(key, depth);
    if (!value || value.kind !== 'scalar') return undefined;
    return { key: value.value === null ? '' : String(value.value), span: value.span };
  };

  const convertNode = (node: YamlNode, depth: number): CiValue | undefined => {
    if (isScalar(node)) return convertScalar(node);
    const span = nodeSpan(node, file);
    if (isSeq(node)) {
      if (node.tag === REFERENCE_TAG) {
        const path = node.items.map((item) => (isScalar(item) ? String(item.value) : ''));
        const tagStart = text.lastIndexOf(REFERENCE_TAG, span.start);
        const start = tagStart >= 0 && text.slice(tagStart + REFERENCE_TAG.length, span.start).trim() === '' ? tagStart : span.start;
        const reference: CiReference = { kind: 'reference', path, span: { file, start, end: span.end }, via: [] };
        onReference?.(reference);
        return reference;
      }
      const items: CiValue[] = [];
      let size = 1;
      for (const item of node.items) {
        const value = convert(item, depth + 1) ?? nullAt(span);
        size += sizeOf(value);
        items.push(value);
      }
      return sized({ kind: 'seq', items, span, via: [] }, size);
    }
    if (isMap(node)) {
      const entries = new Map<string, CiEntry>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as ParsedNode | null;
        if (isScalar(keyNode) && keyNode.type === 'PLAIN' && keyNode.source === '<<') {
          const sources = mergeSources(convert(pair.value, depth + 1));
          if (sources) {
            mergeInto(entries, sources, span);
            continue;
          }
        }
        const key = keyText(keyNode, depth + 1);
        if (!key) continue;
        const valueNode = pair.value as YamlNode | null;
        const value = convert(valueNode, depth + 1) ?? nullAt(valueNode ? nodeSpan(valueNode, file) : key.span);
        // Psych: a later duplicate key wins (in the first one's place)
        entries.set(key.key, { keySpan: key.span, value });
      }
      let size = 1;
      for (const entry of entries.values()) size += 1 + sizeOf(entry.value);
      return sized({ kind: 'map', entries, span, via: [] }, size);
    }
    return undefined;
  };

  // `<<: *a` or `<<: [*a, *b]`: the maps to merge, or undefined when the value is not mergeable (kept as a key).
  const mergeSources = (value: CiValue | undefined): CiMap[] | undefined => {
    if (!value) return undefined;
    if (value.kind === 'map') return [value];
    if (value.kind === 'seq' && value.items.every((item) => item.kind === 'map')) {
      return value.items.map((item) => withVia(item, value.via) as CiMap);
    }
    return undefined;
  };

  // Psych's order: `merge!` of the sources (earlier source wins among them) over the keys seen so far.
  const mergeInto = (entries: Map<string, CiEntry>, sources: CiMap[], where: SourceSpan): void => {
    const merged = new Map<string, CiEntry>();
    for (const source of sources) {
      if (!budgetLeft || !(budgetLeft = ctx.spend(source.entries.size, where))) return;
      for (const [key, entry] of source.entries) {
        if (!merged.has(key)) merged.set(key, { keySpan: entry.keySpan, value: withVia(entry.value, source.via) });
      }
    }
    for (const [key, entry] of merged) entries.set(key, entry);
  };

  const root = convert(document.contents, 0);
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
