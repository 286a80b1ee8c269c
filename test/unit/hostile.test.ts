/**
 * Hostile inputs: alias bombs, endless `extends` and `!reference`, include cycles, thousands of includes, huge, binary and
 * deeply nested files, CRLF/BOM and non-UTF-8 text. Each gets a clear finding (or a refusal that says why) within fixed
 * time and memory bounds, and the CLI answers them with one clear line, a non-zero exit, no stack trace and no hang.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { checkProject, type CheckOptions } from '../../src/core/check';
import { createDiskProjectFiles } from '../../src/core/pipeline/diskFiles';
import { localIncludeGlob } from '../../src/core/pipeline';
import { MAX_GLOB_PATTERN_LENGTH } from '../../src/core/pipeline/pathGlob';
import { writesDockerConfig } from '../../src/core/rules/shellPatterns';
import { hostile, withinMs } from '../support/fuzz';
import { parseInstanceUrl } from '../../src/core/gitlab/instance';
import { trimTrailing } from '../../src/core/text';
import type { Finding, FindingCode, Pipeline, ProjectFiles } from '../../src/core/types';
import { memoryFiles } from './checkSupport';

v8.setFlagsFromString('--expose_gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

const OPTIONS: CheckOptions = { credentials: [], predefinedVariables: {}, publicRegistries: ['docker.io'] };
const CLI = path.resolve(__dirname, '../../src/cli/main.js');

interface Measured {
  readonly pipeline: Pipeline;
  readonly findings: readonly Finding[];
  readonly ms: number;
  /** Heap still held once the check is done and its result is kept (garbage collected before and after). */
  readonly retainedMb: number;
}

/** Checks a project within `limits`, and that every finding stays inside its file. */
function checkWithin(files: Readonly<Record<string, string>> | ProjectFiles, limits: { ms: number; mb: number }): Measured {
  const projectFiles = typeof (files as ProjectFiles).read === 'function' ? (files as ProjectFiles) : memoryFiles(files as Record<string, string>);
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const { pipeline, findings } = checkProject('.gitlab-ci.yml', projectFiles, OPTIONS);
  const ms = performance.now() - started;
  collectGarbage();
  const retainedMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  assert.ok(ms < limits.ms, `took ${ms.toFixed(0)} ms (limit ${limits.ms} ms)`);
  assert.ok(retainedMb < limits.mb, `kept ${retainedMb.toFixed(0)} MB of heap (limit ${limits.mb} MB)`);
  const texts = new Map(pipeline.files.map((file) => [file.path, file.text]));
  for (const finding of findings) {
    const text = texts.get(finding.range.file);
    assert.ok(text !== undefined && finding.range.start >= 0 && finding.range.end <= text.length, `${finding.code} range outside its file`);
  }
  return { pipeline, findings, ms, retainedMb };
}

function only(findings: readonly Finding[], code: FindingCode): Finding[] {
  return findings.filter((finding) => finding.code === code);
}

