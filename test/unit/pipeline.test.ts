import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePipeline } from '../../src/core/pipeline';
import type { Pipeline, ResolvedJob, TracedString } from '../../src/core/types';
import { memoryFiles } from './checkSupport';

function resolve(text: string, others: Record<string, string> = {}): Pipeline {
  return resolvePipeline('.gitlab-ci.yml', memoryFiles({ '.gitlab-ci.yml': text, ...others }));
}

function job(pipeline: Pipeline, name: string): ResolvedJob {
  const found = pipeline.jobs.find((candidate) => candidate.name === name);
  assert.ok(found, `job ${name} exists (jobs: ${pipeline.jobs.map((j) => j.name).join(', ')})`);
  return found;
}

/** The source text a traced value points at. */
function written(pipeline: Pipeline, traced: TracedString | null): string {
  assert.ok(traced);
  const file = pipeline.files.find((candidate) => candidate.path === traced.span.file);
  assert.ok(file, `span file ${traced.span.file} was read`);
  return file.text.slice(traced.span.start, traced.span.end);
}

const codes = (pipeline: Pipeline) => pipeline.problems.map((problem) => problem.code);

describe('jobs', () => {
  it('are the non-hidden, non-reserved top-level hashes; pages is a job', () => {
    const pipeline = resolve(`
stages: [build]
variables: {A: a}
workflow: {rules: [{when: always}]}
default: {image: alpine}
.hidden: {script: x}
pages: {script: publish}
build: {script: make}
not-a-job: just a string
`);
    assert.deepEqual(
      pipeline.jobs.map((j) => j.name),
      ['pages', 'build'],
    );
  });

  it('keep the names y and n, and variables keep the values y and n, as Psych reads them (YAML 1.1 would say booleans)', () => {
    const pipeline = resolve(`
y:
  image: registry.example.com/$FLAG/app:1
  variables: {FLAG: n}
  script: make
n: {image: alpine, script: test}
yes: {image: alpine, script: boolean key}
`);
    assert.deepEqual(
      pipeline.jobs.map((j) => j.name),
      ['y', 'n', 'true'],
    );
    assert.equal(job(pipeline, 'y').variables['FLAG']?.value, 'n');
  });

  it('treats trigger jobs as jobs without an image, even with a default image', () => {
    const pipeline = resolve(`
default: {image: alpine:3, services: [redis:7]}
child:
  trigger: {include: child.yml}
`);
    const child = job(pipeline, 'child');
    assert.equal(child.isTrigger, true);
    assert.equal(child.image, null);
    assert.deepEqual(child.services, []);
  });
});

describe('image and services', () => {
  it('reads image as a string or {name:, entrypoint:} and services as strings or {name:, alias:}', () => {
    const pipeline = resolve(`
job:
  image:
    name: registry.example.com:5000/tools/node:20
    entrypoint: [""]
  services:
    - postgres:16
    - name: registry.example.com:5000/cache/redis:7
      alias: cache
  script: test
`);
    const resolved = job(pipeline, 'job');
    assert.equal(resolved.image?.value, 'registry.example.com:5000/tools/node:20');
    assert.equal(written(pipeline, resolved.image), 'registry.example.com:5000/tools/node:20');
    assert.deepEqual(
      resolved.services.map((s) => s.value),
      ['postgres:16', 'registry.example.com:5000/cache/redis:7'],
    );
  });

  it('spans the text between quotes for a quoted name', () => {
    const pipeline = resolve(`job:\n  image: "registry.example.com/app:1"\n  script: x\n`);
    assert.equal(written(pipeline, job(pipeline, 'job').image), 'registry.example.com/app:1');
  });

  it('takes job over default: over the deprecated top-level image', () => {
    const pipeline = resolve(`
image: top-level:1
services: [top-svc:1]
default:
  image: from-default:1
own:
  image: own:1
  script: x
inheriting:
  script: x
`);
    assert.equal(job(pipeline, 'own').image?.value, 'own:1');
    const inheriting = job(pipeline, 'inheriting');
    assert.equal(inheriting.image?.value, 'from-default:1');
    assert.deepEqual(
      inheriting.image?.via.map((step) => step.kind),
      ['default'],
    );
    assert.deepEqual(
      inheriting.services.map((s) => s.value),
      ['top-svc:1'],
    );
    assert.deepEqual(
      inheriting.services[0]?.via.map((step) => step.kind),
      ['top-level'],
    );
  });

  it('honours inherit: default: false and a list of keywords', () => {
    const pipeline = resolve(`
default:
  image: alpine:3
  services: [redis:7]
none:
  inherit: {default: false}
  script: x
only-services:
  inherit: {default: [services]}
  script: x
`);
    assert.equal(job(pipeline, 'none').image, null);
    assert.deepEqual(job(pipeline, 'none').services, []);
    assert.equal(job(pipeline, 'only-services').image, null);
    assert.deepEqual(
      job(pipeline, 'only-services').services.map((s) => s.value),
      ['redis:7'],
    );
  });
});

