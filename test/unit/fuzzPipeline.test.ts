/**
 * Property tests for the whole core (`resolvePipeline` + `checkPipeline`) on random YAML and on real CI files mutated:
 * truncated at every offset, characters inserted, indentation changed, keys and lines swapped. Whatever the input, the
 * check never throws, answers in bounded time, points every finding inside the file it names, and is deterministic.
 *
 * Seeded: `FUZZ_SEED=<n>` replays a run, `FUZZ_RUNS=<n>` scales the number of cases (100,000 over the fuzz files in the fuzz tier, a twentieth in the unit tier).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { credentialSourceFromAuthConfig } from '../../src/core/registry/credentialSources';
import { parseAuthConfig } from '../../src/core/auth/parse';
import { checkProject, type CheckOptions } from '../../src/core/check';
import { jobPayloadSource } from '../../src/core/registry/credentialSources';
import { createResolveCache } from '../../src/core/pipeline';
import type { Finding, Pipeline, SourceSpan } from '../../src/core/types';
import { corpusFileNames, corpusFilesDir, corpusSkip } from '../support/corpus';
import { propertyRunner, runs } from '../support/fuzz';
import { memoryFiles } from './checkSupport';

/** The full budget gives this file ~35,000 of the 100,000 cases: a pipeline check costs a millisecond or more. */
const holds = propertyRunner(100);
/** One check of one (possibly mutated) pipeline; real files take ~10 ms, so this only trips on a hang or a blow-up. */
const CASE_LIMIT_MS = 3_000;

const REPOSITORY = path.resolve(__dirname, '../../..');

/** Options that switch every rule on: credentials, a job token, predefined variables, an ignore and a public list. */
const OPTIONS: CheckOptions = (() => {
  const parsed = parseAuthConfig(
    '{"auths":{"registry.example.com":{"auth":"ZmFrZS11c2VyOmZha2UtdG9rZW4="},"https://index.docker.io/v1/":{"auth":"ZmFrZS11c2VyOmZha2UtdG9rZW4="}}}',
  );
  assert.ok(parsed.ok);
  const predefinedVariables = {
    CI_REGISTRY: 'registry.gitlab.com',
    CI_REGISTRY_IMAGE: 'registry.gitlab.com/group/project',
    CI_DEPENDENCY_PROXY_SERVER: 'gitlab.com:443',
  };
  return {
    credentials: [credentialSourceFromAuthConfig(parsed.config, 'DOCKER_AUTH_CONFIG', 'fuzz'), jobPayloadSource(predefinedVariables)],
    predefinedVariables,
    publicRegistries: ['quay.io', 'ghcr.io/public-org'],
    ignoredRegistries: ['ignored.example.com'],
  };
})();

function spansOf(finding: Finding): SourceSpan[] {
  return [finding.range, ...finding.related.map((related) => related.span)];
}

function assertInside(span: SourceSpan, texts: ReadonlyMap<string, string>, what: string): void {
  const text = texts.get(span.file);
  assert.ok(text !== undefined, `${what} names '${span.file}', which is not a file of the pipeline`);
  assert.ok(Number.isInteger(span.start) && Number.isInteger(span.end), `${what} has a non-integer range`);
  assert.ok(
    0 <= span.start && span.start <= span.end && span.end <= text.length,
    `${what} [${span.start}, ${span.end}) is outside '${span.file}' (${text.length} characters)`,
  );
}

function assertSound(pipeline: Pipeline, findings: readonly Finding[]): void {
  const texts = new Map(pipeline.files.map((file) => [file.path, file.text]));
  for (const finding of findings) {
    assert.ok(finding.message.length > 0, `${finding.code} has no message`);
    for (const span of spansOf(finding)) assertInside(span, texts, `finding ${finding.code} (${finding.message.slice(0, 80)})`);
  }
  for (const job of pipeline.jobs) {
    assertInside(job.span, texts, `job ${job.name}`);
    for (const value of [...(job.image ? [job.image] : []), ...job.services, ...job.scriptLines]) assertInside(value.span, texts, `a value of job ${job.name}`);
  }
}

