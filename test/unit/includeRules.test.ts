import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePathGlob } from '../../src/core/pipeline/pathGlob';
import { rubyNumberText } from '../../src/core/pipeline/inputs';
import { evaluateRuleExpression, type KnownVariables } from '../../src/core/pipeline/ruleExpression';
import { check } from './checkSupport';

// spec/lib/gitlab/ci/pipeline/expression/statement_spec.rb: every variable of the spec is known (UNDEFINED is unset).
const SPEC_VARIABLES: KnownVariables = {
  PRESENT_VARIABLE: 'my variable',
  PATH_VARIABLE: 'a/path/variable/value',
  FULL_PATH_VARIABLE: '/a/full/path/variable/value',
  EMPTY_VARIABLE: '',
  UNDEFINED_VARIABLE: null,
};

function truthful(statement: string, known: KnownVariables = SPEC_VARIABLES): boolean | 'unknown' {
  const result = evaluateRuleExpression(statement, known);
  return result.kind === 'known' ? result.truthful : 'unknown';
}

describe('rules: if: expressions (GitLab statement_spec.rb vectors)', () => {
  // `#evaluate` rows, compared through `present?` as Statement#truthful? does.
  const rows: [string, boolean][] = [
    ['$PRESENT_VARIABLE == "my variable"', true],
    ['"my variable" == $PRESENT_VARIABLE', true],
    ['$PRESENT_VARIABLE == null', false],
    ['$EMPTY_VARIABLE == null', false],
    ['"" == $EMPTY_VARIABLE', true],
    ['$EMPTY_VARIABLE', false],
    ['$UNDEFINED_VARIABLE == null', true],
    ['null == $UNDEFINED_VARIABLE', true],
    ['$PRESENT_VARIABLE', true],
    ['$UNDEFINED_VARIABLE', false],
    ['$PRESENT_VARIABLE =~ /var.*e$/', true],
    ['$PRESENT_VARIABLE =~ /va\\r.*e$/', false],
    ['$PRESENT_VARIABLE =~ /va\\/r.*e$/', false],
    ['$PRESENT_VARIABLE =~ /^var.*/', false],
    ['$EMPTY_VARIABLE =~ /var.*/', false],
    ['$UNDEFINED_VARIABLE =~ /var.*/', false],
    ['$PRESENT_VARIABLE =~ /VAR.*/i', true],
    ['$PATH_VARIABLE =~ /path\\/variable/', true],
    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/full\\/path\\/variable\\/value$/', true],
    ['$FULL_PATH_VARIABLE =~ /\\/path\\/variable\\/value$/', true],
    ['$PRESENT_VARIABLE != "my variable"', false],
    ['$UNDEFINED_VARIABLE != null', false],
    ['$EMPTY_VARIABLE != null', true],
    ['$PRESENT_VARIABLE !~ /^var.*/', true],
    ['$EMPTY_VARIABLE !~ /var.*/', true],
    ['$UNDEFINED_VARIABLE !~ /var.*/', true],
    ['$PRESENT_VARIABLE !~ /VAR.*/i', false],
    ['$PRESENT_VARIABLE && $EMPTY_VARIABLE', false],
    ['$EMPTY_VARIABLE && $PRESENT_VARIABLE', true],
    ['null && $PRESENT_VARIABLE', false],
    ['$EMPTY_VARIABLE && "string"', true],
    ['$PRESENT_VARIABLE =~ /my var/ && $EMPTY_VARIABLE =~ /nope/', false],
    ['$EMPTY_VARIABLE == "" && $PRESENT_VARIABLE != "nope"', true],
    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/bad\\/path\\/variable\\/value$/ || $PATH_VARIABLE =~ /path\\/variable/', true],
    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/bad\\/path\\/variable\\/value$/ || $PATH_VARIABLE =~ /bad\\/path\\/variable/', false],
    ['$PRESENT_VARIABLE && null || $EMPTY_VARIABLE == ""', true],
    ['$UNDEFINED_VARIABLE || $PRESENT_VARIABLE', true],
    ['(($PRESENT_VARIABLE && null) || $EMPTY_VARIABLE == "")', true],
    ['($PRESENT_VARIABLE) && (null || $EMPTY_VARIABLE == "")', true],
    ['("string" || "test") == "string"', true],
    ['(null || ("test" == "string"))', false],
    ['("string" == ("test" && "string"))', true],
    ['("string" == ("test" || "string"))', false],
    ['("string" == ("string" || (("1" == "1") && ("2" == "3"))))', true],
    // #truthful?: a syntax error is false.
    ["$PRESENT_VARIABLE == 'no match'", false],
    ['$INVALID = 1', false],
  ];
  for (const [statement, expected] of rows) {
    it(statement, () => assert.equal(truthful(statement), expected));
  }

  it('variables holding patterns (statement_spec "when variables have patterns")', () => {
    const known = { teststring: 'abcde', pattern1: '/^ab.*/', pattern2: '/^at.*/' };
    assert.equal(truthful('$teststring =~ "abcde"', known), true);
    assert.equal(truthful('$teststring =~ $teststring', known), true);
    assert.equal(truthful('$teststring =~ $pattern1', known), true);
    assert.equal(truthful('$teststring =~ $pattern2', known), false);
  });

  it('a variable not known here (a CI/CD or run-time variable) leaves the statement unknown, unless the rest decides', () => {
    assert.deepEqual(evaluateRuleExpression('$CI_COMMIT_BRANCH == "main"', {}), { kind: 'unknown', variables: ['CI_COMMIT_BRANCH'] });
    assert.equal(truthful('$CI_COMMIT_BRANCH == null', {}), 'unknown');
    assert.equal(truthful('$CI_COMMIT_BRANCH', {}), 'unknown');
    assert.equal(truthful('$CI_COMMIT_BRANCH == "main" && "a" == "b"', {}), false);
    assert.equal(truthful('$CI_COMMIT_BRANCH == "main" || "a" == "a"', {}), true);
    // `$X || "a"` is $X itself when $X is set, even to "" (not present): not decidable.
    assert.equal(truthful('$X || "a"', {}), 'unknown');
    assert.equal(truthful('$CI_COMMIT_BRANCH =~ /^release/ && $KNOWN == "1"', { KNOWN: '1' }), 'unknown');
  });

  it('`&&` binds tighter than `||`', () => {
    assert.equal(truthful('"a" == "a" || "a" == "b" && "c" == "d"', {}), true);
    assert.equal(truthful('("a" == "a" || "a" == "b") && "c" == "d"', {}), false);
  });

  it('hostile patterns run in linear time (re2js); patterns RE2 rejects are unknown, not guessed', () => {
    const started = performance.now();
    assert.equal(truthful('$A =~ /(a+)+$/', { A: `${'a'.repeat(50_000)}!` }), false);
    assert.equal(truthful('$A =~ /(a+)+!$/', { A: `${'a'.repeat(50_000)}!` }), true);
    assert.equal(truthful('$A =~ /^(a|a)*b$/', { A: 'a'.repeat(50_000) }), false);
    assert.ok(performance.now() - started < 2_000);
    // Backreferences are not RE2.
    assert.equal(truthful('$A =~ /(a)\\1/', { A: 'aa' }), 'unknown');
  });

  it('bounded: more than 100 tokens is a syntax error in GitLab (false); very long text is not evaluated', () => {
    assert.equal(truthful(Array(60).fill('"a" == "a"').join(' && '), {}), false);
    assert.equal(truthful(`"${'x'.repeat(10_000)}" == "x"`, {}), 'unknown');
    assert.equal(truthful('('.repeat(99) + '"a"', {}), false);
  });
});

