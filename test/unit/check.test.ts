import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PUBLIC_REGISTRIES, checkPipeline, explainImage, findImageAt } from '../../src/core/check';
import { GITLAB_COM, NO_CONTEXT, authConfigSource, check } from './checkSupport';

describe('checkPipeline', () => {
  it('honours an inline ignore comment for the listed code only', () => {
    const yaml =
      'a:\n  image: registry.example.com/Bad # gitlab-ci-auth-ignore missing-credentials\n  script: [x]\nb:\n  image: registry.example.com/x # gitlab-ci-auth-ignore missing-credentials\n  script: [x]\n';
    const result = check(yaml);
    assert.deepEqual(result.of('missing-credentials'), []);
    assert.equal(result.of('invalid-image-reference').length, 1, 'another code on an ignored line is still reported');
  });

  it('honours an ignore comment on a block scalar header for a finding inside it', () => {
    const yaml = 'variables:\n  DOCKER_AUTH_CONFIG: | # gitlab-ci-auth-ignore\n    {"auths": {"r.example.com": {"auth": "%%%"}}}\n';
    assert.deepEqual(check(yaml).findings, []);
  });

  it('applies severity overrides and drops codes set to off', () => {
    const yaml = 'a:\n  image: registry.example.com/x\n  script: [x]\nb:\n  image: $UNKNOWN/x\n  script: [x]\n';
    const result = check(yaml, { severities: { 'missing-credentials': 'error', 'registry-unknown': 'off' } });
    assert.deepEqual(
      result.findings.map((finding) => [finding.code, finding.severity]),
      [['missing-credentials', 'error']],
    );
  });

  it("passes the pipeline's own problems through", () => {
    assert.equal(check('a:\n  extends: .missing\n  script: [x]\n').of('extends-missing').length, 1);
    assert.equal(check('a: [unclosed\n').of('yaml-syntax').length, 1);
    assert.equal(check('include: ci/none.yml\n').of('include-not-found').length, 1);
  });

  it('sorts by file, then offset, then code, and gives the same result twice', () => {
    const yaml = 'include: b.yml\nz:\n  image: registry.example.com/z\n  script: [x]\na:\n  image: registry.example.com/a\n  script: [x]\n';
    const extra = { 'b.yml': 'm:\n  image: $UNKNOWN/m\n  script: [x]\n' };
    const first = check(yaml, {}, extra).findings;
    assert.deepEqual(
      first.map((finding) => [finding.range.file, finding.code]),
      [
        ['.gitlab-ci.yml', 'missing-credentials'],
        ['.gitlab-ci.yml', 'missing-credentials'],
        ['b.yml', 'registry-unknown'],
      ],
    );
    assert.ok(first[0]!.range.start < first[1]!.range.start);
    assert.deepEqual(checkPipeline(check(yaml, {}, extra).pipeline, NO_CONTEXT), first);
  });

  it('never puts a secret from the YAML into any finding', () => {
    const secret = 'ZmFrZS11c2VyOmZha2UtdG9rZW4=';
    const yaml = `variables:\n  DOCKER_AUTH_CONFIG: '{"auths":{"r.example.com:5000":{"auth":"${secret}"},"bad.example.com":{"auth":"%%%"}}}'\na:\n  image: r.example.com/x\n  script: [docker login -p fake-pass-123 r.example.com]\n`;
    const serialized = JSON.stringify(check(yaml, { predefinedVariables: { CI_REGISTRY: 'r.example.com:5000' } }).findings);
    assert.ok(!serialized.includes(secret));
    assert.ok(!serialized.includes('fake-pass-123'));
  });

  it('exports the default public registries in one place', () => {
    assert.ok(DEFAULT_PUBLIC_REGISTRIES.includes('docker.io'));
    assert.ok(DEFAULT_PUBLIC_REGISTRIES.includes('registry.k8s.io'));
  });
});

describe('findImageAt and explainImage', () => {
  const yaml = [
    '.base:',
    '  image: $CI_REGISTRY_IMAGE/builder:1',
    'one:',
    '  extends: .base',
    '  script: [x]',
    'two:',
    '  extends: .base',
    '  services: [registry.example.com/db:1]',
    '  script: [x]',
    '',
  ].join('\n');

  it('returns every job that uses the scalar at an offset', () => {
    const { pipeline } = check(yaml);
    const hits = findImageAt(pipeline, '.gitlab-ci.yml', yaml.indexOf('builder'));
    assert.deepEqual(
      hits.map((hit) => hit.job.name),
      ['one', 'two'],
    );
    assert.deepEqual(findImageAt(pipeline, '.gitlab-ci.yml', yaml.indexOf('extends')), []);
  });

  it('explains how the runner reads an image: expansion, lookup path, status and match', () => {
    const options = { ...NO_CONTEXT, predefinedVariables: GITLAB_COM };
    const { pipeline } = check(yaml, options);
    const [hit] = findImageAt(pipeline, '.gitlab-ci.yml', yaml.indexOf('builder'));
    const explanation = explainImage(hit!.image, hit!.job, pipeline, options);
    assert.equal(explanation.written, '$CI_REGISTRY_IMAGE/builder:1');
    assert.equal(explanation.expanded, 'registry.gitlab.com/group/project/builder:1');
    assert.equal(explanation.lookupPath, 'registry.gitlab.com/group/project/builder');
    assert.equal(explanation.status, 'job-token');
    assert.equal(explanation.match?.source, 'job-payload');
    assert.equal(explanation.docker.registry, 'registry.gitlab.com');
    assert.equal(explanation.via[0]?.kind, 'extends');
  });

  it('says registry-unknown (expanded null) without context, covered with a key, uncovered without', () => {
    const { pipeline } = check(yaml);
    const [hit] = findImageAt(pipeline, '.gitlab-ci.yml', yaml.indexOf('builder'));
    const unknown = explainImage(hit!.image, hit!.job, pipeline, NO_CONTEXT);
    assert.equal(unknown.status, 'registry-unknown');
    assert.equal(unknown.expanded, null);
    const [service] = findImageAt(pipeline, '.gitlab-ci.yml', yaml.indexOf('registry.example.com/db'));
    assert.equal(explainImage(service!.image, service!.job, pipeline, NO_CONTEXT).status, 'uncovered');
    const covered = explainImage(service!.image, service!.job, pipeline, { ...NO_CONTEXT, credentials: [authConfigSource(['registry.example.com'])] });
    assert.equal(covered.status, 'covered');
    assert.equal(covered.match?.key, 'registry.example.com');
  });
});
