import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { decodeTokenAccess, parseAuthChallenges, registryEndpointFor, verifyRegistryCredentials } from '../../src/core/registry/verify';
import { GITLAB_ACCESS_DENIED_BODY } from '../support/tokenServer';
import { verify } from '../support/verify';

interface LoopbackHttpServer {
  readonly url: string;
  readonly host: string;
  readonly requests: { method: string; url: string; authorization: string | undefined }[];
  stop(): Promise<void>;
}

async function startLoopbackHttpServer(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<LoopbackHttpServer> {
  const requests: LoopbackHttpServer['requests'] = [];
  const server = createHttpServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization });
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A fake fetch that answers from a table and records every request (URL + whether credentials were sent). */
function tableFetch(routes: Record<string, (init: RequestInit) => Response>): { fetch: typeof fetch; calls: { url: string; authorization: string | null }[] } {
  const calls: { url: string; authorization: string | null }[] = [];
  const fake = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = input.toString();
    calls.push({ url, authorization: new Headers(init.headers).get('authorization') });
    const route = Object.keys(routes).find((prefix) => url.startsWith(prefix));
    if (!route)
      throw Object.assign(new TypeError('fetch failed'), {
        cause: Object.assign(new Error(`getaddrinfo ENOTFOUND ${new URL(url).hostname}`), { code: 'ENOTFOUND' }),
      });
    return routes[route]!(init);
  }) as typeof fetch;
  return { fetch: fake, calls };
}

function unsignedJwt(claims: object): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

describe('verifyRegistryCredentials when the registry cannot be talked to', () => {
  const request = { username: 'ci-reader', secret: 'fake-secret-unreachable', repository: 'group/app' };

  test('unreachable: nothing listens on the port (connection refused)', async () => {
    const probe = createTcpServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const result = await verify({ ...request, registry: `127.0.0.1:${port}` });
    assert.equal(result.status, 'unreachable');
    assert.match(result.detail ?? '', /ECONNREFUSED/);
  });

  test('unreachable: a server that accepts and never answers hits the timeout', async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const { port } = silent.address() as AddressInfo;
    try {
      const started = Date.now();
      const result = await verify({ ...request, registry: `127.0.0.1:${port}` }, { timeoutMs: 300 });
      assert.equal(result.status, 'unreachable');
      assert.match(result.detail ?? '', /timeout after 300 ms/);
      assert.ok(Date.now() - started < 2_000, 'the overall timeout bounds the wait');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test('cancelling through the signal stops at once and says so', async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const { port } = silent.address() as AddressInfo;
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const result = await verify({ ...request, registry: `127.0.0.1:${port}` }, { timeoutMs: 10_000, signal: controller.signal });
      assert.equal(result.status, 'unreachable');
      assert.equal(result.detail, 'cancelled');
      assert.match(result.message, /cancelled/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test('garbage: an HTML page on /v2/ is not a registry', async () => {
    const server = await startLoopbackHttpServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' }).end('<!DOCTYPE html><html><body>Welcome to nginx!</body></html>');
    });
    try {
      const result = await verify({ ...request, registry: server.host });
      assert.equal(result.status, 'unreachable');
      assert.match(result.message, /did not answer like a container registry/);
      assert.match(result.detail ?? '', /HTML page/);
    } finally {
      await server.stop();
    }
  });

  test('garbage: a 401 without any challenge cannot be verified', async () => {
    const server = await startLoopbackHttpServer((_request, response) => response.writeHead(401).end('nope'));
    try {
      const result = await verify({ ...request, registry: server.host });
      assert.equal(result.status, 'unreachable');
      assert.match(result.detail ?? '', /without a WWW-Authenticate challenge/);
    } finally {
      await server.stop();
    }
  });

  test('garbage: a token service that answers HTML instead of a token', async () => {
    const server = await startLoopbackHttpServer((request, response) => {
      if (request.url?.startsWith('/token')) response.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>login</html>');
      else response.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${request.headers.host}/token",service="svc"` }).end();
    });
    try {
      const result = await verify({ ...request, registry: server.host });
      assert.equal(result.status, 'unreachable');
      assert.match(result.message, /without a token/);
      assert.match(result.detail ?? '', /HTML page/);
    } finally {
      await server.stop();
    }
  });

  test('echoes of the secret escaped, URL-encoded, re-encoded or cut short never reach the result', async () => {
    // A token with characters JSON and URLs escape, so every rendering differs from the raw one.
    const secret = 'glpat-"Ab/c+d e\\f=g&h?i<j>k-1234567890';
    const basic = Buffer.from(`ci-reader:${secret}`).toString('base64');
    const echoes = [
      JSON.stringify(secret),
      encodeURIComponent(secret),
      encodeURIComponent(basic),
      Buffer.from(secret).toString('base64'),
      Buffer.from(`x${secret}`).toString('base64url'),
      `${secret.slice(0, 20)}...`,
      `…${basic.slice(-12)}`,
      basic.slice(3, 40),
    ];
    for (const echo of echoes) {
      const server = await startLoopbackHttpServer((incoming, response) => {
        if (!incoming.headers.authorization) response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="r"' }).end();
        else
          response
            .writeHead(401, { 'Content-Type': 'application/json' })
            .end(JSON.stringify({ errors: [{ code: 'DENIED', message: `you sent ${echo} here` }] }));
      });
      try {
        const result = await verify({ ...request, secret, registry: server.host });
        assert.equal(result.status, 'wrong-credentials');
        const shown = `${result.message} ${result.detail ?? ''}`;
        for (const piece of [secret.slice(6, 16), basic.slice(6, 16), 'Ab%2Fc', 'Ab\\/c', Buffer.from(secret).toString('base64').slice(4, 14)]) {
          assert.ok(!shown.includes(piece), `echo #${echoes.indexOf(echo)}: a piece of the secret reached the result`);
        }
        assert.match(shown, /DENIED: you sent .*\[redacted\]/, `the error is still shown for echo #${echoes.indexOf(echo)}`);
      } finally {
        await server.stop();
      }
    }
  });

  test('a registry error body that echoes the credentials never reaches the result', async () => {
    const server = await startLoopbackHttpServer((request, response) => {
      const sent = request.headers.authorization;
      if (!sent) {
        response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="r"' }).end();
        return;
      }
      const decoded = Buffer.from(sent.slice(6), 'base64').toString();
      response.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'DENIED', message: `bad ${sent} ${decoded}` }] }));
    });
    try {
      const result = await verify({ ...request, registry: server.host });
      assert.equal(result.status, 'wrong-credentials');
      assert.match(result.detail ?? '', /DENIED: bad Basic \[redacted\] ci-reader:\[redacted\]/);
    } finally {
      await server.stop();
    }
  });
});

