import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitLabApi } from '../../src/core/gitlab/api';
import { GitLabClient, retryAfterSeconds, type FetchLike, type GitLabCredential, type HttpRequestInit } from '../../src/core/gitlab/client';
import { errorFromResponse, GitLabApiError } from '../../src/core/gitlab/errors';
import { parseInstanceUrl, type GitLabInstance } from '../../src/core/gitlab/instance';
import { FakeGitLab } from '../support/fakeGitLab';

const apiToken = 'FAKE-pat-api-scope-0001';
const readApiToken = 'FAKE-pat-read-api-0002';
const registryOnlyToken = 'FAKE-pat-read-registry-0003';
const expiredToken = 'FAKE-pat-expired-0004';

function instanceAt(url: string): GitLabInstance {
  const parsed = parseInstanceUrl(url);
  assert.ok(parsed.ok);
  return parsed.instance;
}

function clientFor(server: FakeGitLab, token = apiToken, extra: { waits?: number[]; log?: string[]; maxAttempts?: number } = {}): GitLabClient {
  return new GitLabClient({
    instance: instanceAt(server.baseUrl),
    credential: { kind: 'private-token', token },
    fetch: fetch,
    sleep: async (milliseconds) => void extra.waits?.push(milliseconds),
    ...(extra.log ? { log: (line: string) => extra.log!.push(line) } : {}),
    ...(extra.maxAttempts ? { maxAttempts: extra.maxAttempts } : {}),
  });
}

