import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli, type CliRun } from './cliSupport';

const repoRoot = path.resolve(__dirname, '../../..');

function run(args: string[], cwd = repoRoot): Promise<CliRun> {
  return runCli(['images', ...args], { cwd });
}

function withTempFile(name: string, text: string, body: (file: string) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'images-cli-'));
  fs.writeFileSync(path.join(dir, name), text);
  return body(path.join(dir, name)).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
}

describe('gitlab-ci-auth images', () => {
  it('prints every job of the example project with its image and services', async () => {
    const { code, stdout, stderr } = await run(['test/fixtures/example/.gitlab-ci.yml']);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), {
      jobs: {
        build: { image: 'docker:27', services: ['docker:27-dind'] },
        test: { image: 'registry.example.com:5000/team/node-ci:20', services: ['postgres:16'] },
        'package-check': { image: '$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA', services: [] },
        deploy: { image: 'registry.example.com:5000/ops/deployer:3', services: [] },
      },
      unresolvedIncludes: [],
    });
  });

  it('lists unresolved includes and prints trigger jobs with a null image', async () => {
    const { code, stdout } = await run(['test/fixtures/pipelines/full/.gitlab-ci.yml', '--project-dir', 'test/fixtures/pipelines/full']);
    assert.equal(code, 0);
    const report = JSON.parse(stdout) as { jobs: Record<string, { image: string | null }>; unresolvedIncludes: string[] };
    assert.equal(report.jobs['child-pipeline']?.image, null);
    assert.equal(report.jobs['security-scan']?.image, 'registry.example.com:5000/security/scanner:2.1');
    assert.deepEqual(report.unresolvedIncludes, ['platform/ci-templates:kaniko.yml@v3', 'Jobs/SAST.gitlab-ci.yml']);
  });

  it('uses --var values in include locations', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'images-cli-'));
    try {
      fs.mkdirSync(path.join(dir, 'ci'));
      fs.writeFileSync(path.join(dir, '.gitlab-ci.yml'), 'include: ci/$TARGET.yml\n');
      fs.writeFileSync(path.join(dir, 'ci', 'prod.yml'), 'deploy:\n  image: registry.example.com/deployer:1\n  script: x\n');
      const { code, stdout } = await run([path.join(dir, '.gitlab-ci.yml'), '--var', 'TARGET=prod']);
      assert.equal(code, 0);
      assert.deepEqual(JSON.parse(stdout).jobs, { deploy: { image: 'registry.example.com/deployer:1', services: [] } });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 with one line on invalid YAML, an unreadable file, an alias bomb or a huge file', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      bomb.push(
        `l${i}: &l${i} [${Array(10)
          .fill(i === 1 ? '*a' : `*l${i - 1}`)
          .join(', ')}]`,
      );
    const cases: Array<[string, string]> = [
      ['invalid.yml', 'job:\n  image: [unclosed\n  script: x\n'],
      ['bomb.yml', `${bomb.join('\n')}\njob:\n  script: *l8\n`],
      ['huge.yml', `job:\n  script:\n${'    - echo 0123456789012345678901234567890123456789\n'.repeat(60_000)}`],
    ];
    for (const [name, text] of cases) {
      await withTempFile(name, text, async (file) => {
        const { code, stdout, stderr } = await run([file]);
        assert.equal(code, 2, name);
        assert.equal(stdout, '', name);
        assert.equal(stderr.trim().split('\n').length, 1, `${name}: ${stderr}`);
        assert.ok(!stderr.includes('    at '), `${name}: no stack trace`);
      });
    }
    const missing = await run(['no/such/file.yml']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read/);
  });

  it('rejects a bad --var', async () => {
    const { code, stderr } = await run(['test/fixtures/example/.gitlab-ci.yml', '--var', 'NOVALUE']);
    assert.equal(code, 2);
    assert.match(stderr, /NAME=VALUE/);
  });

  it('decides include rules with --var: an excluded include is not merged, and each decision is listed with its line', async () => {
    const yaml = 'include:\n  - local: ci.yml\n    rules:\n      - if: $DEPLOY == "yes"\n';
    await withTempFile('.gitlab-ci.yml', yaml, async (file) => {
      fs.writeFileSync(path.join(path.dirname(file), 'ci.yml'), 'deploy:\n  image: registry.example.com/ops/deployer:3\n  script: [x]\n');
      const included = JSON.parse((await run([file, '--var', 'DEPLOY=yes'])).stdout);
      assert.deepEqual(included.jobs, { deploy: { image: 'registry.example.com/ops/deployer:3', services: [] } });
      assert.deepEqual(included.includeRules, [{ file: '.gitlab-ci.yml', line: 2, outcome: 'included', reason: 'rule 1 `if: $DEPLOY == "yes"` matches' }]);
      const excluded = JSON.parse((await run([file, '--var', 'DEPLOY=no'])).stdout);
      assert.deepEqual(excluded.jobs, {});
      assert.equal(excluded.includeRules[0].outcome, 'excluded');
      const maybe = JSON.parse((await run([file])).stdout);
      assert.deepEqual(Object.keys(maybe.jobs), ['deploy']);
      assert.equal(maybe.includeRules[0].outcome, 'maybe');
    });
  });
});
