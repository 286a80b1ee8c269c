import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { check } from './checkSupport';

describe('file-variable-echo', () => {
  it('flags echo $DOCKER_AUTH_CONFIG into a config.json, underlining the echo', () => {
    const yaml = 'login:\n  image: docker:27\n  script:\n    - mkdir -p ~/.docker\n    - echo $DOCKER_AUTH_CONFIG > ~/.docker/config.json\n';
    const result = check(yaml);
    const [finding] = result.of('file-variable-echo');
    assert.equal(finding?.severity, 'warning');
    assert.equal(result.underlined(finding!), 'echo $DOCKER_AUTH_CONFIG');
    assert.match(finding!.message, /File-type/);
    assert.match(finding!.detail ?? '', /Unquoted/);
    assert.equal(finding?.data?.quoted, false);
  });

  it('flags the quoted form too, inside a multi-line script item', () => {
    const yaml =
      'login:\n  image: docker:27\n  script:\n    - |\n      mkdir -p $HOME/.docker\n      echo "${DOCKER_AUTH_CONFIG}" > $HOME/.docker/config.json\n';
    const result = check(yaml);
    const [finding] = result.of('file-variable-echo');
    assert.equal(result.underlined(finding!), 'echo "${DOCKER_AUTH_CONFIG}"');
    assert.equal(finding?.data?.quoted, true);
  });

  it('accepts printf and cat', () => {
    const yaml = `a:\n  image: docker:27\n  script:\n    - printf '%s' "$DOCKER_AUTH_CONFIG" > ~/.docker/config.json\n    - cat "$DOCKER_AUTH_CONFIG" > ~/.docker/config.json\n`;
    assert.deepEqual(check(yaml).of('file-variable-echo'), []);
  });
});

describe('kaniko-missing-config', () => {
  const kanikoJob = (script: string[]) =>
    [
      'build:',
      '  image:',
      '    name: gcr.io/kaniko-project/executor:v1.23.2-debug',
      '    entrypoint: [""]',
      '  script:',
      ...script.map((line) => `    - ${line}`),
      '',
    ].join('\n');

  it('flags a pushing executor when no step writes /kaniko/.docker/config.json, at the executor line', () => {
    const result = check(kanikoJob(['/kaniko/executor --context . --destination $CI_REGISTRY_IMAGE:latest']));
    const [finding] = result.of('kaniko-missing-config');
    assert.equal(finding?.severity, 'warning');
    assert.equal(result.underlined(finding!), '/kaniko/executor --context . --destination $CI_REGISTRY_IMAGE:latest');
    assert.deepEqual(finding?.data?.jobs, ['build']);
  });

  it('is satisfied by a redirect, cp or tee into the config', () => {
    for (const write of [
      `printf '%s' "$DOCKER_AUTH_CONFIG" > /kaniko/.docker/config.json`,
      'cp "$DOCKER_AUTH_CONFIG" /kaniko/.docker/config.json',
      'echo "$AUTH_JSON" | tee /kaniko/.docker/config.json',
    ]) {
      const result = check(kanikoJob(['mkdir -p /kaniko/.docker', write, '/kaniko/executor --context . --destination reg.example.com/app']));
      assert.deepEqual(result.of('kaniko-missing-config'), [], write);
    }
  });

  it('follows DOCKER_CONFIG to another directory', () => {
    const result = check(
      kanikoJob(['export DOCKER_CONFIG=/tmp/docker', `printf '%s' "$X" > /tmp/docker/config.json`, '/kaniko/executor --destination reg.example.com/app']),
    );
    assert.deepEqual(result.of('kaniko-missing-config'), []);
  });

  it('does not flag --no-push builds or other images', () => {
    assert.deepEqual(check(kanikoJob(['/kaniko/executor --context . --no-push --destination x/y'])).of('kaniko-missing-config'), []);
    assert.deepEqual(check('a:\n  image: alpine\n  script:\n    - /kaniko/executor --destination reg.example.com/app\n').of('kaniko-missing-config'), []);
  });

  it('reports the executor line of a template once for all jobs that extend it', () => {
    const yaml = [
      '.kaniko:',
      '  image: { name: "gcr.io/kaniko-project/executor:debug", entrypoint: [""] }',
      '  script:',
      '    - /kaniko/executor --context . --destination reg.example.com/app:$CI_JOB_NAME',
      'app-a:',
      '  extends: .kaniko',
      'app-b:',
      '  extends: .kaniko',
      '',
    ].join('\n');
    const findings = check(yaml).of('kaniko-missing-config');
    assert.equal(findings.length, 1);
    assert.deepEqual(findings[0]!.data?.jobs, ['app-a', 'app-b']);
  });
});