describe('YAML anchors and merge keys', () => {
  it('spans the scalar inside the anchor and records the alias', () => {
    const text = `
.img: &private registry.example.com:5000/base:1
job:
  image: *private
  script: x
`;
    const pipeline = resolve(text);
    const image = job(pipeline, 'job').image;
    assert.equal(image?.value, 'registry.example.com:5000/base:1');
    assert.equal(image?.span.start, text.indexOf('registry.example.com'));
    assert.deepEqual(
      image?.via.map((step) => `${step.kind} ${step.name}`),
      ['anchor *private'],
    );
    assert.equal(text.slice(image!.via[0]!.span.start, image!.via[0]!.span.end), '*private');
  });

  it('merges << keys; with a list of aliases the earlier one wins; keys after << win', () => {
    const pipeline = resolve(`
.a: &a {image: first:1, services: [svc-a:1]}
.b: &b {image: second:1, variables: {B: b}}
listed:
  <<: [*a, *b]
  script: x
overridden:
  <<: *a
  image: mine:1
  script: x
`);
    const listed = job(pipeline, 'listed');
    assert.equal(listed.image?.value, 'first:1');
    assert.deepEqual(
      listed.services.map((s) => s.value),
      ['svc-a:1'],
    );
    assert.equal(listed.variables.B?.value, 'b');
    assert.equal(job(pipeline, 'overridden').image?.value, 'mine:1');
  });

  it('does not expand alias bombs: reports limit-exceeded instead', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `l${i}: &l${i} [${Array(10)
          .fill(i === 1 ? '*a' : `*l${i - 1}`)
          .join(', ')}]`,
      );
    const started = Date.now();
    const pipeline = resolve(`${levels.join('\n')}\njob:\n  script: *l8\n`);
    assert.ok(Date.now() - started < 2000);
    assert.ok(codes(pipeline).includes('limit-exceeded'));
  });
});