let checks = 0;
/** Checks a project from `.gitlab-ci.yml` and asserts the invariants; every fourth case is re-run to prove determinism. */
function checkSoundly(files: Readonly<Record<string, string>>, root = '.gitlab-ci.yml'): void {
  const started = performance.now();
  const { pipeline, findings } = checkProject(root, memoryFiles(files), OPTIONS);
  const elapsed = performance.now() - started;
  assert.ok(elapsed < CASE_LIMIT_MS, `the check took ${elapsed.toFixed(0)} ms (limit ${CASE_LIMIT_MS} ms)`);
  assertSound(pipeline, findings);
  if (checks++ % 4 === 0) {
    const again = checkProject(root, memoryFiles(files), OPTIONS);
    assert.equal(JSON.stringify(again.findings), JSON.stringify(findings), 'the same input gave different findings');
    assert.equal(JSON.stringify(again.pipeline.jobs), JSON.stringify(pipeline.jobs), 'the same input gave different jobs');
  }
}

// ───────────────────────────── inputs ─────────────────────────────

interface Project {
  readonly name: string;
  readonly files: Readonly<Record<string, string>>;
  readonly root: string;
}

function walk(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    return entry.isDirectory() ? walk(full) : entry.isFile() && /\.ya?ml$/.test(entry.name) ? [full] : [];
  });
}

/** Every fixture folder holding a `.gitlab-ci.yml`, with the YAML files under it, as in-memory projects. */
function fixtureProjects(): Project[] {
  const fixtures = path.join(REPOSITORY, 'test/fixtures');
  const roots = walk(fixtures)
    .filter((file) => path.basename(file) === '.gitlab-ci.yml')
    .map((file) => path.dirname(file));
  return roots.map((root) => {
    const files: Record<string, string> = {};
    for (const file of walk(root)) files[path.relative(root, file).split(path.sep).join('/')] = fs.readFileSync(file, 'utf8');
    return { name: path.relative(fixtures, root), files, root: '.gitlab-ci.yml' };
  });
}

function corpusTexts(): { name: string; text: string }[] {
  return corpusFileNames().map((name) => ({ name, text: fs.readFileSync(path.join(corpusFilesDir, name), 'utf8') }));
}

const PROJECTS = fixtureProjects();
const CORPUS_TEXTS = corpusTexts();

/** Characters and words that matter to YAML and to GitLab CI, plus the ones that break naive code. */
const TOKENS = [
  ...': -\n\n  \t{}[],&*!|>\'"#%@`?~=$',
  '<<: ',
  '*a',
  '&a ',
  '!reference [',
  ']',
  'image: ',
  'services:',
  'extends: ',
  'include:',
  '- local: ',
  'default:',
  'variables:',
  'script:',
  'inherit:',
  'parallel:',
  'matrix:',
  'trigger:',
  'spec:',
  'inputs:',
  '---\n',
  '$[[ inputs.x ]]',
  '$CI_REGISTRY',
  '${X}',
  'registry.example.com/a:1',
  'DOCKER_AUTH_CONFIG',
  '.tpl',
  'job',
  '\r\n',
  '\uFEFF',
  '\0',
  '\uD800',
  'é',
  '😀',
  '\u2028',
];

const tokenText = fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }).map((parts) => parts.join(''));

// A structured document: CI keys, anchors, aliases, merge keys, !reference, flow and block styles.
type Node =
  | { kind: 'scalar'; text: string }
  | { kind: 'alias'; name: string }
  | { kind: 'reference'; path: string[] }
  | { kind: 'map'; flow: boolean; anchor: string | null; entries: [string, Node][] }
  | { kind: 'seq'; flow: boolean; anchor: string | null; items: Node[] };

const KEYS = [
  'image',
  'services',
  'extends',
  'script',
  'before_script',
  'variables',
  'default',
  'include',
  'inherit',
  'parallel',
  'matrix',
  'trigger',
  'name',
  'entrypoint',
  'local',
  'project',
  'file',
  'ref',
  'template',
  'remote',
  'component',
  'inputs',
  'DOCKER_AUTH_CONFIG',
  'value',
  '<<',
  '.base',
  'job',
  'build',
  'stages',
  'spec',
  'when',
];
const SCALARS = [
  'registry.example.com/team/app:1',
  'alpine',
  '$CI_REGISTRY_IMAGE/app',
  '${REGISTRY}/x',
  'localhost:5000/a',
  'Registry.Example.COM/a',
  'ignored.example.com/x',
  '',
  'null',
  '~',
  'yes',
  '1:20',
  '"quoted: x"',
  "'single ''q'''",
  '$[[ inputs.image ]]',
  '.base',
  'job',
  'a.yml',
  '/ci/*.yml',
  '**/*.yml',
  'echo $DOCKER_AUTH_CONFIG > ~/.docker/config.json',
  '\'{"auths":{"r.example.com":{"auth":"ZmFrZTpmYWtl"}}}\'',
  'true',
  '0x1F',
];

