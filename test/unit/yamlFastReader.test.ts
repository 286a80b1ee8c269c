/**
 * The fast first pass (src/core/yaml/fastReader.ts) against the reference reader (yaml/reader.ts, built on yaml's Composer) it stands in
 * for: on every corpus file, fixture, bench pipeline, generated YAML and random edit it either declines, or gives
 * exactly what the reference reader gives — values, spans, key spans, provenance, the references passed to
 * `onReference`, the problems reported and the alias budget taken. It must also accept what CI files usually are, or it
 * would be no faster.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { CiReference } from '../../src/core/pipeline/ciValue';
import { ResolveContext } from '../../src/core/pipeline/context';
import { DEFAULT_LIMITS, type ResolveLimits } from '../../src/core/pipeline/options';
import { convertContent, convertDocument, parsePipelineFile, readPipelineFile } from '../../src/core/yaml/reader';
import { corpusFilesDir as CORPUS, corpusSkip } from '../support/corpus';
import { propertyRunner, runs, scaled } from '../support/fuzz';
import { editRandomLine, random } from '../support/randomEdits';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures');
const GENERATOR = path.resolve(__dirname, '../../../test/bench/generate.mjs');

/** Everything a conversion hands on, as plain data (maps as entry lists, in order). */
function plain(value: unknown): unknown {
  if (value instanceof Map) return { entries: [...value].map(([key, entry]) => [key, plain(entry)]) };
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, plain(entry)]));
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  return value;
}

interface Outcome {
  readonly value: unknown;
  readonly references: unknown;
  readonly problems: unknown;
  readonly budgetLeft: number;
}

function viaReference(text: string, limits: ResolveLimits): Outcome {
  const ctx = new ResolveContext(limits);
  const parsed = parsePipelineFile('f.yml', text, ctx);
  const references: CiReference[] = [];
  // A file with a `spec:` header is converted by the loader in two parts; here only its content matters for the value.
  const value =
    parsed.content && !parsed.header
      ? convertDocument(parsed.content, 'f.yml', text, ctx, { onReference: (reference) => void references.push(reference) })
      : undefined;
  return { value: plain(value), references: plain(references), problems: plain(ctx.problems), budgetLeft: ctx.expansionsRemaining };
}

/** The fast path's outcome, or undefined when it declines. */
function viaFast(text: string, limits: ResolveLimits, parseLimits: ResolveLimits = limits): Outcome | undefined {
  const parseCtx = new ResolveContext(parseLimits);
  const parsed = readPipelineFile('f.yml', text, parseCtx);
  if (!parsed.fast) return undefined;
  assert.deepEqual(parseCtx.problems, [], 'an accepted file reports nothing while parsed');
  const ctx = parseLimits === limits ? parseCtx : new ResolveContext(limits);
  const references: CiReference[] = [];
  const value = convertContent(parsed, ctx, { onReference: (reference) => void references.push(reference) });
  return { value: plain(value), references: plain(references), problems: plain(ctx.problems), budgetLeft: ctx.expansionsRemaining };
}

/** True when the fast path accepted `text` (and then agreed with the reference reader in full). */
function agrees(text: string, name: string, limits: ResolveLimits = DEFAULT_LIMITS): boolean {
  const fast = viaFast(text, limits);
  if (!fast) return false;
  assert.deepEqual(fast, viaReference(text, limits), `${name}: ${JSON.stringify(text.length > 400 ? `${text.slice(0, 400)}…` : text)}`);
  return true;
}

