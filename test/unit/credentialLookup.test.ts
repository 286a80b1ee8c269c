import { test } from 'node:test';
import assert from 'node:assert/strict';
import { credentialSourceFromAuthConfig } from '../../src/core/registry/credentialSources';
import { parseAuthConfig } from '../../src/core/auth/parse';
import { lookupCredential, nearMisses } from '../../src/core/registry/credentialLookup';
import { jobPayloadSource, runnerConfigSource } from '../../src/core/registry/credentialSources';
import { registryKeyPath } from '../../src/core/registry/imageRef';
import type { CredentialSource, CredentialSourceKind } from '../../src/core/types';

function source(kind: CredentialSourceKind, keys: readonly string[], credsStore?: string): CredentialSource {
  const label = kind === 'job-payload' ? 'job token' : 'test';
  const built = { kind, keys: keys.map((key) => ({ key, path: registryKeyPath(key), via: 'auths' as const, label })) };
  return credsStore === undefined ? built : { ...built, credsStore };
}

function matchedKey(image: string, sources: readonly CredentialSource[]): string | null {
  return lookupCredential(image, sources).match?.key ?? null;
}

test('a more specific path wins over source order (upstream TestCredsForImagesWithDifferentPaths)', () => {
  const sources = [source('DOCKER_AUTH_CONFIG', ['registry.local/ns']), source('job-payload', ['registry.local/ns/blipp'])];
  const result = lookupCredential('registry.local/ns/blipp/image:1.0', sources);
  assert.deepEqual(result.match, { key: 'registry.local/ns/blipp', path: 'registry.local/ns/blipp', source: 'job-payload', label: 'job token' });
  assert.equal(result.lookupPath, 'registry.local/ns/blipp/image');
  assert.equal(lookupCredential('registry.local/ns/other:1.0', sources).match?.source, 'DOCKER_AUTH_CONFIG');
});

test('on the same path the first source wins: DOCKER_AUTH_CONFIG shadows the job token', () => {
  const sources = [source('DOCKER_AUTH_CONFIG', ['registry.gitlab.com']), jobPayloadSource({ CI_REGISTRY: 'registry.gitlab.com' })];
  assert.equal(lookupCredential('registry.gitlab.com/group/project:1', sources).match?.source, 'DOCKER_AUTH_CONFIG');
  assert.equal(lookupCredential('registry.gitlab.com/group/project:1', sources.slice(1)).match?.source, 'job-payload');
});

test('within one source the raw key first in byte order wins among keys of the same path', () => {
  assert.equal(
    matchedKey('registry.example.com/app', [source('DOCKER_AUTH_CONFIG', ['registry.example.com', 'https://registry.example.com'])]),
    'https://registry.example.com',
  );
  assert.equal(
    matchedKey('registry.example.com/app', [source('DOCKER_AUTH_CONFIG', ['registry.example.com', 'REGISTRY.EXAMPLE.COM'])]),
    'REGISTRY.EXAMPLE.COM',
  );
});

test('a path-scoped key covers its repositories only, segment by segment', () => {
  const sources = [source('DOCKER_AUTH_CONFIG', ['registry.example.com/group'])];
  assert.equal(matchedKey('registry.example.com/group/app:1', sources), 'registry.example.com/group');
  assert.equal(matchedKey('registry.example.com/group', sources), 'registry.example.com/group');
  assert.equal(matchedKey('registry.example.com/other/app', sources), null);
  assert.equal(matchedKey('registry.example.com/groupx/app', sources), null);
  assert.equal(matchedKey('registry.example.com/Group/app', sources), null);
});

test('a credHelpers key with a tag is scoped to that repository', () => {
  const parsed = parseAuthConfig('{"credHelpers":{"registry2.domain.tld:5005/image/name:version":"pass"}}');
  assert.ok(parsed.ok);
  const sources = [credentialSourceFromAuthConfig(parsed.config, 'DOCKER_AUTH_CONFIG', 'pipeline variable')];
  assert.equal(matchedKey('registry2.domain.tld:5005/image/name:other', sources), 'registry2.domain.tld:5005/image/name:version');
  assert.equal(matchedKey('registry2.domain.tld:5005/image/other', sources), null);
});

test('Docker Hub: every spelling the runner maps to docker.io covers every Hub image; the others cover none', () => {
  const hubImages = ['alpine', 'alpine:3.20', 'user/img', 'docker.io/library/alpine', 'index.docker.io/x', 'MyHost/x'];
  for (const key of ['https://index.docker.io/v1/', 'http://index.docker.io/v1/', 'docker.io', 'https://docker.io']) {
    for (const image of hubImages) assert.equal(matchedKey(image, [source('DOCKER_AUTH_CONFIG', [key])]), key, `${key} for ${image}`);
  }
  for (const key of ['index.docker.io', 'registry-1.docker.io', 'https://registry-1.docker.io/v2/']) {
    for (const image of hubImages) assert.equal(matchedKey(image, [source('DOCKER_AUTH_CONFIG', [key])]), null, `${key} for ${image}`);
  }
});

test('docker.io/library does not cover alpine (no library/ insertion) but covers library/alpine; docker.io/myorg covers myorg/img', () => {
  const sources = [source('DOCKER_AUTH_CONFIG', ['docker.io/library', 'docker.io/myorg'])];
  assert.equal(matchedKey('alpine', sources), null);
  assert.equal(matchedKey('library/alpine', sources), 'docker.io/library');
  assert.equal(matchedKey('myorg/img:1', sources), 'docker.io/myorg');
});

