/**
 * The fast first pass (fastYaml.ts) against the CST path it stands in for: on every corpus file, fixture, bench
 * pipeline, generated YAML and random edit it either declines, or gives exactly what the CST path gives — values,
 * spans, key spans, provenance, the references passed to `onReference`, the problems reported and the alias budget
 * taken. It must also accept what CI files usually are, or it would be no faster.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { CiReference, CiValue } from '../../src/core/pipeline/ciValue';
import { ResolveContext } from '../../src/core/pipeline/context';
import { DEFAULT_LIMITS, type ResolveLimits } from '../../src/core/pipeline/options';
import { convertContent, convertDocument, parsePipelineFile, readPipelineFile } from '../../src/core/pipeline/yamlLoader';
import { propertyRunner, runs } from '../support/fuzz';
import { editRandomLine, random } from '../support/randomEdits';

const CORPUS = '/work/shared/corpus/files';
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

function viaCst(text: string, limits: ResolveLimits): Outcome {
  const ctx = new ResolveContext(limits);
  const parsed = parsePipelineFile('f.yml', text, ctx);
  const references: CiReference[] = [];
  // A file with a `spec:` header is converted by the loader in two parts; here only its content matters for the value.
  const value = parsed.content && !parsed.header ? convertDocument(parsed.content, 'f.yml', text, ctx, { onReference: (reference) => void references.push(reference) }) : undefined;
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

/** True when the fast path accepted `text` (and then agreed with the CST path in full). */
function agrees(text: string, name: string, limits: ResolveLimits = DEFAULT_LIMITS): boolean {
  const fast = viaFast(text, limits);
  if (!fast) return false;
  assert.deepEqual(fast, viaCst(text, limits), `${name}: ${JSON.stringify(text.length > 400 ? `${text.slice(0, 400)}…` : text)}`);
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

describe('fast YAML path', () => {
  it('agrees with the CST path on every corpus file and accepts most of them', () => {
    assert.ok(corpusTexts.length >= 204, `found ${corpusTexts.length} corpus files`);
    let accepted = 0;
    for (const { file, text } of corpusTexts) if (agrees(text, file)) accepted++;
    const share = accepted / corpusTexts.length;
    process.stdout.write(`# fast path accepted ${accepted} of ${corpusTexts.length} corpus files (${(share * 100).toFixed(1)} %)\n`);
    assert.ok(share >= 0.85, `accepted only ${accepted} of ${corpusTexts.length}`);
  });
});