describe('rules: exists: globs (Ruby File.fnmatch with FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB)', () => {
  // Vectors from Ruby's File.fnmatch documentation.
  const rows: [string, string, boolean][] = [
    ['cat', 'cat', true],
    ['cat', 'category', false],
    ['c{at,ub}s', 'cats', true],
    ['c?t', 'cat', true],
    ['c??t', 'cat', false],
    ['c*', 'cats', true],
    ['c*t', 'c/a/b/t', false],
    ['ca[a-z]', 'cat', true],
    ['ca[^t]', 'cat', false],
    ['ca[!t]', 'cab', true],
    ['*', '.profile', true],
    ['**/*.rb', 'main.rb', true],
    ['**/*.rb', 'lib/song.rb', true],
    ['**.rb', 'lib/song.rb', false],
    ['**.rb', 'main.rb', true],
    ['*/*.rb', 'lib/song.rb', true],
    ['**/foo', 'a/b/c/foo', true],
    ['**/foo', 'a/.b/c/foo', true],
    ['**/foo', '/root/foo', true],
    ['\\*', '*', true],
    ['\\*', 'a', false],
    ['{a/**/b,c}', 'a/x/y/b', true],
    ['docker/{app,api}/Dockerfile', 'docker/api/Dockerfile', true],
  ];
  for (const [glob, path, expected] of rows) {
    it(`${glob} ~ ${path}`, () => assert.equal(compilePathGlob(glob)!.matches(path), expected));
  }

  it('hostile globs: linear matching, brace bombs and huge patterns are undecidable, never slow', () => {
    const started = performance.now();
    assert.equal(compilePathGlob('*a'.repeat(300) + 'b')!.matches('a'.repeat(2_000)), false);
    assert.ok(performance.now() - started < 2_000);
    assert.equal(compilePathGlob('{a,b}'.repeat(30)), undefined);
    assert.equal(compilePathGlob('a'.repeat(5_000)), undefined);
  });
});