test('the job token: dependency proxy key gitlab.com:443 does not match gitlab.com/...; the registry key matches its host only', () => {
  const sources = [jobPayloadSource({ CI_REGISTRY: 'registry.gitlab.com', CI_DEPENDENCY_PROXY_SERVER: 'gitlab.com:443' })];
  assert.equal(matchedKey('gitlab.com/group/dependency_proxy/containers/alpine:3', sources), null);
  assert.equal(matchedKey('gitlab.com:443/group/dependency_proxy/containers/alpine:3', sources), 'gitlab.com:443');
  assert.equal(matchedKey('registry.gitlab.com/group/project/image:1', sources), 'registry.gitlab.com');
  assert.equal(matchedKey('registry.gitlab.com:443/group/project/image:1', sources), null);
  assert.deepEqual(jobPayloadSource({}).keys, []);
  assert.equal(lookupCredential('registry.gitlab.com/x', sources).match?.label, 'job token');
});

test('the port must match exactly', () => {
  assert.equal(matchedKey('registry.example.com:5000/x', [source('DOCKER_AUTH_CONFIG', ['registry.example.com'])]), null);
  assert.equal(matchedKey('registry.example.com/x', [source('DOCKER_AUTH_CONFIG', ['registry.example.com:443'])]), null);
  assert.equal(
    matchedKey('registry.example.com:5000/x', [source('DOCKER_AUTH_CONFIG', ['http://registry.example.com:5000'])]),
    'http://registry.example.com:5000',
  );
});

test('image hosts are matched case-insensitively, paths are not', () => {
  assert.equal(matchedKey('REGISTRY.example.com/app', [source('DOCKER_AUTH_CONFIG', ['registry.EXAMPLE.com'])]), 'registry.EXAMPLE.com');
  assert.equal(matchedKey('LOCALHOST:5000/app', [source('DOCKER_AUTH_CONFIG', ['localhost:5000'])]), 'localhost:5000');
});

test('no match with a credsStore somewhere: coverage unknown', () => {
  const withStore = [source('DOCKER_AUTH_CONFIG', ['a.example.com'], 'ecr-login')];
  assert.deepEqual(lookupCredential('b.example.com/x', withStore), { lookupPath: 'b.example.com/x', match: null, coverageUnknown: true });
  assert.equal(lookupCredential('a.example.com/x', withStore).coverageUnknown, false);
  assert.equal(lookupCredential('b.example.com/x', [source('DOCKER_AUTH_CONFIG', [])]).coverageUnknown, false);
});

test('runner-covered registries from settings match like auths keys, after DOCKER_AUTH_CONFIG', () => {
  const runner = runnerConfigSource(['registry.internal:5000', 'https://index.docker.io/v1/']);
  assert.equal(runner.kind, 'runner-config');
  assert.equal(lookupCredential('registry.internal:5000/tools/ci', [runner]).match?.label, 'runner setting');
  assert.equal(lookupCredential('node:22', [source('DOCKER_AUTH_CONFIG', ['docker.io']), runner]).match?.source, 'DOCKER_AUTH_CONFIG');
});

test('near misses: port, scheme, Docker Hub spelling, docker.io/library, case', () => {
  const sources = [
    source('DOCKER_AUTH_CONFIG', [
      'registry.example.com',
      'index.docker.io',
      'registry-1.docker.io/myorg',
      'docker.io/library',
      'other.example.com/MyGroup',
      'docker://third.example.com',
      'fourth.example.com/v1/',
    ]),
  ];
  const misses = (image: string) => nearMisses(image, sources).map(({ key, suggestedKey, reason }) => ({ key, suggestedKey, reason }));
  assert.deepEqual(misses('registry.example.com:5050/group/app:1'), [
    { key: 'registry.example.com', suggestedKey: 'registry.example.com:5050', reason: 'port' },
  ]);
  assert.deepEqual(misses('alpine:3'), [
    { key: 'index.docker.io', suggestedKey: 'https://index.docker.io/v1/', reason: 'docker-hub-spelling' },
    { key: 'docker.io/library', suggestedKey: 'https://index.docker.io/v1/', reason: 'docker-io-library' },
  ]);
  assert.deepEqual(misses('myorg/tool:1'), [
    { key: 'index.docker.io', suggestedKey: 'https://index.docker.io/v1/', reason: 'docker-hub-spelling' },
    { key: 'registry-1.docker.io/myorg', suggestedKey: 'docker.io/myorg', reason: 'docker-hub-spelling' },
  ]);
  assert.deepEqual(misses('other.example.com/mygroup/app'), [{ key: 'other.example.com/MyGroup', suggestedKey: 'other.example.com/mygroup', reason: 'case' }]);
  assert.deepEqual(misses('third.example.com/app'), [{ key: 'docker://third.example.com', suggestedKey: 'third.example.com', reason: 'scheme' }]);
  assert.deepEqual(misses('fourth.example.com/app'), [{ key: 'fourth.example.com/v1/', suggestedKey: 'fourth.example.com', reason: 'scheme' }]);
  assert.deepEqual(misses('unrelated.example.com/app'), []);
});

test('near misses: the dependency-proxy job token without :443, and matching keys are never reported', () => {
  const sources = [jobPayloadSource({ CI_DEPENDENCY_PROXY_SERVER: 'gitlab.com:443' }), source('DOCKER_AUTH_CONFIG', ['registry.example.com'])];
  assert.deepEqual(nearMisses('gitlab.com/group/dependency_proxy/containers/alpine', sources), [
    { key: 'gitlab.com:443', suggestedKey: 'gitlab.com', reason: 'port', source: 'job-payload', via: 'job-token' },
  ]);
  assert.deepEqual(nearMisses('registry.example.com/app', sources), []);
});
