import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { localIncludeGlob, resolvePipeline, type ExternalIncludeRequest } from '../../src/core/pipeline';
import { createDiskProjectFiles } from '../../src/core/pipeline/diskFiles';
import type { Pipeline, ResolvedJob } from '../../src/core/types';
import { memoryFiles } from './checkSupport';

function job(pipeline: Pipeline, name: string): ResolvedJob {
  const found = pipeline.jobs.find((candidate) => candidate.name === name);
  assert.ok(found, `job ${name} exists (jobs: ${pipeline.jobs.map((j) => j.name).join(', ')})`);
  return found;
}

const fixture = path.resolve(__dirname, '../../../test/fixtures/pipelines/full');

describe('include: local', () => {
  it('merges included files first, in order, and the including file wins (deep merge)', () => {
    const pipeline = resolvePipeline(
      '.gitlab-ci.yml',
      memoryFiles({
        '.gitlab-ci.yml': `include:\n  - ci/one.yml\n  - local: /ci/two.yml\njob:\n  variables: {MINE: root}\n`,
        'ci/one.yml': `job:\n  image: one:1\n  variables: {A: one}\n  script: x\n`,
        'ci/two.yml': `job:\n  image: two:1\n  variables: {B: two}\n`,
      }),
    );
    const resolved = job(pipeline, 'job');
    assert.equal(resolved.image?.value, 'two:1');
    assert.equal(resolved.image?.span.file, 'ci/two.yml');
    assert.deepEqual(
      resolved.image?.via.map((step) => `${step.kind} ${step.name}`),
      ['include ci/two.yml'],
    );
    assert.deepEqual(Object.keys(resolved.variables).sort(), ['A', 'B', 'MINE']);
    assert.deepEqual(
      pipeline.files.map((file) => file.path),
      ['.gitlab-ci.yml', 'ci/one.yml', 'ci/two.yml'],
    );
  });

  it('expands * within a folder and ** across folders, as GitLab matches include: local wildcards', () => {
    const glob = (pattern: string) => ['ci/a.yml', 'ci/sub/b.yml', 'ci/sub/deeper/c.yml', 'other/d.yml'].filter((p) => localIncludeGlob(pattern).matches(p));
    assert.deepEqual(glob('ci/*.yml'), ['ci/a.yml']);
    assert.deepEqual(glob('ci/**.yml'), ['ci/a.yml', 'ci/sub/b.yml', 'ci/sub/deeper/c.yml']);
    assert.deepEqual(glob('ci/**/*.yml'), ['ci/sub/b.yml', 'ci/sub/deeper/c.yml']);
  });

  it('resolves nested includes and stops on an include cycle', () => {
    const pipeline = resolvePipeline(
      '.gitlab-ci.yml',
      memoryFiles({
        '.gitlab-ci.yml': `include: a.yml\n`,
        'a.yml': `include: b.yml\n.base: {image: from-b-parent:1}\n`,
        'b.yml': `include: a.yml\njob:\n  extends: .base\n  script: x\n`,
      }),
    );
    assert.equal(job(pipeline, 'job').image?.value, 'from-b-parent:1');
    assert.ok(pipeline.problems.some((p) => p.code === 'limit-exceeded' && p.message.includes('includes itself')));
  });

  it('reports a local include that does not exist', () => {
    const pipeline = resolvePipeline('.gitlab-ci.yml', memoryFiles({ '.gitlab-ci.yml': `include: nowhere.yml\njob: {script: x}\n` }));
    assert.deepEqual(
      pipeline.problems.map((p) => p.code),
      ['include-not-found'],
    );
  });

  it('stops after the include limit', () => {
    const files: Record<string, string> = { '.gitlab-ci.yml': `include:\n${Array.from({ length: 5 }, (_, i) => `  - f${i}.yml\n`).join('')}` };
    for (let i = 0; i < 5; i++) files[`f${i}.yml`] = `job${i}: {script: x}\n`;
    const pipeline = resolvePipeline('.gitlab-ci.yml', memoryFiles(files), { limits: { maxIncludes: 3 } });
    assert.equal(pipeline.jobs.length, 3);
    assert.ok(pipeline.problems.some((p) => p.code === 'limit-exceeded'));
  });
});