const { node: nodeArb } = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.constantFrom(...SCALARS), fc.string({ maxLength: 10 })).map((text): Node => ({ kind: 'scalar', text })),
    fc.constantFrom('a', 'b', 'c').map((name): Node => ({ kind: 'alias', name })),
    fc.array(fc.constantFrom(...KEYS, '0', 'x'), { minLength: 0, maxLength: 3 }).map((keys): Node => ({ kind: 'reference', path: keys })),
    fc
      .record({
        flow: fc.boolean(),
        anchor: fc.option(fc.constantFrom('a', 'b', 'c'), { freq: 3 }),
        entries: fc.array(fc.tuple(fc.constantFrom(...KEYS), tie('node')), { maxLength: 5 }),
      })
      .map((map): Node => ({ kind: 'map', ...map })),
    fc
      .record({ flow: fc.boolean(), anchor: fc.option(fc.constantFrom('a', 'b', 'c'), { freq: 3 }), items: fc.array(tie('node'), { maxLength: 4 }) })
      .map((seq): Node => ({ kind: 'seq', ...seq })),
  ),
}));

function inline(node: Node): string {
  switch (node.kind) {
    case 'scalar':
      return node.text;
    case 'alias':
      return `*${node.name}`;
    case 'reference':
      return `!reference [${node.path.join(', ')}]`;
    case 'map':
      return `${node.anchor ? `&${node.anchor} ` : ''}{${node.entries.map(([key, value]) => `${key}: ${inline(value)}`).join(', ')}}`;
    case 'seq':
      return `${node.anchor ? `&${node.anchor} ` : ''}[${node.items.map(inline).join(', ')}]`;
  }
}

/** Block YAML for a value in key position: ` inline` on the same line, or an anchor and an indented block below. */
function afterKey(node: Node, indent: number): string {
  if ((node.kind === 'map' || node.kind === 'seq') && !node.flow && (node.kind === 'map' ? node.entries.length : node.items.length) > 0) {
    return `${node.anchor ? ` &${node.anchor}` : ''}\n${block(node, indent + 2)}`;
  }
  return ` ${inline(node)}\n`;
}

function block(node: Node, indent: number): string {
  const pad = ' '.repeat(indent);
  if (node.kind === 'map' && !node.flow) return node.entries.map(([key, value]) => `${pad}${key}:${afterKey(value, indent)}`).join('');
  if (node.kind === 'seq' && !node.flow) return node.items.map((item) => `${pad}-${afterKey(item, indent)}`).join('');
  return `${pad}${inline(node)}\n`;
}

const TOP_KEYS = ['.base', '.tpl', 'job', 'build', 'test', 'deploy', 'default', 'variables', 'include', 'image', 'services', 'workflow', 'spec'];
const document = fc
  .tuple(fc.array(fc.tuple(fc.constantFrom(...TOP_KEYS), nodeArb), { minLength: 1, maxLength: 6 }), fc.boolean())
  .map(([entries, withHeader]) => {
    const body = entries.map(([key, value]) => `${key}:${afterKey(value, 0)}`).join('');
    return withHeader ? `spec:\n  inputs:\n    image:\n      default: registry.example.com/x\n---\n${body}` : body;
  });

// ───────────────────────────── mutations ─────────────────────────────

