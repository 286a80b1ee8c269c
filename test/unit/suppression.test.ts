import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ignoreCommentLocator, suppressedCodesAt } from '../../src/core/suppression';

describe('suppressedCodesAt', () => {
  const text = [
    'a:',
    '  image: registry.example.com/x # gitlab-ci-auth-ignore',
    '  image: registry.example.com/y  # gitlab-ci-auth-ignore missing-credentials, key-near-miss -- mirrored',
    '  image: registry.example.com/z # pinned # gitlab-ci-auth-ignore registry-unknown',
    '  image: registry.example.com/w # gitlab-ci-auth-ignore missing-credential',
    '  image: registry.example.com/v # gitlab-ci-auth-ignore-file',
    '  image: registry.example.com/u',
  ].join('\n');

  it('silences everything on a line with a bare ignore comment', () => {
    assert.equal(suppressedCodesAt(text, 1), 'all');
  });

  it('silences only the listed codes, before an optional -- reason, also after another comment', () => {
    assert.deepEqual(suppressedCodesAt(text, 2), new Set(['missing-credentials', 'key-near-miss']));
    assert.deepEqual(suppressedCodesAt(text, 3), new Set(['registry-unknown']));
  });

  it('silences nothing for a misspelt code', () => {
    assert.deepEqual(suppressedCodesAt(text, 4), new Set());
  });

  it('ignores lines without a comment, and the file marker anywhere but the top', () => {
    assert.equal(suppressedCodesAt(text, 0), null);
    assert.equal(suppressedCodesAt(text, 5), null);
    assert.equal(suppressedCodesAt(text, 6), null);
  });

  it('applies a file-wide comment from the leading comment block to every line', () => {
    const file = '# CI for the app\n# gitlab-ci-auth-ignore-file registry-unknown\n\na:\n  image: $X/y\n  script: [x] # gitlab-ci-auth-ignore missing-credentials\n';
    assert.deepEqual(suppressedCodesAt(file, 4), new Set(['registry-unknown']));
    assert.deepEqual(suppressedCodesAt(file, 5), new Set(['registry-unknown', 'missing-credentials']));
    assert.equal(suppressedCodesAt('# gitlab-ci-auth-ignore-file\na: 1\n', 1), 'all');
  });
});

describe('ignoreCommentLocator', () => {
  it('puts the comment on a block scalar\'s header line and on a multi-line quoted scalar\'s last line', () => {
    const text = 'variables:\n  DOCKER_AUTH_CONFIG: |\n    {"auths": {}}\n  OTHER: "a\n    b"\n  PLAIN: x\n';
    const locate = ignoreCommentLocator(text);
    assert.equal(locate(text.indexOf('"auths"')), 1);
    assert.equal(locate(text.indexOf('"a\n')), 4);
    assert.equal(locate(text.indexOf('x\n')), 5);
  });
});
