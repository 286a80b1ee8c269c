import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Scalar, parseAllDocuments, visit } from 'yaml';
import { ignoreCommentLocator, suppressedCodesAt } from '../../src/core/rules/suppression';
import { corpusFileNames, corpusFilesDir as corpus, corpusSkip } from '../support/corpus';

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
    const file =
      '# CI for the app\n# gitlab-ci-auth-ignore-file registry-unknown\n\na:\n  image: $X/y\n  script: [x] # gitlab-ci-auth-ignore missing-credentials\n';
    assert.deepEqual(suppressedCodesAt(file, 4), new Set(['registry-unknown']));
    assert.deepEqual(suppressedCodesAt(file, 5), new Set(['registry-unknown', 'missing-credentials']));
    assert.equal(suppressedCodesAt('# gitlab-ci-auth-ignore-file\na: 1\n', 1), 'all');
  });
});

describe('ignoreCommentLocator', () => {
  it("puts the comment on a block scalar's header line and on a multi-line quoted scalar's last line", () => {
    const text = 'variables:\n  DOCKER_AUTH_CONFIG: |\n    {"auths": {}}\n  OTHER: "a\n    b"\n  PLAIN: x\n';
    const locate = ignoreCommentLocator(text);
    assert.equal(locate(text.indexOf('"auths"')), 1);
    assert.equal(locate(text.indexOf('"a\n')), 4);
    assert.equal(locate(text.indexOf('x\n')), 5);
  });
});

describe('ignoreCommentLocator on real pipelines', () => {
  // The oracle: yaml's composed node ranges, the rule written out (block scalar → its header line, other scalars →
  // their last line, anything else → its own line). The locator reads most files with the fast first pass instead.
  const expectedLine = (text: string): ((offset: number) => number) => {
    const scalars: { start: number; end: number; at: number }[] = [];
    for (const document of parseAllDocuments(text)) {
      visit(document, {
        Scalar(_key, node) {
          if (!node.range) return;
          const [start, end] = node.range;
          const block = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
          scalars.push({ start, end, at: block ? start : Math.max(start, end - 1) });
        },
      });
    }
    return (offset) => {
      const inside = scalars.filter((scalar) => scalar.start <= offset && offset < scalar.end).sort((a, b) => b.start - a.start)[0];
      const at = inside ? inside.at : offset;
      return text.slice(0, at).split('\n').length - 1;
    };
  };

  it('puts the comment where yaml says, at every offset of every corpus file', { skip: corpusSkip }, () => {
    const files = corpusFileNames();
    assert.ok(files.length > 200);
    for (const name of files) {
      const text = fs.readFileSync(path.join(corpus, name), 'utf8');
      const locate = ignoreCommentLocator(text);
      const expected = expectedLine(text);
      for (let offset = 0; offset < text.length; offset += 3) assert.equal(locate(offset), expected(offset), `${name} at offset ${offset}`);
    }
  });

  it('reads a multi-line scalar the same way with and without a line comment elsewhere', () => {
    const text = [
      'job:',
      '  script:',
      '    - |',
      '      docker login',
      '      echo done',
      '    - >-',
      '      folded',
      '      line',
      '  image: "registry.example.com/app:1" # gitlab-ci-auth-ignore',
      '',
    ].join('\n');
    const locate = ignoreCommentLocator(text);
    assert.equal(locate(text.indexOf('docker login')), 2, 'inside a literal block: its header line');
    assert.equal(locate(text.indexOf('line\n  image')), 5, 'inside a folded block: its header line');
    assert.equal(locate(text.indexOf('registry.example.com')), 8);
    assert.deepEqual(suppressedCodesAt(text, locate(text.indexOf('registry.example.com'))), 'all');
  });
});
