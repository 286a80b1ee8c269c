import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { GitLabApi } from '../../src/core/gitlab/api';
import { GitLabClient, type FetchLike, type HttpRequestInit } from '../../src/core/gitlab/client';
import { ExternalIncludeCache, parseComponentAddress } from '../../src/core/gitlab/externalIncludeCache';
import { parseInstanceUrl } from '../../src/core/gitlab/instance';
import { FakeGitLab } from '../support/fakeGitLab';

const token = 'FAKE-pat-includes-0001';

function publicFetch(pages: Record<string, string>, calls: { url: string; init: HttpRequestInit }[]): FetchLike {
  return async (url, init) => {
    calls.push({ url, init });
    const text = pages[url];
    return { status: text === undefined ? 404 : 200, headers: new Headers(), text: async () => text ?? 'not found' };
  };
}

describe('external includes through the loopback GitLab API test server', () => {
  const server = new FakeGitLab();
  let api: GitLabApi;
  let host: string;

  before(async () => {
    await server.start();
    server.tokens.set(token, { scopes: ['read_api'] });
    server.addProject('group/app', 'developer');
    server.addProject('shared/ci', undefined);
    server.roles.set('group:shared', 'reporter');
    server.addFile('shared/ci', 'main', 'templates/build.yml', 'build:\n  image: registry.example.com/build:main\n');
    server.addFile('shared/ci', 'v2', 'templates/build.yml', 'build:\n  image: registry.example.com/build:v2\n');
    server.addFile('shared/ci', '1.4.0', 'templates/scan/template.yml', 'scan:\n  image: registry.example.com/scan:1.4\n');
    server.templates.set('Docker', 'docker-build:\n  image: docker:27\n');
    const parsed = parseInstanceUrl(server.baseUrl);
    assert.ok(parsed.ok);
    host = parsed.instance.host;
    api = new GitLabApi(new GitLabClient({ instance: parsed.instance, credential: { kind: 'private-token', token }, fetch }));
  });
  after(() => server.stop());

  it('fetches include:project files per ref, and the default branch when no ref is given', async () => {
    const cache = new ExternalIncludeCache({ api, instanceHost: host, fetchPublic: publicFetch({}, []) });
    const atV2 = { kind: 'project' as const, project: 'shared/ci', ref: 'v2', file: '/templates/build.yml' };
    const atDefault = { kind: 'project' as const, project: 'shared/ci', file: 'templates/build.yml' };
    assert.equal(cache.read(atV2), undefined, 'nothing before prefetch: read never blocks on the network');
    const result = await cache.prefetch([atV2, atDefault, atV2]);
    assert.deepEqual(result, { fetched: 2, failures: [] });
    assert.deepEqual(cache.read(atV2), { path: 'gitlab:shared/ci@v2/templates/build.yml', text: 'build:\n  image: registry.example.com/build:v2\n' });
    assert.match(cache.read(atDefault)!.text, /build:main/);
    const raw = server.requestsTo('GET', /repository\/files/);
    assert.ok(raw.every((request) => request.path === '/projects/shared%2Fci/repository/files/templates%2Fbuild.yml/raw'));
  });

  it('does not fetch a cached include twice, and remembers a failure until cleared', async () => {
    const cache = new ExternalIncludeCache({ api, instanceHost: host, fetchPublic: publicFetch({}, []) });
    const missing = { kind: 'project' as const, project: 'shared/ci', ref: 'main', file: 'nope.yml' };
    const first = await cache.prefetch([missing]);
    assert.equal(first.failures.length, 1);
    assert.match(first.failures[0]!.message, /404 File Not Found/);
    const before = server.requests.length;
    assert.deepEqual(await cache.prefetch([missing]), { fetched: 0, failures: [] });
    assert.equal(server.requests.length, before);
    cache.clear();
    assert.equal(cache.missing([missing]).length, 1);
  });

  it('resolves a component with an exact version from templates/<name>/template.yml', async () => {
    const cache = new ExternalIncludeCache({ api, instanceHost: host, fetchPublic: publicFetch({}, []) });
    const component = { kind: 'component' as const, component: `${host}/shared/ci/scan@1.4.0` };
    await cache.prefetch([component]);
    assert.deepEqual(cache.read(component), {
      path: 'gitlab:shared/ci@1.4.0/templates/scan/template.yml',
      text: 'scan:\n  image: registry.example.com/scan:1.4\n',
    });
  });

  it('leaves ~latest components and components of other instances unresolved, with a reason', async () => {
    const cache = new ExternalIncludeCache({ api, instanceHost: host, fetchPublic: publicFetch({}, []) });
    const latest = { kind: 'component' as const, component: `${host}/shared/ci/scan@~latest` };
    const foreign = { kind: 'component' as const, component: 'gitlab.other.example/shared/ci/scan@1.0.0' };
    const { failures } = await cache.prefetch([latest, foreign]);
    assert.match(failures[0]!.message, /pin an exact version/);
    assert.match(failures[1]!.message, /not on the connected instance/);
  });

  it('takes a template from the instance templates API', async () => {
    const cache = new ExternalIncludeCache({ api, instanceHost: host, fetchPublic: publicFetch({}, []) });
    const template = { kind: 'template' as const, template: 'Docker.gitlab-ci.yml' };
    await cache.prefetch([template]);
    assert.deepEqual(cache.read(template), { path: 'template:Docker.gitlab-ci.yml', text: 'docker-build:\n  image: docker:27\n' });
  });

  it("fetches a nested template (Jobs/…) from GitLab's public source without any token", async () => {
    const calls: { url: string; init: HttpRequestInit }[] = [];
    const url = 'https://gitlab.com/gitlab-org/gitlab/-/raw/master/lib/gitlab/ci/templates/Jobs/Build.gitlab-ci.yml';
    const cache = new ExternalIncludeCache({ api, instanceHost: host, fetchPublic: publicFetch({ [url]: 'build:\n  image: x\n' }, calls) });
    const template = { kind: 'template' as const, template: 'Jobs/Build.gitlab-ci.yml' };
    await cache.prefetch([template]);
    assert.equal(cache.read(template)?.text, 'build:\n  image: x\n');
    assert.deepEqual(Object.keys(calls[0]!.init.headers), ['Accept']);
  });

  it('fetches an https remote include anonymously and refuses http', async () => {
    const calls: { url: string; init: HttpRequestInit }[] = [];
    const url = 'https://ci.example.org/shared.yml';
    const cache = new ExternalIncludeCache({ api, instanceHost: host, fetchPublic: publicFetch({ [url]: 'x:\n  image: y\n' }, calls) });
    const remote = { kind: 'remote' as const, url };
    const insecure = { kind: 'remote' as const, url: 'http://ci.example.org/shared.yml' };
    const { failures } = await cache.prefetch([remote, insecure]);
    assert.equal(cache.read(remote)?.text, 'x:\n  image: y\n');
    assert.match(failures[0]!.message, /Only https/);
    assert.equal(calls.length, 1);
    assert.ok(!JSON.stringify(calls[0]!.init.headers).includes(token));
  });

  it('says to connect when a project include needs GitLab and there is no connection', async () => {
    const cache = new ExternalIncludeCache({ api: undefined, instanceHost: undefined, fetchPublic: publicFetch({}, []) });
    const { failures } = await cache.prefetch([{ kind: 'project', project: 'shared/ci', file: 'a.yml' }]);
    assert.match(failures[0]!.message, /Connect to GitLab/);
  });
});

describe('component addresses', () => {
  it('splits host, project path, component name and version', () => {
    assert.deepEqual(parseComponentAddress('gitlab.com/org/sub/components/sast@1.2.3'), {
      host: 'gitlab.com',
      project: 'org/sub/components',
      name: 'sast',
      version: '1.2.3',
    });
    assert.equal(parseComponentAddress('gitlab.com/sast@1.0'), undefined);
    assert.equal(parseComponentAddress('gitlab.com/org/proj/sast'), undefined);
  });
});
