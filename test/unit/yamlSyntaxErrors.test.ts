import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResolveContext } from '../../src/core/pipeline/context';
import { DEFAULT_LIMITS } from '../../src/core/pipeline/options';
import { parsePipelineFile } from '../../src/core/yaml/reader';

/** The yaml-syntax findings of a text: message and the underlined text. */
function syntaxErrors(text: string): [string, string][] {
  const ctx = new ResolveContext(DEFAULT_LIMITS);
  parsePipelineFile('.gitlab-ci.yml', text, ctx);
  return ctx.problems
    .filter((problem) => problem.code === 'yaml-syntax')
    .map((problem) => [problem.message, text.slice(problem.range.start, problem.range.end)]);
}

describe('YAML syntax errors in plain words', () => {
  it('a missing ":" after a keyword, named, on the line that lacks it', () => {
    assert.deepEqual(syntaxErrors('build:\n  stage build\n  script:\n    - make\n'), [['Missing ":" after `stage`', 'stage build']]);
    assert.deepEqual(syntaxErrors('build:\n  image: alpine\n  stage build\n'), [['Missing ":" after `stage`', 'stage build']]);
  });

  it('a missing space after ":"', () => {
    assert.deepEqual(syntaxErrors('build:\n  image:alpine\n  stage: b\n'), [['Missing space after `image`: write "key: value"', 'image:alpine']]);
  });

  it('tabs, unclosed quotes and brackets, indentation', () => {
    assert.deepEqual(syntaxErrors('build:\n\timage: alpine\n')[0]?.[0], 'Tab used for indentation: YAML allows only spaces');
    assert.match(syntaxErrors('build:\n  image: "alpine\n  script: x\n')[0]![0], /^Missing closing quote/);
    assert.match(syntaxErrors('build:\n  script: [a, b\n  stage: x\n')[0]![0], /is not closed/);
    assert.match(syntaxErrors('build:\n    image: a\n  stage: x\n')[0]![0], /^Wrong indentation/);
  });

  it("never yaml's internal wording for these, one finding per line, and never a name that is not a CI keyword", () => {
    const texts = [
      'build:\n  stage build\n  script: x\n',
      'build:\n  image: a\n  - x\n',
      'build:\n  image: a\n   stage: x\n',
      'job:\n  glpat-FAKE0TOKEN0xyz\n  x: 1\n',
    ];
    for (const text of texts) {
      const errors = syntaxErrors(text);
      assert.ok(errors.length > 0, text);
      for (const [message] of errors) {
        assert.doesNotMatch(message, /Implicit keys|implicit map|compact mappings/, text);
        assert.doesNotMatch(message, /glpat/, text);
      }
    }
    assert.equal(syntaxErrors('build:\n  image: a\n  - x\n').length, 1);
  });
});
