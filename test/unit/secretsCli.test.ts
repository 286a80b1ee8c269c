/**
 * `gitlab-ci-auth build` with a sentinel token on stdin: the token reaches stdout only inside the base64 `auth` it is
 * meant for, and never appears in any process's argv, in stderr, or in any file written, on success and on every error path.
 */
import { describe, it, before, after } from 'node:test';
import { runCli } from './cliSupport';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CLI = path.resolve(__dirname, '../../src/cli/main.js');
const TOKEN = 'glpat-SENTINEL-fake-token-0000';
const USER = 'ci-bot';
const AUTH = Buffer.from(`${USER}:${TOKEN}`).toString('base64');
/** Another fake secret, already in a file given to --merge: it must not leak either. */
const OTHER_AUTH = Buffer.from('someone:other-SENTINEL-secret').toString('base64');

let sandbox = '';
/** Where the hook writes the argv of every process the CLI tries to start. */
let spawnLog = '';
let hook = '';

before(() => {
  sandbox = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-cli-')));
  fs.mkdirSync(path.join(sandbox, 'home'));
  fs.mkdirSync(path.join(sandbox, 'work'));
  spawnLog = path.join(sandbox, 'spawned.log');
  hook = path.join(sandbox, 'no-spawn-hook.js');
  // Loaded with --require: records and refuses any attempt to start a process (a `docker login` with the token, say).
  fs.writeFileSync(
    hook,
    `const child = require('node:child_process'); const fs = require('node:fs');
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  child[name] = (...args) => { fs.appendFileSync(${JSON.stringify(spawnLog)}, JSON.stringify(args) + '\\n'); throw new Error('no process may be started'); };
}\n`,
  );
});

after(() => fs.rmSync(sandbox, { recursive: true, force: true }));

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly argv: readonly string[];
}

function build(args: readonly string[], stdin: string): Run {
  const argv = [process.execPath, '--require', hook, CLI, 'build', ...args];
  const result = spawnSync(argv[0]!, argv.slice(1), {
    cwd: path.join(sandbox, 'work'),
    input: stdin,
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env.PATH ?? '', HOME: path.join(sandbox, 'home'), USERPROFILE: path.join(sandbox, 'home') },
  });
  assert.equal(result.signal, null, 'the CLI did not hang');
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, argv };
}

