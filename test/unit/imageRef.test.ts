import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parentPath, parseDockerReference, registryHostOf, registryKeyPath, runnerLookupPath } from '../../src/core/registry/imageRef';

const sha = 'a'.repeat(64);

// runner-auth-rules.md §1.3: image → Docker domain/path and runner lookup path (null domain = invalid for Docker).
const brieftable: readonly [image: string, domain: string | null, repository: string | null, lookupPath: string][] = [
  ['alpine', 'docker.io', 'library/alpine', 'docker.io/alpine'],
  ['library/alpine', 'docker.io', 'library/alpine', 'docker.io/library/alpine'],
  ['docker.io/library/alpine', 'docker.io', 'library/alpine', 'docker.io/library/alpine'],
  ['index.docker.io/x', 'docker.io', 'library/x', 'docker.io/x'],
  ['localhost:5000/x', 'localhost:5000', 'x', 'localhost:5000/x'],
  [`registry.example.com:5000/a/b:tag@sha256:${sha}`, 'registry.example.com:5000', 'a/b', 'registry.example.com:5000/a/b'],
  [`registry.example.com:5000/a/b@sha256:${sha}`, 'registry.example.com:5000', 'a/b', 'registry.example.com:5000/a/b@sha256'],
  ['my.registry/x', 'my.registry', 'x', 'my.registry/x'],
  ['MyHost/x', 'MyHost', 'x', 'docker.io/MyHost/x'],
  ['LOCALHOST/x', 'LOCALHOST', 'x', 'localhost/x'],
  ['MY.REGISTRY.COM/x', 'MY.REGISTRY.COM', 'x', 'my.registry.com/x'],
  ['my.registry/X', null, null, 'my.registry/X'],
  ['INDEX.DOCKER.IO/x', 'INDEX.DOCKER.IO', 'x', 'docker.io/x'],
  ['192.168.1.1/x', '192.168.1.1', 'x', '192.168.1.1/x'],
  ['[::1]:5000/x', '[::1]:5000', 'x', '[::1]:5000/x'],
  ['localhost:5000', 'docker.io', 'library/localhost', 'docker.io/localhost'],
];

for (const [image, domain, repository, lookupPath] of brieftable) {
  test(`${image}: Docker contacts ${domain ?? '(invalid)'}, the runner looks up ${lookupPath}`, () => {
    const reference = parseDockerReference(image);
    assert.equal(reference.valid, domain !== null);
    assert.equal(reference.registry, domain);
    assert.equal(reference.repository, repository);
    assert.equal(runnerLookupPath(image), lookupPath);
  });
}

test('tag and digest are reported separately; localhost:5000 without a slash is a tag on Docker Hub', () => {
  assert.deepEqual(parseDockerReference(`registry.example.com:5000/a/b:1.2-rc_3@sha256:${sha}`), {
    valid: true,
    registry: 'registry.example.com:5000',
    repository: 'a/b',
    tag: '1.2-rc_3',
    digest: `sha256:${sha}`,
    error: null,
  });
  assert.equal(parseDockerReference('localhost:5000').tag, '5000');
  assert.equal(parseDockerReference('alpine').tag, null);
});

test('runner vectors: uppercase namespace is Docker Hub unless it is localhost in any case', () => {
  assert.equal(runnerLookupPath('notLocalhost/test'), 'docker.io/notLocalhost/test');
  assert.equal(runnerLookupPath('LocalHost:5000/test/image:1'), 'localhost:5000/test/image');
  assert.equal(runnerLookupPath('index.DOCKER.io/group/image'), 'docker.io/group/image');
  assert.equal(runnerLookupPath('REGISTRY.Example.com/Group/Image:tag'), 'registry.example.com/Group/Image');
  assert.equal(runnerLookupPath('registry.example.com:5005/group/image:latest'), 'registry.example.com:5005/group/image');
  assert.equal(runnerLookupPath('user/image:tag'), 'docker.io/user/image');
  assert.equal(runnerLookupPath('localhost/x'), 'localhost/x');
});

test('runner lookup path follows Go path.Join cleaning (double slashes, dot segments)', () => {
  assert.equal(runnerLookupPath('registry.example.com//group/./image:1'), 'registry.example.com/group/image');
  assert.equal(runnerLookupPath('registry.example.com/group/'), 'registry.example.com/group');
});

