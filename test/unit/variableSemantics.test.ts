import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ciCdVariablesOf, type LevelVariables } from '../../src/core/gitlab/variablesCoverage';
import type { GitLabVariable } from '../../src/core/gitlab/schemas';
import { resolvePipeline } from '../../src/core/pipeline';
import { jobVariableValues } from '../../src/core/rules/imageEvaluation';
import {
  expandImageNameTracked,
  MAX_EXPANDED_LENGTH,
  resolveJobVariables,
  sortAndExpandAll,
  type CollectedVariable,
} from '../../src/core/registry/imageVariables';
import { check, memoryFiles } from './checkSupport';

/** `sortAndExpandAll`'s values by name (the last of a name), as GitLab's spec compares them (`to_hash`). */
function gitlabValues(variables: CollectedVariable[]): Record<string, string | null> {
  const values: Record<string, string | null> = {};
  for (const variable of sortAndExpandAll(variables).sorted) values[variable.key] = variable.value;
  return values;
}

// Vectors from GitLab's spec/lib/gitlab/ci/variables/collection_spec.rb (#sort_and_expand_all), with the options
// Ci::BuildRunnerPresenter#runner_variables uses (keep_undefined: true, expand_raw_refs: false).
describe('sortAndExpandAll (GitLab collection_spec.rb vectors)', () => {
  it('simple expansions, any depth', () => {
    const variables = [
      { key: 'variable', value: 'value' },
      { key: 'variable2', value: 'result' },
      { key: 'variable3', value: 'key$variable$variable2' },
      { key: 'variable4', value: 'key$variable$variable3' },
    ];
    assert.deepEqual(gitlabValues(variables), { variable: 'value', variable2: 'result', variable3: 'keyvalueresult', variable4: 'keyvaluekeyvalueresult' });
  });

  it('complex expansion with ${} and out-of-order expansion', () => {
    assert.deepEqual(
      gitlabValues([
        { key: 'variable', value: 'value' },
        { key: 'variable2', value: 'key${variable}' },
      ]),
      { variable: 'value', variable2: 'keyvalue' },
    );
    const outOfOrder = [
      { key: 'variable3', value: 'key$variable2$variable' },
      { key: 'variable', value: 'value' },
      { key: 'variable2', value: 'result' },
    ];
    assert.deepEqual(gitlabValues(outOfOrder), { variable2: 'result', variable: 'value', variable3: 'keyresultvalue' });
    // TSort puts the dependencies first.
    assert.deepEqual(
      sortAndExpandAll(outOfOrder).sorted.map((variable) => variable.key),
      ['variable2', 'variable', 'variable3'],
    );
  });

  it('escaped characters in complex expansions keeping undefined are kept intact', () => {
    const variables = [
      { key: 'variable3', value: 'key_${variable}_$${HOME}_%%HOME%%' },
      { key: 'variable', value: '$variable2' },
      { key: 'variable2', value: 'value' },
    ];
    assert.deepEqual(gitlabValues(variables), { variable: 'value', variable2: 'value', variable3: 'key_value_$${HOME}_%%HOME%%' });
  });

  it('missing variables keeping the original', () => {
    assert.deepEqual(gitlabValues([{ key: 'variable2', value: 'key$variable' }]), { variable2: 'key$variable' });
    const variables = [
      { key: 'variable4', value: 'key${variable}${variable2}${variable3}' },
      { key: 'variable', value: 'value' },
      { key: 'variable3', value: 'value3' },
    ];
    assert.deepEqual(gitlabValues(variables), { variable: 'value', variable3: 'value3', variable4: 'keyvalue${variable2}value3' });
  });

  it('complex expansions with raw variable with expand_raw_refs: false', () => {
    const variables = [
      { key: 'variable1', value: 'value1' },
      { key: 'raw_var', value: 'raw-$variable1', raw: true },
      { key: 'nonraw_var', value: 'nonraw-$variable1' },
      { key: 'variable2', value: '$raw_var and $nonraw_var' },
    ];
    assert.deepEqual(gitlabValues(variables), {
      variable1: 'value1',
      raw_var: 'raw-$variable1',
      nonraw_var: 'nonraw-value1',
      variable2: '$raw_var and nonraw-value1',
    });
  });

  it('variable value referencing password with special characters', () => {
    const variables = [
      { key: 'VAR', value: '$PASSWORD' },
      { key: 'PASSWORD', value: 'my_password$$_%%_$A' },
      { key: 'A', value: 'value' },
    ];
    assert.deepEqual(gitlabValues(variables), { VAR: 'my_password$$_%%_value', PASSWORD: 'my_password$$_%%_value', A: 'value' });
  });

  it('a cyclic dependency: GitLab refuses it; here its variables are unknown, and nothing throws', () => {
    const variables = [
      { key: 'variable', value: '$variable2' },
      { key: 'variable2', value: '$variable3' },
      { key: 'variable3', value: 'key$variable$variable2' },
    ];
    const { sorted, cyclic } = sortAndExpandAll(variables);
    assert.deepEqual(cyclic.sort(), ['variable', 'variable2', 'variable3']);
    assert.ok(sorted.every((variable) => variable.value === null));
  });

  it('expands %NAME% (Windows form) as GitLab does, and a self-reference is not a cycle', () => {
    assert.deepEqual(
      gitlabValues([
        { key: 'A', value: 'a' },
        { key: 'B', value: 'x%A%y' },
      ]),
      { A: 'a', B: 'xay' },
    );
    assert.deepEqual(
      gitlabValues([
        { key: 'A', value: 'base' },
        { key: 'A', value: '$A-x' },
      ]),
      { A: 'base-x' },
    );
  });
});

