// Every rule's message is the fact, short enough to read in the Problems panel ("No credentials for
// registry.example.com:5000 (job build)"); why it matters and what to do are the finding's detail, shown in the hover.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../src/core/types';
import { authConfigSource, check, GITLAB_COM, type Checked } from './checkSupport';

const kaniko = [
  'build:',
  '  image:',
  '    name: gcr.io/kaniko-project/executor:v1.23.2-debug',
  '  script:',
  '    - /kaniko/executor --destination $CI_REGISTRY_IMAGE:1',
  '',
];

/** One pipeline per rule (or a few rules), as a user would write it. */
const CASES: readonly [string, () => Checked][] = [
  ['missing-credentials', () => check('build:\n  image: registry.example.com:5000/team/app\n  script: [x]\n')],
  ['registry-unknown', () => check('build:\n  image: $REGISTRY/team/app\n  script: [x]\n')],
  ['invalid-image-reference', () => check('build:\n  image: "Team/App"\n  script: [x]\n')],
  [
    'key-near-miss',
    () => check('build:\n  image: registry.example.com:5050/team/app\n  script: [x]\n', { credentials: [authConfigSource(['registry.example.com'])] }),
  ],
  [
    'auth-config-shadows-job-token',
    () =>
      check(`variables:\n  DOCKER_AUTH_CONFIG: '{"auths":{"$CI_REGISTRY":{"auth":"$AUTH"}}}'\nbuild:\n  image: alpine\n  script: [x]\n`, {
        predefinedVariables: GITLAB_COM,
      }),
  ],
  [
    'auth-config-shadows-job-token',
    () =>
      check('build:\n  image: registry.gitlab.com/group/project/app\n  script: [x]\n', {
        predefinedVariables: GITLAB_COM,
        credentials: [authConfigSource(['registry.gitlab.com'])],
      }),
  ],
  [
    'invalid-auth-config',
    () => check(`variables:\n  DOCKER_AUTH_CONFIG: '{"auths":{"registry.example.com":{"auth":"%%%"}}}'\nbuild:\n  image: alpine\n  script: [x]\n`),
  ],
  [
    'committed-credentials',
    () => check(`variables:\n  DOCKER_AUTH_CONFIG: '{"auths":{"registry.example.com":{"password":"hunter2"}}}'\nbuild:\n  image: alpine\n  script: [x]\n`),
  ],
  ['committed-credentials', () => check('variables:\n  CI_REGISTRY_PASSWORD: hunter2\nbuild:\n  image: alpine\n  script: [x]\n')],
  ['committed-credentials', () => check('build:\n  image: docker\n  script:\n    - docker login -u me -p hunter2 registry.example.com\n')],
  ['file-variable-echo', () => check('build:\n  image: alpine\n  script:\n    - echo $DOCKER_AUTH_CONFIG > ~/.docker/config.json\n')],
  ['kaniko-missing-config', () => check(kaniko.join('\n'))],
  ['unresolved-include', () => check('include:\n  - project: group/shared\n    file: ci.yml\nbuild:\n  image: alpine\n  script: [x]\n')],
  ['include-not-found', () => check('include: missing.yml\nbuild:\n  image: alpine\n  script: [x]\n')],
  ['extends-missing', () => check('build:\n  extends: .nope\n  image: alpine\n  script: [x]\n')],
  ['extends-missing', () => check('include:\n  - project: group/shared\n    file: ci.yml\nbuild:\n  extends: .nope\n  image: alpine\n  script: [x]\n')],
  ['extends-cycle', () => check('.a:\n  extends: .b\n.b:\n  extends: .a\nbuild:\n  extends: .a\n  script: [x]\n')],
  ['reference-unresolved', () => check('build:\n  image: alpine\n  script:\n    - !reference [.nope, script]\n')],
  ['default-conflict', () => check('image: alpine\ndefault:\n  image: ruby\nbuild:\n  script: [x]\n')],
  ['yaml-syntax', () => check('build:\n  image: alpine\n  script: [x]\nstage\n  foo: bar\n')],
  ['yaml-syntax', () => check('build:\n  image: alpine\u0000\n')],
];

describe('finding messages: the fact first, short; details in the detail', () => {
  for (const [code, run] of CASES) {
    it(`${code}: one short statement, the rest in the detail`, () => {
      const findings: Finding[] = run().of(code as Finding['code']);
      assert.ok(findings.length > 0, `the pipeline gives ${code}`);
      for (const { message, detail } of findings) {
        // The wording is short; quoted names (images, keys, entries) are as long as the user wrote them.
        const wording = message.replace(/"[^"]*"/g, '""');
        assert.ok(wording.length <= 90, `${wording.length} characters: ${message}`);
        assert.ok(!/\.\s+[A-Z]/.test(message), `a single statement: ${message}`);
        assert.ok(detail === undefined || detail.length > 0);
      }
    });
  }

  it('names the jobs at the end, the same way for every rule: (job a) or (jobs a, b, c and 1 more)', () => {
    const template = '.template:\n  image: registry.example.com/team/app\n  script:\n    - echo $DOCKER_AUTH_CONFIG > c.json\n';
    const jobs = ['a', 'b', 'c', 'd'].map((name) => `${name}:\n  extends: .template\n`);
    const result = check(template + jobs.join(''));
    assert.equal(result.of('missing-credentials')[0]?.message, 'No credentials for registry.example.com (jobs a, b, c and 1 more)');
    assert.match(result.of('file-variable-echo')[0]?.message ?? '', / \(jobs a, b, c and 1 more\)$/);
  });
});
