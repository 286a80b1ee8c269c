import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli, type CliRun } from './cliSupport';

const sentinel = 'fake-SENTINEL-token-4f1c';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function run(argv: string[], options: { files?: Record<string, string>; stdin?: string } = {}): Promise<CliRun> {
  return runCli(argv, { cwd: '/project', ...options });
}

function jsonLines(stdout: string): unknown[] {
  return stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
}

test('image-ref prints one JSON object per image, Docker view and runner lookup path', async () => {
  const { code, stdout } = await run(['image-ref', 'alpine:3.20', 'MyHost/x', 'my.registry/X']);
  assert.equal(code, 0);
  assert.deepEqual(jsonLines(stdout), [
    { image: 'alpine:3.20', valid: true, registry: 'docker.io', repository: 'library/alpine', tag: '3.20', digest: null, lookupPath: 'docker.io/alpine' },
    { image: 'MyHost/x', valid: true, registry: 'MyHost', repository: 'x', tag: null, digest: null, lookupPath: 'docker.io/MyHost/x' },
    { image: 'my.registry/X', valid: false, registry: null, repository: null, tag: null, digest: null, lookupPath: 'my.registry/X' },
  ]);
});

test('image-ref without an image is a usage error', async () => {
  const { code, stderr } = await run(['image-ref']);
  assert.equal(code, 2);
  assert.match(stderr, /at least one IMAGE/);
});

const authConfig = JSON.stringify({ auths: { 'https://registry.example.com': { auth: b64(`deployer:${sentinel}`) } } });

test('lookup reports the matching key as written and its source', async () => {
  const { code, stdout } = await run(['lookup', 'registry.example.com/group/app:1', '--auth-config', 'auth.json'], { files: { 'auth.json': authConfig } });
  assert.equal(code, 0);
  assert.deepEqual(jsonLines(stdout), [
    {
      image: 'registry.example.com/group/app:1',
      lookupPath: 'registry.example.com/group/app',
      match: { key: 'https://registry.example.com', source: 'DOCKER_AUTH_CONFIG', path: 'registry.example.com' },
      warnings: [],
      error: null,
    },
  ]);
  assert.ok(!stdout.includes(sentinel) && !stdout.includes(b64(`deployer:${sentinel}`)));
});

test('lookup: DOCKER_AUTH_CONFIG shadows the job token on the same path; the job token covers what nothing else does', async () => {
  const files = { 'auth.json': JSON.stringify({ auths: { 'registry.gitlab.com': { auth: b64(`bot:${sentinel}`) } } }) };
  const shadowed = await run(['lookup', 'registry.gitlab.com/g/p:1', '--auth-config', 'auth.json', '--job-credential', 'registry.gitlab.com'], { files });
  assert.equal((jsonLines(shadowed.stdout)[0] as { match: { source: string } }).match.source, 'DOCKER_AUTH_CONFIG');
  const jobOnly = await run(['lookup', 'registry.gitlab.com/g/p:1', '--job-credential', 'registry.gitlab.com', '--job-credential', 'gitlab.com:443']);
  assert.deepEqual((jsonLines(jobOnly.stdout)[0] as { match: unknown }).match, {
    key: 'registry.gitlab.com',
    source: 'job-payload',
    path: 'registry.gitlab.com',
  });
});

test('lookup: a broken --auth-config is dropped whole with the reason in warnings, like the runner does', async () => {
  const broken = JSON.stringify({ auths: { 'registry.gitlab.com': { auth: `${b64(`bot:${sentinel}`)} ` } } });
  const { code, stdout } = await run(['lookup', 'registry.gitlab.com/g/p:1', '--auth-config', 'auth.json', '--job-credential', 'registry.gitlab.com'], {
    files: { 'auth.json': broken },
  });
  assert.equal(code, 0);
  const line = jsonLines(stdout)[0] as { match: { source: string }; warnings: string[]; error: null };
  assert.equal(line.match.source, 'job-payload');
  assert.equal(line.warnings.length, 1);
  assert.match(line.warnings[0]!, /ignored by the runner.*not valid base64/);
  assert.equal(line.error, null);
  assert.ok(!stdout.includes(sentinel) && !stdout.includes(b64(`bot:${sentinel}`)));
});

test('lookup: a helper name with a path aborts the lookup: error set, no match, exit 0', async () => {
  const files = { 'runner.json': JSON.stringify({ credHelpers: { 'registry.example.com': '/tmp/helper' } }) };
  const { code, stdout } = await run(['lookup', 'registry.example.com/app', '--runner-config', 'runner.json', '--job-credential', 'registry.example.com'], {
    files,
  });
  assert.equal(code, 0);
  const line = jsonLines(stdout)[0] as { match: unknown; error: string };
  assert.equal(line.match, null);
  assert.match(line.error, /aborts.*bare name/);
});

test('lookup: no match explains a near-miss key and an unknown credsStore', async () => {
  const files = { 'auth.json': JSON.stringify({ auths: { 'registry.example.com': { auth: b64(`bot:${sentinel}`) } }, credsStore: 'desktop' }) };
  const { stdout } = await run(['lookup', 'registry.example.com:5050/app', '--auth-config', 'auth.json'], { files });
  const line = jsonLines(stdout)[0] as { match: unknown; warnings: string[] };
  assert.equal(line.match, null);
  assert.ok(line.warnings.some((warning) => /credsStore.*coverage unknown/.test(warning)));
  assert.ok(line.warnings.some((warning) => /"registry.example.com".*port.*"registry.example.com:5050"/.test(warning)));
});