describe('verifyRegistryCredentials sends credentials only where the challenge says', () => {
  test('a token realm redirecting to another host gets the credentials, the redirect target does not', async () => {
    const elsewhere = await startLoopbackHttpServer((_request, response) => {
      response.writeHead(401, { 'Content-Type': 'application/json' }).end(GITLAB_ACCESS_DENIED_BODY);
    });
    const registry = await startLoopbackHttpServer((request, response) => {
      if (request.url?.startsWith('/jwt/auth')) {
        // localhost is another origin than 127.0.0.1 for the same port: a different host to the client.
        response.writeHead(307, { Location: `http://localhost:${new URL(elsewhere.url).port}/jwt/auth` }).end();
      } else {
        response.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${request.headers.host}/jwt/auth",service="container_registry"` }).end();
      }
    });
    try {
      const result = await verify({ registry: registry.host, username: 'alice', secret: 'fake-redirect-secret', repository: 'group/app' });
      assert.equal(result.status, 'wrong-credentials');
      assert.ok(registry.requests.some((request) => request.url.startsWith('/jwt/auth') && request.authorization?.startsWith('Basic ')));
      assert.equal(elsewhere.requests.length, 1);
      assert.equal(elsewhere.requests[0]!.authorization, undefined);
    } finally {
      await registry.stop();
      await elsewhere.stop();
    }
  });

  test('a plain-http token realm on a non-loopback host never receives the credentials', async () => {
    const { fetch, calls } = tableFetch({
      'https://registry.example.test/v2/': () =>
        new Response(null, { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="http://auth.example.test/token",service="s"' } }),
    });
    const result = await verify({ registry: 'registry.example.test', username: 'u', secret: 'fake-http-realm-secret', repository: 'a/b' }, { fetch });
    assert.equal(result.status, 'unreachable');
    assert.match(result.message, /plain http/);
    assert.deepEqual(
      calls.map((call) => call.url),
      ['https://registry.example.test/v2/'],
    );
  });

  test('Docker Hub: docker.io goes to registry-1.docker.io and official images get library/', async () => {
    const token = unsignedJwt({ access: [{ type: 'repository', name: 'library/alpine', actions: ['pull'] }] });
    const { fetch, calls } = tableFetch({
      'https://registry-1.docker.io/v2/library/alpine/manifests/3.20': () => new Response(null, { status: 200 }),
      'https://registry-1.docker.io/v2/': () =>
        new Response('{"errors":[{"code":"UNAUTHORIZED"}]}', {
          status: 401,
          headers: { 'WWW-Authenticate': 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"' },
        }),
      'https://auth.docker.io/token': () => new Response(JSON.stringify({ token, access_token: token, expires_in: 300 }), { status: 200 }),
    });
    const result = await verify(
      { registry: 'https://index.docker.io/v1/', username: 'me', secret: 'fake-dckr-pat', repository: 'alpine', tag: '3.20' },
      { fetch },
    );
    assert.equal(result.status, 'valid', result.detail);
    const tokenUrl = new URL(calls[1]!.url);
    assert.equal(tokenUrl.origin + tokenUrl.pathname, 'https://auth.docker.io/token');
    assert.equal(tokenUrl.searchParams.get('service'), 'registry.docker.io');
    assert.equal(tokenUrl.searchParams.get('scope'), 'repository:library/alpine:pull');
    assert.equal(calls[0]!.authorization, null, 'the first ping is anonymous');
    assert.equal(calls[2]!.authorization, `Bearer ${token}`, 'the registry gets the token, not the password');
  });

  test('an opaque token (GHCR-style) is checked by probing: 401 insufficient_scope is no pull access', async () => {
    const { fetch } = tableFetch({
      'https://ghcr.io/v2/org/img/manifests/latest': () =>
        new Response(null, {
          status: 401,
          headers: { 'WWW-Authenticate': 'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:org/img:pull",error="insufficient_scope"' },
        }),
      'https://ghcr.io/v2/': () =>
        new Response(null, { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="https://ghcr.io/token",service="ghcr.io"' } }),
      'https://ghcr.io/token': () => new Response(JSON.stringify({ token: 'opaque-not-a-jwt' }), { status: 200 }),
    });
    const result = await verify({ registry: 'ghcr.io', username: 'me', secret: 'fake-ghp-token', repository: 'org/img' }, { fetch });
    assert.equal(result.status, 'no-pull-access');
    assert.match(result.detail ?? '', /insufficient_scope/);
  });

  test('DNS failure is unreachable with the error code', async () => {
    const { fetch } = tableFetch({});
    const result = await verify({ registry: 'registry.invalid', username: 'u', secret: 'fake-dns-secret' }, { fetch });
    assert.equal(result.status, 'unreachable');
    assert.match(result.message, /could not be resolved/);
    assert.match(result.detail ?? '', /ENOTFOUND/);
  });

  test('an invalid repository name is rejected as a programming error, before any request', async () => {
    const { fetch, calls } = tableFetch({});
    await assert.rejects(
      verifyRegistryCredentials({ registry: 'r.example', username: 'u', secret: 'fake-x', repository: 'Group/App' }, { fetch, timeoutMs: 1000 }),
      TypeError,
    );
    assert.equal(calls.length, 0);
  });
});

describe('registry auth helpers', () => {
  test('registryEndpointFor: https except loopback, Docker Hub aliases, scheme and path tolerated', () => {
    assert.deepEqual(registryEndpointFor('registry.example.com:5050'), { baseUrl: 'https://registry.example.com:5050', isDockerHub: false });
    assert.deepEqual(registryEndpointFor('localhost:5000'), { baseUrl: 'http://localhost:5000', isDockerHub: false });
    assert.deepEqual(registryEndpointFor('127.0.0.2:5000'), { baseUrl: 'http://127.0.0.2:5000', isDockerHub: false });
    assert.deepEqual(registryEndpointFor('[::1]:5000'), { baseUrl: 'http://[::1]:5000', isDockerHub: false });
    assert.deepEqual(registryEndpointFor('docker.io'), { baseUrl: 'https://registry-1.docker.io', isDockerHub: true });
    assert.deepEqual(registryEndpointFor('https://index.docker.io/v1/'), { baseUrl: 'https://registry-1.docker.io', isDockerHub: true });
    assert.deepEqual(registryEndpointFor('gitlab.example.com/group/project'), { baseUrl: 'https://gitlab.example.com', isDockerHub: false });
    assert.equal(registryEndpointFor(''), undefined);
    assert.equal(registryEndpointFor('user@host'), undefined);
  });

  test('parseAuthChallenges: quoted commas, several challenges, case-insensitive names', () => {
    assert.deepEqual(
      parseAuthChallenges('Bearer realm="https://a.example/token?x=1,2",Service="registry",scope="repository:g/p:pull,push" , Basic realm="r"'),
      [
        { scheme: 'bearer', params: { realm: 'https://a.example/token?x=1,2', service: 'registry', scope: 'repository:g/p:pull,push' } },
        { scheme: 'basic', params: { realm: 'r' } },
      ],
    );
    assert.deepEqual(parseAuthChallenges('Basic realm=unquoted'), [{ scheme: 'basic', params: { realm: 'unquoted' } }]);
  });

  test('decodeTokenAccess: JWT access claim, or undefined for opaque tokens', () => {
    assert.deepEqual(decodeTokenAccess(unsignedJwt({ access: [{ type: 'repository', name: 'g/p', actions: ['pull'] }] })), [
      { type: 'repository', name: 'g/p', actions: ['pull'] },
    ]);
    assert.deepEqual(decodeTokenAccess(unsignedJwt({ sub: 'x' })), []);
    assert.equal(decodeTokenAccess('opaque-token'), undefined);
  });
});
