/**
 * The reference reader (src/core/yaml/reader.ts) builds values from the nodes of yaml's Composer. Here it is compared with a
 * plain, independent reading of `parseAllDocuments` (YAML 1.1, as GitLab's Psych reads it) over the corpus, every
 * fixture and generated YAML: the same values (merge keys in Psych's order, Psych's y/n), the same spans, and the same
 * syntax errors.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node as YamlNode, type Scalar } from 'yaml';
import type { CiValue } from '../../src/core/pipeline/ciValue';
import { ResolveContext } from '../../src/core/pipeline/context';
import { DEFAULT_LIMITS } from '../../src/core/pipeline/options';
import { composeDocuments, convertDocument, parsePipelineFile } from '../../src/core/yaml/reader';
import { corpusFilesDir as CORPUS, corpusSkip } from '../support/corpus';
import { plainSyntaxErrors } from '../../src/core/yaml/syntaxErrors';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures');

type Plain = { span: [number, number]; value?: unknown; items?: Plain[]; entries?: [string, [number, number], Plain][]; path?: string[] };

/** The loader's result, without provenance. */
function fromLoader(value: CiValue): Plain {
  const span: [number, number] = [value.span.start, value.span.end];
  switch (value.kind) {
    case 'scalar':
      return { span, value: value.value };
    case 'reference':
      return { span, path: [...value.path] };
    case 'seq':
      return { span, items: value.items.map(fromLoader) };
    case 'map':
      return { span, entries: [...value.entries].map(([key, entry]) => [key, [entry.keySpan.start, entry.keySpan.end], fromLoader(entry.value)]) };
  }
}

/**
 * The same from yaml's Document: aliases expanded, `<<` merged as Psych does (the sources' keys, earlier source winning,
 * over the keys before it), a scalar's span inside its quotes when that text is its value.
 */
function fromDocument(document: Document.Parsed, text: string): Plain | undefined {
  const anchors = new Map<string, YamlNode>();
  const convert = (node: unknown, seen: ReadonlySet<unknown>): Plain | undefined => {
    if (!node) return undefined;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      const [start, end] = node.range!;
      return target && !seen.has(target) ? convert(target, seen) : { span: [start, end], value: null };
    }
    const yamlNode = node as YamlNode;
    if (yamlNode.anchor) anchors.set(yamlNode.anchor, yamlNode);
    const inner = new Set(seen).add(yamlNode);
    const [start, end] = yamlNode.range!;
    if (isScalar(yamlNode)) {
      const value = yamlNode.value;
      const plain = psychPlain(yamlNode as Scalar);
      const quoted =
        (yamlNode.type === 'QUOTE_DOUBLE' || yamlNode.type === 'QUOTE_SINGLE') && end - start >= 2 && text.slice(start + 1, end - 1) === String(value);
      return { span: quoted ? [start + 1, end - 1] : [start, end], value: plain };
    }
    if (isSeq(yamlNode)) {
      if (yamlNode.tag === '!reference') {
        const tagAt = text.lastIndexOf('!reference', start);
        const from = tagAt >= 0 && text.slice(tagAt + 10, start).trim() === '' ? tagAt : start;
        return { span: [from, end], path: yamlNode.items.map((item) => (isScalar(item) ? String(psychPlain(item)) : '')) };
      }
      return { span: [start, end], items: yamlNode.items.map((item) => convert(item, inner) ?? { span: [start, end], value: null }) };
    }
    if (isMap(yamlNode)) {
      const entries = new Map<string, [[number, number], Plain]>();
      for (const pair of yamlNode.items) {
        if (!isPair(pair)) continue;
        const key = pair.key as YamlNode | null;
        if (isScalar(key) && key.type === 'PLAIN' && key.source === '<<') {
          const source = convert(pair.value, inner);
          const sources = source?.entries ? [source] : source?.items?.every((item) => item.entries) ? source.items : undefined;
          if (sources) {
            const merged = new Map<string, [[number, number], Plain]>();
            for (const map of sources) for (const [name, keySpan, value] of map.entries!) if (!merged.has(name)) merged.set(name, [keySpan, value]);
            for (const [name, entry] of merged) entries.set(name, entry);
            continue;
          }
        }
        const keyValue = convert(key, inner);
        if (!keyValue || keyValue.value === undefined) continue;
        const value = convert(pair.value, inner) ?? { span: keyValue.span, value: null };
        entries.set(keyValue.value === null ? '' : String(keyValue.value), [keyValue.span, value]);
      }
      return { span: [start, end], entries: [...entries].map(([name, [keySpan, value]]) => [name, keySpan, value]) };
    }
    return undefined;
  };
  return convert(document.contents, new Set());
}