describe('hostile YAML', () => {
  it('refuses a billion-laughs alias bomb, saying it is one, instead of expanding 10^9 values', () => {
    const levels = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++) levels.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
    const yaml = `${levels.join('\n')}\njob:\n  image: registry.example.com/x\n  script: *a9\n`;
    const { findings } = checkWithin({ '.gitlab-ci.yml': yaml }, { ms: 3_000, mb: 100 });
    const [refusal] = only(findings, 'limit-exceeded');
    assert.ok(refusal, 'an alias bomb is reported');
    assert.match(refusal.message, /alias/);
  });

  it('keeps a nested merge-key bomb (<<: [*a, *a] over 30 levels) linear: merged keys collapse', () => {
    const lines = ['.m0: &m0 {k0: 1}'];
    for (let i = 1; i < 30; i++) lines.push(`.m${i}: &m${i}\n  <<: [*m${i - 1}, *m${i - 1}]\n  k${i}: 1`);
    const yaml = `${lines.join('\n')}\njob:\n  <<: *m29\n  image: registry.example.com/x\n  script: [x]\n`;
    const { pipeline, findings } = checkWithin({ '.gitlab-ci.yml': yaml }, { ms: 2_000, mb: 50 });
    assert.equal(pipeline.jobs.find((job) => job.name === 'job')?.image?.value, 'registry.example.com/x');
    assert.equal(only(findings, 'missing-credentials').length, 1);
  });

  it("stops a 200-level extends chain at GitLab's depth limit with extends-too-deep", () => {
    const lines = ['.j0:\n  image: registry.example.com/deep'];
    for (let i = 1; i < 200; i++) lines.push(`.j${i}:\n  extends: .j${i - 1}`);
    const yaml = `${lines.join('\n')}\njob:\n  extends: .j199\n  script: [x]\n`;
    const { findings } = checkWithin({ '.gitlab-ci.yml': yaml }, { ms: 2_000, mb: 50 });
    assert.ok(only(findings, 'extends-too-deep').length >= 1);
  });

  it('reports extends cycles, short and 200 jobs long, without looping', () => {
    const short = checkWithin(
      { '.gitlab-ci.yml': '.a:\n  extends: .b\n.b:\n  extends: .a\njob:\n  extends: .a\n  image: registry.example.com/x\n  script: [x]\n' },
      { ms: 1_000, mb: 20 },
    );
    assert.ok(only(short.findings, 'extends-cycle').length >= 1);
    const ring = Array.from({ length: 200 }, (_, i) => `.c${i}:\n  extends: .c${(i + 1) % 200}`).join('\n');
    const long = checkWithin({ '.gitlab-ci.yml': `${ring}\njob:\n  extends: .c0\n  image: registry.example.com/x\n  script: [x]\n` }, { ms: 2_000, mb: 50 });
    assert.ok(long.findings.some((finding) => finding.code === 'extends-cycle' || finding.code === 'extends-too-deep'));
  });

  it('reports !reference loops and self-references as unresolved', () => {
    const yaml = [
      '.a:',
      '  script: !reference [.b, script]',
      '.b:',
      '  script: !reference [.a, script]',
      '.self:',
      '  script: !reference [.self, script]',
      'job:',
      '  image: registry.example.com/x',
      '  script: !reference [.a, script]',
      'other:',
      '  image: registry.example.com/x',
      '  script: !reference [.self, script]',
      '',
    ].join('\n');
    const { findings } = checkWithin({ '.gitlab-ci.yml': yaml }, { ms: 1_000, mb: 20 });
    const unresolved = only(findings, 'reference-unresolved');
    assert.ok(unresolved.some((finding) => /refers to itself|nested more than/.test(finding.message)));
    assert.ok(unresolved.every((finding) => finding.severity === 'error'));
  });

  it('does not follow a file that includes itself or an include cycle, and says so', () => {
    const self = checkWithin({ '.gitlab-ci.yml': 'include: .gitlab-ci.yml\njob:\n  image: registry.example.com/x\n  script: [x]\n' }, { ms: 1_000, mb: 20 });
    assert.match(only(self.findings, 'limit-exceeded')[0]?.message ?? '', /includes itself/);
    const cycle = checkWithin(
      {
        '.gitlab-ci.yml': 'include: a.yml\njob:\n  image: registry.example.com/x\n  script: [x]\n',
        'a.yml': 'include: b.yml\n',
        'b.yml': 'include:\n  - a.yml\n  - .gitlab-ci.yml\n',
      },
      { ms: 1_000, mb: 20 },
    );
    assert.ok(only(cycle.findings, 'limit-exceeded').some((finding) => /includes itself/.test(finding.message)));
    assert.equal(only(cycle.findings, 'missing-credentials').length, 1, 'the pipeline is still checked');
  });

  it("reads at most GitLab's 150 includes out of 10,000, and says the rest were not read", () => {
    const files: Record<string, string> = {};
    const lines = ['include:'];
    for (let i = 0; i < 10_000; i++) {
      lines.push(`  - local: ci/f${i}.yml`);
      files[`ci/f${i}.yml`] = `j${i}:\n  image: registry.example.com/x${i}\n  script: [x]\n`;
    }
    files['.gitlab-ci.yml'] = `${lines.join('\n')}\n`;
    const { pipeline, findings } = checkWithin(files, { ms: 5_000, mb: 150 });
    assert.ok(pipeline.files.length <= 151, `${pipeline.files.length} files read`);
    assert.ok(only(findings, 'limit-exceeded').some((finding) => /150 included files/.test(finding.message)));
  });

  it('bounds a glob that matches the whole tree (in memory and on disk)', () => {
    const files: Record<string, string> = { '.gitlab-ci.yml': 'include: "**"\n' };
    for (let i = 0; i < 5_000; i++) files[`d${i % 50}/f${i}.yml`] = `j${i}:\n  image: registry.example.com/x${i}\n`;
    const inMemory = checkWithin(files, { ms: 5_000, mb: 150 });
    assert.ok(inMemory.pipeline.files.length <= 151);
    assert.ok(only(inMemory.findings, 'limit-exceeded').length >= 1);

    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-glob-'));
    try {
      for (let d = 0; d < 40; d++) {
        fs.mkdirSync(path.join(root, `d${d}`, 'deeper'), { recursive: true });
        for (let f = 0; f < 50; f++) fs.writeFileSync(path.join(root, `d${d}`, 'deeper', `f${f}.yml`), `j${d}_${f}:\n  image: registry.example.com/x\n`);
      }
      fs.writeFileSync(path.join(root, '.gitlab-ci.yml'), 'include: "**/*.yml"\n');
      const onDisk = checkWithin(createDiskProjectFiles(root), { ms: 8_000, mb: 150 });
      assert.ok(onDisk.pipeline.files.length <= 151);
      assert.ok(only(onDisk.findings, 'limit-exceeded').some((finding) => /150 included files/.test(finding.message)));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a 50 MB file quickly, as the root and as an include, and still checks the rest', () => {
    // Built through a Buffer so the string is flat from the start: a rope flattened inside the check would count as its heap.
    const huge = Buffer.from(
      `job:\n  image: registry.example.com/x\n  script:\n${'    - echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n'.repeat(1_000_000)}`,
    ).toString('latin1');
    assert.ok(huge.length > 50 * 2 ** 20 * 0.9);
    const asRoot = checkWithin({ '.gitlab-ci.yml': huge }, { ms: 2_000, mb: 30 });
    assert.match(only(asRoot.findings, 'limit-exceeded')[0]?.message ?? '', /larger than/);
    const asInclude = checkWithin(
      { '.gitlab-ci.yml': 'include: big.yml\nsmall:\n  image: registry.example.com/y\n  script: [x]\n', 'big.yml': huge },
      { ms: 2_000, mb: 30 },
    );
    assert.match(only(asInclude.findings, 'limit-exceeded')[0]?.message ?? '', /larger than/);
    assert.equal(only(asInclude.findings, 'missing-credentials').length, 1, 'the small root is still checked');
  });

  it('reports binary junk as YAML syntax errors without choking', () => {
    let state = 7;
    const bytes = Buffer.alloc(1_000_000);
    for (let i = 0; i < bytes.length; i++) {
      state = (state * 1_103_515_245 + 12_345) & 0x7fffffff;
      bytes[i] = state >> 23;
    }
    for (const text of [bytes.toString('utf8'), bytes.toString('latin1')]) {
      const { findings } = checkWithin({ '.gitlab-ci.yml': text }, { ms: 5_000, mb: 100 });
      assert.ok(findings.length >= 1);
      assert.ok(
        findings.every((finding) => finding.code === 'yaml-syntax' || finding.code === 'limit-exceeded'),
        'only syntax findings for junk',
      );
      assert.ok(
        findings.every((finding) => finding.message.length < 300),
        'messages stay short',
      );
    }
  });

  it('refuses YAML nested 100,000 levels deep (flow and block) within bounds', () => {
    const inputs = [
      `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`,
      `a: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`,
      `a: ${'[{'.repeat(50_000)}\n`,
      Array.from({ length: 1_000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'),
    ];
    for (const yaml of inputs) {
      const { findings } = checkWithin({ '.gitlab-ci.yml': yaml }, { ms: 6_000, mb: 200 });
      assert.ok(
        findings.some((finding) => finding.code === 'limit-exceeded' || finding.code === 'yaml-syntax'),
        `nesting is reported for ${JSON.stringify(yaml.slice(0, 20))}…`,
      );
    }
  });

  it('stops a 2 MB file of nested flow or block collections at the depth limit, without handing it to yaml', () => {
    // yaml's Composer recurses per level: a 2 MB `[[[[…` took about 45 s and 2 GB before overflowing its stack. A
    // first line the fast pass declines (a tab), and a suppression comment (whose locator also reads the YAML), must
    // not let it through either.
    const size = 2_000_000;
    const fill = (head: string, open: string): string => head + open.repeat(Math.floor((size - head.length) / open.length));
    const inputs = [
      fill('a: ', '['),
      fill('job:\n\timage: x\nb: ', '['),
      fill('a: ', '{a: '),
      fill('a:\n', '- '),
      fill('a: 1 # gitlab-ci-auth-ignore\nb: ', '[{'),
    ];
    for (const yaml of inputs) {
      const peakBefore = process.resourceUsage().maxRSS;
      const { findings } = checkWithin({ '.gitlab-ci.yml': yaml }, { ms: 2_000, mb: 20 });
      const peakGrowthMb = (process.resourceUsage().maxRSS - peakBefore) / 1024;
      assert.ok(peakGrowthMb < 150, `peak memory grew by ${peakGrowthMb.toFixed(0)} MB for ${JSON.stringify(yaml.slice(0, 30))}…`);
      const tooDeep = only(findings, 'limit-exceeded');
      assert.equal(tooDeep.length, 1, `one limit-exceeded for ${JSON.stringify(yaml.slice(0, 30))}…`);
      assert.match(tooDeep[0]!.message, /nested deeper than 100 levels/);
      assert.ok(tooDeep[0]!.range.start < 1_000, 'reported where the nesting passes the limit');
    }
  });

  it('reads nesting just under the depth limit in full, and a node just past it as the limit', () => {
    // The root map is level 0: `x` is at level 100 in 99 brackets. CRLF leaves the file to the reference reader.
    for (const newline of ['\n', '\r\n']) {
      const nested = (levels: number): string => `a: ${'['.repeat(levels)}x${']'.repeat(levels)}${newline}b: 1${newline}`;
      const within = checkWithin({ '.gitlab-ci.yml': nested(99) }, { ms: 2_000, mb: 20 });
      assert.deepEqual(
        within.findings.filter((finding) => finding.code === 'limit-exceeded' || finding.code === 'yaml-syntax'),
        [],
      );
      for (const levels of [100, 101, 150]) {
        const past = checkWithin({ '.gitlab-ci.yml': nested(levels) }, { ms: 2_000, mb: 20 });
        assert.equal(only(past.findings, 'limit-exceeded').length, 1, `${levels} levels, ${JSON.stringify(newline)}`);
      }
    }
  });

  it('reads CRLF and BOM files like LF ones: same findings, underlining the same text', () => {
    const lf =
      'build:\n  image: registry.example.com/team/app:1\n  script:\n    - make\n.tpl: &tpl\n  image: "other.example.com/x"\ntest:\n  <<: *tpl\n  script: [x]\n';
    const reference = checkWithin({ '.gitlab-ci.yml': lf }, { ms: 1_000, mb: 20 });
    const underlined = (text: string, findings: readonly Finding[]) =>
      findings.map((finding) => `${finding.code}:${text.slice(finding.range.start, finding.range.end)}`);
    const expected = underlined(lf, reference.findings);
    assert.deepEqual(expected, ['missing-credentials:registry.example.com/team/app:1', 'missing-credentials:other.example.com/x']);
    for (const variant of [lf.replace(/\n/g, '\r\n'), `\uFEFF${lf}`, `\uFEFF${lf.replace(/\n/g, '\r\n')}`]) {
      const { findings } = checkWithin({ '.gitlab-ci.yml': variant }, { ms: 1_000, mb: 20 });
      assert.deepEqual(underlined(variant, findings), expected);
    }
  });

  it('checks a file with non-UTF-8 bytes read from disk: replacement characters, findings still in place', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-latin1-'));
    try {
      const latin1 = Buffer.concat([
        Buffer.from('# caf'),
        Buffer.from([0xe9, 0xff, 0xfe, 0x80]),
        Buffer.from('\nbuild:\n  variables:\n    NOTE: "d'),
        Buffer.from([0xe9, 0xe9]),
        Buffer.from('"\n  image: registry.example.com/team/app:1\n  script: [make]\n'),
      ]);
      fs.writeFileSync(path.join(root, '.gitlab-ci.yml'), latin1);
      const { pipeline, findings } = checkWithin(createDiskProjectFiles(root), { ms: 1_000, mb: 20 });
      const text = pipeline.files[0]!.text;
      const [missing] = only(findings, 'missing-credentials');
      assert.ok(missing);
      assert.equal(text.slice(missing.range.start, missing.range.end), 'registry.example.com/team/app:1');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('secrets in hostile YAML', () => {
  const TOKEN = 'glpat-FAKE0SENTINEL0TOKEN0xyz';
  const AUTH = Buffer.from(`ci-bot:${TOKEN}`).toString('base64');

  it('never quotes a token from the file in a syntax error or any other finding', () => {
    const broken = [
      `job:\n  script: [x]\n"${TOKEN}"\n`,
      `job:\n  script: [x]\n${TOKEN}\n`,
      `job:\n  script: [x]\n  ${TOKEN}\n x: 1\n`,
      `variables:\n  DOCKER_AUTH_CONFIG: {"auths": {"r.example.com": {"auth": "${AUTH}"}}\n`,
      `variables:\n  DOCKER_AUTH_CONFIG: '{"auths": {"r.example.com": {"auth": "${AUTH}"}}'\n  PASSWORD: "${TOKEN}\n`,
      `variables: {PASSWORD: ${TOKEN}, }\n]\n`,
      `job: [${TOKEN}\n`,
      `job:\n  image: x\n ${TOKEN}: y\n`,
      `a: b\n'${TOKEN}'\n`,
      `job: !${TOKEN} x\n`,
      `job:\n\tscript: ${TOKEN}\n`,
      `- ${TOKEN}\nkey: ${AUTH}\n`,
      `job:\n  image: registry.example.com/x\n  script:\n    - echo "${AUTH}" | base64 -d\n    - docker login -p ${TOKEN} registry.example.com\n`,
    ];
    for (const yaml of broken) {
      const { findings } = checkWithin({ '.gitlab-ci.yml': yaml }, { ms: 1_000, mb: 20 });
      for (const finding of findings) {
        const serialized = JSON.stringify({ message: finding.message, related: finding.related.map((related) => related.message), data: finding.data });
        assert.ok(
          !serialized.includes(TOKEN) && !serialized.includes(AUTH),
          `${finding.code} quotes a secret of ${JSON.stringify(yaml.slice(0, 30))}…: ${finding.message.replace(TOKEN, '<TOKEN>').replace(AUTH, '<AUTH>')}`,
        );
      }
    }
  });
});

describe('the CLI on hostile input', () => {
  let root = '';
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-cli-'));
    const levels = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++) levels.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
    fs.writeFileSync(path.join(root, 'bomb.yml'), `${levels.join('\n')}\njob:\n  image: registry.example.com/x\n  script: *a9\n`);
    fs.writeFileSync(path.join(root, 'huge.yml'), `job:\n  script:\n${'    - echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n'.repeat(1_000_000)}`);
    fs.writeFileSync(path.join(root, 'deep.yml'), `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    fs.writeFileSync(path.join(root, 'junk.yml'), Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 256)));
    fs.writeFileSync(path.join(root, 'cycle.yml'), 'include: cycle.yml\njob:\n  image: registry.example.com/x\n  script: [x]\n');
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  function cli(...args: string[]) {
    const started = performance.now();
    const result = spawnSync(process.execPath, [CLI, ...args], { cwd: root, encoding: 'utf8', timeout: 30_000, maxBuffer: 64 * 2 ** 20 });
    return { ...result, ms: performance.now() - started };
  }

  function assertCleanFailure(result: ReturnType<typeof cli>, pattern: RegExp): void {
    assert.equal(result.signal, null, `the CLI was killed (${result.signal}) after ${result.ms.toFixed(0)} ms: it hung`);
    assert.ok(result.status !== null && result.status !== 0, `exit ${result.status}`);
    assert.match(result.stderr, pattern);
    assert.doesNotMatch(result.stderr, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');
    assert.ok(result.stderr.trim().split('\n').length <= 3, `a short message, not ${result.stderr.length} characters`);
  }

  it('exits non-zero with one clear line on an alias bomb, a 50 MB file, absurd nesting and binary junk', () => {
    assertCleanFailure(cli('images', 'bomb.yml'), /alias/);
    assertCleanFailure(cli('images', 'huge.yml'), /larger than/);
    assertCleanFailure(cli('images', 'deep.yml'), /nested|deep/i);
    assertCleanFailure(cli('images', 'junk.yml'), /YAML/);
  });

  it('exits non-zero for a missing file or a file outside the project, without a stack trace', () => {
    assertCleanFailure(cli('images', 'missing.yml'), /cannot read|missing\.yml/);
    assertCleanFailure(cli('images', '/etc/hostname', '--project-dir', root), /not inside the project/);
  });

  it('check reports each hostile file as findings (exit 1) that say why, with no stack trace and no hang', () => {
    const expectations: [string, RegExp][] = [
      ['bomb.yml', /limit-exceeded: .*alias bomb/],
      ['huge.yml', /limit-exceeded: .*larger than/],
      ['deep.yml', /limit-exceeded: .*nested deeper/],
      ['junk.yml', /yaml-syntax: .*control character/],
      ['cycle.yml', /limit-exceeded: .*includes itself/],
    ];
    for (const [file, reason] of expectations) {
      const result = cli('check', file);
      assert.equal(result.signal, null, `${file}: the CLI hung`);
      assert.equal(result.status, 1, `${file}: exit ${result.status}, stderr ${result.stderr.slice(0, 200)}`);
      assert.match(result.stdout, reason, file);
      assert.doesNotMatch(`${result.stdout}${result.stderr}`, /^\s+at .+:\d+:\d+\)?$/m, `${file}: stack trace`);
    }
  });

  it('finishes on an include cycle and prints the jobs it could resolve', () => {
    const result = cli('images', 'cycle.yml');
    assert.equal(result.signal, null);
    assert.doesNotMatch(result.stderr, /^\s+at /m);
    assert.equal(result.status, 0);
    assert.deepEqual(JSON.parse(result.stdout).jobs.job, { image: 'registry.example.com/x', services: [] });
  });
});

describe('hostile patterns (issue 13)', () => {
  it('matches include: local wildcards with many ** against long names in linear time', () => {
    const name = 'a'.repeat(200);
    for (let stars = 4; stars <= 40; stars += 2) {
      const matcher = localIncludeGlob(hostile.manyStarGlob(stars));
      assert.equal(
        withinMs(50, `${stars} stars`, () => matcher.matches(name)),
        false,
      );
    }
    assert.equal(localIncludeGlob('**a**b').matches(`${name}b`), true);
    assert.equal(localIncludeGlob('ci/*/x.yml').matches('ci/a/b/x.yml'), false);
    assert.equal(localIncludeGlob('ci/**/x.yml').matches('ci/a/b/x.yml'), true);
    assert.equal(localIncludeGlob(`${'*'.repeat(MAX_GLOB_PATTERN_LENGTH + 1)}`).matches('a'), false, 'an overlong pattern matches nothing');
  });

  it('checks a pipeline whose include: local wildcard has many ** within bounds', () => {
    const files = { '.gitlab-ci.yml': `include:\n  - local: '${hostile.manyStarGlob(6)}'\njob:\n  script: [x]\n`, [`${'a'.repeat(80)}.yml`]: 'x: 1\n' };
    checkWithin(files, { ms: 500, mb: 20 });
  });

  it('checks a 7 KB kaniko script of long cp lines, for many jobs and DOCKER_CONFIG values, within bounds', () => {
    const line = hostile.longCopyLine(2300); // ~7 KB
    assert.equal(
      withinMs(50, 'one line', () => writesDockerConfig(line, ['/kaniko/.docker', '/a', '/b'])),
      false,
    );
    const jobs = Array.from(
      { length: 10 },
      (_, i) =>
        `job${i}:\n  image: gcr.io/kaniko-project/executor:debug\n  variables: { DOCKER_CONFIG: /c${i} }\n  script:\n    - export DOCKER_CONFIG=/d${i}\n    - '${line}'\n    - /kaniko/executor --destination registry.example.com/x\n`,
    );
    const { findings } = checkWithin({ '.gitlab-ci.yml': jobs.join('') }, { ms: 2000, mb: 20 });
    assert.equal(only(findings, 'kaniko-missing-config').length, 10, 'every job still reported');
    // The linear matcher still recognises the copies it must.
    assert.equal(writesDockerConfig('cp "$CFG" "/kaniko/.docker/config.json"', ['/kaniko/.docker']), true);
    assert.equal(writesDockerConfig('mkdir -p /x && install -m 600 cfg /kaniko/.docker/ ; echo', ['/kaniko/.docker']), true);
    assert.equal(writesDockerConfig('cp /kaniko/.docker/config.json /tmp/x', ['/kaniko/.docker']), false);
  });
});

describe('hostile text for the patterns lint flagged (issue 13)', () => {
  it('normalises URLs and paths of many slashes, and lines of many unclosed $[[, in linear time', () => {
    const slashes = `https://gitlab.example.com${'/'.repeat(50_000)}x`;
    withinMs(200, 'instance URL', () => parseInstanceUrl(slashes));
    withinMs(200, 'trailing slashes', () => trimTrailing(`${'/'.repeat(50_000)}x`, '/'));
    const unclosed = `spec:\n  inputs:\n    a:\n      default: x\n---\njob:\n  script: ["${'$[[ inputs.a '.repeat(5_000)}"]\n`;
    checkWithin({ '.gitlab-ci.yml': unclosed }, { ms: 1000, mb: 20 });
  });
});
