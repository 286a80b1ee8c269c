import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAuthEntries } from '../../src/core/auth/decodeEntries';
import { combinedAuthConfig } from '../../src/core/auth/combinedAuthConfig';
import { isEcrRegistry, registryFamily } from '../../src/core/wizard/registryGuide';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('decodeAuthEntries (import of an existing DOCKER_AUTH_CONFIG)', () => {
  it('decodes auth as base64 of user:secret, splitting at the first colon', () => {
    const text = JSON.stringify({ auths: { 'registry.example.com:5000': { auth: b64('robot:fake:secret') } } });
    assert.deepEqual(decodeAuthEntries(text)?.auths, [{ key: 'registry.example.com:5000', username: 'robot', secret: 'fake:secret' }]);
  });

  it('trims the NUL padding Docker trims from the secret, and skips a secret that is not UTF-8 text', () => {
    const padded = JSON.stringify({ auths: { 'registry.example.com': { auth: b64('robot:fake-3\0\0') } } });
    assert.deepEqual(decodeAuthEntries(padded)?.auths, [{ key: 'registry.example.com', username: 'robot', secret: 'fake-3' }]);
    const binary = JSON.stringify({ auths: { 'registry.example.com': { auth: Buffer.from([0x75, 0x3a, 0xff]).toString('base64') } } });
    const decoded = decodeAuthEntries(binary);
    assert.deepEqual(decoded?.auths, []);
    assert.equal(decoded?.skipped.length, 1);
  });

  it('lets auth override username and password, as the runner does', () => {
    const text = JSON.stringify({ auths: { 'registry.example.com': { username: 'other', password: 'other-fake', auth: b64('robot:fake-1') } } });
    assert.deepEqual(decodeAuthEntries(text)?.auths, [{ key: 'registry.example.com', username: 'robot', secret: 'fake-1' }]);
  });

  it('uses username and password when auth is empty', () => {
    const text = JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: '', username: 'alice', password: 'fake-2' } } });
    assert.deepEqual(decodeAuthEntries(text)?.auths, [{ key: 'https://index.docker.io/v1/', username: 'alice', secret: 'fake-2' }]);
  });

  it('matches field names case-insensitively (Go encoding/json)', () => {
    const text = `{"Auths":{"registry.example.com":{"AUTH":"${b64('robot:fake-3')}"}}}`;
    assert.deepEqual(decodeAuthEntries(text)?.auths, [{ key: 'registry.example.com', username: 'robot', secret: 'fake-3' }]);
  });

  it('ignores line breaks inside auth but requires padding', () => {
    const encoded = b64('robot:fake-4'); // "cm9ib3Q6ZmFrZS00" has no padding; use one that needs it
    const padded = b64('robot:fake-45');
    assert.ok(padded.endsWith('='));
    const withBreak = `${padded.slice(0, 4)}\n${padded.slice(4)}`;
    assert.equal(decodeAuthEntries(JSON.stringify({ auths: { a: { auth: withBreak } } }))?.auths[0]?.secret, 'fake-45');
    const unpadded = padded.replace(/=+$/, '');
    const decoded = decodeAuthEntries(JSON.stringify({ auths: { a: { auth: unpadded } } }));
    assert.equal(decoded?.auths.length, 0);
    assert.match(decoded?.skipped[0]?.reason ?? '', /base64/);
    assert.equal(decodeAuthEntries(JSON.stringify({ auths: { a: { auth: encoded } } }))?.auths[0]?.username, 'robot');
  });

  it('skips entries without user:secret, never quoting the value', () => {
    const text = JSON.stringify({
      auths: { 'no-colon.example.com': { auth: b64('fakevalue') }, 'empty.example.com': {}, 'id.example.com': { identitytoken: 'fake-id' } },
    });
    const decoded = decodeAuthEntries(text)!;
    assert.deepEqual(decoded.auths, []);
    assert.deepEqual(
      decoded.skipped.map((entry) => entry.key),
      ['no-colon.example.com', 'empty.example.com', 'id.example.com'],
    );
    assert.ok(!JSON.stringify(decoded.skipped).includes('fake'));
  });

  it('returns credHelpers entries and undefined for text that is not a JSON object', () => {
    assert.deepEqual(decodeAuthEntries('{"credHelpers":{"123456789012.dkr.ecr.eu-west-1.amazonaws.com":"ecr-login"}}')?.helpers, [
      { key: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', helper: 'ecr-login' },
    ]);
    assert.equal(decodeAuthEntries('[1]'), undefined);
    assert.equal(decodeAuthEntries('{"auths":'), undefined);
  });
});