/** A scalar's value as Psych reads it, unlike YAML 1.1: a plain y, Y, n or N is a string; a Date or the like its text. */
function psychPlain(node: Scalar): unknown {
  const { value, source } = node;
  if (node.type === 'PLAIN' && !node.tag && typeof value === 'boolean' && /^[yYnN]$/.test(source ?? '')) return source;
  return value === null || ['string', 'number', 'boolean'].includes(typeof value) ? value : source;
}

const YAML_OPTIONS: Parameters<typeof parseAllDocuments>[1] = {
  version: '1.1',
  customTags: [{ tag: '!reference', collection: 'seq', default: false, resolve: (seq) => seq }],
  uniqueKeys: false,
};

/** Compares the loader with the Composer on one text; returns whether the Composer found errors. */
function compare(text: string, name: string): boolean {
  const ctx = new ResolveContext(DEFAULT_LIMITS);
  const parsed = parsePipelineFile('f.yml', text, ctx);
  const documents = parseAllDocuments(text, YAML_OPTIONS) as Document.Parsed[];
  const errors = documents.flatMap((document) => document.errors);
  const syntax = ctx.problems.filter((problem) => problem.code === 'yaml-syntax');
  // One finding per line, in plain words (never quoting the file), where the Composer found the errors.
  const expected = new Set(plainSyntaxErrors(errors, text).map((error) => JSON.stringify([error.start, error.end, error.message])));
  assert.deepEqual(
    syntax.map((problem) => JSON.stringify([problem.range.start, problem.range.end, problem.message])),
    [...expected],
    `${name}: syntax errors`,
  );
  if (errors.length > 0) return true;
  const contentIndex = parsed.header ? 1 : 0;
  const pairs: [typeof parsed.content, Document.Parsed | undefined][] = [[parsed.content, documents[contentIndex]]];
  if (parsed.header) pairs.push([parsed.header, documents[0]]);
  for (const [document, expected] of pairs) {
    const converted = document ? convertDocument(document, 'f.yml', text, new ResolveContext(DEFAULT_LIMITS)) : undefined;
    const actual = converted && fromLoader(converted);
    assert.deepEqual(actual, expected && fromDocument(expected, text), `${name}: values and spans`);
    if (actual) checkSpanTexts(actual, text, name);
  }
  return false;
}

