import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PUBLIC_REGISTRIES } from '../../src/core/check';
import { GITLAB_COM, authConfigSource, check } from './checkSupport';

describe('missing-credentials', () => {
  it('flags a private registry image nobody covers, underlining the image scalar', () => {
    const result = check('build:\n  image: registry.example.com/team/app:1.2\n  script: [make]\n');
    const [finding, ...rest] = result.of('missing-credentials');
    assert.ok(finding);
    assert.equal(rest.length, 0);
    assert.equal(finding.severity, 'warning');
    assert.equal(result.underlined(finding), 'registry.example.com/team/app:1.2');
    assert.equal(finding.data?.registry, 'registry.example.com');
    assert.equal(finding.data?.lookupPath, 'registry.example.com/team/app');
    assert.deepEqual(finding.data?.jobs, ['build']);
    assert.match(finding.message, /registry\.example\.com/);
  });

  it('does not flag Docker Hub images while docker.io is public, whatever the spelling', () => {
    const result = check(
      'a:\n  image: alpine\n  script: [x]\nb:\n  image: index.docker.io/library/node:20\n  script: [x]\nc:\n  image: docker.io/bitnami/kubectl\n  script: [x]\n',
    );
    assert.deepEqual(result.findings, []);
  });

  it('counts Docker Hub written with :443 as Docker Hub, and NVIDIA NGC and Elastic as public by default', () => {
    const yaml =
      'a:\n  image: docker.io:443/library/node:20\n  script: [x]\nb:\n  image: nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04\n  script: [x]\nc:\n  image: docker.elastic.co/elasticsearch/elasticsearch:8.14.0\n  script: [x]\n';
    assert.deepEqual(check(yaml, { publicRegistries: [...DEFAULT_PUBLIC_REGISTRIES] }).findings, []);
    // Only :443 is the registry's own port: another port is another registry.
    assert.equal(check('a:\n  image: docker.io:5000/library/node:20\n  script: [x]\n').of('missing-credentials').length, 1);
  });

  it("judges a job's image and its services alike when an include cannot be read: each is flagged only when the job sets it itself", () => {
    const include = 'include:\n  - project: platform/ci\n    file: defaults.yml\n';
    const top = 'image: registry.example.com/team/base:1\nservices:\n  - registry.example.com/team/db:1\n';
    // Top-level image and services alike: an include's default: may replace either, so neither is reported.
    assert.deepEqual(check(`${include}${top}build:\n  script: [x]\n`).of('missing-credentials'), []);
    // Own image, top-level services: the image is reported, the services are not (the include may set default: services).
    const ownImage = check(`${include}${top}build:\n  image: registry.example.com/team/own:1\n  script: [x]\n`).of('missing-credentials');
    assert.deepEqual(
      ownImage.map((finding) => finding.data?.['role']),
      ['image'],
    );
    // Own services, top-level image: the services are reported, the image is not.
    const ownServices = check(`${include}${top}build:\n  services: [registry.example.com/team/own-db:1]\n  script: [x]\n`).of('missing-credentials');
    assert.deepEqual(
      ownServices.map((finding) => finding.data?.['role']),
      ['service'],
    );
  });

  it('flags Docker Hub once docker.io is no longer public', () => {
    const result = check('a:\n  image: alpine\n  script: [x]\n', { publicRegistries: [] });
    assert.equal(result.of('missing-credentials')[0]?.data?.lookupPath, 'docker.io/alpine');
  });

  it('matches a path-scoped public entry like the runner matches a key: ghcr.io/myorg covers only that org', () => {
    const result = check('a:\n  image: ghcr.io/myorg/tool:1\n  script: [x]\nb:\n  image: ghcr.io/other/tool:1\n  script: [x]\n', {
      publicRegistries: ['ghcr.io/myorg'],
    });
    const findings = result.of('missing-credentials');
    assert.equal(findings.length, 1);
    assert.equal(result.underlined(findings[0]!), 'ghcr.io/other/tool:1');
  });

  it('is silent when a DOCKER_AUTH_CONFIG key covers the image, host-wide or by path', () => {
    const yaml = 'a:\n  image: registry.example.com:5000/team/app\n  script: [x]\nb:\n  image: other.example.com/ns/app\n  script: [x]\n';
    const result = check(yaml, { credentials: [authConfigSource(['registry.example.com:5000', 'other.example.com/ns'])] });
    assert.deepEqual(result.findings, []);
  });

  it('reports a scalar of a hidden template once, listing every job that uses it', () => {
    const yaml = [
      '.base:',
      '  image: registry.example.com/ci/builder:3',
      'one:',
      '  extends: .base',
      '  script: [x]',
      'two:',
      '  extends: .base',
      '  script: [x]',
      'three:',
      '  extends: .base',
      '  script: [x]',
      '',
    ].join('\n');
    const result = check(yaml);
    const findings = result.of('missing-credentials');
    assert.equal(findings.length, 1);
    assert.deepEqual(findings[0]!.data?.jobs, ['one', 'two', 'three']);
    assert.equal(result.underlined(findings[0]!), 'registry.example.com/ci/builder:3');
    const relatedText = findings[0]!.related.map((related) => related.message).join('\n');
    assert.match(relatedText, /used by job one/);
    assert.match(relatedText, /used by job three/);
  });

  it('expands job variables before looking credentials up', () => {
    const yaml = 'variables:\n  REGISTRY: registry.example.com\nbuild:\n  image: $REGISTRY/team/app\n  script: [x]\n';
    const result = check(yaml);
    assert.equal(result.of('missing-credentials')[0]?.data?.image, 'registry.example.com/team/app');
    assert.deepEqual(check(yaml, { credentials: [authConfigSource(['registry.example.com'])] }).findings, []);
  });

  it('checks each parallel:matrix combination and names the uncovered ones', () => {
    const yaml = [
      'deploy:',
      '  image: registry.example.com/$CLOUD/deployer',
      '  parallel:',
      '    matrix:',
      '      - CLOUD: [aws, gcp, azure]',
      '  script: [x]',
      '',
    ].join('\n');
    const result = check(yaml, { credentials: [authConfigSource(['registry.example.com/aws'])] });
    const findings = result.of('missing-credentials');
    assert.equal(findings.length, 1);
    assert.deepEqual(findings[0]!.data?.combinations, ['CLOUD=gcp', 'CLOUD=azure']);
    assert.match(findings[0]!.message, /CLOUD=gcp/);
  });

  it('treats the $CI_REGISTRY host and the dependency proxy as covered by the job token', () => {
    const yaml = [
      'a:',
      '  image: $CI_REGISTRY_IMAGE/builder:1',
      '  script: [x]',
      'b:',
      '  image: ${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/node:20',
      '  script: [x]',
      '',
    ].join('\n');
    assert.deepEqual(check(yaml, { predefinedVariables: GITLAB_COM, publicRegistries: [] }).findings, []);
  });

  it('flags services as well as images', () => {
    const result = check('test:\n  image: alpine\n  services:\n    - name: registry.example.com/db/postgres:16\n      alias: db\n  script: [x]\n');
    const findings = result.of('missing-credentials');
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.data?.role, 'service');
    assert.equal(result.underlined(findings[0]!), 'registry.example.com/db/postgres:16');
  });

  it('never reports registries listed as ignored', () => {
    const result = check('a:\n  image: registry.example.com/team/app\n  script: [x]\n', { ignoredRegistries: ['registry.example.com'] });
    assert.deepEqual(result.findings, []);
  });

  it('uses a DOCKER_AUTH_CONFIG written in the YAML variables, after expanding it', () => {
    const yaml = [
      'variables:',
      '  REG: registry.example.com',
      `  DOCKER_AUTH_CONFIG: '{"auths":{"$REG":{"auth":"$REG_AUTH"}}}'`,
      'a:',
      '  image: registry.example.com/team/app',
      '  script: [x]',
      '',
    ].join('\n');
    assert.deepEqual(check(yaml).of('missing-credentials'), []);
  });

  it('lets a DOCKER_AUTH_CONFIG CI/CD variable replace the YAML one, as GitLab variable precedence does', () => {
    const yaml = [
      'variables:',
      `  DOCKER_AUTH_CONFIG: '{"auths":{"registry.example.com":{"auth":"$REG_AUTH"}}}'`,
      'a:',
      '  image: registry.example.com/team/app',
      '  script: [x]',
      '',
    ].join('\n');
    const result = check(yaml, { credentials: [authConfigSource(['other.example.com'])] });
    assert.equal(result.of('missing-credentials').length, 1);
  });

  it('does not report jobs whose image may come from an include it cannot read, and reports the include', () => {
    const yaml = ['include:', '  - remote: https://example.com/ci/templates.yml', 'build:', '  extends: .remote-template', '  script: [x]', ''].join('\n');
    const result = check(yaml, { publicRegistries: [] });
    assert.deepEqual(result.of('missing-credentials'), []);
    const include = result.of('unresolved-include');
    assert.equal(include.length, 1);
    assert.equal(include[0]!.severity, 'information');
    assert.match(result.underlined(include[0]!), /example\.com\/ci\/templates\.yml/);
  });

  it('follows images into local include files and reports them where they are written', () => {
    const result = check('include: ci/build.yml\n', {}, { 'ci/build.yml': 'build:\n  image: registry.example.com/a/b\n  script: [x]\n' });
    const [finding] = result.of('missing-credentials');
    assert.equal(finding?.range.file, 'ci/build.yml');
    assert.equal(result.underlined(finding!), 'registry.example.com/a/b');
  });
});

