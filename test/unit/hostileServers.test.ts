/**
 * Hostile servers (issue 13, item 4), played by loopback HTTP servers standing in for a remote-include host and for
 * GitLab's REST API: a redirect to another origin or down to http is not followed, a huge body is read up to the
 * size limit and no further (time and heap bounded), and a server's error text reaches a message cut short.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { GitLabClient, MAX_RESPONSE_BYTES } from '../../src/core/gitlab/client';
import { GitLabApiError } from '../../src/core/gitlab/errors';
import { ExternalIncludeCache } from '../../src/core/gitlab/externalIncludeCache';
import { parseInstanceUrl } from '../../src/core/gitlab/instance';
import type { ExternalIncludeRequest } from '../../src/core/pipeline/options';

v8.setFlagsFromString('--expose_gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

interface Server {
  readonly url: string;
  /** Paths requested, in order. */
  readonly requests: string[];
  /** Bytes of body written so far, over all responses. */
  sent: number;
  stop(): Promise<void>;
}

async function serve(handler: (request: http.IncomingMessage, response: http.ServerResponse, server: Server) => void): Promise<Server> {
  const httpServer = http.createServer();
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const server: Server = {
    url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`,
    requests: [],
    sent: 0,
    stop: () => {
      httpServer.closeAllConnections();
      return new Promise((resolve) => httpServer.close(() => resolve()));
    },
  };
  httpServer.on('request', (request, response) => {
    server.requests.push(request.url ?? '');
    handler(request, response, server);
  });
  return server;
}

/** Streams `total` bytes of YAML comment lines, writing more only as the client reads (so an early stop is seen). */
function streamHuge(response: http.ServerResponse, server: Server, total: number, status = 200): void {
  response.writeHead(status, { 'Content-Type': 'text/plain' });
  const chunk = Buffer.from(`# ${'x'.repeat(64 * 1024 - 3)}\n`);
  const writeMore = (): void => {
    while (server.sent < total && !response.destroyed) {
      server.sent += chunk.length;
      if (!response.write(chunk)) return void response.once('drain', writeMore);
    }
    response.end();
  };
  writeMore();
}

/** Remote includes are https only: the test's fetch sends `https://remote.test/…` to the loopback server, as is otherwise. */
function remoteFetchVia(server: Server): typeof fetch {
  return ((url: string, init: RequestInit) => fetch(url.replace('https://remote.test', server.url), init)) as typeof fetch;
}

async function fetchRemote(server: Server, path: string) {
  const cache = new ExternalIncludeCache({ api: undefined, instanceHost: undefined, fetchPublic: remoteFetchVia(server) });
  const url = `https://remote.test${path}`;
  const request = { kind: 'remote', url } as ExternalIncludeRequest;
  const { failures } = await cache.prefetch([request]);
  return { failures, text: cache.read(request)?.text };
}

async function measured<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; heapMb: number }> {
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  collectGarbage();
  return { result, ms, heapMb: (process.memoryUsage().heapUsed - before) / 2 ** 20 };
}

describe('include: remote from a hostile server (loopback stand-in)', () => {
  it('follows no redirect to another host or down to http, and follows one within the same origin', async () => {
    const other = await serve((_request, response) => response.writeHead(200).end('job:\n  script: [x]\n'));
    const remote = await serve((request, response) => {
      if (request.url === '/other-host.yml') response.writeHead(302, { Location: `${other.url}/internal` }).end();
      else if (request.url === '/downgrade.yml') response.writeHead(301, { Location: 'http://remote.test/ci.yml' }).end();
      else if (request.url === '/moved.yml') response.writeHead(307, { Location: '/ci.yml' }).end();
      else response.writeHead(200).end('job:\n  script: [x]\n');
    });
    try {
      const toOther = await fetchRemote(remote, '/other-host.yml');
      assert.match(toOther.failures[0]?.message ?? '', /redirect to another host or scheme is not followed/);
      assert.deepEqual(other.requests, [], 'nothing reached the other host');
      const downgrade = await fetchRemote(remote, '/downgrade.yml');
      assert.match(downgrade.failures[0]?.message ?? '', /http:\/\/remote\.test: a redirect to another host or scheme is not followed/);
      const moved = await fetchRemote(remote, '/moved.yml');
      assert.deepEqual(moved.failures, []);
      assert.equal(moved.text, 'job:\n  script: [x]\n');
      assert.deepEqual(remote.requests.slice(-2), ['/moved.yml', '/ci.yml']);
    } finally {
      await Promise.all([remote.stop(), other.stop()]);
    }
  });

  it('stops reading a 400 MB body at the size limit: bounded time and heap', async () => {
    const remote = await serve((_request, response, server) => streamHuge(response, server, 400 * 2 ** 20));
    try {
      const { result, ms, heapMb } = await measured(() => fetchRemote(remote, '/huge.yml'));
      assert.match(result.failures[0]?.message ?? '', /larger than \d+ bytes; it was not read/);
      assert.ok(remote.sent < 64 * 2 ** 20, `the server wrote ${remote.sent >> 20} MB before the client stopped`);
      assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms`);
      assert.ok(heapMb < 32, `kept ${heapMb.toFixed(0)} MB`);
    } finally {
      await remote.stop();
    }
  });
});

describe('GitLab API answers from a hostile server (loopback stand-in for GitLab)', () => {
  function clientOf(server: Server): GitLabClient {
    const parsed = parseInstanceUrl(server.url);
    assert.ok(parsed.ok);
    return new GitLabClient({ instance: parsed.instance, credential: { kind: 'private-token', token: 'FAKE-token-0001' }, fetch, maxAttempts: 1 });
  }

  it('stops reading a 400 MB answer at the size limit: bounded time and heap', async () => {
    const gitlab = await serve((_request, response, server) => streamHuge(response, server, 400 * 2 ** 20));
    try {
      const { result, ms, heapMb } = await measured(() =>
        clientOf(gitlab)
          .json({ method: 'GET', path: '/user' })
          .then(
            () => undefined,
            (error: unknown) => error,
          ),
      );
      assert.ok(GitLabApiError.is(result), String(result));
      assert.match(result.message, /larger than \d+ MB; it was not read/);
      assert.ok(gitlab.sent < MAX_RESPONSE_BYTES + 16 * 2 ** 20, `the server wrote ${gitlab.sent >> 20} MB`);
      assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms`);
      assert.ok(heapMb < 32, `kept ${heapMb.toFixed(0)} MB`);
    } finally {
      await gitlab.stop();
    }
  });

  it('cuts a 1 MB error text short before it reaches a message', async () => {
    const long = `refused ${'because '.repeat(128 * 1024)}`;
    const gitlab = await serve((request, response) => {
      const status = request.url?.includes('variables') ? 403 : 400;
      response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: long, error_description: long }));
    });
    try {
      for (const path of ['/projects/1/variables', '/user']) {
        const error = await clientOf(gitlab)
          .json({ method: 'GET', path })
          .then(
            () => undefined,
            (caught: unknown) => caught,
          );
        assert.ok(GitLabApiError.is(error));
        assert.ok(error.message.length < 500, `${path}: a message of ${error.message.length} characters`);
        assert.match(error.message, /refused because/);
      }
    } finally {
      await gitlab.stop();
    }
  });
});
