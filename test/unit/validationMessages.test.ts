import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { ciLintSchema, variableSchema } from '../../src/core/gitlab/schemas';
import { parseSettings, type SettingKey } from '../../src/core/settings';

function problemsFor(key: SettingKey, value: unknown): string[] {
  return parseSettings((asked) => (asked === key ? value : undefined)).problems.map((problem) => problem.message);
}

describe('validation messages (zod/mini with English messages configured once in src/core/zod.ts)', () => {
  it('a setting of the wrong type names the expected and the received type', () => {
    assert.deepEqual(problemsFor('enable', 'yes'), ['Invalid input: expected boolean, received string']);
    assert.deepEqual(problemsFor('extraFiles', 'ci/*.yml'), ['Invalid input: expected array, received string']);
    assert.deepEqual(problemsFor('verifyTimeoutSeconds', '15'), ['Invalid input: expected number, received string']);
  });

  it('a number below its minimum says so', () => {
    assert.deepEqual(problemsFor('verifyTimeoutSeconds', 0), ['Too small: expected number to be >=1']);
    assert.deepEqual(problemsFor('clipboardClearSeconds', -1), ['Too small: expected number to be >=0']);
    assert.deepEqual(problemsFor('clipboardClearSeconds', 0), []);
  });
});

describe('GitLab answers (GitLab API docs: project-level variables)', () => {
  it('a variable without the optional fields gets GitLab defaults', () => {
    const parsed = variableSchema.parse({ key: 'DOCKER_AUTH_CONFIG', value: null });
    assert.deepEqual(parsed, {
      key: 'DOCKER_AUTH_CONFIG',
      value: null,
      variable_type: 'env_var',
      protected: false,
      masked: false,
      hidden: false,
      raw: false,
      environment_scope: '*',
    });
  });

  it('variable_type keeps file and reads anything else as env_var', () => {
    assert.equal(variableSchema.parse({ key: 'K', value: 'v', variable_type: 'file' }).variable_type, 'file');
    assert.equal(variableSchema.parse({ key: 'K', value: 'v', variable_type: 'something-new' }).variable_type, 'env_var');
  });

  it('a variable without a key is rejected, naming the field', () => {
    const result = variableSchema.safeParse({ value: 'v' });
    assert.equal(result.success, false);
    assert.deepEqual(
      result.error?.issues.map((issue) => [issue.path.join('.'), issue.message]),
      [['key', 'Invalid input: expected string, received undefined']],
    );
  });

  it('CI Lint errors and warnings default to empty lists', () => {
    assert.deepEqual(ciLintSchema.parse({ valid: true }), { valid: true, errors: [], warnings: [] });
  });
});