describe('registry-unknown', () => {
  it('says which variable leaves the registry unknown', () => {
    const result = check('a:\n  image: $PRIVATE_REGISTRY/team/app:1\n  script: [x]\n');
    const [finding] = result.of('registry-unknown');
    assert.equal(finding?.severity, 'information');
    assert.deepEqual(finding?.data?.variables, ['PRIVATE_REGISTRY']);
    assert.match(finding!.message, /\$PRIVATE_REGISTRY/);
    assert.deepEqual(result.of('missing-credentials'), []);
  });

  it('reports $CI_REGISTRY_IMAGE as unknown without a GitLab context', () => {
    const [finding] = check('a:\n  image: $CI_REGISTRY_IMAGE/builder\n  script: [x]\n').of('registry-unknown');
    assert.deepEqual(finding?.data?.variables, ['CI_REGISTRY_IMAGE']);
  });

  it('names only the variables that can hold the registry, not the tag ($CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA)', () => {
    const [finding] = check('a:\n  image: $CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA\n  script: [x]\n').of('registry-unknown');
    assert.deepEqual(finding?.data?.variables, ['CI_REGISTRY_IMAGE']);
    assert.equal(finding!.message, 'Registry unknown: $CI_REGISTRY_IMAGE not known here (job a)');
    assert.match(finding!.detail ?? '', /depends on \$CI_REGISTRY_IMAGE \(a CI\/CD variable/);
  });

  it('does not call the registry unknown when only the tag depends on an unknown variable', () => {
    const result = check('a:\n  image: registry.example.com/team/app:$VERSION\n  script: [x]\n');
    assert.deepEqual(result.of('registry-unknown'), []);
    assert.deepEqual(result.of('invalid-image-reference'), []);
    assert.equal(result.of('missing-credentials').length, 1);
  });
});

describe('invalid-image-reference', () => {
  it("reports what Docker rejects, with Docker's reason", () => {
    const result = check('a:\n  image: registry.example.com/Team/App:1\n  script: [x]\n');
    const [finding] = result.of('invalid-image-reference');
    assert.equal(finding?.severity, 'error');
    assert.equal(result.underlined(finding!), 'registry.example.com/Team/App:1');
    assert.match(finding!.message, /must be lowercase/);
  });

  it('checks the expanded name', () => {
    const [finding] = check('variables:\n  TAG: "bad tag"\na:\n  image: alpine:$TAG\n  script: [x]\n').of('invalid-image-reference');
    assert.equal(finding?.data?.image, 'alpine:bad tag');
  });
});

describe('key-near-miss', () => {
  it('names the key that misses only by the port and what it should be', () => {
    const result = check('a:\n  image: registry.example.com:5050/team/app\n  script: [x]\n', { credentials: [authConfigSource(['registry.example.com'])] });
    const [finding] = result.of('key-near-miss');
    assert.equal(finding?.severity, 'warning');
    assert.equal(finding?.data?.key, 'registry.example.com');
    assert.equal(finding?.data?.suggestedKey, 'registry.example.com:5050');
    assert.equal(finding?.data?.reason, 'port');
    assert.deepEqual(result.of('missing-credentials'), [], 'the near miss explains the missing credentials once');
  });

  it('falls back to missing-credentials when key-near-miss is off', () => {
    const result = check('a:\n  image: registry.example.com:5050/team/app\n  script: [x]\n', {
      credentials: [authConfigSource(['registry.example.com'])],
      severities: { 'key-near-miss': 'off' },
    });
    assert.deepEqual(result.of('key-near-miss'), []);
    assert.equal(result.of('missing-credentials').length, 1);
  });

  it('locates the key inside a YAML DOCKER_AUTH_CONFIG for the quick fix', () => {
    const yaml = [
      'variables:',
      `  DOCKER_AUTH_CONFIG: '{"auths":{"registry.example.com:443":{"auth":"$REG_AUTH"}}}'`,
      'a:',
      '  image: registry.example.com/team/app',
      '  script: [x]',
      '',
    ].join('\n');
    const result = check(yaml);
    const [finding] = result.of('key-near-miss');
    assert.equal(finding?.data?.suggestedKey, 'registry.example.com');
    const keySpan = finding?.data?.keySpan as { start: number; end: number };
    assert.equal(yaml.slice(keySpan.start, keySpan.end), 'registry.example.com:443');
  });
});

describe('auth-config-shadows-job-token', () => {
  it('flags a CI/CD DOCKER_AUTH_CONFIG key on $CI_REGISTRY at the images it takes over', () => {
    const result = check('a:\n  image: $CI_REGISTRY_IMAGE/builder:1\n  script: [x]\n', {
      predefinedVariables: GITLAB_COM,
      credentials: [authConfigSource(['registry.gitlab.com'])],
    });
    const [finding] = result.of('auth-config-shadows-job-token');
    assert.equal(finding?.severity, 'information');
    assert.equal(result.underlined(finding!), '$CI_REGISTRY_IMAGE/builder:1');
    assert.equal(finding?.data?.key, 'registry.gitlab.com');
  });
});