describe('combinedAuthConfig', () => {
  it('is the minified auths-only JSON for tokens: one line, Docker Hub under https://index.docker.io/v1/', () => {
    const json = combinedAuthConfig([
      { registry: 'registry.example.com:5050', username: 'robot', secret: 'fake-5' },
      { registry: 'docker.io', username: 'alice', secret: 'fake-6' },
    ]);
    assert.equal(
      json,
      `{"auths":{"https://index.docker.io/v1/":{"auth":"${b64('alice:fake-6')}"},"registry.example.com:5050":{"auth":"${b64('robot:fake-5')}"}}}`,
    );
    assert.doesNotMatch(json, /\s/);
  });

  it('adds credHelpers for helper entries, still on one line', () => {
    const json = combinedAuthConfig(
      [{ registry: 'registry.example.com', username: 'robot', secret: 'fake-7' }],
      [{ key: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', helper: 'ecr-login' }],
    );
    assert.deepEqual(JSON.parse(json), {
      auths: { 'registry.example.com': { auth: b64('robot:fake-7') } },
      credHelpers: { '123456789012.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login' },
    });
    assert.doesNotMatch(json, /\s/);
    assert.equal(combinedAuthConfig([], [{ key: 'x.dkr.ecr', helper: 'ecr-login' }]), '{"auths":{},"credHelpers":{"x.dkr.ecr":"ecr-login"}}');
  });

  it('orders credHelpers keys in byte order, as buildAuthConfig orders auths (differs from UTF-16 above U+FFFF)', () => {
    const json = combinedAuthConfig(
      [],
      [
        { key: 'a\u{10000}.example', helper: 'one' },
        { key: 'a\uFFFF.example', helper: 'two' },
      ],
    );
    assert.deepEqual(Object.keys((JSON.parse(json) as { credHelpers: Record<string, string> }).credHelpers), ['a\uFFFF.example', 'a\u{10000}.example']);
  });
});

describe('registry families', () => {
  it('recognises ECR hosts (which get a credential helper), including FIPS and China regions', () => {
    assert.ok(isEcrRegistry('123456789012.dkr.ecr.eu-west-1.amazonaws.com'));
    assert.ok(isEcrRegistry('123456789012.dkr.ecr-fips.us-east-1.amazonaws.com'));
    assert.ok(isEcrRegistry('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn'));
    assert.ok(!isEcrRegistry('public.ecr.aws'));
    assert.ok(!isEcrRegistry('12345.dkr.ecr.eu-west-1.amazonaws.com'));
  });

  it('classifies the preset registries', () => {
    assert.equal(registryFamily('docker.io'), 'docker-hub');
    // Docker Hub's registry API host and its legacy alias (registry/dockerHub.ts) are Docker Hub too.
    assert.equal(registryFamily('registry.hub.docker.com'), 'docker-hub');
    assert.equal(registryFamily('registry-1.docker.io'), 'docker-hub');
    assert.equal(registryFamily('ghcr.io'), 'ghcr');
    assert.equal(registryFamily('quay.io'), 'quay');
    assert.equal(registryFamily('myteam.azurecr.io'), 'azure');
    assert.equal(registryFamily('europe-west1-docker.pkg.dev'), 'google');
    assert.equal(registryFamily('registry.gitlab.com'), 'gitlab');
    assert.equal(
      registryFamily('registry.example.com:5050', { instanceUrl: 'https://example.com', registry: 'registry.example.com:5050', projectPath: 'a/b' }),
      'gitlab',
    );
    assert.equal(registryFamily('registry.example.com:5050'), 'other');
  });
});