test('lookup usage and I/O errors exit 2', async () => {
  assert.equal((await run(['lookup'])).code, 2);
  assert.equal((await run(['lookup', 'a', 'b'])).code, 2);
  const missing = await run(['lookup', 'alpine', '--auth-config', 'missing.json']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read --auth-config missing.json/);
  assert.equal((await run(['lookup', 'alpine', '--unknown'])).code, 2);
});

test('build prints a minified DOCKER_AUTH_CONFIG from the token on stdin, one trailing newline trimmed', async () => {
  for (const stdin of [sentinel, `${sentinel}\n`, `${sentinel}\r\n`]) {
    const { code, stdout, stderr } = await run(['build', '--registry', 'Registry.Example.com:5050', '--username', 'deployer', '--password-stdin'], { stdin });
    assert.equal(code, 0);
    assert.equal(stdout, `{"auths":{"registry.example.com:5050":{"auth":"${b64(`deployer:${sentinel}`)}"}}}\n`);
    assert.equal(stderr, '');
  }
});

test('build --merge keeps the other entries and replaces the same registry', async () => {
  const existing = JSON.stringify({ auths: { 'https://registry.example.com': { auth: b64('old:fake-old') }, 'other.example.com': { auth: b64('o:fake-o') } } });
  const { code, stdout } = await run(['build', '--registry', 'registry.example.com', '--username', 'deployer', '--password-stdin', '--merge', 'old.json'], {
    stdin: sentinel,
    files: { 'old.json': existing },
  });
  assert.equal(code, 0);
  assert.equal(stdout, `{"auths":{"registry.example.com":{"auth":"${b64(`deployer:${sentinel}`)}"},"other.example.com":{"auth":"${b64('o:fake-o')}"}}}\n`);
});

test('build rejects bad input with exit 2 and a how-to-fix message that never contains the token', async () => {
  const cases: readonly [string[], string, RegExp][] = [
    [['--registry', 'registry.example.com', '--username', 'deployer', '--password-stdin'], `${sentinel}\n\n`, /line breaks/],
    [['--registry', 'registry.example.com', '--username', 'deployer', '--password-stdin'], `${sentinel} extra`, /spaces/],
    [['--registry', 'registry.example.com', '--username', 'deployer', '--password-stdin'], '', /Enter the token/],
    [['--registry', 'registry.example.com:0', '--username', 'deployer', '--password-stdin'], sentinel, /host\[:port\]/],
    [['--registry', 'registry.example.com', '--username', 'a:b', '--password-stdin'], sentinel, /must not contain ":"/],
    [['--registry', 'registry.example.com', '--username', 'deployer'], sentinel, /--password-stdin is required/],
    [['--registry', 'registry.example.com', '--username', 'deployer', '--password-stdin', sentinel], '', /no positional arguments/],
    [['--registry', 'registry.example.com', '--username', 'deployer', `--password=${sentinel}`], '', /unknown option --password$/m],
    [['--registry', 'registry.example.com', '--username', 'deployer', '--password-stdin', '--merge', 'bad.json'], sentinel, /not valid JSON/],
  ];
  for (const [args, stdin, reason] of cases) {
    const { code, stdout, stderr } = await run(['build', ...args], { stdin, files: { 'bad.json': `{"auths":{"x":{"auth":"${sentinel}"` } });
    assert.equal(code, 2, args.join(' '));
    assert.equal(stdout, '');
    assert.match(stderr, reason);
    assert.ok(!stderr.includes(sentinel), `the token leaked into stderr for ${reason}`);
  }
});

test('the bundled CLI (node dist/cli.js) runs image-ref and build end to end', () => {
  const root = path.join(__dirname, '..', '..', '..');
  const bundle = spawnSync(process.execPath, ['esbuild.config.mjs'], { cwd: root, encoding: 'utf8' });
  assert.equal(bundle.status, 0, bundle.stderr);
  const cli = path.join(root, 'dist', 'cli.js');

  const imageRef = spawnSync(process.execPath, [cli, 'image-ref', 'localhost:5000'], { encoding: 'utf8' });
  assert.equal(imageRef.status, 0, imageRef.stderr);
  assert.deepEqual(JSON.parse(imageRef.stdout), {
    image: 'localhost:5000',
    valid: true,
    registry: 'docker.io',
    repository: 'library/localhost',
    tag: '5000',
    digest: null,
    lookupPath: 'docker.io/localhost',
  });

  const merge = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gitlab-ci-auth-')), 'existing.json');
  fs.writeFileSync(merge, '{"credsStore":"desktop"}');
  const build = spawnSync(
    process.execPath,
    [cli, 'build', '--registry', 'registry.example.com', '--username', 'deployer', '--password-stdin', '--merge', merge],
    {
      input: `${sentinel}\n`,
      encoding: 'utf8',
    },
  );
  assert.equal(build.status, 0, build.stderr);
  assert.equal(build.stdout, `{"auths":{"registry.example.com":{"auth":"${b64(`deployer:${sentinel}`)}"}},"credsStore":"desktop"}\n`);

  const refused = spawnSync(process.execPath, [cli, 'build', '--registry', 'registry.example.com', '--username', 'deployer', '--password-stdin'], {
    input: `${sentinel} with space`,
    encoding: 'utf8',
  });
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /^gitlab-ci-auth build: The token must not contain spaces/);
  assert.ok(!refused.stderr.includes(sentinel));
  fs.rmSync(path.dirname(merge), { recursive: true, force: true });
});
