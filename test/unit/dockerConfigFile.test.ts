import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DockerConfigFileError, mergeIntoDockerConfigFile } from '../../src/core/auth/dockerConfigFile';

const entry = { registry: 'registry.example.com:5050', username: 'gitlab+deploy-token-7', secret: 'fake-deploy-token-value' };
const expectedAuth = Buffer.from('gitlab+deploy-token-7:fake-deploy-token-value').toString('base64');
const now = new Date('2025-03-04T05:06:07.890Z');

let root: string;
let counter = 0;
/** A fresh `home/.docker/config.json` path per test; the directory does not exist yet. */
async function freshConfigPath(): Promise<{ dockerDir: string; configPath: string }> {
  const home = join(root, `home-${++counter}`);
  await mkdir(home);
  const dockerDir = join(home, '.docker');
  return { dockerDir, configPath: join(dockerDir, 'config.json') };
}

async function writeExisting(configPath: string, text: string, mode = 0o644): Promise<void> {
  await mkdir(join(configPath, '..'), { recursive: true });
  await writeFile(configPath, text);
  await chmod(configPath, mode);
}

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gitlab-ci-auth-docker-config-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('mergeIntoDockerConfigFile', () => {
  test('creates ~/.docker (0700) and config.json (0600) when missing', async () => {
    const { dockerDir, configPath } = await freshConfigPath();
    const result = await mergeIntoDockerConfigFile(configPath, [entry], { now });
    assert.deepEqual(result, { backupPath: null, created: true, credsStore: null, credHelperKeys: [], keys: ['registry.example.com:5050'] });
    assert.deepEqual(JSON.parse(await readFile(configPath, 'utf8')), { auths: { 'registry.example.com:5050': { auth: expectedAuth } } });
    assert.equal(await mode(configPath), 0o600);
    assert.equal(await mode(dockerDir), 0o700);
  });

  test('keeps unknown keys, credHelpers and other registries; replaces the same registry written another way', async () => {
    const { configPath } = await freshConfigPath();
    const existing = {
      auths: {
        'other.example.com': { auth: Buffer.from('someone:fake-other').toString('base64') },
        'https://registry.example.com:5050': { auth: Buffer.from('old:fake-old').toString('base64'), identitytoken: 'fake-identity' },
        'https://index.docker.io/v1/': {},
      },
      credHelpers: { 'gcr.io': 'gcloud' },
      psFormat: 'table {{.ID}}',
      HttpHeaders: { 'User-Agent': 'Docker-Client' },
      proxies: { default: { httpProxy: 'http://proxy.example:3128' } },
    };
    await writeExisting(configPath, JSON.stringify(existing, null, 2));
    const result = await mergeIntoDockerConfigFile(configPath, [entry], { now });
    assert.equal(result.created, false);
    const written = JSON.parse(await readFile(configPath, 'utf8'));
    assert.deepEqual(written.auths, {
      'other.example.com': existing.auths['other.example.com'],
      'registry.example.com:5050': { auth: expectedAuth },
      'https://index.docker.io/v1/': {},
    });
    assert.deepEqual(written.credHelpers, existing.credHelpers);
    assert.equal(written.psFormat, existing.psFormat);
    assert.deepEqual(written.HttpHeaders, existing.HttpHeaders);
    assert.deepEqual(written.proxies, existing.proxies);
  });

  test('Docker Hub in any spelling is written under https://index.docker.io/v1/, a registry path is dropped (Docker CLI matches by host)', async () => {
    const { configPath } = await freshConfigPath();
    const result = await mergeIntoDockerConfigFile(configPath, [
      { registry: 'docker.io/myorg', username: 'me', secret: 'fake-dckr-pat' },
      { registry: 'https://gitlab.example.com:5050/group/project', username: 'u', secret: 'fake-gl-token' },
    ]);
    assert.deepEqual(result.keys, ['https://index.docker.io/v1/', 'gitlab.example.com:5050']);
    const written = JSON.parse(await readFile(configPath, 'utf8'));
    assert.deepEqual(Object.keys(written.auths).sort(), ['gitlab.example.com:5050', 'https://index.docker.io/v1/']);
  });

  test('backs up the previous file byte for byte (mode 0600), keeps only that one backup, and makes the new file 0600', async () => {
    const { configPath } = await freshConfigPath();
    const previous = '{\n  "auths": {},\n  "detachKeys": "ctrl-e,e"\n}\n';
    await writeExisting(configPath, previous, 0o644);
    const result = await mergeIntoDockerConfigFile(configPath, [entry], { now });
    // A backup left by an earlier version holds older tokens: it goes.
    await writeExisting(`${configPath}.bak-20240101T000000Z`, '{"auths":{"old":{"auth":"b2xkOnRva2Vu"}}}', 0o644);
    assert.equal(result.backupPath, `${configPath}.bak`);
    assert.equal(await readFile(result.backupPath!, 'utf8'), previous);
    assert.equal(await mode(result.backupPath!), 0o600);
    assert.equal(await mode(configPath), 0o600);

    const current = await readFile(configPath, 'utf8');
    const second = await mergeIntoDockerConfigFile(configPath, [entry], { now });
    assert.equal(second.backupPath, `${configPath}.bak`);
    assert.equal(await readFile(second.backupPath!, 'utf8'), current, 'the one backup holds the file as it was just before');
    assert.equal(await mode(second.backupPath!), 0o600);
    const names = await readdir(join(configPath, '..'));
    assert.deepEqual(
      names.filter((name) => name.includes('.bak')),
      ['config.json.bak'],
      'one backup, no older tokens kept',
    );
  });

  test('invalid JSON: throws a typed error without quoting the file, and leaves it untouched with no backup', async () => {
    const { configPath } = await freshConfigPath();
    const broken = '{"auths":{"registry.example.com":{"auth":"c2VjcmV0LXZhbHVl"}},}';
    await writeExisting(configPath, broken, 0o600);
    await assert.rejects(mergeIntoDockerConfigFile(configPath, [entry], { now }), (error: unknown) => {
      assert.ok(DockerConfigFileError.is(error, 'invalid-json'));
      assert.match(error.message, /not valid JSON/);
      assert.match(error.message, /line 1, column/);
      assert.ok(!error.message.includes('c2VjcmV0LXZhbHVl'), 'the message never quotes the file');
      return true;
    });
    assert.equal(await readFile(configPath, 'utf8'), broken);
    assert.deepEqual(await readdir(join(configPath, '..')), ['config.json']);
  });

  test('a JSON value that is not an object, or auths that is not an object, is refused', async () => {
    const { configPath } = await freshConfigPath();
    await writeExisting(configPath, '["not", "a", "config"]');
    await assert.rejects(mergeIntoDockerConfigFile(configPath, [entry]), (error: unknown) => DockerConfigFileError.is(error, 'not-an-object'));
    await writeFile(configPath, '{"auths": "nope"}');
    await assert.rejects(mergeIntoDockerConfigFile(configPath, [entry]), (error: unknown) => DockerConfigFileError.is(error, 'invalid-auths'));
    assert.equal(await readFile(configPath, 'utf8'), '{"auths": "nope"}');
  });

  test('an invalid entry is refused before anything is written', async () => {
    const { dockerDir, configPath } = await freshConfigPath();
    await assert.rejects(
      mergeIntoDockerConfigFile(configPath, [{ ...entry, secret: 'fake token with spaces' }]),
      (error: unknown) => DockerConfigFileError.is(error, 'invalid-input') && !error.message.includes('fake token with spaces'),
    );
    await assert.rejects(stat(dockerDir), { code: 'ENOENT' });
  });

  test('warns when credsStore or a credHelpers entry would make Docker ignore the new auths entry', async () => {
    const { configPath } = await freshConfigPath();
    await writeExisting(configPath, JSON.stringify({ credsStore: 'desktop', credHelpers: { 'registry.example.com:5050': 'ecr-login' } }));
    const result = await mergeIntoDockerConfigFile(configPath, [entry]);
    assert.equal(result.credsStore, 'desktop');
    assert.deepEqual(result.credHelperKeys, ['registry.example.com:5050']);
  });

  test('an empty existing file counts as {}', async () => {
    const { configPath } = await freshConfigPath();
    await writeExisting(configPath, '');
    const result = await mergeIntoDockerConfigFile(configPath, [entry], { now });
    assert.equal(result.created, false);
    assert.notEqual(result.backupPath, null);
    assert.deepEqual(JSON.parse(await readFile(configPath, 'utf8')), { auths: { 'registry.example.com:5050': { auth: expectedAuth } } });
  });

  test('a symlinked config.json is updated at its target and stays a symlink', async () => {
    const { dockerDir, configPath } = await freshConfigPath();
    const dotfiles = join(root, `dotfiles-${counter}`);
    await mkdir(dotfiles);
    await mkdir(dockerDir);
    await writeFile(join(dotfiles, 'docker-config.json'), '{"psFormat":"x"}');
    await symlink(join(dotfiles, 'docker-config.json'), configPath);
    await mergeIntoDockerConfigFile(configPath, [entry]);
    assert.ok((await lstat(configPath)).isSymbolicLink());
    const written = JSON.parse(await readFile(join(dotfiles, 'docker-config.json'), 'utf8'));
    assert.equal(written.psFormat, 'x');
    assert.equal(written.auths['registry.example.com:5050'].auth, expectedAuth);
  });

  test('a process killed mid-write leaves the old file complete; the next write cleans up and completes', async () => {
    const { configPath } = await freshConfigPath();
    const previous = JSON.stringify({ auths: { 'other.example.com': { auth: Buffer.from('a:fake-b').toString('base64') } } }, null, '\t');
    await writeExisting(configPath, previous, 0o600);

    // The child writes with a hook that pauses once the new content is durable in the temp file, just before the rename.
    const modulePath = join(__dirname, '..', '..', 'src', 'core', 'auth', 'dockerConfigFile.js');
    const script = `
      const { mergeIntoDockerConfigFile } = require(${JSON.stringify(modulePath)});
      const entries = JSON.parse(process.env.ENTRIES);
      mergeIntoDockerConfigFile(process.env.CONFIG_PATH, entries, {
        beforeReplace: (tempPath) => new Promise(() => { process.stdout.write('paused ' + tempPath + '\\n'); setInterval(() => {}, 1000); }),
      }).catch((error) => { process.stderr.write(String(error)); process.exit(3); });
    `;
    const child = spawn(process.execPath, ['-e', script], {
      env: { ...process.env, CONFIG_PATH: configPath, ENTRIES: JSON.stringify([entry]) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tempPath = await new Promise<string>((resolve, reject) => {
      let output = '';
      let errors = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /paused (\S+)\n/.exec(output);
        if (match) resolve(match[1]!);
      });
      child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      child.on('exit', (code) => reject(new Error(`child exited (${code}) before pausing: ${errors}`)));
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    // The new content was complete on disk when the process died, and the target still holds the old file.
    assert.deepEqual(JSON.parse(await readFile(tempPath, 'utf8')).auths['registry.example.com:5050'], { auth: expectedAuth });
    assert.equal(await readFile(configPath, 'utf8'), previous);

    const result = await mergeIntoDockerConfigFile(configPath, [entry], { now });
    const written = JSON.parse(await readFile(configPath, 'utf8'));
    assert.deepEqual(Object.keys(written.auths), ['other.example.com', 'registry.example.com:5050']);
    const names = await readdir(join(configPath, '..'));
    assert.deepEqual(
      names.filter((name) => name.endsWith('.tmp')),
      [],
      'the dead process left no temp file behind',
    );
    // The killed run had already backed up the old file; the one backup still holds it.
    const backups = names.filter((name) => name.startsWith('config.json.bak'));
    assert.equal(backups.length, 1);
    for (const backup of backups) assert.equal(await readFile(join(configPath, '..', backup), 'utf8'), previous);
    assert.equal(await readFile(result.backupPath!, 'utf8'), previous);
  });
});
