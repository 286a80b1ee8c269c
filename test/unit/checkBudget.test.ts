/**
 * The wall-clock budget of one check (issue 13): whatever makes a check slow, it stops once its deadline passes and
 * says so with `limit-exceeded` on the root file; the findings of a check cut short are never shown as if complete.
 * Most cases drive a fake clock (no timing flakes); one uses a real slow input against the real clock.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkPipeline, checkProject } from '../../src/core/check';
import { CheckStopped, Deadline } from '../../src/core/deadline';
import { createResolveCache, DEFAULT_LIMITS, resolvePipeline } from '../../src/core/pipeline';
import { ResolveContext } from '../../src/core/pipeline/context';
import { composeDocuments, MAX_SYNTAX_ERRORS, parsePipelineFile } from '../../src/core/yaml/reader';
import type { Finding, ProjectFiles } from '../../src/core/types';
import { memoryFiles, NO_CONTEXT } from './checkSupport';

/** A clock that only moves when a test moves it. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 0;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

/** A pipeline whose every job pulls from a private registry nobody covers: a full check warns about each. */
function privatePipeline(jobs: number, tag = '1'): string {
  return Array.from({ length: jobs }, (_, i) => `job${i}:\n  image: registry.example.com/team/app${i}:${tag}\n  script: [make]\n`).join('');
}

function stops(findings: readonly Finding[]): Finding[] {
  return findings.filter((finding) => finding.code === 'limit-exceeded' && finding.message.startsWith('This check took longer than'));
}

describe('check time budget', () => {
  it('stops a check whose file reads are slow and reports limit-exceeded on the root file, keeping no partial jobs', () => {
    const clock = fakeClock();
    const texts: Record<string, string> = {
      '.gitlab-ci.yml': `include: [a.yml, b.yml, c.yml, d.yml]\nroot:\n  image: registry.example.com/root:1\n  script: [x]\n`,
      'a.yml': privatePipeline(1).replace('job0', 'a'),
      'b.yml': privatePipeline(1).replace('job0', 'b'),
      'c.yml': privatePipeline(1).replace('job0', 'c'),
      'd.yml': privatePipeline(1).replace('job0', 'd'),
    };
    const plain = memoryFiles(texts);
    // Every read of an included file takes a second on the fake clock.
    const slow: ProjectFiles = {
      read(path) {
        if (path !== '.gitlab-ci.yml') clock.advance(1_000);
        return plain.read(path);
      },
      glob: plain.glob,
    };

    const full = checkProject('.gitlab-ci.yml', plain, NO_CONTEXT);
    assert.equal(full.findings.filter((finding) => finding.code === 'missing-credentials').length, 5, 'the full check warns about every job');

    const stopped = checkProject('.gitlab-ci.yml', slow, {
      ...NO_CONTEXT,
      deadline: new Deadline(2_000, clock.now),
    });
    const [stop] = stops(stopped.findings);
    assert.ok(stop, JSON.stringify(stopped.findings));
    assert.equal(stop.severity, 'error');
    assert.deepEqual(stop.range, { file: '.gitlab-ci.yml', start: 0, end: 0 });
    assert.match(stop.message, /took longer than 2 s and was stopped/);
    assert.equal(stopped.pipeline.jobs.length, 0, 'no partial jobs');
    assert.deepEqual(
      stopped.findings.filter((finding) => finding.code === 'missing-credentials'),
      [],
      'no partial findings',
    );
    assert.ok(clock.now() <= 3_000, `stopped at the first read past the budget, not after all four (${clock.now()} ms)`);
  });

  it('stops between jobs of a large pipeline (fake clock: each deadline look costs a millisecond)', () => {
    let time = 0;
    const deadline = new Deadline(100, () => time++);
    const stopped = checkProject('.gitlab-ci.yml', memoryFiles({ '.gitlab-ci.yml': privatePipeline(2_000) }), { ...NO_CONTEXT, deadline });
    assert.equal(stops(stopped.findings).length, 1);
    assert.ok(time < 400, `${time} looks at the clock: it stopped soon after the budget`);
  });

  it('stops the rules once the deadline has passed: their findings are dropped, the pipeline problems kept', () => {
    const files = memoryFiles({
      '.gitlab-ci.yml': `${privatePipeline(3)}broken: [\n`,
    });
    const pipeline = resolvePipeline('.gitlab-ci.yml', files);
    assert.ok(checkPipeline(pipeline, NO_CONTEXT).some((finding) => finding.code === 'missing-credentials'));
    const clock = fakeClock();
    const deadline = new Deadline(2_000, clock.now);
    clock.advance(2_001);
    const findings = checkPipeline(pipeline, NO_CONTEXT, deadline);
    assert.equal(stops(findings).length, 1);
    assert.deepEqual(
      findings.filter((finding) => finding.code === 'missing-credentials'),
      [],
    );
    assert.ok(
      findings.some((finding) => finding.code === 'yaml-syntax'),
      'what resolution found is still shown',
    );
  });

  it('keeps nothing of a stopped check in the cache: wherever it stopped, the next check with time left is complete', () => {
    // `? k` makes the fast parser hand the files to yaml, so the deadline is also looked at inside the parse.
    const files = memoryFiles({
      '.gitlab-ci.yml': `include: [a.yml]\n? k\n: v\n${privatePipeline(20)}`,
      'a.yml': `? k\n: v\n${privatePipeline(30).replaceAll('job', 'a')}`,
    });
    const expected = JSON.stringify(checkProject('.gitlab-ci.yml', files, NO_CONTEXT).findings);
    assert.equal((JSON.parse(expected) as Finding[]).filter((finding) => finding.code === 'missing-credentials').length, 50);
    const cache = createResolveCache();
    let stoppedChecks = 0;
    // Each look at the fake clock takes a millisecond: budget n stops the check at its n-th look, a different place each.
    for (let budget = 0; budget < 400; budget += 3) {
      let time = 0;
      const stopped = checkProject('.gitlab-ci.yml', files, { ...NO_CONTEXT, resolve: { cache }, deadline: new Deadline(budget, () => time++) });
      if (stops(stopped.findings).length > 0) stoppedChecks++;
      const again = checkProject('.gitlab-ci.yml', files, { ...NO_CONTEXT, resolve: { cache }, deadline: new Deadline(60_000) });
      assert.equal(JSON.stringify(again.findings), expected, `after a check stopped at look ${budget}`);
    }
    assert.ok(stoppedChecks > 20, `${stoppedChecks} checks stopped`);
  });

  it('stops reading one huge YAML file part-way (the deadline is looked at between tokens)', () => {
    let time = 0;
    const deadline = new Deadline(20, () => time++);
    const text = `a: [${'x, '.repeat(100_000)}y]\n`;
    assert.throws(() => composeDocuments(text, DEFAULT_LIMITS.maxYamlDepth, deadline), CheckStopped);
    const ctx = new ResolveContext(DEFAULT_LIMITS, new Deadline(20, () => time++));
    assert.throws(() => parsePipelineFile('f.yml', text, ctx), CheckStopped);
  });

  it('stops a real slow input on the real clock before it would finish', () => {
    // ~1.5 MB of jobs. Reading the YAML is not interruptible, the rest is: the budgeted check ends after about the
    // reading, well before a full one. Each run gets a text of its own (checks keep results by text), the first run warms
    // the checker up, and the fastest of three rounds is compared, so that the machine's load cannot decide.
    const pipeline = (tag: string) => memoryFiles({ '.gitlab-ci.yml': privatePipeline(20_000, tag) });
    checkProject('.gitlab-ci.yml', pipeline('warm-up'), NO_CONTEXT);
    const budgeted: number[] = [];
    const full: number[] = [];
    for (let round = 0; round < 3; round++) {
      let started = performance.now();
      const stopped = checkProject('.gitlab-ci.yml', pipeline(`budgeted-${round}`), { ...NO_CONTEXT, deadline: new Deadline(20) });
      budgeted.push(performance.now() - started);
      assert.equal(stops(stopped.findings).length, 1, 'it stopped');
      started = performance.now();
      const finished = checkProject('.gitlab-ci.yml', pipeline(`full-${round}`), NO_CONTEXT);
      full.push(performance.now() - started);
      assert.deepEqual(stops(finished.findings), []);
    }
    const [fastestBudgeted, fastestFull] = [Math.min(...budgeted), Math.min(...full)];
    assert.ok(fastestBudgeted < fastestFull, `budgeted ${budgeted.map(Math.round)} ms, full ${full.map(Math.round)} ms`);
  });
});