describe('image names after GitLab and the runner (issue 14 examples)', () => {
  const jobVariables = (variables: CollectedVariable[]) => resolveJobVariables(variables);

  it('expands a chain of any depth: A: $B, B: $C, C: registry.example.com', () => {
    const variables = jobVariables([
      { key: 'A', value: '$B' },
      { key: 'B', value: '$C' },
      { key: 'C', value: 'registry.example.com' },
    ]);
    const result = expandImageNameTracked('$A/app:1', variables);
    assert.equal(result.expanded, 'registry.example.com/app:1');
    assert.equal(result.registryUnknown, false);
  });

  it('a long chain does not overflow anything', () => {
    const chain: CollectedVariable[] = [];
    for (let i = 0; i < 5000; i++) chain.push({ key: `V${i}`, value: `$V${i + 1}` });
    chain.push({ key: 'V5000', value: 'registry.example.com' });
    assert.equal(expandImageNameTracked('$V0/app', jobVariables(chain)).expanded, 'registry.example.com/app');
  });

  it('a cycle makes the registry unknown, never a crash', () => {
    const variables = jobVariables([
      { key: 'A', value: '$B/x' },
      { key: 'B', value: '$A' },
    ]);
    const result = expandImageNameTracked('$A/app:1', variables);
    assert.equal(result.registryUnknown, true);
    assert.deepEqual([...variables.cyclic].sort(), ['A', 'B']);
  });

  it('expand: false keeps the $ in a raw value: RAW: {value: $HOST, expand: false} reaches Docker as $HOST/app:1', () => {
    const variables = jobVariables([
      { key: 'HOST', value: 'registry.example.com' },
      { key: 'RAW', value: '$HOST', raw: true },
    ]);
    const result = expandImageNameTracked('$RAW/app:1', variables);
    assert.equal(result.expanded, '$HOST/app:1');
    assert.deepEqual(result.unknownVariables, []);
  });

  it('a variable referring to a raw one gets the raw text, not expanded again (GitLab issue 353991)', () => {
    const variables = jobVariables([
      { key: 'A', value: 'normal' },
      { key: 'B', value: 'raw-$A', raw: true },
      { key: 'C', value: '$B' },
    ]);
    assert.equal(expandImageNameTracked('$C', variables).expanded, 'raw-$A');
  });

  it('$$ escapes and ${VAR} braces in values and names', () => {
    const variables = jobVariables([
      { key: 'HOST', value: 'registry.example.com' },
      { key: 'PATH_PART', value: 'a$$b' },
    ]);
    assert.equal(expandImageNameTracked('${HOST}/app:1', variables).expanded, 'registry.example.com/app:1');
    assert.equal(expandImageNameTracked('$PATH_PART', variables).expanded, 'a$b');
    assert.equal(expandImageNameTracked('x$$HOST', variables).expanded, 'x$HOST');
  });

  it('run-time predefined variables are placeholders, not empty: ${CI_REGISTRY_IMAGE}:${CI_COMMIT_REF_SLUG}-build', () => {
    const variables = jobVariables([{ key: 'CI_REGISTRY_IMAGE', value: 'registry.gitlab.com/group/app' }]);
    const result = expandImageNameTracked('${CI_REGISTRY_IMAGE}:${CI_COMMIT_REF_SLUG}-build', variables);
    assert.equal(result.shown, 'registry.gitlab.com/group/app:<CI_COMMIT_REF_SLUG>-build');
    assert.equal(result.registryUnknown, false);
    assert.deepEqual(result.unknownVariables, ['CI_COMMIT_REF_SLUG']);
  });

  it('a registry made of run-time values is unknown; a hidden (unknown) CI/CD value too, and nothing of it is shown', () => {
    const runTime = expandImageNameTracked('$CI_COMMIT_REF_SLUG.example.com/app', jobVariables([]));
    assert.equal(runTime.registryUnknown, true);
    const hidden = jobVariables([
      { key: 'REGISTRY', value: 'registry.example.com' },
      { key: 'REGISTRY', value: null },
    ]);
    const result = expandImageNameTracked('$REGISTRY/app:1', hidden);
    assert.equal(result.registryUnknown, true);
    assert.equal(result.shown, '<REGISTRY>/app:1');
  });

  it("a value that depends on a hidden one through GitLab's pass stays unknown", () => {
    const variables = jobVariables([
      { key: 'IMAGE', value: '$HIDDEN/app' },
      { key: 'HIDDEN', value: null },
    ]);
    const result = expandImageNameTracked('$IMAGE:1', variables);
    assert.equal(result.registryUnknown, true);
    assert.equal(result.shown, '<HIDDEN>/app:1');
  });
});