describe('one path matcher, two pattern languages (rules: exists: and include: local wildcards)', () => {
  // exists: File.fnmatch? with FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB (lib/gitlab/ci/build/rules/rule/clause/exists.rb);
  // include: local: app/models/repository.rb search_files_by_wildcard_path (RE2-escaped, `**` → `.*?`, `*` → `([^/])*?`).
  const rows: [pattern: string, path: string, exists: boolean, includeWildcard: boolean][] = [
    ['ci/*.yml', 'ci/a.yml', true, true],
    ['ci/*.yml', 'ci/sub/b.yml', false, false],
    // The documented include example: `configs/**.yml` takes every subfolder; for fnmatch `**` not before `/` is `*`.
    ['ci/**.yml', 'ci/sub/b.yml', false, true],
    // `**/` matches zero folders in fnmatch; the include regex `ci/.*?/([^/])*?\.yml` needs one ("only in subfolders").
    ['ci/**/*.yml', 'ci/a.yml', true, false],
    ['ci/**/*.yml', 'ci/sub/deeper/c.yml', true, true],
    ['a**b', 'a/x/b', false, true],
    // `?`, `[…]`, `{a,b}` and `\` are fnmatch syntax, but literal characters in an include wildcard (RE2::Regexp.escape).
    ['ci/?.yml', 'ci/a.yml', true, false],
    ['ci/?.yml', 'ci/?.yml', true, true],
    ['ci/[ab]*.yml', 'ci/a1.yml', true, false],
    ['ci/[ab]*.yml', 'ci/[ab]1.yml', false, true],
    ['ci/{a,b}*.yml', 'ci/b1.yml', true, false],
    ['ci/{a,b}*.yml', 'ci/{a,b}1.yml', false, true],
    ['ci/\\*.yml', 'ci/\\x.yml', false, true],
    // DOTMATCH: a leading dot needs no literal in either.
    ['ci/*.yml', 'ci/.hidden.yml', true, true],
    // RE2's `.` does not match a line break; `[^/]` and fnmatch's `*` do.
    ['ci/**', 'ci/a\nb', true, false],
    ['ci/*', 'ci/a\nb', true, true],
  ];
  for (const [pattern, path, exists, includeWildcard] of rows) {
    it(`${JSON.stringify(pattern)} ~ ${JSON.stringify(path)}: exists ${exists}, include wildcard ${includeWildcard}`, () => {
      assert.equal(compilePathGlob(pattern, 'fnmatch')!.matches(path), exists);
      assert.equal(compilePathGlob(pattern, 'include-wildcard')!.matches(path), includeWildcard);
    });
  }
});

