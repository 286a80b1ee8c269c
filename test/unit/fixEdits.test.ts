import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ignoreOnLineEdit, kanikoConfigStepEdit, removeVariableEdit, replaceEchoEdit, replaceKeyEdit } from '../../src/core/rules/fixEdits';
import type { TextEdit } from '../../src/core/rules/fixEdits';
import { check } from './checkSupport';

function apply(text: string, edits: readonly TextEdit[]): string {
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) result = result.slice(0, edit.start) + edit.newText + result.slice(edit.end);
  return result;
}

const span = (text: string, needle: string, file = '.gitlab-ci.yml') => {
  const start = text.indexOf(needle);
  assert.ok(start >= 0, `${needle} not in text`);
  return { file, start, end: start + needle.length };
};

describe('ignoreOnLineEdit', () => {
  it('appends an ignore comment, replacing trailing blanks', () => {
    const text = 'a:\n  image: registry.example.com/x   \n  script: [x]\n';
    const edits = ignoreOnLineEdit(text, text.indexOf('registry'), 'missing-credentials', '.gitlab-ci.yml');
    assert.equal(apply(text, edits), 'a:\n  image: registry.example.com/x # gitlab-ci-auth-ignore missing-credentials\n  script: [x]\n');
    assert.equal(edits[0]!.file, '.gitlab-ci.yml');
  });

  it('extends an existing ignore list and keeps its reason', () => {
    const text = 'image: r.example.com/x # gitlab-ci-auth-ignore registry-unknown -- mirror\n';
    assert.equal(
      apply(text, ignoreOnLineEdit(text, 8, 'missing-credentials')),
      'image: r.example.com/x # gitlab-ci-auth-ignore registry-unknown, missing-credentials -- mirror\n',
    );
  });

  it('changes nothing when the code or everything is already ignored', () => {
    assert.deepEqual(ignoreOnLineEdit('image: x # gitlab-ci-auth-ignore\n', 7, 'missing-credentials'), []);
    assert.deepEqual(ignoreOnLineEdit('image: x # gitlab-ci-auth-ignore missing-credentials\n', 7, 'missing-credentials'), []);
  });

  it('puts the comment on a block scalar header, where it stays a comment', () => {
    const text = 'variables:\n  DOCKER_AUTH_CONFIG: |\n    {"auths": {"r.example.com": {"auth": "%%%"}}}\n';
    assert.equal(
      apply(text, ignoreOnLineEdit(text, text.indexOf('%%%'), 'invalid-auth-config')),
      'variables:\n  DOCKER_AUTH_CONFIG: | # gitlab-ci-auth-ignore invalid-auth-config\n    {"auths": {"r.example.com": {"auth": "%%%"}}}\n',
    );
  });
});

describe('kanikoConfigStepEdit', () => {
  it('inserts the config steps before the executor, in the same list style and indentation, above its comment', () => {
    const yaml = [
      'build:',
      '  image:',
      '    name: gcr.io/kaniko-project/executor:debug',
      '    entrypoint: [""]',
      '  script:',
      '    - echo building',
      '    # push the image',
      '    - /kaniko/executor --context . --destination registry.example.com/app',
      '',
    ].join('\n');
    const { pipeline } = check(yaml);
    assert.equal(
      apply(yaml, kanikoConfigStepEdit(pipeline, 'build')),
      [
        'build:',
        '  image:',
        '    name: gcr.io/kaniko-project/executor:debug',
        '    entrypoint: [""]',
        '  script:',
        '    - echo building',
        '    - mkdir -p /kaniko/.docker',
        `    - printf '%s' "$DOCKER_AUTH_CONFIG" > /kaniko/.docker/config.json`,
        '    # push the image',
        '    - /kaniko/executor --context . --destination registry.example.com/app',
        '',
      ].join('\n'),
    );
  });

  it('edits the template file the job inherits its script from', () => {
    const template = '.kaniko:\n  image: gcr.io/kaniko-project/executor:debug\n  script: ["/kaniko/executor --destination r.example.com/a"]\n';
    const { pipeline } = check('include: ci/kaniko.yml\napp:\n  extends: .kaniko\n', {}, { 'ci/kaniko.yml': template });
    const edits = kanikoConfigStepEdit(pipeline, 'app');
    assert.equal(edits[0]?.file, 'ci/kaniko.yml');
    assert.equal(
      apply(template, edits),
      `.kaniko:\n  image: gcr.io/kaniko-project/executor:debug\n  script: [mkdir -p /kaniko/.docker, printf '%s' "$DOCKER_AUTH_CONFIG" > /kaniko/.docker/config.json, "/kaniko/executor --destination r.example.com/a"]\n`,
    );
  });

  it('turns a one-command script into a list', () => {
    const yaml = 'build:\n  image: gcr.io/kaniko-project/executor:debug\n  script: /kaniko/executor --destination r.example.com/a\n';
    const { pipeline } = check(yaml);
    assert.equal(
      apply(yaml, kanikoConfigStepEdit(pipeline, 'build')),
      `build:\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n    - mkdir -p /kaniko/.docker\n    - printf '%s' "$DOCKER_AUTH_CONFIG" > /kaniko/.docker/config.json\n    - /kaniko/executor --destination r.example.com/a\n`,
    );
  });

  it('writes $HOME/.docker/config.json before the first docker command of a docker job, in before_script', () => {
    const yaml =
      'push:\n  image: docker:27\n  before_script:\n    - docker info\n    - docker pull registry.example.com/base\n  script:\n    - docker push registry.example.com/app\n';
    const { pipeline } = check(yaml);
    assert.equal(
      apply(yaml, kanikoConfigStepEdit(pipeline, 'push')),
      `push:\n  image: docker:27\n  before_script:\n    - docker info\n    - mkdir -p "$HOME/.docker"\n    - printf '%s' "$DOCKER_AUTH_CONFIG" > "$HOME/.docker/config.json"\n    - docker pull registry.example.com/base\n  script:\n    - docker push registry.example.com/app\n`,
    );
  });

  it('returns no edit for an unknown job', () => {
    assert.deepEqual(kanikoConfigStepEdit(check('a:\n  script: [x]\n').pipeline, 'nope'), []);
  });
});