// Every level of `variablePrecedence` against every other: the higher one wins (GitLab's documented precedence;
// lib/gitlab/ci/variables/builder.rb appends them in this order and the last of a name wins).
describe('variable precedence, every level against every other', () => {
  const LEVELS = ['predefined', 'global', 'job', 'matrix', 'cicd'] as const;
  type Level = (typeof LEVELS)[number];

  function valueWith(levels: readonly Level[]): string | undefined {
    const has = (level: Level) => levels.includes(level);
    const yaml = [
      ...(has('global') ? ['variables:', '  X: global'] : []),
      'job:',
      '  image: $X/app:1',
      '  script: [x]',
      ...(has('job') ? ['  variables:', '    X: job'] : []),
      ...(has('matrix') ? ['  parallel:', '    matrix:', '      - X: [matrix]'] : []),
    ].join('\n');
    const pipeline = resolvePipeline('.gitlab-ci.yml', memoryFiles({ '.gitlab-ci.yml': yaml }));
    const job = pipeline.jobs.find((candidate) => candidate.name.startsWith('job'))!;
    const predefined: Record<string, string> = has('predefined') ? { X: 'predefined' } : {};
    const ciCd = has('cicd') ? [{ key: 'X', value: 'cicd' }] : [];
    return jobVariableValues(job, predefined, job.matrix[0] ?? null, ciCd).known.X;
  }

  for (let low = 0; low < LEVELS.length; low++) {
    for (let high = low + 1; high < LEVELS.length; high++) {
      const lower = LEVELS[low]!;
      const higher = LEVELS[high]!;
      it(`${higher} beats ${lower}`, () => assert.equal(valueWith([lower, higher]), higher));
    }
  }

  it('the CLI --var beats the YAML in check (diagnostics and CLI share checkProject)', () => {
    const yaml = 'variables:\n  REGISTRY: docker.io\njob:\n  image: $REGISTRY/private/app:1\n  script: [x]\n';
    const withVar = check(yaml, { ciCdVariables: [{ key: 'REGISTRY', value: 'registry.example.com' }] });
    const missing = withVar.of('missing-credentials');
    assert.equal(missing.length, 1);
    assert.match(missing[0]!.message, /registry\.example\.com/);
    assert.equal(check(yaml).of('missing-credentials').length, 0);
  });
});