async function rejection(promise: Promise<unknown>): Promise<GitLabApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(GitLabApiError.is(error), `expected a GitLabApiError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

describe('GitLab request building', () => {
  function recordingFetch(calls: { url: string; init: HttpRequestInit }[]): FetchLike {
    return async (url, init) => {
      calls.push({ url, init });
      return { status: 200, headers: new Headers({ 'content-type': 'application/json' }), text: async () => '{"key":"DOCKER_AUTH_CONFIG","value":"x"}' };
    };
  }

  it('URL-encodes a namespaced project path into one id segment and puts the scope filter in the query', async () => {
    const calls: { url: string; init: HttpRequestInit }[] = [];
    const api = new GitLabApi(
      new GitLabClient({
        instance: instanceAt('https://gitlab.example.com/gitlab/'),
        credential: { kind: 'private-token', token: apiToken },
        fetch: recordingFetch(calls),
      }),
    );
    await api.variable({ level: 'project', path: 'group/sub/app' }, 'DOCKER_AUTH_CONFIG', 'production');
    assert.equal(
      calls[0]!.url,
      'https://gitlab.example.com/gitlab/api/v4/projects/group%2Fsub%2Fapp/variables/DOCKER_AUTH_CONFIG?filter%5Benvironment_scope%5D=production',
    );
    assert.equal(calls[0]!.init.method, 'GET');
  });

  it('sends a personal access token as PRIVATE-TOKEN and an OAuth session token as Bearer, never in the URL', async () => {
    for (const credential of [
      { kind: 'private-token', token: apiToken },
      { kind: 'oauth', token: 'FAKE-oauth-0005' },
    ] satisfies GitLabCredential[]) {
      const calls: { url: string; init: HttpRequestInit }[] = [];
      const client = new GitLabClient({ instance: instanceAt('https://gitlab.com'), credential, fetch: recordingFetch(calls) });
      await client.json({ method: 'GET', path: '/user' });
      const headers = calls[0]!.init.headers;
      if (credential.kind === 'oauth') {
        assert.equal(headers['Authorization'], `Bearer ${credential.token}`);
        assert.equal(headers['PRIVATE-TOKEN'], undefined);
      } else {
        assert.equal(headers['PRIVATE-TOKEN'], credential.token);
        assert.equal(headers['Authorization'], undefined);
      }
      assert.ok(!calls[0]!.url.includes(credential.token));
      assert.equal(calls[0]!.init.redirect, 'manual');
    }
  });

  it('sends write bodies as JSON with typed booleans', async () => {
    const calls: { url: string; init: HttpRequestInit }[] = [];
    const api = new GitLabApi(
      new GitLabClient({ instance: instanceAt('https://gitlab.com'), credential: { kind: 'private-token', token: apiToken }, fetch: recordingFetch(calls) }),
    );
    await api.createVariable({ level: 'group', path: 'team' }, 'DOCKER_AUTH_CONFIG', {
      value: '{"auths":{}}',
      variable_type: 'env_var',
      protected: false,
      masked: true,
      raw: true,
      environment_scope: '*',
    });
    assert.equal(calls[0]!.url, 'https://gitlab.com/api/v4/groups/team/variables');
    assert.equal(calls[0]!.init.headers['Content-Type'], 'application/json');
    assert.deepEqual(JSON.parse(calls[0]!.init.body!), {
      key: 'DOCKER_AUTH_CONFIG',
      value: '{"auths":{}}',
      variable_type: 'env_var',
      protected: false,
      masked: true,
      raw: true,
      environment_scope: '*',
    });
  });
});

describe('GitLab instance URLs', () => {
  it('reads a bare host as https and keeps a relative URL root', () => {
    const bare = parseInstanceUrl('gitlab.example.com');
    assert.ok(bare.ok);
    assert.equal(bare.instance.apiUrl, 'https://gitlab.example.com/api/v4');
    const rooted = parseInstanceUrl('https://example.com/gitlab/api/v4/');
    assert.ok(rooted.ok);
    assert.equal(rooted.instance.baseUrl, 'https://example.com/gitlab');
    assert.equal(rooted.instance.origin, 'https://example.com');
  });

  it('allows plain http only for loopback addresses', () => {
    assert.equal(parseInstanceUrl('http://127.0.0.1:8929').ok, true);
    assert.equal(parseInstanceUrl('http://localhost:8929').ok, true);
    assert.equal(parseInstanceUrl('http://gitlab.example.com').ok, false);
  });

  it('refuses credentials, queries and other schemes', () => {
    assert.equal(parseInstanceUrl('https://user:pw@gitlab.example.com').ok, false);
    assert.equal(parseInstanceUrl('https://gitlab.example.com/?x=1').ok, false);
    assert.equal(parseInstanceUrl('ftp://gitlab.example.com').ok, false);
    assert.equal(parseInstanceUrl('   ').ok, false);
  });
});

describe('GitLab error mapping', () => {
  const request = { method: 'GET', path: '/projects/group%2Fapp/variables', host: 'gitlab.example.com' };

  it('turns the documented error bodies into reasons with a message that says what to do', () => {
    const expired = errorFromResponse(
      request,
      401,
      '{"error":"invalid_token","error_description":"Token is expired. You can either do re-authorization or token refresh."}',
    );
    assert.equal(expired.reason, 'unauthorized');
    assert.match(expired.message, /expired/);
    assert.match(expired.message, /Connect to GitLab/);

    const scope = errorFromResponse(
      request,
      403,
      '{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api"}',
    );
    assert.equal(scope.reason, 'insufficient-scope');
    assert.equal(scope.requiredScope, 'api');
    assert.match(scope.message, /`api` scope/);

    const role = errorFromResponse(request, 403, '{"message":"403 Forbidden"}');
    assert.equal(role.reason, 'forbidden');
    assert.match(role.message, /Maintainer/);

    const missing = errorFromResponse(request, 404, '{"message":"404 Project Not Found"}');
    assert.equal(missing.reason, 'not-found');
    assert.match(missing.message, /group\/app/);
    assert.match(missing.message, /404 Project Not Found/);

    const invalid = errorFromResponse({ ...request, method: 'POST' }, 400, '{"message":{"value":["is invalid"]}}');
    assert.equal(invalid.reason, 'validation');
    assert.equal(invalid.detail, 'value is invalid');

    const missingParameter = errorFromResponse({ ...request, method: 'POST' }, 400, '{"error":"expires_at is missing"}');
    assert.equal(missingParameter.detail, 'expires_at is missing');

    const limited = errorFromResponse(request, 429, 'Retry later', 60);
    assert.equal(limited.reason, 'rate-limited');
    assert.match(limited.message, /60 s/);

    assert.equal(errorFromResponse(request, 502, '<html>bad gateway</html>').reason, 'server-error');
  });

  it('reads Retry-After as seconds or as a date, and falls back to RateLimit-Reset', () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    assert.equal(retryAfterSeconds(new Headers({ 'Retry-After': '7' }), now), 7);
    assert.equal(retryAfterSeconds(new Headers({ 'Retry-After': 'Sun, 01 Jun 2025 12:00:30 GMT' }), now), 30);
    assert.equal(retryAfterSeconds(new Headers({ 'RateLimit-Reset': String(now / 1000 + 12) }), now), 12);
    assert.equal(retryAfterSeconds(new Headers({}), now), undefined);
  });
});

describe('GitLab client against the loopback GitLab API test server', () => {
  const server = new FakeGitLab();

  before(async () => {
    await server.start();
    server.tokens.set(apiToken, { scopes: ['api'], expiresAt: '2099-01-31' });
    server.tokens.set(readApiToken, { scopes: ['read_api'], expiresAt: null });
    server.tokens.set(registryOnlyToken, { scopes: ['read_registry'] });
    server.tokens.set(expiredToken, { scopes: ['api'], expiresAt: '2020-01-01' });
    server.addProject('group/app', 'maintainer');
    server.addProject('group/readonly', 'developer');
    for (let i = 0; i < 250; i++) server.addVariable('project:group/app', { key: `VAR_${i}`, value: `value-${i}` });
  });
  after(() => server.stop());

  it('validates a token with /personal_access_tokens/self and reads its scopes and expiry', async () => {
    const self = await new GitLabApi(clientFor(server)).tokenSelf();
    assert.deepEqual(self.scopes, ['api']);
    assert.equal(self.expires_at, '2099-01-31');
  });

  it('maps an expired token to "unauthorized" carrying GitLab\'s description', async () => {
    const error = await rejection(new GitLabApi(clientFor(server, expiredToken)).project('group/app'));
    assert.equal(error.reason, 'unauthorized');
    assert.equal(error.status, 401);
    assert.match(error.detail ?? '', /Token is expired/);
  });

  it('maps an unknown token to "unauthorized"', async () => {
    const error = await rejection(new GitLabApi(clientFor(server, 'FAKE-not-a-known-token')).tokenSelf());
    assert.equal(error.reason, 'unauthorized');
  });

  it('names the scope a read_registry-only token lacks', async () => {
    const error = await rejection(new GitLabApi(clientFor(server, registryOnlyToken)).project('group/app'));
    assert.equal(error.reason, 'insufficient-scope');
    assert.equal(error.requiredScope, 'read_api');
  });

  it('says a read_api token cannot write variables', async () => {
    const error = await rejection(
      new GitLabApi(clientFor(server, readApiToken)).createVariable({ level: 'project', path: 'group/app' }, 'X_VAR', {
        value: 'v',
        variable_type: 'env_var',
        protected: false,
        masked: false,
        raw: true,
        environment_scope: '*',
      }),
    );
    assert.equal(error.reason, 'insufficient-scope');
    assert.equal(error.requiredScope, 'api');
  });

  it('reports a role too low to list variables as "forbidden"', async () => {
    const error = await rejection(new GitLabApi(clientFor(server)).variables({ level: 'project', path: 'group/readonly' }));
    assert.equal(error.reason, 'forbidden');
  });

  it('reports an unknown project as "not found"', async () => {
    const error = await rejection(new GitLabApi(clientFor(server)).project('group/nope'));
    assert.equal(error.reason, 'not-found');
    assert.match(error.message, /group\/nope/);
  });

  it('follows x-next-page over every page with per_page=100', async () => {
    const variables = await new GitLabApi(clientFor(server)).variables({ level: 'project', path: 'group/app' });
    assert.equal(variables.length, 250);
    assert.equal(variables[249]!.key, 'VAR_249');
    const pages = server.requestsTo('GET', /^\/projects\/group%2Fapp\/variables$/).slice(-3);
    assert.deepEqual(
      pages.map((request) => [request.query.get('per_page'), request.query.get('page')]),
      [
        ['100', null],
        ['100', '2'],
        ['100', '3'],
      ],
    );
  });

  it('follows Link rel="next" when GitLab.com leaves the page headers out', async () => {
    server.omitPageHeaders = true;
    try {
      const variables = await new GitLabApi(clientFor(server)).variables({ level: 'project', path: 'group/app' });
      assert.equal(variables.length, 250);
    } finally {
      server.omitPageHeaders = false;
    }
  });

  it('refuses a next-page link that points to another host', async () => {
    server.failNext('GET', /variables$/, {
      status: 200,
      body: '[]',
      headers: { link: '<https://elsewhere.example/api/v4/projects/x/variables?page=2>; rel="next"' },
    });
    const error = await rejection(new GitLabApi(clientFor(server)).variables({ level: 'project', path: 'group/app' }));
    assert.equal(error.reason, 'bad-response');
  });

  it('waits out a 429 for the Retry-After it names, then succeeds', async () => {
    server.failNext('GET', /^\/user$/, { status: 429, body: 'Retry later', headers: { 'Retry-After': '2', 'Content-Type': 'text/plain' } });
    const waits: number[] = [];
    const user = await new GitLabApi(clientFor(server, apiToken, { waits })).currentUser();
    assert.equal(user.username, 'alice');
    assert.deepEqual(waits, [2000]);
  });

  it('does not wait out a 429 whose Retry-After exceeds the bound, and reports it', async () => {
    server.failNext('GET', /^\/user$/, { status: 429, body: 'Retry later', headers: { 'Retry-After': '3600' } });
    const waits: number[] = [];
    const error = await rejection(new GitLabApi(clientFor(server, apiToken, { waits })).currentUser());
    assert.equal(error.reason, 'rate-limited');
    assert.equal(error.retryAfterSeconds, 3600);
    assert.deepEqual(waits, []);
  });

  it('retries a 5xx a bounded number of times for reads', async () => {
    server.failNext('GET', /^\/user$/, { status: 502, body: 'bad gateway' }, 2);
    const waits: number[] = [];
    assert.equal((await new GitLabApi(clientFor(server, apiToken, { waits })).currentUser()).username, 'alice');
    assert.equal(waits.length, 2);

    server.failNext('GET', /^\/user$/, { status: 503, body: 'unavailable' }, 3);
    const before = server.requestsTo('GET', /^\/user$/).length;
    const error = await rejection(new GitLabApi(clientFor(server)).currentUser());
    assert.equal(error.reason, 'server-error');
    assert.equal(server.requestsTo('GET', /^\/user$/).length - before, 3);
  });

  it('never repeats a POST that failed with a 5xx (it may have created something)', async () => {
    server.failNext('POST', /deploy_tokens$/, { status: 500, body: '{"message":"500 Internal Server Error"}' });
    const before = server.requestsTo('POST', /deploy_tokens$/).length;
    const error = await rejection(new GitLabApi(clientFor(server)).createDeployToken('group/app', { name: 'ci-pull', scopes: ['read_registry'] }));
    assert.equal(error.reason, 'server-error');
    assert.equal(server.requestsTo('POST', /deploy_tokens$/).length - before, 1);
  });

  it('does not follow a redirect, so the token never reaches the redirect target', async () => {
    let targetHit = false;
    const target = http.createServer((_request, response) => {
      targetHit = true;
      response.end('{}');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const port = (target.address() as AddressInfo).port;
    server.failNext('GET', /^\/user$/, { status: 302, body: '', headers: { Location: `http://127.0.0.1:${port}/api/v4/user` } });
    try {
      const error = await rejection(new GitLabApi(clientFor(server)).currentUser());
      assert.equal(error.reason, 'redirect');
      assert.equal(targetHit, false);
    } finally {
      target.close();
    }
  });

  it('reports a server that is down as a network error, after bounded retries', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const waits: number[] = [];
    const client = new GitLabClient({
      instance: instanceAt(`http://127.0.0.1:${port}`),
      credential: { kind: 'private-token', token: apiToken },
      fetch,
      sleep: async (milliseconds) => void waits.push(milliseconds),
    });
    const error = await rejection(new GitLabApi(client).currentUser());
    assert.equal(error.reason, 'network');
    assert.match(error.message, /ECONNREFUSED/);
    assert.equal(waits.length, 2);
  });

  it('logs method, path and status only, never the token', async () => {
    const log: string[] = [];
    await new GitLabApi(clientFor(server, apiToken, { log })).project('group/app');
    await rejection(new GitLabApi(clientFor(server, expiredToken, { log })).project('group/app'));
    assert.deepEqual(log, ['GET /projects/group%2Fapp 200', 'GET /projects/group%2Fapp 401']);
  });

  it('never puts the token into an error message', async () => {
    const error = await rejection(new GitLabApi(clientFor(server, expiredToken)).project('group/app'));
    assert.ok(!error.message.includes(expiredToken));
  });
});