type Mutation =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'indent'; line: number; delta: number }
  | { kind: 'swap-keys'; first: number; second: number }
  | { kind: 'swap-lines'; first: number; second: number }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 3 })),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('indent' as const), line: fc.nat(), delta: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ kind: fc.constant('swap-keys' as const), first: fc.nat(), second: fc.nat() }),
  fc.record({ kind: fc.constant('swap-lines' as const), first: fc.nat(), second: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

const KEY_LINE = /^(\s*(?:-\s*)?)([^\s:#][^:#]*?):(\s|$)/;

function mutate(text: string, change: Mutation): string {
  const lines = text.split('\n');
  const lineAt = (index: number): number => index % Math.max(1, lines.length);
  switch (change.kind) {
    case 'insert': {
      const at = change.at % (text.length + 1);
      return text.slice(0, at) + change.text + text.slice(at);
    }
    case 'delete': {
      const at = change.at % (text.length + 1);
      return text.slice(0, at) + text.slice(at + change.length);
    }
    case 'truncate':
      return text.slice(0, change.at % (text.length + 1));
    case 'indent': {
      const index = lineAt(change.line);
      const line = lines[index]!;
      lines[index] = change.delta >= 0 ? ' '.repeat(change.delta) + line : line.replace(new RegExp(`^ {0,${-change.delta}}`), '');
      return lines.join('\n');
    }
    case 'swap-lines': {
      const first = lineAt(change.first);
      const second = lineAt(change.second);
      [lines[first], lines[second]] = [lines[second]!, lines[first]!];
      return lines.join('\n');
    }
    case 'swap-keys': {
      const keyed = lines.flatMap((line, index) => (KEY_LINE.test(line) ? [index] : []));
      if (keyed.length < 2) return text;
      const first = keyed[change.first % keyed.length]!;
      const second = keyed[change.second % keyed.length]!;
      const firstKey = KEY_LINE.exec(lines[first]!)![2]!;
      const secondKey = KEY_LINE.exec(lines[second]!)![2]!;
      lines[first] = lines[first]!.replace(KEY_LINE, (_match, lead: string, _key, after: string) => `${lead}${secondKey}:${after}`);
      lines[second] = lines[second]!.replace(KEY_LINE, (_match, lead: string, _key, after: string) => `${lead}${firstKey}:${after}`);
      return lines.join('\n');
    }
  }
}

// ───────────────────────────── properties ─────────────────────────────

describe('fuzz: pipeline resolution and checks', () => {
  it('has inputs to mutate: the fixtures and the corpus', () => {
    assert.ok(PROJECTS.length >= 5, `found only ${PROJECTS.length} fixture projects`);
    assert.ok(
      PROJECTS.some((project) => Object.keys(project.files).length > 1),
      'some fixture project has includes',
    );
  });

  it('survives random token soup', () => {
    holds(
      fc.property(tokenText, (text) => checkSoundly({ '.gitlab-ci.yml': text })),
      runs(9_000),
    );
  });

  it('stops deep nesting (flow or block collections in any mix, after any first lines) within time and memory bounds', () => {
    // Hostile: yaml's Composer recurses per level, so nesting past the depth limit must never reach it.
    const prefix = fc.constantFrom(
      '',
      'job:\n  image: x\n',
      'a:\n\tb: 1\n',
      '# gitlab-ci-auth-ignore\n',
      'x: 1 # gitlab-ci-auth-ignore\n',
      '%YAML 1.1\n---\n',
      'a: "open\n',
      'a: 1\r\n',
    );
    const flowOpener = fc.constantFrom('[', '{', '{a: ', '[{', '!reference [', '&a [', '"k": [', '[a, ', '{a: [', '*a, [');
    // Block collections nest on one line after `- ` and `? ` (on a line of their own: after `b: ` they are a flat error).
    const blockOpener = fc.constantFrom('- ', '? ', '- ? ', '? - ');
    const openers = fc.oneof(
      fc.array(flowOpener, { minLength: 1, maxLength: 3 }).map((units) => ({ units, separator: ': ' })),
      fc.array(blockOpener, { minLength: 1, maxLength: 3 }).map((units) => ({ units, separator: ':\n' })),
    );
    const depth = fc.oneof(fc.integer({ min: 90, max: 120 }), fc.integer({ min: 1_000, max: 200_000 }));
    const closed = fc.boolean();
    holds(
      fc.property(prefix, openers, depth, closed, (head, { units, separator }, levels, close) => {
        const unit = units.join('');
        const count = Math.max(1, Math.floor(levels / units.length));
        const closers = [...unit]
          .reverse()
          .flatMap((c) => (c === '[' ? [']'] : c === '{' ? ['}'] : []))
          .join('');
        const text = `${head}b${separator}${unit.repeat(count)}x${close ? closers.repeat(count) : ''}\n`;
        const peakBefore = process.resourceUsage().maxRSS;
        checkSoundly({ '.gitlab-ci.yml': text });
        const peakGrowthMb = (process.resourceUsage().maxRSS - peakBefore) / 1024;
        assert.ok(peakGrowthMb < 150, `peak memory grew by ${peakGrowthMb.toFixed(0)} MB`);
      }),
      runs(120),
    );
  });

  it('survives random structured CI documents (anchors, aliases, merge keys, !reference, flow and block)', () => {
    holds(
      fc.property(document, fc.option(document, { freq: 3 }), (root, included) =>
        checkSoundly(included === null ? { '.gitlab-ci.yml': root } : { '.gitlab-ci.yml': `include: a.yml\n${root}`, 'a.yml': included }),
      ),
      runs(9_000),
    );
  });

  it('survives every fixture file truncated at every offset, with the rest of its project intact', () => {
    let cases = 0;
    for (const project of PROJECTS) {
      for (const [file, text] of Object.entries(project.files)) {
        for (let at = 0; at <= text.length; at++) {
          try {
            checkSoundly({ ...project.files, [file]: text.slice(0, at) }, project.root);
          } catch (error) {
            assert.fail(`${project.name}/${file} truncated at ${at}: ${error instanceof Error ? error.message : String(error)}`);
          }
          cases++;
        }
      }
    }
    assert.ok(cases > 5_000, `only ${cases} truncations`);
  });

  it('survives fixture files mutated (insertions, deletions, indentation, swapped keys and lines)', () => {
    const target = fc.tuple(fc.nat({ max: PROJECTS.length - 1 }), fc.nat());
    holds(
      fc.property(target, fc.array(mutation, { minLength: 1, maxLength: 4 }), ([projectIndex, fileIndex], changes) => {
        const project = PROJECTS[projectIndex]!;
        const names = Object.keys(project.files).sort();
        const file = names[fileIndex % names.length]!;
        checkSoundly({ ...project.files, [file]: changes.reduce(mutate, project.files[file]!) }, project.root);
      }),
      runs(8_000),
    );
  });

  it('re-checks through a shared ResolveCache exactly as fresh checks do, edit after edit', () => {
    const target = fc.tuple(fc.nat({ max: PROJECTS.length - 1 }), fc.array(fc.tuple(fc.nat(), mutation), { minLength: 1, maxLength: 6 }));
    holds(
      fc.property(target, ([projectIndex, edits]) => {
        const project = PROJECTS[projectIndex]!;
        const names = Object.keys(project.files).sort();
        const cache = createResolveCache();
        let files: Record<string, string> = { ...project.files };
        const checkBoth = (): void => {
          const options = { ...OPTIONS, resolve: { variables: { ...OPTIONS.predefinedVariables } } };
          const fresh = checkProject(project.root, memoryFiles(files), options);
          const cached = checkProject(project.root, memoryFiles(files), { ...options, resolve: { ...options.resolve, cache } });
          assert.equal(JSON.stringify(cached.findings), JSON.stringify(fresh.findings), 'findings differ with the cache');
          assert.equal(JSON.stringify(cached.pipeline.jobs), JSON.stringify(fresh.pipeline.jobs), 'jobs differ with the cache');
        };
        checkBoth();
        for (const [fileIndex, change] of edits) {
          const file = names[fileIndex % names.length]!;
          files = { ...files, [file]: mutate(files[file]!, change) };
          checkBoth();
        }
      }),
      runs(1_500),
    );
  });

  it('survives the fixture files, mutated', () => {
    const texts = PROJECTS.flatMap((project) => Object.entries(project.files).map(([name, text]) => ({ name, text })));
    holds(
      fc.property(fc.nat({ max: texts.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (index, changes) => {
        checkSoundly({ '.gitlab-ci.yml': changes.reduce(mutate, texts[index]!.text) });
      }),
      runs(200),
    );
  });

  it('survives real CI files from the shared corpus, mutated', { skip: corpusSkip }, () => {
    const texts = CORPUS_TEXTS;
    holds(
      fc.property(fc.nat({ max: texts.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (index, changes) => {
        checkSoundly({ '.gitlab-ci.yml': changes.reduce(mutate, texts[index]!.text) });
      }),
      runs(700),
    );
  });
});