describe('spec: inputs', () => {
  it('interpolates $[[ inputs.x ]] from include: inputs and defaults, in keys and values', () => {
    const pipeline = resolvePipeline(
      '.gitlab-ci.yml',
      memoryFiles({
        '.gitlab-ci.yml': `include:\n  - local: scan.yml\n    inputs:\n      image: registry.example.com/scanner:2\n`,
        'scan.yml': `spec:\n  inputs:\n    image:\n    prefix:\n      default: sec\n---\n"$[[ inputs.prefix ]]-scan":\n  image: $[[ inputs.image ]]\n  services: ["$[[ inputs.image | truncate(0,20) ]]-sidecar"]\n  script: x\n`,
      }),
    );
    const scan = job(pipeline, 'sec-scan');
    assert.equal(scan.image?.value, 'registry.example.com/scanner:2');
    assert.deepEqual(
      scan.services.map((s) => s.value),
      ['registry.example.com-sidecar'],
    );
    assert.deepEqual(pipeline.problems, []);
  });

  it('reports an input without value or default', () => {
    const pipeline = resolvePipeline(
      '.gitlab-ci.yml',
      memoryFiles({
        '.gitlab-ci.yml': `include:\n  - local: scan.yml\n`,
        'scan.yml': `spec:\n  inputs:\n    image:\n---\nscan:\n  image: $[[ inputs.image ]]\n  script: x\n`,
      }),
    );
    assert.deepEqual(
      pipeline.problems.map((p) => [p.code, p.severity, p.range.file]),
      [['input-missing', 'error', '.gitlab-ci.yml']],
    );
  });

  it('takes the root file inputs from options', () => {
    const pipeline = resolvePipeline(
      '.gitlab-ci.yml',
      memoryFiles({ '.gitlab-ci.yml': `spec:\n  inputs:\n    tag:\n---\njob:\n  image: alpine:$[[ inputs.tag ]]\n  script: x\n` }),
      { inputs: { tag: '3.20' } },
    );
    assert.equal(job(pipeline, 'job').image?.value, 'alpine:3.20');
  });
});

describe('external includes', () => {
  const root = `include:
  - project: platform/templates
    ref: v2
    file: [/docker.yml]
  - template: Jobs/Build.gitlab-ci.yml
  - remote: https://example.com/ci.yml
  - component: gitlab.example.com/group/comp/build@1.0
job:
  extends: .docker
  script: x
own:
  image: registry.example.com/own:1
  script: x
`;

  it('lists what could not be read, with a request a fetcher can use', () => {
    const pipeline = resolvePipeline('.gitlab-ci.yml', memoryFiles({ '.gitlab-ci.yml': root }));
    assert.deepEqual(
      pipeline.unresolvedIncludes.map((include) => [include.kind, include.location]),
      [
        ['project', 'platform/templates:docker.yml@v2'],
        ['template', 'Jobs/Build.gitlab-ci.yml'],
        ['remote', 'https://example.com/ci.yml'],
        ['component', 'gitlab.example.com/group/comp/build@1.0'],
      ],
    );
    assert.deepEqual(pipeline.unresolvedIncludes[0]?.request, { kind: 'project', project: 'platform/templates', ref: 'v2', file: 'docker.yml' });
    // The parent may be in an include we could not read: not a certain error, and the job is flagged.
    const missing = pipeline.problems.find((p) => p.code === 'extends-missing');
    assert.equal(missing?.severity, 'information');
    assert.equal(job(pipeline, 'job').mayDependOnUnresolvedInclude, true);
    // The root file is merged after every include, so its own image cannot be overridden.
    assert.equal(job(pipeline, 'own').mayDependOnUnresolvedInclude, false);
  });

  it('merges what ExternalIncludes supplies, and resolves nested local includes inside that project', () => {
    const requests: ExternalIncludeRequest[] = [];
    const pipeline = resolvePipeline('.gitlab-ci.yml', memoryFiles({ '.gitlab-ci.yml': root }), {
      externalIncludes: {
        read(request) {
          requests.push(request);
          if (request.kind === 'project' && request.file === 'docker.yml') {
            return { path: 'gitlab:platform/templates@v2/docker.yml', text: `include: /common.yml\n.docker:\n  extends: .common\n` };
          }
          if (request.kind === 'project' && request.file === 'common.yml') {
            return { path: 'gitlab:platform/templates@v2/common.yml', text: `.common:\n  image: registry.example.com/platform/docker:27\n` };
          }
          return undefined;
        },
      },
    });
    const resolved = job(pipeline, 'job');
    assert.equal(resolved.image?.value, 'registry.example.com/platform/docker:27');
    assert.equal(resolved.image?.span.file, 'gitlab:platform/templates@v2/common.yml');
    assert.deepEqual(requests[1], { kind: 'project', project: 'platform/templates', ref: 'v2', file: 'common.yml' });
    assert.equal(pipeline.unresolvedIncludes.length, 3);
  });

  it('expands known variables in include locations and leaves unknown ones unresolved', () => {
    const text = `include:\n  - local: ci/$ENVIRONMENT.yml\n  - local: ci/$UNKNOWN.yml\n`;
    const pipeline = resolvePipeline(
      '.gitlab-ci.yml',
      memoryFiles({ '.gitlab-ci.yml': text, 'ci/prod.yml': `deploy:\n  image: registry.example.com/deployer:1\n  script: x\n` }),
      { variables: { ENVIRONMENT: 'prod' } },
    );
    assert.equal(job(pipeline, 'deploy').image?.value, 'registry.example.com/deployer:1');
    assert.deepEqual(
      pipeline.unresolvedIncludes.map((include) => [include.kind, include.location]),
      [['local', 'ci/$UNKNOWN.yml']],
    );
  });
});