/** A scalar's span is its text as written: the value itself between quotes, the plain source otherwise. */
function checkSpanTexts(value: Plain, text: string, name: string): void {
  if (value.items) for (const item of value.items) checkSpanTexts(item, text, name);
  if (value.entries) for (const [, , entry] of value.entries) checkSpanTexts(entry, text, name);
  if (!('value' in value) || value.span[0] === value.span[1]) return;
  const written = text.slice(value.span[0], value.span[1]);
  const before = text[value.span[0] - 1];
  if ((before === '"' || before === "'") && text[value.span[1]] === before) assert.equal(written, String(value.value), `${name}: quoted span`);
  else if (typeof value.value === 'string' && !/[\n'"|>]/.test(written)) assert.equal(written.trim(), value.value, `${name}: plain span`);
}

function yamlFiles(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('the reference YAML reader', () => {
  it('matches the Composer on every corpus file', { skip: corpusSkip }, () => {
    const files = yamlFiles(CORPUS);
    assert.ok(files.length >= 204, `found ${files.length} files`);
    for (const file of files) compare(fs.readFileSync(file, 'utf8'), file);
  });

  it('matches the Composer on every fixture', () => {
    const files = yamlFiles(FIXTURES);
    assert.ok(files.length > 0);
    for (const file of files) compare(fs.readFileSync(file, 'utf8'), file);
  });

  it('resolves YAML 1.1 scalars, merges, aliases, tags and block scalars as the Composer does', () => {
    const text = [
      'bools: [yes, No, on, OFF, y, N, true, !!bool y]',
      'numbers: [0o17, 017, 0x1F, 1_000, 1:30, .5, -.inf, .NaN, 6.02e+23]',
      'nulls: [~, null, ""]',
      'date: 2001-12-14',
      'tagged: [!!str 12, !!int "7", ! 3, !custom x]',
      '.base: &base {image: a, tags: [x]}',
      '.other: &other',
      '  image: b',
      '  stage: test',
      'job:',
      '  stage: early',
      '  <<: [*base, *other]',
      '  script: !reference [.base, script]',
      '  scripts: !reference [.base, y, 2001-12-14, 0x1F]',
      '  literal: |+',
      '    keep',
      '',
      '  folded: >-',
      '    one',
      '    two',
      '  quoted: "a\\tb\\u00e9"',
      "  single: 'it''s'",
      '  "<<": not a merge',
      '  empty:',
      '? explicit',
      ': value',
      '',
    ].join('\r\n');
    assert.equal(compare(`\uFEFF${text}`, 'scalars'), false);
    assert.equal(compare('spec:\n  inputs:\n    name: {default: x}\n---\njob: $[[ inputs.name ]]\n', 'header'), false);
  });

  it('reports exactly the syntax errors the Composer reports, without quoting the file', () => {
    const broken = ['a: "unclosed\n', 'a:\n\tb: 1\n', 'a: @x\n', 'a: [1, 2\n', 'a: &x &y 1\n', '- a\nb: 1\n', 'a: *\n', 'a: b: c\n'];
    for (const text of broken) assert.equal(compare(text, JSON.stringify(text)), true, JSON.stringify(text));
    const ctx = new ResolveContext(DEFAULT_LIMITS);
    parsePipelineFile('f.yml', 'token: "glpat-SECRETSECRET\n', ctx);
    assert.ok(ctx.problems.length > 0 && ctx.problems.every((problem) => !problem.message.includes('SECRET')));
  });

  it("builds no stack trace for each of yaml's errors (a file of thousands of them stays cheap), and restores the setting", () => {
    // Found by the deep-nesting fuzz test: `? - &a ` repeated is flat, but one error per unit, each an Error whose
    // stack trace cost most of the time and memory of reading it.
    const limit = Error.stackTraceLimit;
    // 400 units stay under MAX_SYNTAX_ERRORS (past it the file is not composed at all: checkBudget.test.ts).
    const documents = composeDocuments(`b:\n${'? - &a '.repeat(400)}x\n`, DEFAULT_LIMITS.maxYamlDepth);
    assert.ok(Array.isArray(documents));
    const errors = documents.flatMap((document) => document.errors);
    assert.ok(errors.length >= 400, `${errors.length} errors`);
    assert.ok(
      errors.every((error) => !/\n\s+at /.test(error.stack ?? '')),
      'no stack frames captured',
    );
    assert.equal(Error.stackTraceLimit, limit);
  });

  it('matches the Composer on generated YAML, valid or not', () => {
    const scalar = fc.constantFrom(
      'a',
      'x y',
      '"q\\"t"',
      "'s''q'",
      'yes',
      '0x10',
      '~',
      '1.5',
      '<<',
      '*a',
      '&a v',
      '!!str 5',
      '!reference [a, b]',
      '|\n    l1\n    l2\n',
      '>-\n    f\n',
      '',
      '@bad',
      '"open',
      '[1, 2]',
      '{k: v}',
      '# c',
      'v # c',
    );
    const key = fc.constantFrom('a', 'b', '<<', '"q k"', '? c', 'spec', '&k d', '');
    const line = fc
      .tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom('', '- '), key, fc.constantFrom(': ', ':', ' '), scalar, fc.constantFrom('', '\t', ' '))
      .map(([indent, dash, k, sep, v, trail]) => `${'  '.repeat(indent)}${dash}${k}${sep}${v}${trail}`);
    const file = fc
      .array(fc.oneof(line, fc.constantFrom('---', '.t: &a {image: x, s: [1]}', 'j:\n  <<: *a\n  s: 2', 'k: [*a, *a]')), { minLength: 1, maxLength: 12 })
      .map((lines) => `${lines.join('\n')}\n`);
    fc.assert(
      fc.property(file, (text) => void compare(text, JSON.stringify(text))),
      { numRuns: 400, seed: 13 },
    );
  });
});