describe('expand: false in the YAML', () => {
  it('RAW: {value: $HOST, expand: false} used in image: $RAW/app:1 reaches Docker as $HOST/app:1', () => {
    const yaml = [
      'variables:',
      '  HOST: registry.example.com',
      '  RAW:',
      '    value: $HOST',
      '    expand: false',
      'job:',
      '  image: $RAW/app:1',
      '  script: [x]',
    ].join('\n');
    const checked = check(yaml);
    assert.equal(checked.pipeline.jobs[0]!.variables.RAW!.raw, true);
    const invalid = checked.of('invalid-image-reference');
    assert.equal(invalid.length, 1);
    assert.match(invalid[0]!.message, /\$HOST\/app:1/);
  });

  it('expand: true (or absent) expands as usual, through any depth', () => {
    const yaml = [
      'variables:',
      '  A: $B',
      '  B: $C',
      '  C: registry.example.com',
      '  D:',
      '    value: $A',
      '    expand: true',
      'job:',
      '  image: $D/app:1',
      '  script: [x]',
    ].join('\n');
    const missing = check(yaml).of('missing-credentials');
    assert.equal(missing.length, 1);
    assert.match(missing[0]!.message, /registry\.example\.com/);
  });
});

// GitLab's lib/gitlab/ci/config/entry/default.rb: "image is defined in top-level and `default:` entry".
describe('top-level image/services next to default:', () => {
  it('is an error finding on the top-level key, pointing at the default: one', () => {
    const yaml =
      'image: registry.example.com/a:1\nservices: [docker:dind]\ndefault:\n  image: registry.example.com/b:1\n  services: [redis:7]\njob:\n  script: [x]\n';
    const checked = check(yaml);
    const conflicts = checked.of('default-conflict');
    assert.deepEqual(
      conflicts.map((finding) => checked.underlined(finding)),
      ['image', 'services'],
    );
    assert.match(conflicts[0]!.message, /image is defined in top-level and `default:` entry/);
    assert.equal(conflicts[0]!.severity, 'error');
    assert.equal(conflicts[0]!.related.length, 1);
  });

  it('is also found when an include brings one of them, and not when either is null', () => {
    const checked = check(
      'include: ci/default.yml\nimage: registry.example.com/a:1\njob:\n  script: [x]\n',
      {},
      { 'ci/default.yml': 'default:\n  image: alpine:3\n' },
    );
    assert.equal(checked.of('default-conflict').length, 1);
    assert.equal(check('image: null\ndefault:\n  image: alpine:3\njob:\n  script: [x]\n').of('default-conflict').length, 0);
    assert.equal(check('image: alpine:3\njob:\n  script: [x]\n').of('default-conflict').length, 0);
  });
});