describe('createDiskProjectFiles', () => {
  it('reads inside the root only and lets unsaved texts win', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-outside-'));
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-root-'));
    try {
      fs.writeFileSync(path.join(outside, 'secret.yml'), 'outside: true\n');
      fs.mkdirSync(path.join(root, 'ci'));
      fs.writeFileSync(path.join(root, 'ci', 'a.yml'), 'a: 1\n');
      fs.symlinkSync(path.join(outside, 'secret.yml'), path.join(root, 'ci', 'link.yml'));
      const files = createDiskProjectFiles(root, new Map([['ci/a.yml', 'a: unsaved\n']]));
      assert.equal(files.read('ci/a.yml'), 'a: unsaved\n');
      assert.equal(files.read('ci/link.yml'), undefined);
      assert.equal(files.read('../' + path.basename(outside) + '/secret.yml'), undefined);
      assert.equal(files.read(path.join(outside, 'secret.yml')), undefined);
      assert.deepEqual(files.glob('ci/*.yml'), ['ci/a.yml']);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('resolves the multi-file fixture: globs, anchors, inputs, references, matrix, trigger', () => {
    const pipeline = resolvePipeline('.gitlab-ci.yml', createDiskProjectFiles(fixture));
    const images = Object.fromEntries(pipeline.jobs.map((j) => [j.name, j.image?.value ?? null]));
    assert.deepEqual(images, {
      'deploy-prod': '$CI_REGISTRY/ops/deployer:5',
      'security-scan': 'registry.example.com:5000/security/scanner:2.1',
      lint: '$APP_REGISTRY/base/ci:1.4',
      'build-image': 'docker:${DOCKER_VERSION}',
      'unit-tests': '$APP_REGISTRY/tools/node:20',
      'no-defaults': null,
      'kaniko-build': '$APP_REGISTRY/base/ci:1.4',
      'child-pipeline': null,
    });
    assert.deepEqual(
      job(pipeline, 'unit-tests').services.map((s) => s.value),
      ['postgres:${PG_VERSION}'],
    );
    assert.equal(job(pipeline, 'unit-tests').variables.PGDATA?.value, '/tmp/pg');
    assert.equal(job(pipeline, 'unit-tests').matrix.length, 2);
    assert.deepEqual(Object.keys(job(pipeline, 'no-defaults').variables), ['APP_REGISTRY']);
    assert.ok(job(pipeline, 'kaniko-build').mayDependOnUnresolvedInclude);
    assert.deepEqual(
      pipeline.unresolvedIncludes.map((include) => include.kind),
      ['project', 'template'],
    );
    for (const resolved of pipeline.jobs) {
      for (const traced of [resolved.image, ...resolved.services]) {
        if (!traced) continue;
        const file = pipeline.files.find((candidate) => candidate.path === traced.span.file)!;
        const text = file.text.slice(traced.span.start, traced.span.end);
        assert.ok(text === traced.value || text.includes('$[['), `${resolved.name}: span text '${text}' is the value '${traced.value}'`);
      }
    }
  });
});