describe('include: rules:', () => {
  const files = { 'ci/build.yml': 'build:\n  image: registry.example.com/team/app:1\n  script: [make]\n', Dockerfile: 'FROM x\n' };

  it('if: decided with known variables: the include is merged or not, and the hover says why', () => {
    const yaml = 'include:\n  - local: ci/build.yml\n    rules:\n      - if: $DEPLOY == "yes"\n';
    const included = check(yaml, { ciCdVariables: [{ key: 'DEPLOY', value: 'yes' }] }, files);
    assert.deepEqual(
      included.pipeline.jobs.map((job) => job.name),
      ['build'],
    );
    assert.equal(included.of('missing-credentials').length, 1);
    assert.deepEqual(
      included.pipeline.includeDecisions?.map(({ outcome, reason }) => ({ outcome, reason })),
      [{ outcome: 'included', reason: 'rule 1 `if: $DEPLOY == "yes"` matches' }],
    );
    const excluded = check(yaml, { ciCdVariables: [{ key: 'DEPLOY', value: 'no' }] }, files);
    assert.deepEqual(excluded.pipeline.jobs, []);
    assert.deepEqual(excluded.findings, []);
    assert.deepEqual(
      excluded.pipeline.includeDecisions?.map(({ outcome, reason }) => ({ outcome, reason })),
      [{ outcome: 'excluded', reason: 'no rule matches' }],
    );
  });

  it('if: on a run-time variable is a maybe: the jobs are listed but not reported uncovered, like an unreadable include', () => {
    const yaml = 'include:\n  - local: ci/build.yml\n    rules:\n      - if: $CI_COMMIT_BRANCH == "main"\n';
    const result = check(yaml, {}, files);
    assert.deepEqual(
      result.pipeline.jobs.map((job) => [job.name, job.mayDependOnUnresolvedInclude]),
      [['build', true]],
    );
    assert.deepEqual(result.of('missing-credentials'), []);
    assert.deepEqual(
      result.pipeline.includeDecisions?.map(({ outcome, reason }) => ({ outcome, reason })),
      [{ outcome: 'maybe', reason: 'rule 1 `if: $CI_COMMIT_BRANCH == "main"` depends on CI_COMMIT_BRANCH, known only at run time' }],
    );
    // A job the maybe include cannot change is still reported.
    const own = check(`${yaml}own:\n  image: registry.example.com/team/own:1\n  script: [x]\n`, {}, files);
    assert.deepEqual(
      own.of('missing-credentials').map((finding) => own.underlined(finding)),
      ['registry.example.com/team/own:1'],
    );
  });

  it('exists: against the project files; changes: is a maybe; when: never excludes', () => {
    const rules = (body: string) => `include:\n  - local: ci/build.yml\n    rules:\n${body}`;
    const outcome = (body: string) => check(rules(body), {}, files).pipeline.includeDecisions?.[0]?.outcome;
    assert.equal(outcome('      - exists: [Dockerfile]\n'), 'included');
    assert.equal(outcome('      - exists: ["**/Dockerfile"]\n'), 'included');
    assert.equal(outcome('      - exists: ["*.gradle", "docker/*"]\n'), 'excluded');
    assert.equal(outcome('      - exists: ["**/*.yml"]\n'), 'included');
    assert.equal(outcome('      - exists:\n          paths: [Dockerfile]\n          project: other/project\n'), 'maybe');
    assert.equal(outcome('      - changes: [Dockerfile]\n'), 'maybe');
    assert.equal(outcome('      - exists: [Dockerfile]\n        when: never\n      - when: always\n'), 'excluded');
    assert.equal(outcome('      - if: $CI_COMMIT_TAG\n        when: never\n      - when: always\n'), 'maybe');
    // Whichever way the unknown rule goes, the include is not merged.
    assert.equal(outcome('      - if: $CI_COMMIT_TAG\n        when: never\n'), 'excluded');
    assert.equal(outcome('      - exists: [$UNKNOWN_DIR/Dockerfile]\n'), 'maybe');
  });

  // GitLab evaluates include rules with Ci::Variables::Builder#config_variables (predefined, instance/group/project
  // CI/CD, pipeline and schedule variables) and never the YAML's `variables:`; docs/ci/yaml/includes.md "Use variables
  // with include": "You cannot use variables defined in jobs, or in a global variables section".
  it('if: never sees the YAML variables: a name set only there is a maybe that says why; a CI/CD variable decides', () => {
    const yaml = (condition: string) => `variables:\n  DEPLOY: "yes"\ninclude:\n  - local: ci/build.yml\n    rules:\n      - if: ${condition}\n`;
    for (const condition of ['$DEPLOY == "yes"', '$DEPLOY == null', '$DEPLOY']) {
      const result = check(yaml(condition), {}, files);
      assert.deepEqual(
        result.pipeline.includeDecisions?.map(({ outcome, reason }) => ({ outcome, reason })),
        [
          {
            outcome: 'maybe',
            reason:
              `rule 1 \`if: ${condition}\` depends on DEPLOY: \`DEPLOY\` in \`variables:\` is not seen by include rules ` +
              '(GitLab evaluates them with CI/CD and predefined variables only), so only a CI/CD variable of that name counts',
          },
        ],
        condition,
      );
      assert.deepEqual(result.of('missing-credentials'), [], 'a maybe include reports nothing uncovered');
    }
    // The CI/CD variable of that name, not the YAML value, decides (it is a project variable, or the CLI's --var).
    const overridden = check(yaml('$DEPLOY == "yes"'), { ciCdVariables: [{ key: 'DEPLOY', value: 'no' }] }, files);
    assert.equal(overridden.pipeline.includeDecisions?.[0]?.outcome, 'excluded');
    assert.deepEqual(overridden.pipeline.jobs, []);
    // A YAML variable of another file or a job does not decide either, and is not named (it is simply run-time).
    const jobLevel = check(
      `job:\n  variables: {DEPLOY: "yes"}\n  script: [x]\ninclude:\n  - local: ci/build.yml\n    rules:\n      - if: $DEPLOY\n`,
      {},
      files,
    );
    assert.deepEqual(
      jobLevel.pipeline.includeDecisions?.map(({ outcome, reason }) => ({ outcome, reason })),
      [{ outcome: 'maybe', reason: 'rule 1 `if: $DEPLOY` depends on DEPLOY, known only at run time' }],
    );
  });

  it('a not-included include is not read: its missing file is no error', () => {
    const result = check(`include:\n  - local: ci/missing.yml\n    rules:\n      - if: '"1" == "2"'\n`, {}, files);
    assert.deepEqual(result.findings, []);
  });
});

