/**
 * What the browser build relies on instead of Node: base64 and UTF-8 helpers that give Node's `Buffer` results, the
 * registry `fetch` wrapper that tells a request the browser blocked (CORS) from a cancel, and the GitLab project read
 * from a GitLab remote folder URI where there is no git remote.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBase64UrlText, encodeBase64Bytes } from '../../src/core/auth/base64';
import { gitlabContextFromRemote, remoteUrlOfFolderUri } from '../../src/core/gitlab/projectContext';
import { browserRegistryFetch } from '../../src/core/registry/browserFetch';
import { BLOCKED_BY_BROWSER_MESSAGE, verifyRegistryCredentials } from '../../src/core/registry/verify';
import { utf8OfChunks } from '../../src/core/text';

describe('Node-free byte helpers', () => {
  const samples = ['', 'a', 'ab', 'abc', 'user:tök€n', '\u{1F600}:x', 'x'.repeat(1000)];

  it('encodeBase64Bytes and decodeBase64UrlText agree with Buffer', () => {
    for (const text of samples) {
      const bytes = new TextEncoder().encode(text);
      for (let skip = 0; skip < 3; skip++) assert.equal(encodeBase64Bytes(bytes.subarray(skip)), Buffer.from(bytes.subarray(skip)).toString('base64'));
      assert.equal(decodeBase64UrlText(Buffer.from(text).toString('base64url')), text);
      assert.equal(decodeBase64UrlText(Buffer.from(text).toString('base64')), text);
    }
  });

  it('utf8OfChunks joins across split characters and cuts at a byte limit as Buffer does', () => {
    const bytes = new TextEncoder().encode('ä€\u{1F600} plain');
    const chunks = [bytes.subarray(0, 1), bytes.subarray(1, 4), bytes.subarray(4)];
    assert.equal(utf8OfChunks(chunks), Buffer.from(bytes).toString('utf8'));
    for (let limit = 0; limit <= bytes.length; limit++) assert.equal(utf8OfChunks(chunks, limit), Buffer.from(bytes).subarray(0, limit).toString('utf8'));
  });
});

describe('registry verification from a browser', () => {
  const request = { registry: 'registry.example.com', username: 'ci', secret: 'fake-browser-secret' };

  it('a fetch the browser blocked (a bare TypeError) says plainly that verification cannot work there', async () => {
    const blocked = browserRegistryFetch(async () => {
      throw new TypeError('Failed to fetch');
    });
    const result = await verifyRegistryCredentials(request, { fetch: blocked, timeoutMs: 1000 });
    assert.equal(result.status, 'unreachable');
    assert.equal(result.message, BLOCKED_BY_BROWSER_MESSAGE);
  });

  it('without the wrapper the same failure is a plain network failure (the desktop wording stays)', async () => {
    const result = await verifyRegistryCredentials(request, {
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
      timeoutMs: 1000,
    });
    assert.notEqual(result.message, BLOCKED_BY_BROWSER_MESSAGE);
  });

  it('a cancel is still a cancel, not a block', async () => {
    const abort = new AbortController();
    const hanging = browserRegistryFetch(
      (_input, init) => new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))),
    );
    const pending = verifyRegistryCredentials(request, { fetch: hanging, timeoutMs: 5000, signal: abort.signal });
    abort.abort();
    const result = await pending;
    assert.equal(result.detail, 'cancelled');
  });
});

describe('the GitLab project of a GitLab remote folder (no git remote there)', () => {
  const uri = (authority: string, path: string, query: string) => ({ scheme: 'gitlab-remote', authority, path, query });

  it('reads the instance and project path from the URI', () => {
    const remote = remoteUrlOfFolderUri(uri('gitlab.example.com', '/app', 'project=group/sub/app&ref=main'));
    assert.equal(remote, 'https://gitlab.example.com/group/sub/app.git');
    const context = gitlabContextFromRemote(remote!, {});
    assert.equal(context?.instanceUrl, 'https://gitlab.example.com');
    assert.equal(context?.projectPath, 'group/sub/app');
  });

  it('says nothing where the URI cannot tell: other schemes, numeric ids, relative-URL instances, sub-folders', () => {
    assert.equal(remoteUrlOfFolderUri({ scheme: 'file', authority: '', path: '/work/app', query: '' }), undefined);
    assert.equal(remoteUrlOfFolderUri(uri('gitlab.example.com', '/app', 'project=278964&ref=main')), undefined);
    assert.equal(remoteUrlOfFolderUri(uri('example.com', '/gitlab/app', 'project=templates/ui&ref=main')), undefined);
    assert.equal(remoteUrlOfFolderUri(uri('gitlab.example.com', '', 'ref=main')), undefined);
  });
});
