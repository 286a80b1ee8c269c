/**
 * Registry verification against a real Docker registry (Debian's docker-registry on 127.0.0.1) with htpasswd Basic
 * auth, without auth, and with token auth behind a loopback GitLab-like token server. Integration tier: it starts real
 * processes, so it runs with `npm test -- --only integration`, not in the unit tier.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertRegistryToolsInstalled, basicAuthorization, pushTestImage, startRegistry, type RunningRegistry } from '../../support/registry';
import { startTokenServer, type TokenServer } from '../../support/tokenServer';
import { verify } from '../../support/verify';

test('docker-registry and htpasswd are installed (the real-registry tests never skip)', () => {
  assertRegistryToolsInstalled();
});

describe('verifyRegistryCredentials against a real docker-registry with htpasswd Basic auth', () => {
  const user = { username: 'ci-reader', password: 'fake-basic-password-1' };
  let registry: RunningRegistry;
  let digest: string;

  before(async () => {
    registry = await startRegistry({ kind: 'htpasswd', users: [user] });
    digest = await pushTestImage(registry.url, 'group/app', '1.0', basicAuthorization(user.username, user.password));
  });
  after(async () => registry?.stop());

  test('valid credentials that can pull the image', async () => {
    const result = await verify({ registry: registry.host, username: user.username, secret: user.password, repository: 'group/app', tag: '1.0' });
    assert.equal(result.status, 'valid', result.detail);
  });

  test('valid credentials, image named by digest', async () => {
    const result = await verify({ registry: registry.host, username: user.username, secret: user.password, repository: 'group/app', tag: digest });
    assert.equal(result.status, 'valid', result.detail);
  });

  test('valid login when no repository is given', async () => {
    const result = await verify({ registry: registry.host, username: user.username, secret: user.password });
    assert.equal(result.status, 'valid', result.detail);
  });

  test('wrong password is reported as wrong credentials with the HTTP status', async () => {
    const result = await verify({ registry: registry.host, username: user.username, secret: 'fake-wrong-password', repository: 'group/app', tag: '1.0' });
    assert.equal(result.status, 'wrong-credentials');
    assert.match(result.message, /401/);
    assert.match(result.detail ?? '', /UNAUTHORIZED/);
  });

  test('unknown user is reported as wrong credentials', async () => {
    const result = await verify({ registry: registry.host, username: 'nobody', secret: user.password, repository: 'group/app' });
    assert.equal(result.status, 'wrong-credentials');
  });

  test('a repository that does not exist is not-found (credentials fine)', async () => {
    const result = await verify({ registry: registry.host, username: user.username, secret: user.password, repository: 'group/missing', tag: '1.0' });
    assert.equal(result.status, 'not-found');
    assert.match(result.message, /group\/missing:1\.0/);
  });

  test('a tag that does not exist is not-found; the default tag is latest', async () => {
    const result = await verify({ registry: registry.host, username: user.username, secret: user.password, repository: 'group/app' });
    assert.equal(result.status, 'not-found');
    assert.match(result.message, /group\/app:latest/);
  });

  test('an auths key written with scheme and path still reaches the registry', async () => {
    const result = await verify({
      registry: `http://${registry.host}/v2/`,
      username: user.username,
      secret: user.password,
      repository: 'group/app',
      tag: '1.0',
    });
    assert.equal(result.status, 'valid', result.detail);
  });
});

describe('verifyRegistryCredentials against a real docker-registry without auth', () => {
  let registry: RunningRegistry;
  before(async () => {
    registry = await startRegistry({ kind: 'none' });
    await pushTestImage(registry.url, 'group/open', '1.0');
  });
  after(async () => registry?.stop());

  test('no auth required, said so without claiming the credentials are valid', async () => {
    const result = await verify({ registry: registry.host, username: 'anyone', secret: 'fake-unused-secret', repository: 'group/open', tag: '1.0' });
    assert.equal(result.status, 'no-auth-required');
    assert.match(result.message, /not (needed|checked)/);
  });

  test('no auth required, and a missing image is mentioned', async () => {
    const result = await verify({ registry: registry.host, username: 'anyone', secret: 'fake-unused-secret', repository: 'group/none', tag: '9' });
    assert.equal(result.status, 'no-auth-required');
    assert.match(result.message, /group\/none:9 was not found/);
  });
});

describe('verifyRegistryCredentials against a real docker-registry with token auth (loopback GitLab-like token server)', () => {
  const alice = { username: 'alice', password: 'fake-alice-token' };
  const deployToken = { username: 'gitlab+deploy-token-1', password: 'fake-deploy-token' };
  const bob = { username: 'bob', password: 'fake-bob-token' };
  let tokenServer: TokenServer;
  let registry: RunningRegistry;

  before(async () => {
    tokenServer = await startTokenServer({
      users: [
        { ...alice, permissions: { 'group/app': ['pull', 'push'], 'group/empty': ['pull', 'push'] } },
        { ...deployToken, permissions: { 'group/app': ['pull'] } },
        { ...bob, permissions: { 'other/repo': ['pull', 'push'] } },
      ],
    });
    registry = await startRegistry({ kind: 'token', tokenServer });
    const pushToken = tokenServer.mintToken('seeder', [{ type: 'repository', name: 'group/app', actions: ['pull', 'push'] }]);
    await pushTestImage(registry.url, 'group/app', '1.0', `Bearer ${pushToken}`);
  });
  after(async () => {
    await registry?.stop();
    await tokenServer?.stop();
  });

  test('valid (loopback GitLab-like token server): user with pull rights, asking only for pull', async () => {
    const before = tokenServer.requests.length;
    const result = await verify({ registry: registry.host, username: alice.username, secret: alice.password, repository: 'group/app', tag: '1.0' });
    assert.equal(result.status, 'valid', result.detail);
    const tokenRequest = tokenServer.requests[before];
    assert.deepEqual(tokenRequest, { username: 'alice', service: 'container_registry', scopes: ['repository:group/app:pull'] });
  });

  test('valid (loopback GitLab-like token server): pull-only deploy token', async () => {
    const result = await verify({ registry: registry.host, username: deployToken.username, secret: deployToken.password, repository: 'group/app', tag: '1.0' });
    assert.equal(result.status, 'valid', result.detail);
  });

  test('valid login without a repository (loopback GitLab-like token server)', async () => {
    const result = await verify({ registry: registry.host, username: alice.username, secret: alice.password });
    assert.equal(result.status, 'valid', result.detail);
  });

  test('wrong credentials (loopback GitLab-like token server): 401 from the token service', async () => {
    const result = await verify({ registry: registry.host, username: alice.username, secret: 'fake-wrong-token', repository: 'group/app', tag: '1.0' });
    assert.equal(result.status, 'wrong-credentials');
    assert.match(result.message, /401/);
    assert.match(result.detail ?? '', /HTTP Basic: Access denied/);
  });

  test('wrong credentials without a repository (loopback GitLab-like token server)', async () => {
    const result = await verify({ registry: registry.host, username: 'nobody', secret: alice.password });
    assert.equal(result.status, 'wrong-credentials');
  });

  test('no pull access (loopback GitLab-like token server): valid user whose token grants nothing on the repository', async () => {
    const result = await verify({ registry: registry.host, username: bob.username, secret: bob.password, repository: 'group/app', tag: '1.0' });
    assert.equal(result.status, 'no-pull-access');
    assert.match(result.message, /group\/app/);
  });

  test('not found (loopback GitLab-like token server): pull rights but the tag is missing', async () => {
    const result = await verify({ registry: registry.host, username: alice.username, secret: alice.password, repository: 'group/app', tag: 'missing' });
    assert.equal(result.status, 'not-found');
  });

  test('not found (loopback GitLab-like token server): pull rights on a repository with no images', async () => {
    const result = await verify({ registry: registry.host, username: alice.username, secret: alice.password, repository: 'group/empty', tag: '1.0' });
    assert.equal(result.status, 'not-found');
    assert.match(result.detail ?? '', /404/);
  });
});