describe('extends', () => {
  it('deep-merges hashes, replaces arrays, later parents win and the job wins over all', () => {
    const pipeline = resolve(`
.one:
  image: one:1
  services: [svc-one:1]
  variables: {A: one, B: one}
.two:
  image: two:1
  variables: {B: two, C: two}
job:
  extends: [.one, .two]
  services: [svc-job:1]
  variables: {C: job}
  script: x
`);
    const resolved = job(pipeline, 'job');
    assert.equal(resolved.image?.value, 'two:1');
    assert.deepEqual(
      resolved.services.map((s) => s.value),
      ['svc-job:1'],
    );
    assert.deepEqual(Object.fromEntries(Object.entries(resolved.variables).map(([key, value]) => [key, value.value])), { A: 'one', B: 'two', C: 'job' });
  });

  it('records the extends chain with the span of each extends: value', () => {
    const text = `
.base:
  image: registry.example.com/base:1
.middle:
  extends: .base
job:
  extends: .middle
  script: x
`;
    const pipeline = resolve(text);
    const image = job(pipeline, 'job').image!;
    assert.deepEqual(
      image.via.map((step) => `${step.kind} ${step.name}`),
      ['extends .middle', 'extends .base'],
    );
    assert.equal(text.slice(image.via[0]!.span.start, image.via[0]!.span.end), '.middle');
    assert.equal(written(pipeline, image), 'registry.example.com/base:1');
  });

  it('reports a missing parent, a cycle and more than 11 levels', () => {
    const chain = Array.from({ length: 13 }, (_, i) => `.l${i}:\n  extends: .l${i + 1}\n`).join('') + '.l13:\n  image: deep:1\n';
    const pipeline = resolve(`
missing:
  extends: .nowhere
  script: x
.a: {extends: .b}
.b: {extends: .a}
cyclic:
  extends: .a
  script: x
deep:
  extends: .l0
  script: x
${chain}`);
    const found = codes(pipeline);
    assert.ok(found.includes('extends-missing'));
    assert.ok(found.includes('extends-cycle'));
    assert.ok(found.includes('extends-too-deep'));
    assert.equal(pipeline.problems.find((p) => p.code === 'extends-missing')?.severity, 'error');
  });

  it('counts the levels of a parent that was already resolved on its own', () => {
    const chain = Array.from({ length: 11 }, (_, i) => `.l${i}:\n  extends: .l${i + 1}\n`).join('') + '.l11:\n  image: deep:1\n';
    // The !reference resolves .l0 (11 levels, allowed) before the job that adds a 12th level.
    const pipeline = resolve(`.probe:\n  image: !reference [.l0, image]\njob:\n  extends: .l0\n  script: x\n${chain}`);
    assert.deepEqual(codes(pipeline), ['extends-too-deep']);
  });

  it('accepts 11 levels of inheritance', () => {
    const chain = Array.from({ length: 10 }, (_, i) => `.l${i}:\n  extends: .l${i + 1}\n`).join('') + '.l10:\n  image: deep:1\n';
    const pipeline = resolve(`job:\n  extends: .l0\n  script: x\n${chain}`);
    assert.equal(job(pipeline, 'job').image?.value, 'deep:1');
    assert.deepEqual(codes(pipeline), []);
  });
});

describe('!reference', () => {
  it('resolves nested references into image, services, variables and script, after extends', () => {
    const text = `
.registry:
  image: registry.example.com:5000/tools/base:2
.tools:
  extends: .registry
.vars:
  variables: {REGISTRY: registry.example.com:5000}
.setup:
  script: [echo setup, !reference [.login, script]]
.login:
  script: [docker login]
job:
  image: !reference [.tools, image]
  services: [!reference [.svc, services]]
  variables:
    REGISTRY: !reference [.vars, variables, REGISTRY]
  script:
    - !reference [.setup, script]
    - make
.svc:
  services: [redis:7, postgres:16]
`;
    const pipeline = resolve(text);
    const resolved = job(pipeline, 'job');
    assert.equal(resolved.image?.value, 'registry.example.com:5000/tools/base:2');
    assert.equal(written(pipeline, resolved.image), 'registry.example.com:5000/tools/base:2');
    assert.equal(resolved.image?.via[0]?.kind, 'reference');
    assert.equal(text.slice(resolved.image!.via[0]!.span.start, resolved.image!.via[0]!.span.end), '!reference [.tools, image]');
    assert.deepEqual(
      resolved.services.map((s) => s.value),
      ['redis:7', 'postgres:16'],
    );
    assert.equal(resolved.variables.REGISTRY?.value, 'registry.example.com:5000');
    assert.deepEqual(
      resolved.scriptLines.map((line) => line.value),
      ['echo setup', 'docker login', 'make'],
    );
    assert.deepEqual(codes(pipeline), []);
  });

  it('reports a reference that cannot be resolved', () => {
    const pipeline = resolve(`job:\n  image: !reference [.nowhere, image]\n  script: x\n`);
    assert.deepEqual(codes(pipeline), ['reference-unresolved']);
    assert.equal(job(pipeline, 'job').image, null);
  });

  it('reports a reference to itself instead of looping', () => {
    const pipeline = resolve(`.a:\n  image: !reference [.a, image]\njob:\n  extends: .a\n  script: x\n`);
    assert.ok(codes(pipeline).includes('reference-unresolved'));
  });
});

