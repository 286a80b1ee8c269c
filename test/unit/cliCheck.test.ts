import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli, type CliRun } from './cliSupport';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/check');
const FAKE_AUTH = 'ZmFrZS11c2VyOmZha2UtdG9rZW4=';

function run(args: string[], cwd = FIXTURES): Promise<CliRun> {
  return runCli(['check', ...args], { cwd });
}

function tempProject(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitlab-ci-auth-check-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('gitlab-ci-auth check', () => {
  it('prints file:line:col findings through includes and exits 1 on warnings', async () => {
    const { code, stdout, stderr } = await run(['project/.gitlab-ci.yml']);
    assert.equal(stderr, '');
    assert.equal(code, 1);
    const lines = stdout.split('\n');
    assert.ok(
      lines.some((line) => line.startsWith('project/ci/templates.yml:2:10: warning missing-credentials: ')),
      stdout,
    );
    assert.ok(
      lines.some((line) => line.startsWith('project/ci/templates.yml:4:13: warning missing-credentials: ')),
      stdout,
    );
    assert.ok(
      lines.some((line) => line.startsWith('project/.gitlab-ci.yml:16:10: information registry-unknown: ')),
      stdout,
    );
    assert.match(stdout, /2 warnings, 1 information \(1 file checked\)\.\n$/);
  });

  it('uses --auth-config, --ci-registry and --project-path for coverage and names near-miss keys', async () => {
    const { code, stdout } = await run([
      'project/.gitlab-ci.yml',
      '--auth-config',
      'auth.json',
      '--ci-registry',
      'registry.gitlab.com',
      '--project-path',
      'group/project',
    ]);
    assert.equal(code, 1);
    assert.match(stdout, /^project\/ci\/templates\.yml:4:13: warning key-near-miss: .*"registry\.example\.com:5000"/m);
    assert.doesNotMatch(stdout, /missing-credentials|registry-unknown/);
    assert.ok(!stdout.includes(FAKE_AUTH));
  });

  it('exits 0 with a clean summary once every registry is covered', async () => {
    const { code, stdout } = await run([
      'project/.gitlab-ci.yml',
      '--auth-config',
      'auth.json',
      '--runner-registry',
      'registry.example.com:5000',
      '--ci-registry',
      'registry.gitlab.com',
      '--project-path',
      'group/project',
    ]);
    assert.equal(code, 0);
    assert.equal(stdout, 'No problems found (1 file checked).\n');
  });

  it('reports a broken --auth-config like the runner drops it, then checks without it', async () => {
    const { code, stdout } = await run(['project/.gitlab-ci.yml', '--auth-config', 'broken-auth.json']);
    assert.equal(code, 1);
    assert.match(stdout, /^broken-auth\.json:1:\d+: error invalid-auth-config: /m);
    assert.match(stdout, /templates\.yml:2:10: warning missing-credentials/);
  });

  it('keeps information-only results at exit 0 and lets --severity change levels', async () => {
    const dir = tempProject({ '.gitlab-ci.yml': 'a:\n  image: $SOME_REGISTRY/app\n  script: [x]\n' });
    assert.equal((await run(['.gitlab-ci.yml'], dir)).code, 0);
    const raised = await run(['.gitlab-ci.yml', '--severity', 'registry-unknown=error'], dir);
    assert.equal(raised.code, 1);
    assert.match(raised.stdout, /error registry-unknown/);
  });

  it('writes JSON with 1-based positions, related locations and data', async () => {
    const { code, stdout } = await run(['project/.gitlab-ci.yml', '--format', 'json']);
    assert.equal(code, 1);
    const { findings } = JSON.parse(stdout) as { findings: Record<string, unknown>[] };
    const builder = findings.find((finding) => finding.code === 'missing-credentials' && finding.line === 2)!;
    assert.deepEqual(
      { file: builder.file, line: builder.line, column: builder.column, endLine: builder.endLine, endColumn: builder.endColumn, severity: builder.severity },
      { file: 'ci/templates.yml', line: 2, column: 10, endLine: 2, endColumn: 37, severity: 'warning' },
    );
    assert.deepEqual((builder.data as { jobs: string[] }).jobs, ['unit', 'lint']);
    assert.ok((builder.related as { message: string }[]).some((related) => related.message === 'used by job unit'));
  });

  it('writes a Code Quality report whose fingerprints survive moved lines', async () => {
    const yaml = 'a:\n  image: registry.example.com/x\n  script: [x]\n';
    const dir = tempProject({ '.gitlab-ci.yml': yaml });
    const before = JSON.parse((await run(['.gitlab-ci.yml', '--format', 'codequality'], dir)).stdout) as Record<string, any>[];
    fs.writeFileSync(path.join(dir, '.gitlab-ci.yml'), `# moved\n\n${yaml}`);
    const after = JSON.parse((await run(['.gitlab-ci.yml', '--format', 'codequality'], dir)).stdout) as Record<string, any>[];
    assert.equal(before.length, 1);
    assert.deepEqual(
      { check_name: before[0]!.check_name, severity: before[0]!.severity, location: before[0]!.location },
      { check_name: 'missing-credentials', severity: 'major', location: { path: '.gitlab-ci.yml', lines: { begin: 2 } } },
    );
    assert.match(before[0]!.fingerprint, /^[0-9a-f]{64}$/);
    assert.equal(after[0]!.fingerprint, before[0]!.fingerprint);
    assert.equal(after[0]!.location.lines.begin, 4);
  });

  it('exits 2 with one line on usage and I/O errors', async () => {
    for (const args of [
      [],
      ['--bogus'],
      ['missing.yml'],
      ['project/.gitlab-ci.yml', '--format', 'xml'],
      ['project/.gitlab-ci.yml', '--auth-config', 'nope.json'],
    ]) {
      const { code, stderr, stdout } = await run(args);
      assert.equal(code, 2, args.join(' '));
      assert.equal(stdout, '');
      assert.match(stderr, /^gitlab-ci-auth check: /);
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('fails clearly and quickly on invalid YAML, an alias bomb and a 50 MB file', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let level = 1; level < 12; level++)
      bomb.push(
        `${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + level)}`)
          .join(',')}]`,
      );
    const dir = tempProject({
      'broken.yml': 'job:\n  image: [unclosed\n',
      'bomb.yml': `${bomb.join('\n')}\njob:\n  image: alpine\n  script: *l\n`,
      'huge.yml': `a: "${'x'.repeat(50 * 1024 * 1024)}"\n`,
    });
    for (const [file, code] of [
      ['broken.yml', /yaml-syntax/],
      ['bomb.yml', /limit-exceeded/],
      ['huge.yml', /limit-exceeded/],
    ] as const) {
      const started = Date.now();
      const result = await run([file], dir);
      assert.equal(result.code, 1, `${file}: ${result.stdout}${result.stderr}`);
      assert.match(result.stdout, code);
      assert.ok(Date.now() - started < 15_000, `${file} took too long`);
    }
  });

  it('stops a check past --time-budget-ms and says so on the file, with exit 1', async () => {
    const jobs = Array.from({ length: 3_000 }, (_, i) => `job${i}:\n  image: registry.example.com/app${i}:1\n  script: [make]\n`).join('');
    const dir = tempProject({ '.gitlab-ci.yml': jobs });
    const { code, stdout } = await run(['.gitlab-ci.yml', '--time-budget-ms', '1'], dir);
    assert.equal(code, 1);
    assert.match(stdout, /^\.gitlab-ci\.yml:1:1: error limit-exceeded: This check took longer than 0\.001 s and was stopped/m);
    assert.doesNotMatch(stdout, /missing-credentials/);
    const usage = await run(['.gitlab-ci.yml', '--time-budget-ms', '0'], dir);
    assert.equal(usage.code, 2);
  });
});