describe('YAML with very many syntax errors', () => {
  it('stops composing after MAX_SYNTAX_ERRORS errors and reports limit-exceeded, not thousands of errors', () => {
    // `? - &a ` repeated: two errors per unit; yaml's Composer took about 4 s for 80,000 units.
    const text = `b:\n${'? - &a '.repeat(80_000)}\n`;
    const started = performance.now();
    const documents = composeDocuments(text, DEFAULT_LIMITS.maxYamlDepth);
    assert.ok(!Array.isArray(documents) && documents.stop === 'too-many-errors', 'stopped');
    assert.ok(documents.at > 0 && documents.at < text.length / 10, `stopped near the start (${documents.at})`);
    // Generous (reading the tokens alone takes a few hundred milliseconds on a loaded machine); without the bound the
    // Composer alone took 4 s unloaded, 17 s on a loaded 2-core machine.
    assert.ok(performance.now() - started < 5_000, `${(performance.now() - started).toFixed(0)} ms`);
    const ctx = new ResolveContext(DEFAULT_LIMITS);
    parsePipelineFile('.gitlab-ci.yml', `b:\n${'? - &a '.repeat(2_000)}\n`, ctx);
    assert.deepEqual(
      ctx.problems.map((problem) => [problem.code, problem.message]),
      [['limit-exceeded', `The file has more than ${MAX_SYNTAX_ERRORS} YAML syntax errors; it is not analysed. Fix the first ones.`]],
    );
  });

  it('still reports every error of a file with fewer than the bound', () => {
    const ctx = new ResolveContext(DEFAULT_LIMITS);
    parsePipelineFile('.gitlab-ci.yml', `b:\n${'? - &a '.repeat(100)}x\n`, ctx);
    assert.ok(ctx.problems.length > 0 && ctx.problems.every((problem) => problem.code === 'yaml-syntax'));
  });
});