describe('spec: inputs of type number and boolean interpolate as Ruby prints them', () => {
  it('rubyNumberText (Ruby Float#to_s)', () => {
    const rows: [number, string, string][] = [
      [1, '1.0', '1.0'],
      [1000, '1e3', '1000.0'],
      [1.5, '1.5', '1.5'],
      [1, '1', '1'],
      [-2, '-2.0', '-2.0'],
      [1e16, '1.0e16', '1.0e+16'],
      [1e15, '1e15', '1000000000000000.0'],
      [0.0001, '0.0001', '0.0001'],
      [0.00001, '0.00001', '1.0e-05'],
      [1.25e-7, '1.25e-7', '1.25e-07'],
      [1000, '1_000.0', '1000.0'],
    ];
    for (const [value, source, expected] of rows) assert.equal(rubyNumberText(value, source), expected, source);
  });

  it('an include passing 1.0, 1e3 and true: the image tags read 1.0, 1000.0 and true', () => {
    const result = check(
      'include:\n  - local: t.yml\n    inputs:\n      version: 1.0\n      big: 1e3\n      debug: true\n',
      {},
      {
        't.yml':
          'spec:\n  inputs:\n    version:\n      type: number\n    big:\n      type: number\n    debug:\n      type: boolean\n      default: false\n---\n' +
          'job:\n  image: registry.example.com/app:$[[ inputs.version ]]-$[[ inputs.big ]]-$[[ inputs.debug ]]\n  script: [x]\n',
      },
    );
    assert.equal(result.pipeline.jobs[0]?.image?.value, 'registry.example.com/app:1.0-1000.0-true');
    const defaults = check(
      'include:\n  - local: t.yml\n',
      {},
      {
        't.yml':
          'spec:\n  inputs:\n    n:\n      type: number\n      default: 2.50\n    b:\n      type: boolean\n      default: false\n---\njob:\n  image: a:$[[ inputs.n ]]-$[[ inputs.b ]]\n  script: [x]\n',
      },
    );
    assert.equal(defaults.pipeline.jobs[0]?.image?.value, 'a:2.5-false');
  });
});

describe('job rules: the hover lists the rules that can let a conditional job run', () => {
  it('rules not ending in when: never are listed in order; a job that always runs has none', () => {
    const result = check(
      'build:\n  image: alpine:3\n  script: [x]\n  rules:\n    - if: $CI_COMMIT_TAG\n      when: never\n    - if: $CI_COMMIT_BRANCH == "main"\n    - changes: [Dockerfile]\n      when: manual\n' +
        'always:\n  image: alpine:3\n  script: [x]\n  rules:\n    - when: always\n' +
        'plain:\n  image: alpine:3\n  script: [x]\n',
    );
    const runsWhen = Object.fromEntries(result.pipeline.jobs.map((job) => [job.name, job.runsWhen]));
    assert.deepEqual(runsWhen, {
      build: ['rule 2 `if: $CI_COMMIT_BRANCH == "main"`', 'rule 3 `changes: Dockerfile` (`when: manual`)'],
      always: undefined,
      plain: undefined,
    });
  });
});