describe("GitLab's own CI/CD variables while connected (ciCdVariablesOf)", () => {
  const variable = (key: string, value: string | null, extra: Partial<GitLabVariable> = {}): GitLabVariable => ({
    key,
    value,
    variable_type: 'env_var',
    protected: false,
    masked: false,
    hidden: value === null,
    raw: false,
    environment_scope: '*',
    ...extra,
  });
  const levels = (project: GitLabVariable[], group: GitLabVariable[]): LevelVariables[] => [
    { owner: { level: 'project', path: 'group/app' }, readable: true, variables: project },
    { owner: { level: 'group', path: 'group' }, readable: true, variables: group },
  ];
  const yaml = 'variables:\n  REGISTRY: docker.io\njob:\n  image: $REGISTRY/team/app:1\n  script: [x]\n';

  it('a visible group variable expands the image name over the YAML; the project one beats the group one', () => {
    const groupOnly = check(yaml, { ciCdVariables: ciCdVariablesOf(levels([], [variable('REGISTRY', 'group.example.com')])) });
    assert.match(groupOnly.of('missing-credentials')[0]!.message, /group\.example\.com/);
    const both = check(yaml, {
      ciCdVariables: ciCdVariablesOf(levels([variable('REGISTRY', 'project.example.com')], [variable('REGISTRY', 'group.example.com')])),
    });
    assert.match(both.of('missing-credentials')[0]!.message, /project\.example\.com/);
  });

  it('a hidden, masked, protected or file variable keeps the registry unknown, and its value is never shown', () => {
    for (const hidden of [
      variable('REGISTRY', null),
      variable('REGISTRY', 'secret.example.com', { masked: true }),
      variable('REGISTRY', 'secret.example.com', { protected: true }),
      variable('REGISTRY', 'secret.example.com', { variable_type: 'file' }),
    ]) {
      const checked = check(yaml, { ciCdVariables: ciCdVariablesOf(levels([hidden], [])) });
      assert.equal(checked.of('missing-credentials').length, 0);
      assert.equal(checked.of('registry-unknown').length, 1);
      assert.ok(checked.findings.every((finding) => !JSON.stringify(finding).includes('secret.example.com')));
    }
  });

  it('a variable scoped to an environment is not used for a job without one; raw stays raw', () => {
    const scoped = ciCdVariablesOf(levels([variable('REGISTRY', 'prod.example.com', { environment_scope: 'production' })], []));
    assert.deepEqual(scoped, []);
    assert.deepEqual(ciCdVariablesOf(levels([variable('A', '$B', { raw: true })], [])), [{ key: 'A', value: '$B', raw: true }]);
  });
});

// lib/gitlab/ci/build/rules.rb: the first matching rule decides, and no match means `never`.
describe('jobs that can never run are not reported', () => {
  const image = '  image: registry.example.com/private/app:1\n  script: [x]\n';

  it('a job whose every rule ends in when: never (directly, through extends or !reference)', () => {
    const yaml = [
      '.never:',
      '  rules:',
      '    - if: $CI_COMMIT_TAG',
      '      when: never',
      '    - when: never',
      'disabled:',
      image + '  rules:\n    - when: never',
      'extended:',
      '  extends: .never',
      image,
      'referenced:',
      image + '  rules:\n    - !reference [.never, rules]',
      'runs:',
      image + '  rules:\n    - if: $CI_COMMIT_TAG\n      when: never\n    - when: on_success',
    ].join('\n');
    const checked = check(yaml);
    assert.deepEqual(
      checked.pipeline.jobs.map((job) => job.name),
      ['runs'],
    );
    assert.equal(checked.of('missing-credentials').length, 1);
  });

  it('workflow: rules that always exclude the pipeline; other workflow rules keep the jobs', () => {
    assert.equal(check('workflow:\n  rules:\n    - when: never\njob:\n' + image).pipeline.jobs.length, 0);
    assert.equal(check('workflow:\n  rules:\n    - if: $CI_COMMIT_TAG\n      when: never\n    - when: always\njob:\n' + image).pipeline.jobs.length, 1);
  });
});

describe('hostile variables', () => {
  it('a doubling chain (A: $B$B, B: $C$C… 40 levels) stays bounded: unknown, not gigabytes, and quick', () => {
    const variables: CollectedVariable[] = [];
    for (let i = 0; i < 40; i++) variables.push({ key: `V${i}`, value: `$V${i + 1}$V${i + 1}` });
    variables.push({ key: 'V40', value: 'registry.example.com' });
    const started = performance.now();
    const result = expandImageNameTracked('$V0/app:1', resolveJobVariables(variables));
    assert.equal(result.registryUnknown, true);
    assert.ok(result.expanded.length <= 4 * MAX_EXPANDED_LENGTH);
    assert.ok(performance.now() - started < 2_000);
  });

  it('a value made of many references to a long value is bounded in the runner pass too', () => {
    const long = 'x'.repeat(MAX_EXPANDED_LENGTH);
    const many = '$LONG'.repeat(3_000);
    const result = expandImageNameTracked(
      '$MANY',
      resolveJobVariables([
        { key: 'LONG', value: long, raw: true },
        { key: 'MANY', value: many },
      ]),
    );
    assert.equal(result.registryUnknown, true);
    assert.deepEqual(result.unknownVariables, ['MANY']);
  });
});