test('Docker accepts its documented valid names', () => {
  for (const image of [
    'docker/docker',
    'docker.io/debian',
    'index.docker.io/library/debian',
    '127.0.0.1:5000/docker/docker',
    '192.168.0.1',
    '192.168.0.1:80',
    '[fc00::1]:5000/docker/docker',
    '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
    'xn--n3h.com/myimage',
    'registry.example.com/a__b/c---d/e.f_g:Tag.With_Mixed-Case',
    `repo@sha384:${'b'.repeat(96)}`,
  ]) {
    assert.equal(parseDockerReference(image).valid, true, image);
  }
  assert.equal(parseDockerReference('docker.io/debian').repository, 'library/debian');
  assert.equal(parseDockerReference('[fc00::1]:5000/docker/docker').registry, '[fc00::1]:5000');
});

test('Docker rejects malformed names with its own reason', () => {
  const rejected: readonly [string, RegExp][] = [
    ['https://github.com/docker/docker', /invalid reference format/],
    ['docker/Docker', /must be lowercase/],
    ['-docker', /invalid reference format/],
    ['docker///docker', /invalid reference format/],
    ['[fc00::1]:5000', /invalid reference format/],
    ['fc00::1:5000/debian', /invalid reference format/],
    ['[fe80::1%eth0]:5000/debian', /invalid reference format/],
    ['[2001:db8:3:4::192.0.2.33]:5000/debian', /invalid reference format/],
    [sha, /64-byte hexadecimal/],
    ['alpine:', /invalid reference format/],
    [`alpine:${'t'.repeat(129)}`, /invalid reference format/],
    ['alpine:-tag', /invalid reference format/],
    [`alpine@sha256:${'a'.repeat(63)}`, /digest length/],
    [`alpine@sha256:${'A'.repeat(64)}`, /digest format/],
    [`alpine@md5:${'a'.repeat(32)}`, /unsupported digest algorithm/],
    [`alpine@sha256:${'a'.repeat(31)}`, /invalid reference format/],
    ['', /at least one component/],
    ['registry.example.com/with space', /invalid reference format/],
  ];
  for (const [image, reason] of rejected) {
    const reference = parseDockerReference(image);
    assert.equal(reference.valid, false, image);
    assert.match(reference.error ?? '', reason, image);
    assert.equal(reference.registry, null);
  }
});

test('repository path is limited to 255 characters, the domain does not count', () => {
  const path255 = `a/${'b'.repeat(253)}`;
  assert.equal(parseDockerReference(`registry.example.com/${path255}`).valid, true);
  const tooLong = parseDockerReference(`registry.example.com/${path255}c`);
  assert.equal(tooLong.valid, false);
  assert.match(tooLong.error ?? '', /more than 255/);
});

// runner-auth-rules.md §2.4: auths / credHelpers key → lookup path.
const keyTable: readonly [key: string, path: string][] = [
  ['https://index.docker.io/v1/', 'docker.io'],
  ['http://index.docker.io/v1/', 'docker.io'],
  ['HTTPS://INDEX.DOCKER.IO/V1/blibb', 'docker.io'],
  ['docker.io', 'docker.io'],
  ['https://docker.io', 'docker.io'],
  ['index.docker.io', 'index.docker.io'],
  ['registry-1.docker.io', 'registry-1.docker.io'],
  ['https://registry-1.docker.io/v2/', 'registry-1.docker.io'],
  ['registry.example.com:5000', 'registry.example.com:5000'],
  ['https://my.hostname/v1/something', 'my.hostname'],
  ['my.HOSTNAME/With/Path/CASE', 'my.hostname/With/Path/CASE'],
  ['my.hostname:5000/with/tag/image:latest', 'my.hostname:5000/with/tag/image'],
  ['registry.example.com/v1/', 'registry.example.com/v1'],
  ['http://registry.example.com:5000', 'registry.example.com:5000'],
  ['[::1]:5000', '[::1]:5000'],
  ['http://192.168.1.1', '192.168.1.1'],
  ['registry2.domain.tld:5005/image/name:version', 'registry2.domain.tld:5005/image/name'],
  ['REGISTRY.EXAMPLE.COM', 'registry.example.com'],
];

for (const [key, path] of keyTable) {
  test(`key ${key} is looked up as ${path}`, () => {
    assert.equal(registryKeyPath(key), path);
  });
}

test('parentPath walks up one segment at a time and registryHostOf takes the first', () => {
  assert.equal(parentPath('registry.example.com:5000/a/b'), 'registry.example.com:5000/a');
  assert.equal(parentPath('registry.example.com:5000'), '');
  assert.equal(registryHostOf('registry.example.com:5000/a/b'), 'registry.example.com:5000');
  assert.equal(registryHostOf('docker.io'), 'docker.io');
});
