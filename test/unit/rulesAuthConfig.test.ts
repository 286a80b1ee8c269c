import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GITLAB_COM, check } from './checkSupport';

const FAKE_AUTH = 'ZmFrZS11c2VyOmZha2UtdG9rZW4='; // base64("fake-user:fake-token")

describe('invalid-auth-config', () => {
  it('points inside the JSON at the value the runner cannot decode (single-quoted YAML)', () => {
    const yaml = `variables:\n  DOCKER_AUTH_CONFIG: '{"auths":{"registry.example.com":{"auth":"%%%"}}}'\n`;
    const result = check(yaml);
    const [finding] = result.of('invalid-auth-config');
    assert.equal(finding?.severity, 'error');
    assert.equal(result.underlined(finding!), '"%%%"');
    assert.match(finding!.message, /^Invalid DOCKER_AUTH_CONFIG: auths entry "registry\.example\.com": the "auth" value is not valid base64/);
    assert.match(finding!.detail ?? '', /ignores every credential in this config/);
  });

  it('maps offsets through double-quoted YAML escapes', () => {
    const yaml = `variables:\n  DOCKER_AUTH_CONFIG: "{\\"auths\\":{\\"registry.example.com\\":{\\"auth\\":\\"%%%\\"}}}"\n`;
    const result = check(yaml);
    const [finding] = result.of('invalid-auth-config');
    assert.equal(result.underlined(finding!), '\\"%%%\\"');
  });

  it('maps offsets inside a block scalar', () => {
    const yaml = [
      'build:',
      '  variables:',
      '    DOCKER_AUTH_CONFIG: |',
      '      {',
      '        "auths": {',
      '          "registry.example.com": { "auth": "%%%" }',
      '        }',
      '      }',
      '  image: alpine',
      '  script: [x]',
      '',
    ].join('\n');
    const result = check(yaml);
    const [finding] = result.of('invalid-auth-config');
    assert.equal(result.underlined(finding!), '"%%%"');
    assert.deepEqual(finding?.data?.jobs, ['build']);
  });

  it('reports broken JSON and does not use the config for coverage', () => {
    const yaml = `variables:\n  DOCKER_AUTH_CONFIG: '{"auths":{"registry.example.com":{}'\na:\n  image: registry.example.com/x\n  script: [x]\n`;
    const result = check(yaml);
    assert.equal(result.of('invalid-auth-config').length, 1);
    assert.equal(result.of('missing-credentials').length, 1);
  });

  it('accepts $VAR references the runner expands', () => {
    const yaml = `variables:\n  DOCKER_AUTH_CONFIG: '{"auths":{"$CI_REGISTRY":{"auth":"$REGISTRY_AUTH"}}}'\n`;
    assert.deepEqual(check(yaml).of('invalid-auth-config'), []);
  });

  it('treats an empty DOCKER_AUTH_CONFIG as no source, not as an error', () => {
    assert.deepEqual(check('variables:\n  DOCKER_AUTH_CONFIG: ""\n').findings, []);
  });
});

describe('committed-credentials', () => {
  it('flags a literal auth in a YAML DOCKER_AUTH_CONFIG without repeating it', () => {
    const yaml = `variables:\n  DOCKER_AUTH_CONFIG: '{"auths":{"registry.example.com":{"auth":"${FAKE_AUTH}"}}}'\n`;
    const result = check(yaml);
    const [finding] = result.of('committed-credentials');
    assert.equal(finding?.severity, 'error');
    assert.equal(result.underlined(finding!), FAKE_AUTH);
    assert.equal(finding?.data?.entry, 'registry.example.com');
    assert.ok(!JSON.stringify(result.findings).includes(FAKE_AUTH), 'the secret leaked into a finding');
  });

  it('flags a literal password but not one made of variable references', () => {
    const yaml = [
      'variables:',
      `  DOCKER_AUTH_CONFIG: '{"auths":{"a.example.com":{"username":"bot","password":"fake-pass-123"},"b.example.com":{"username":"$U","password":"\${B_PASS}"}}}'`,
      '',
    ].join('\n');
    const result = check(yaml);
    const findings = result.of('committed-credentials');
    assert.equal(findings.length, 1);
    assert.equal(result.underlined(findings[0]!), 'fake-pass-123');
    assert.ok(!findings[0]!.message.includes('fake-pass-123'));
  });

  it('flags docker login -p with a literal, not with a variable', () => {
    const yaml = [
      'push:',
      '  image: docker:27',
      '  script:',
      '    - docker login -u bot -p fake-secret-value registry.example.com',
      '    - docker login -u "$U" -p "$CI_REGISTRY_PASSWORD" $CI_REGISTRY',
      '',
    ].join('\n');
    const result = check(yaml);
    const findings = result.of('committed-credentials');
    assert.equal(findings.length, 1);
    assert.equal(result.underlined(findings[0]!), 'fake-secret-value');
    assert.ok(!findings[0]!.message.includes('fake-secret-value'));
  });

  it('flags a literal CI_REGISTRY_PASSWORD in variables', () => {
    const result = check('variables:\n  CI_REGISTRY_PASSWORD: fake-literal\n');
    assert.equal(result.of('committed-credentials').length, 1);
    assert.deepEqual(check('variables:\n  CI_REGISTRY_PASSWORD: $DEPLOY_TOKEN\n').of('committed-credentials'), []);
  });
});

describe('auth-config-shadows-job-token (YAML)', () => {
  it('flags the $CI_REGISTRY key of a YAML DOCKER_AUTH_CONFIG, at the key', () => {
    const yaml = `variables:\n  DOCKER_AUTH_CONFIG: '{"auths":{"$CI_REGISTRY":{"auth":"$AUTH"}}}'\na:\n  image: alpine\n  script: [x]\n`;
    const result = check(yaml, { predefinedVariables: GITLAB_COM });
    const [finding] = result.of('auth-config-shadows-job-token');
    assert.equal(result.underlined(finding!), '$CI_REGISTRY');
    assert.equal(finding?.data?.key, 'registry.gitlab.com');
  });

  it('says nothing when the key is another registry or the GitLab context is unknown', () => {
    const yaml = `variables:\n  DOCKER_AUTH_CONFIG: '{"auths":{"registry.gitlab.com":{"auth":"$AUTH"}}}'\na:\n  image: alpine\n  script: [x]\n`;
    assert.deepEqual(check(yaml).of('auth-config-shadows-job-token'), []);
    assert.deepEqual(check(yaml, { predefinedVariables: { CI_REGISTRY: 'gitlab.example.com:5050' } }).of('auth-config-shadows-job-token'), []);
  });
});