describe('variables and matrix', () => {
  it('merges top-level then job variables (job wins), {value:} form, inherit: variables', () => {
    const pipeline = resolve(`
variables:
  REGISTRY: registry.example.com
  TAG: {value: "1.0", description: the tag}
job:
  variables: {TAG: "2.0"}
  script: x
isolated:
  inherit: {variables: [REGISTRY]}
  script: x
`);
    assert.equal(job(pipeline, 'job').variables.TAG?.value, '2.0');
    assert.equal(job(pipeline, 'job').variables.REGISTRY?.value, 'registry.example.com');
    assert.deepEqual(Object.keys(job(pipeline, 'isolated').variables), ['REGISTRY']);
    assert.equal(pipeline.globalVariables.TAG?.value, '1.0');
  });

  it('lists parallel: matrix combinations once under the job name', () => {
    const pipeline = resolve(`
build:
  image: registry.example.com/$ARCH/builder:$VERSION
  parallel:
    matrix:
      - ARCH: [amd64, arm64]
        VERSION: "1"
      - ARCH: riscv
        VERSION: ["2", "3"]
  script: x
`);
    assert.deepEqual(
      pipeline.jobs.map((j) => j.name),
      ['build'],
    );
    assert.deepEqual(job(pipeline, 'build').matrix, [
      { ARCH: 'amd64', VERSION: '1' },
      { ARCH: 'arm64', VERSION: '1' },
      { ARCH: 'riscv', VERSION: '2' },
      { ARCH: 'riscv', VERSION: '3' },
    ]);
  });
});

describe('hostile or broken input', () => {
  it('reports YAML syntax errors without quoting the file and keeps what parsed', () => {
    const pipeline = resolve(`ok:\n  image: alpine:3\n  script: x\nbroken:\n  image: [a\n  password: hunter2-fake-secret\n`);
    const syntax = pipeline.problems.filter((p) => p.code === 'yaml-syntax');
    assert.ok(syntax.length > 0);
    for (const problem of syntax) assert.ok(!problem.message.includes('hunter2'));
  });

  it('reports an alias of an anchor never defined, which Psych rejects (Psych::AnchorNotDefined), on the alias', () => {
    const text = `.builder: &builder\n  <<: *dock\njob:\n  image: alpine:3\n  script: x\n`;
    const pipeline = resolve(text);
    const syntax = pipeline.problems.filter((p) => p.code === 'yaml-syntax');
    assert.equal(syntax.length, 1);
    assert.equal(text.slice(syntax[0]!.range.start, syntax[0]!.range.end), '*dock');
    assert.match(syntax[0]!.message, /&dock/);
  });

  it('rejects an over-large file with limit-exceeded', () => {
    const pipeline = resolvePipeline('.gitlab-ci.yml', memoryFiles({ '.gitlab-ci.yml': 'job:\n  script: x\n' }), { limits: { maxFileSize: 10 } });
    assert.deepEqual(codes(pipeline), ['limit-exceeded']);
    assert.deepEqual(pipeline.jobs, []);
  });

  it('survives absurd nesting', () => {
    const pipeline = resolve(`job:\n  script: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    assert.ok(codes(pipeline).some((code) => code === 'limit-exceeded' || code === 'yaml-syntax'));
  });

  it('reports an unreadable root file', () => {
    const pipeline = resolvePipeline('missing.yml', memoryFiles({}));
    assert.deepEqual(codes(pipeline), ['include-not-found']);
  });
});