describe('replaceEchoEdit', () => {
  it('rewrites an unquoted echo to printf and keeps the redirect', () => {
    const text = 'a:\n  script:\n    - echo $DOCKER_AUTH_CONFIG > ~/.docker/config.json\n';
    assert.equal(
      apply(text, replaceEchoEdit(text, span(text, 'echo $DOCKER_AUTH_CONFIG > ~/.docker/config.json'))),
      `a:\n  script:\n    - printf '%s' "$DOCKER_AUTH_CONFIG" > ~/.docker/config.json\n`,
    );
  });

  it('uses cat for a File-type variable and keeps >> and braces', () => {
    const text = 'a:\n  script:\n    - echo -n "${DOCKER_AUTH_CONFIG}" >> /kaniko/.docker/config.json\n';
    assert.equal(
      apply(text, replaceEchoEdit(text, span(text, 'echo -n'), 'cat')),
      'a:\n  script:\n    - cat "${DOCKER_AUTH_CONFIG}" >> /kaniko/.docker/config.json\n',
    );
  });

  it('escapes the new text for a double-quoted YAML scalar', () => {
    const text = 'a:\n  script:\n    - "echo \\"$DOCKER_AUTH_CONFIG\\" > c.json"\n';
    assert.equal(apply(text, replaceEchoEdit(text, span(text, '"echo'))), `a:\n  script:\n    - "printf '%s' \\"$DOCKER_AUTH_CONFIG\\" > c.json"\n`);
  });
});

describe('replaceKeyEdit', () => {
  it('replaces the key characters inside a YAML DOCKER_AUTH_CONFIG', () => {
    const text = `variables:\n  DOCKER_AUTH_CONFIG: '{"auths":{"registry.example.com:443":{"auth":"$A"}}}'\n`;
    assert.equal(
      apply(text, replaceKeyEdit(text, span(text, 'registry.example.com:443'), 'registry.example.com')),
      `variables:\n  DOCKER_AUTH_CONFIG: '{"auths":{"registry.example.com":{"auth":"$A"}}}'\n`,
    );
  });
});

describe('removeVariableEdit', () => {
  it('removes the entry lines from a block map, keeping the other variables and comments', () => {
    const text = 'variables:\n  # registry access\n  A: 1\n  DOCKER_AUTH_CONFIG: >\n    {"auths": {}}\n  B: x # keep\njob:\n  script: [x]\n';
    assert.equal(
      apply(text, removeVariableEdit(text, span(text, 'DOCKER_AUTH_CONFIG'))),
      'variables:\n  # registry access\n  A: 1\n  B: x # keep\njob:\n  script: [x]\n',
    );
  });

  it('removes variables: too when it was the only entry', () => {
    const text = 'build:\n  variables:\n    DOCKER_AUTH_CONFIG: \'{"auths":{}}\'\n  script: [x]\n';
    assert.equal(apply(text, removeVariableEdit(text, span(text, '{"auths"'))), 'build:\n  script: [x]\n');
  });

  it('removes the entry and one comma from a flow map', () => {
    const text = 'job:\n  variables: {A: 1, DOCKER_AUTH_CONFIG: "{}", B: 2}\n';
    assert.equal(apply(text, removeVariableEdit(text, span(text, 'DOCKER_AUTH_CONFIG'))), 'job:\n  variables: {A: 1, B: 2}\n');
    const last = 'job:\n  variables: {A: 1, DOCKER_AUTH_CONFIG: "{}"}\n';
    assert.equal(apply(last, removeVariableEdit(last, span(last, 'DOCKER_AUTH_CONFIG'))), 'job:\n  variables: {A: 1}\n');
  });

  it('keeps CRLF line endings intact', () => {
    const text = 'variables:\r\n  A: 1\r\n  DOCKER_AUTH_CONFIG: "{}"\r\n  B: 2\r\n';
    assert.equal(apply(text, removeVariableEdit(text, span(text, 'DOCKER_AUTH_CONFIG'))), 'variables:\r\n  A: 1\r\n  B: 2\r\n');
  });
});