function yamlFiles(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

const corpusTexts = yamlFiles(CORPUS).map((file) => ({ file, text: fs.readFileSync(file, 'utf8') }));

/** The bench's generated pipelines (test/bench/generate.mjs), loaded as the ES module it is. */
async function benchPipelines(): Promise<Record<string, string>[]> {
  const generator = (await import(GENERATOR)) as { generatePipeline(jobs: number, seed?: number): Record<string, string> };
  return [generator.generatePipeline(100), generator.generatePipeline(1_000), generator.generatePipeline(250, 2), generator.generatePipeline(60, 3)];
}

const run = propertyRunner(7_000);

describe('fast YAML path', () => {
  it('agrees with the reference reader on every corpus file and accepts most of them', { skip: corpusSkip }, () => {
    assert.ok(corpusTexts.length >= 204, `found ${corpusTexts.length} corpus files`);
    let accepted = 0;
    for (const { file, text } of corpusTexts) if (agrees(text, file)) accepted++;
    // Measured: 175 of 204 (85.8 %). The rest hold `spec:` headers, several documents, multi-line flow collections
    // or quoted scalars, which are left to the reference reader.
    assert.ok(accepted >= 173, `accepted only ${accepted} of ${corpusTexts.length}`);
  });

  it('agrees on every fixture', () => {
    const files = yamlFiles(FIXTURES);
    assert.ok(files.length > 0);
    for (const file of files) agrees(fs.readFileSync(file, 'utf8'), file);
  });

  it('accepts every file of the bench pipelines, with the same result', async () => {
    for (const pipeline of await benchPipelines()) {
      for (const [name, text] of Object.entries(pipeline)) assert.equal(agrees(text, name), true, `declined ${name}`);
    }
  });

  it('agrees after random line edits of corpus files', { skip: corpusSkip }, () => {
    const next = random(4_242);
    const vocabulary = {
      typed: [
        ' ',
        ':',
        ': ',
        '- ',
        '#',
        ' # c',
        '"',
        "'",
        '&a ',
        '*a',
        '!reference [.x, y]',
        '|',
        '>-',
        '[',
        ']',
        '{',
        '}',
        ',',
        '\t',
        'x',
        '<<: *a',
        '\\',
        '---',
      ],
      inserted: ['', '  # comment', '    # deeper', '---', '...', 'x: &a {k: v}', '  <<: *a', '- item', '  key:', '  - |', '    folded', '\t- tab', 'spec:'],
      aimed: /^\s*(- |[\w.-]+:)/,
    };
    let accepted = 0;
    const rounds = scaled(600, 150);
    for (let round = 0; round < rounds; round++) {
      const { file, text } = corpusTexts[Math.floor(next() * corpusTexts.length)]!;
      let edited = text;
      for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits--) edited = editRandomLine(edited, next, vocabulary);
      if (agrees(edited, `${file} edit ${round}`)) accepted++;
    }
    assert.ok(accepted > rounds / 3, `accepted ${accepted} of ${rounds}: the edits test nothing`);
  });

  it('agrees on generated YAML, valid or not', () => {
    const scalar = fc.constantFrom(
      'a',
      'x y',
      'x:y',
      '"q\\"t"',
      '"\\x41\\u00e9\\t"',
      "'s''q'",
      'yes',
      'No',
      '0x10',
      '017',
      '1:30',
      '~',
      '1.5',
      '.inf',
      'e5',
      '2001-12-14',
      '<<',
      '*a',
      '*b',
      '&a v',
      '&b [1]',
      '!!str 5',
      '!reference [a, b]',
      '!reference [.x, 1]',
      '|\n    l1\n\n    l2\n',
      '|+\n    k\n\n',
      '>-\n    f\n    g\n',
      '>\n    f\n\n      m\n',
      '',
      '@bad',
      '"open',
      '[1, 2]',
      '[]',
      '{}',
      '{k: v, m: [x, *a]}',
      '[*a, *b]',
      '# c',
      'v # c',
      'v#c',
      'a\n      continued',
      'a\n\n      b',
      '- x',
      'v   ',
    );
    const key = fc.constantFrom('a', 'b', '<<', '"q k"', "'s'", '? c', 'spec', '&k d', '', 'true', '1', '~');
    const line = fc
      .tuple(
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom('', '- ', '-   '),
        key,
        fc.constantFrom(': ', ':', ' ', ':  '),
        scalar,
        fc.constantFrom('', ' ', '  # t', '\t'),
      )
      .map(([indent, dash, k, sep, v, trail]) => `${'  '.repeat(indent)}${dash}${k}${sep}${v}${trail}`);
    const extra = fc.constantFrom(
      '---',
      '',
      '# top',
      '  # indented',
      '      # deep',
      '.t: &a {image: x, s: [1]}',
      '.u: &b\n  image: y\n  tags: [z]',
      'j:\n  <<: *a\n  s: 2',
      'k: [*a, *a]',
      'm:\n  <<: [*a, *b]',
      'l:\n- a\n- b',
      's:\n  - k: v\n    j: w\n  -\n  - z',
    );
    const file = fc
      .tuple(fc.array(fc.oneof(line, extra), { minLength: 1, maxLength: 12 }), fc.boolean())
      .map(([lines, newline]) => `${lines.join('\n')}${newline ? '\n' : ''}`);
    let accepted = 0;
    run(
      fc.property(file, (text) => {
        if (agrees(text, 'generated')) accepted++;
      }),
      runs(1_500),
    );
    assert.ok(accepted > 0);
  });

  it('reads each construct it accepts exactly as the reference reader does', () => {
    const cases: Record<string, string> = {
      literal: 'a: |\n  one\n  two\n\nb: 1\n',
      literalStrip: 'a: |-\n  one\n\n\nb: 1\n',
      literalKeep: 'a: |+\n  one\n\n\nb: 1\n',
      folded: 'a: >\n  one\n  two\n\n  three\n    more\nb: 1\n',
      foldedStrip: 'a:\n  - >-\n    x\n    y\n  - z\n',
      blockAtEnd: 'a: |\n  x\n  y',
      blockThenComment: 'a:\n  b: |\n    x\n  # c\nd: 1\n',
      escapes: 'a: "tab\\tnl\\nq\\"bs\\\\u\\u00e9x\\x41U\\U0001F600 \\/ \\_"\n',
      singleQuotes: "a: 'it''s'\nb: ''\nc: \"\"\n",
      anchorsAndMerge: '.a: &a\n  image: x\n  tags: [t]\n.b: &b {image: y, stage: s}\nj:\n  stage: early\n  <<: [*a, *b]\n  image: own\nk:\n  <<: *b\nl: *a\n',
      reference: '.x:\n  script: [a, b]\nj:\n  script:\n    - !reference [.x, script]\n    - echo\n  after_script: !reference [.x, script]  # c\n',
      commentsAfterValues:
        'a: 1 # one\nb:\n  c: x   # two\n    # deeper, taken by the value\n  # same indent, kept by the map\nd:\n  - e # three\n  # kept by the sequence\nf: 2\n',
      commentsBetweenItems: 'a:\n  # before\n  - x\n\n  # between\n  - y\n# after\nb: 1\n',
      emptyValues: 'a:\nb:   \nc: # comment\nd:\n  e:\n  f:\n  # trailing\ng:\n  - \n  -\nh: ~\n',
      trailingSpaces: 'a: x   \nb: "y"  \nc:\n  - z  \n',
      noFinalNewline: 'a:\n  b: [1, 2]',
      multiLinePlain: 'script:\n  - docker run\n      --env A=1\n\n      --rm image\n  - if: $A &&\n      $B\n',
      nextLineScalar: 'when:\n  manual\nx:\n  "quoted"\n',
      documentStart: '# header\n---\na: 1\n',
      flowMaps: 'a: {k: v, "q": [1, 2], m: {n: ~}}\nb: [[a], {c: d}]\n',
      yaml11Scalars:
        'b: [yes, No, on, OFF, y]\nn: [0o17, 017, 0x1F, 1_000, 1:30, .5, -.inf, .NaN, 6.02e+23, e5]\nd: 2001-12-14\nk:\n  1: one\n  true: t\n  ~: null key\n',
      duplicateKeys: 'a: 1\nb: 2\na: 3\n',
      compactMaps: 'a:\n- k: v\n  j: w\n- "q": 1\n-   spaced: 2\n    more: 3\nb: x\n',
      documentStartComment: '--- # the pipeline\na: 1\n',
      anchorDefinedAgain: 'a: &x 1\nb: &x 2\nc: *x\n',
      // An empty item after loose comment lines ends where the next content starts, as yaml's parser places it.
      emptyItemAfterComment: 'a:\n- v\n# c\n-\n',
      emptyCompactItemAfterComment: 'a:\n  - v: w\n  # c\n  -\n',
      emptyItemAfterBlockAndComment: 'a:\n  - |-\n     k\n    # c\n  -\n',
      emptyValueAfterComment: 'a:\n  b: v\n  # c\n  d:\ne: 1\n',
    };
    for (const [name, text] of Object.entries(cases)) assert.equal(agrees(text, name), true, `${name} was declined`);
  });

  it('declines what it does not handle, leaving it to the reference reader', () => {
    const declined = [
      'spec:\n  inputs:\n    a: {}\n---\nj: $[[ inputs.a ]]\n',
      'a: 1\n---\nb: 2\n',
      '%YAML 1.1\n---\na: 1\n',
      'a: !!str 1\n',
      'a: !custom x\n',
      'a: "one\n  two"\n',
      "a: 'one\n  two'\n",
      'a: [1,\n  2]\n',
      'a:\n\tb: 1\n',
      '? complex\n: key\n',
      'a: b: c\n',
      'a: "unclosed\n',
      'a: *nowhere\n',
      'a: &x {b: *x}\n',
      'a: |2\n   x\n',
      '- a\n- b\n',
      '',
      '# only a comment\n',
      'a: 1\r\nb: 2\r\n',
      '\uFEFFa: 1\n',
      'a: "\u0001"\n',
      'a: "\\q"\n',
      'a:\n  - - nested\n',
      'a: [1, 2,]\n',
      // Content after `---` on its line: a syntax error, or part of the root; yaml's messages and values are the reference reader's.
      '--- x\na: 1\n',
      '--- [x]\na: 1\n',
      '--- a: 1\nb: 2\n',
      // An anchor defined again inside its own node: the inner one wins (yaml, Psych).
      'a: &x\n  - &x 1\nb: *x\n',
      'a: &x\n  k: &x {j: 1}\nb: *x\n',
    ];
    for (const text of declined) {
      const ctx = new ResolveContext(DEFAULT_LIMITS);
      assert.equal(readPipelineFile('f.yml', text, ctx).fast, undefined, JSON.stringify(text));
      assert.deepEqual(plain(ctx.problems), plain(viaReferenceProblems(text)), `${JSON.stringify(text)}: the reference reader's problems`);
    }
  });

  it('converts under tighter limits exactly as the reference reader does (depth, size, alias budget)', () => {
    const text = ['.a: &a {x: 1, y: [1, 2]}', '.b: &b [*a, *a, *a]', 'c: [*b, *b]', 'd:', '  e:', '    f:', '      g: deep', 'j:', '  <<: *a', ''].join('\n');
    const tight: ResolveLimits[] = [
      { ...DEFAULT_LIMITS, maxAliasExpansions: 3 },
      { ...DEFAULT_LIMITS, maxAliasExpansions: 6 },
      { ...DEFAULT_LIMITS, maxYamlDepth: 3 },
      { ...DEFAULT_LIMITS, maxExpandedValues: 20 },
    ];
    for (const limits of tight) {
      const fast = viaFast(text, limits, DEFAULT_LIMITS);
      assert.ok(fast, 'parsed fast under the default limits');
      const reference = viaReference(text, limits);
      assert.deepEqual(fast, reference, JSON.stringify(limits));
      assert.ok(plain(reference.problems) !== undefined && (reference.problems as unknown[]).length > 0, `${JSON.stringify(limits)} cuts the document short`);
    }
    // Parsed under limits it exceeds, the file is left to the reference reader, which reports.
    assert.equal(viaFast(text, { ...DEFAULT_LIMITS, maxAliasExpansions: 3 }), undefined);
    assert.equal(viaFast(text, { ...DEFAULT_LIMITS, maxYamlDepth: 3 }), undefined);
  });
});

function viaReferenceProblems(text: string): unknown {
  const ctx = new ResolveContext(DEFAULT_LIMITS);
  parsePipelineFile('f.yml', text, ctx);
  return ctx.problems;
}