function filesUnder(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** The secret forms a leak could take: raw, base64 of user:token, and the other file's auth. */
function assertNoLeak(run: Run, where: string): void {
  assert.ok(!run.argv.some((arg) => arg.includes(TOKEN)), `${where}: the token is in argv`);
  for (const secret of [TOKEN, AUTH, OTHER_AUTH, 'other-SENTINEL-secret']) {
    assert.ok(!run.stderr.includes(secret), `${where}: stderr repeats a secret`);
  }
  assert.ok(!run.stdout.includes(TOKEN), `${where}: stdout has the raw token`);
  assert.ok(!run.stdout.includes('other-SENTINEL-secret'), `${where}: stdout has a decoded secret`);
  assert.doesNotMatch(run.stderr, /^\s+at /m, `${where}: stack trace`);
  for (const file of filesUnder(sandbox)) {
    if (file === hook) continue;
    const content = fs.readFileSync(file, 'latin1');
    assert.ok(!content.includes(TOKEN), `${where}: ${path.relative(sandbox, file)} holds the token`);
    if (!file.endsWith('merge-me.json')) assert.ok(!content.includes(AUTH), `${where}: ${path.relative(sandbox, file)} holds the auth`);
  }
  assert.ok(
    !fs.existsSync(spawnLog),
    `${where}: the CLI tried to start a process: ${fs.existsSync(spawnLog) ? fs.readFileSync(spawnLog, 'utf8').replaceAll(TOKEN, '<TOKEN>') : ''}`,
  );
}

describe('gitlab-ci-auth build keeps the token secret', () => {
  it('prints the config with the token only inside its base64 auth, from stdin with or without a trailing newline', () => {
    for (const stdin of [TOKEN, `${TOKEN}\n`]) {
      const run = build(['--registry', 'registry.example.com:5050', '--username', USER, '--password-stdin'], stdin);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout.trim(), `{"auths":{"registry.example.com:5050":{"auth":"${AUTH}"}}}`);
      assert.equal(run.stderr, '');
      assertNoLeak(run, 'build');
    }
  });

  it('merges into an existing config without writing any file and without printing the other secret in the clear', () => {
    const mergeFile = path.join(sandbox, 'work', 'merge-me.json');
    const existing = `{"auths":{"other.example.com":{"auth":"${OTHER_AUTH}"}},"credsStore":"desktop"}`;
    fs.writeFileSync(mergeFile, existing);
    const run = build(['--registry', 'registry.example.com', '--username', USER, '--password-stdin', '--merge', mergeFile], TOKEN);
    assert.equal(run.status, 0, run.stderr);
    const merged = JSON.parse(run.stdout) as { auths: Record<string, { auth: string }> };
    assert.equal(merged.auths['registry.example.com']?.auth, AUTH);
    assert.equal(merged.auths['other.example.com']?.auth, OTHER_AUTH, 'the other entry is kept as it was');
    assert.equal(fs.readFileSync(mergeFile, 'utf8'), existing, 'the --merge file is read, not rewritten');
    assertNoLeak({ ...run, stdout: '' }, 'merge');
    fs.rmSync(mergeFile);
  });

  it('refuses a token passed as an argument without repeating it', () => {
    for (const args of [
      ['--registry', 'registry.example.com', '--username', USER, '--password', TOKEN],
      ['--registry', 'registry.example.com', '--username', USER, `--password=${TOKEN}`],
      ['--registry', 'registry.example.com', '--username', USER, '--password-stdin', TOKEN],
      ['--registry', 'registry.example.com', '--username', USER, `--password-stdin=${TOKEN}`],
      ['--registry', 'registry.example.com', '--username', USER, `--token=${TOKEN}`],
    ]) {
      const run = build(args, '');
      assert.equal(run.status, 2, `exit code for ${args.length} arguments`);
      assert.ok(run.stderr.length > 0, 'says what is wrong');
      // argv holds the token here by the user's own doing; only the output is checked.
      assertNoLeak({ ...run, argv: [] }, 'token as argument');
    }
  });

  it('fails cleanly, quoting no secret, on every error path', () => {
    const brokenMerge = path.join(sandbox, 'work', 'broken.json');
    fs.writeFileSync(brokenMerge, `{"auths":{"other.example.com":{"auth":"${OTHER_AUTH}"}`);
    const notObject = path.join(sandbox, 'work', 'array.json');
    fs.writeFileSync(notObject, `["${OTHER_AUTH}"]`);
    const cases: { args: string[]; stdin: string; why: string }[] = [
      { args: ['--registry', 'registry.example.com', '--username', USER, '--password-stdin'], stdin: '', why: 'empty token' },
      { args: ['--registry', 'registry.example.com', '--username', USER, '--password-stdin'], stdin: `${TOKEN}\n\n`, why: 'token with blank lines' },
      { args: ['--registry', 'registry.example.com', '--username', USER, '--password-stdin'], stdin: ` ${TOKEN} `, why: 'token with spaces' },
      { args: ['--registry', 'not a host!', '--username', USER, '--password-stdin'], stdin: TOKEN, why: 'bad registry' },
      { args: ['--registry', 'registry.example.com', '--username', 'a:b', '--password-stdin'], stdin: TOKEN, why: 'colon in username' },
      { args: ['--registry', 'registry.example.com', '--username', '', '--password-stdin'], stdin: TOKEN, why: 'empty username' },
      { args: ['--registry', 'registry.example.com', '--password-stdin'], stdin: TOKEN, why: 'no username' },
      { args: ['--username', USER, '--password-stdin'], stdin: TOKEN, why: 'no registry' },
      { args: ['--registry', 'registry.example.com', '--username', USER], stdin: TOKEN, why: 'no --password-stdin' },
      {
        args: ['--registry', 'registry.example.com', '--username', USER, '--password-stdin', '--merge', brokenMerge],
        stdin: TOKEN,
        why: 'merge file not JSON',
      },
      {
        args: ['--registry', 'registry.example.com', '--username', USER, '--password-stdin', '--merge', notObject],
        stdin: TOKEN,
        why: 'merge file not an object',
      },
      {
        args: ['--registry', 'registry.example.com', '--username', USER, '--password-stdin', '--merge', path.join(sandbox, 'missing.json')],
        stdin: TOKEN,
        why: 'merge file missing',
      },
      { args: ['--registry', 'registry.example.com', '--username', USER, '--password-stdin', '--merge', sandbox], stdin: TOKEN, why: 'merge file is a folder' },
    ];
    for (const { args, stdin, why } of cases) {
      const run = build(args, stdin);
      // First: the message below quotes stderr, which must hold no secret by then.
      assertNoLeak(run, why);
      assert.notEqual(run.status, 0, `${why}: exit code`);
      assert.ok(
        run.stderr.trim().length > 0 && run.stderr.trim().split('\n').length <= 3,
        `${why}: one short message, got ${JSON.stringify(run.stderr.slice(0, 200))}`,
      );
      assert.equal(run.stdout, '', `${why}: nothing on stdout`);
    }
  });
});

describe('--var values in CLI findings (issue 13, item 8)', () => {
  it('never prints a --var value that may be a secret, in any format', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitlab-ci-auth-var-'));
    try {
      fs.writeFileSync(
        path.join(dir, '.gitlab-ci.yml'),
        'job:\n  image: $REG/app:$DEPLOY_TOKEN\n  script: [x]\nother:\n  image: ${CI_REGISTRY_PASSWORD}x/y\n  script: [x]\n',
      );
      for (const format of ['text', 'json', 'codequality']) {
        const run = await runCliIn(dir, [
          'check',
          '.gitlab-ci.yml',
          '--format',
          format,
          '--var',
          'REG=deploy:FAKE-pw-in-url-123@registry.example.com',
          '--var',
          'DEPLOY_TOKEN=FAKE:token:value!!',
          '--var',
          'CI_REGISTRY_PASSWORD=FAKEpw/',
        ]);
        const output = `${run.stdout}${run.stderr}`;
        assert.ok(output.includes('registry.example.com'), `${format}: the finding still names the registry`);
        for (const secret of ['FAKE-pw-in-url-123', 'FAKE:token:value!!', 'FAKEpw/'])
          assert.ok(!output.includes(secret), `${format}: a --var secret reached the output`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

function runCliIn(cwd: string, argv: readonly string[]) {
  return runCli(argv, { cwd });
}
