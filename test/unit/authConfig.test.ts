import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AuthConfigError, authConfigKeyFor, buildAuthConfig, mergeAuthConfig } from '../../src/core/auth/build';
import { authConfigSchema, validateCredentialInput } from '../../src/core/auth/schemas';
import { credentialSourceFromAuthConfig } from '../../src/core/registry/credentialSources';
import { decodeAuthValue } from '../../src/core/auth/base64';
import { dockerCliEnvProblems, parseAuthConfig } from '../../src/core/auth/parse';
import type { AuthConfigParseResult } from '../../src/core/auth/types';

const fakeToken = 'fake-token-not-real';
/** Standard base64 via Node, independent of the code under test. */
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const goodAuth = b64(`deployer:${fakeToken}`);

function parsedOk(text: string) {
  const result = parseAuthConfig(text);
  assert.equal(result.ok, true, JSON.stringify(result));
  return result as Extract<AuthConfigParseResult, { ok: true }>;
}

function parsedFailed(text: string) {
  const result = parseAuthConfig(text);
  assert.equal(result.ok, false, JSON.stringify(result));
  return result as Extract<AuthConfigParseResult, { ok: false }>;
}

function assertNoSecret(value: unknown, ...secrets: string[]) {
  const text = JSON.stringify(value);
  for (const secret of [fakeToken, goodAuth, ...secrets]) assert.ok(!text.includes(secret), 'a secret leaked into the result');
}

test('a minimal config gives its entry with the username, never the token or the auth value', () => {
  const result = parsedOk(`{"auths":{"registry.example.com:5050":{"auth":"${goodAuth}"}}}`);
  assert.deepEqual(result.config, {
    auths: [{ key: 'registry.example.com:5050', username: 'deployer', hasSecret: true, kind: 'auth' }],
    credHelpers: [],
    credsStore: null,
  });
  assert.deepEqual(result.warnings, []);
  assertNoSecret(result);
});

test("field names match case-insensitively, as Go's encoding/json does", () => {
  const result = parsedOk(`{"Auths":{"registry.example.com":{"AUTH":"${goodAuth}"}}}`);
  assert.equal(result.config.auths[0]?.username, 'deployer');
});

test('invalid JSON drops the config; the message gives line and column', () => {
  const text = `{\n  "auths": {\n    "registry.example.com": {"auth": "${goodAuth}"},\n  }\n}`;
  const result = parsedFailed(text);
  assert.equal(result.abortsResolution, false);
  assert.match(result.problems[0]!.message, /not valid JSON.*line 4, column 3/);
  assert.equal(result.problems[0]!.offset, text.indexOf('}\n}'));
  assertNoSecret(result);
});

test('a base64 value wrapped over lines (a raw line break inside "auth") is explained', () => {
  const wrapped = b64(`deployer:${'x'.repeat(70)}`);
  const text = `{"auths":{"r.example.com":{"auth":"${wrapped.slice(0, 76)}\n${wrapped.slice(76)}"}}}`;
  const result = parsedFailed(text);
  assert.match(result.problems[0]!.message, /base64 -w 0/);
  assertNoSecret(result, wrapped.slice(0, 20));
});

test('the config must be an object; null or empty text gives no credentials', () => {
  assert.match(parsedFailed('["registry.example.com"]').problems[0]!.message, /must be a JSON object/);
  assert.match(parsedFailed('{"auths":[]}').problems[0]!.message, /"auths" must be an object/);
  for (const text of ['', '   ', 'null']) {
    const result = parsedOk(text);
    assert.deepEqual(result.config.auths, []);
    assert.match(result.warnings[0]!.message, /no credentials/);
  }
});

test('an auth value that is not padded standard base64 drops the config, pointing at the value', () => {
  const cases: readonly [auth: string, reason: RegExp][] = [
    [`${goodAuth.slice(0, 8)} ${goodAuth.slice(8)}`, /spaces/],
    [goodAuth.replace(/=+$/, ''), /multiple of 4|padding/],
    [b64('deployer:fake>>>???').replace(/\+/g, '-').replace(/\//g, '_'), /URL-safe/],
    ['not*base64', /not base64/],
  ];
  for (const [auth, reason] of cases) {
    const text = `{"auths":{"registry.example.com":{"auth":"${auth}"}}}`;
    const result = parsedFailed(text);
    const problem = result.problems[0]!;
    assert.equal(problem.entry, 'registry.example.com');
    assert.equal(problem.field, 'auth');
    assert.equal(problem.offset, text.indexOf(`"${auth}"`));
    assert.match(problem.message, reason);
    assert.match(problem.message, /ignores every credential/);
    assertNoSecret(result, auth);
  }
});

test('an auth value with \\n escapes works for the runner (Go skips them) but is flagged as a warning', () => {
  const text = `{"auths":{"registry.example.com":{"auth":"${goodAuth.slice(0, 8)}\\n${goodAuth.slice(8)}"}}}`;
  const result = parsedOk(text);
  assert.equal(result.config.auths[0]?.username, 'deployer');
  assert.equal(result.warnings.length, 1);
  assert.equal(result.warnings[0]!.severity, 'warning');
  assert.match(result.warnings[0]!.message, /line breaks/);
});

test('auth must decode to USER:TOKEN with a non-empty user', () => {
  assert.match(parsedFailed(`{"auths":{"r.example.com":{"auth":"${b64(fakeToken)}"}}}`).problems[0]!.message, /has no ":"/);
  assert.match(parsedFailed(`{"auths":{"r.example.com":{"auth":"${b64(`:${fakeToken}`)}"}}}`).problems[0]!.message, /starts with ":"/);
});

test('a trailing newline from echo without -n keeps the config but is an error-level warning', () => {
  for (const plain of [`deployer:${fakeToken}\n`, `deployer:${fakeToken}\r\n`, `deployer :${fakeToken}`]) {
    const text = `{"auths":{"registry.example.com":{"auth":"${b64(plain)}"}}}`;
    const result = parsedOk(text);
    assert.equal(result.warnings.length, 1);
    assert.equal(result.warnings[0]!.severity, 'error');
    assert.match(result.warnings[0]!.message, /echo.*-n/);
    assert.equal(result.warnings[0]!.offset, text.indexOf(`"${b64(plain)}"`));
    assertNoSecret(result, b64(plain));
  }
});

test('a credential helper with a path aborts the whole lookup; a bare one is kept with a PATH warning', () => {
  const aborted = parsedFailed('{"credHelpers":{"registry.example.com":"/usr/local/bin/ecr-login"}}');
  assert.equal(aborted.abortsResolution, true);
  assert.equal(aborted.problems[0]!.field, 'credHelpers');
  assert.equal(parsedFailed('{"credsStore":"../evil"}').abortsResolution, true);

  const kept = parsedOk('{"credHelpers":{"123456789.dkr.ecr.eu-west-1.amazonaws.com":"ecr-login"}}');
  assert.deepEqual(kept.config.credHelpers, [{ key: '123456789.dkr.ecr.eu-west-1.amazonaws.com', helper: 'ecr-login' }]);
  assert.match(kept.warnings[0]!.message, /docker-credential-ecr-login.*PATH/);
});

test('a decoding error drops the config before helper names are checked, so it does not abort', () => {
  const result = parsedFailed('{"auths":{"r.example.com":{"auth":"bad auth"}},"credHelpers":{"x.example.com":"a/b"}}');
  assert.equal(result.abortsResolution, false);
});

test('credsStore is kept with a coverage-unknown warning', () => {
  const result = parsedOk('{"credsStore":"desktop"}');
  assert.equal(result.config.credsStore, 'desktop');
  assert.match(result.warnings[0]!.message, /coverage is unknown.*Docker Hub/);
});

test('the legacy .dockercfg layout without "auths" gives nothing and says how to wrap it', () => {
  const result = parsedFailed(`{"registry.example.com":{"auth":"${goodAuth}","email":"ci@example.com"}}`);
  assert.match(result.problems[0]!.message, /legacy \.dockercfg layout.*"auths"/);
  assert.equal(result.problems[0]!.entry, 'registry.example.com');
});

test('entry kinds: empty, username/password, identity token', () => {
  const result = parsedOk(
    `{"auths":{"a.example.com":{},"b.example.com":{"username":"deployer","password":"${fakeToken}"},"c.example.com":{"identitytoken":"${fakeToken}"}}}`,
  );
  assert.deepEqual(
    result.config.auths.map((entry) => [entry.key, entry.kind, entry.hasSecret]),
    [
      ['a.example.com', 'empty', false],
      ['b.example.com', 'username-password', true],
      ['c.example.com', 'identitytoken', true],
    ],
  );
  assert.equal(result.warnings.length, 1);
  assert.match(result.warnings[0]!.message, /"a.example.com" is empty/);
  assertNoSecret(result);
});

test('a later duplicate key replaces the earlier entry, as in Go', () => {
  const result = parsedOk(`{"auths":{"r.example.com":{"auth":"bad auth"},"r.example.com":{"auth":"${goodAuth}"}}}`);
  assert.equal(result.config.auths.length, 1);
  assert.equal(result.config.auths[0]?.username, 'deployer');
});

test('an auth written as a variable reference is left for the runner to expand', () => {
  const result = parsedOk('{"auths":{"$CI_REGISTRY":{"auth":"$REGISTRY_AUTH"}}}');
  assert.deepEqual(result.config.auths, [{ key: '$CI_REGISTRY', username: '', hasSecret: true, kind: 'auth' }]);
  assert.deepEqual(result.warnings, []);
});

test('text after the JSON object is ignored by the runner, with a warning', () => {
  const result = parsedOk(`{"auths":{"r.example.com":{"auth":"${goodAuth}"}}}}`);
  assert.equal(result.config.auths.length, 1);
  assert.match(result.warnings[0]!.message, /after the JSON object/);
});

test('Docker CLI ≥ 28.3 accepts only auths.*.auth: every other field is reported', () => {
  assert.deepEqual(dockerCliEnvProblems(`{"auths":{"r.example.com":{"auth":"${goodAuth}"}}}`), []);
  const problems = dockerCliEnvProblems(
    `{"auths":{"a.example.com":{"username":"deployer","password":"${fakeToken}"},"b.example.com":{"auth":"${goodAuth}","email":"x@example.com"}},"credsStore":"desktop"}{}`,
  );
  const fields = problems.map((problem) => `${problem.entry}/${problem.field}`).sort();
  assert.deepEqual(fields, ['a.example.com/auth', 'a.example.com/password', 'a.example.com/username', 'b.example.com/email', 'null/credsStore', 'null/null']);
  assert.ok(problems.every((problem) => problem.severity === 'warning'));
  assertNoSecret(problems);
});

test('authConfigKeyFor: one key for Docker Hub, host[:port] lowercased otherwise', () => {
  const table: readonly [string, string][] = [
    ['docker.io', 'https://index.docker.io/v1/'],
    ['index.docker.io', 'https://index.docker.io/v1/'],
    ['registry-1.docker.io', 'https://index.docker.io/v1/'],
    ['https://index.docker.io/v1/', 'https://index.docker.io/v1/'],
    ['Docker.IO', 'https://index.docker.io/v1/'],
    ['docker.io/myorg', 'docker.io/myorg'],
    ['Registry.Example.com:5050', 'registry.example.com:5050'],
    ['https://registry.example.com/', 'registry.example.com'],
    ['registry.example.com/group/project', 'registry.example.com/group/project'],
    ['[::1]:5000', '[::1]:5000'],
  ];
  for (const [input, key] of table) assert.equal(authConfigKeyFor(input), key, input);
});

test('validateCredentialInput says how to fix each mistake, without quoting the secret', () => {
  const ok = { registry: 'registry.example.com:5050', username: 'gitlab+deploy-token-1', secret: fakeToken };
  assert.equal(validateCredentialInput(ok), null);
  const cases: readonly [Partial<typeof ok>, RegExp][] = [
    [{ registry: '' }, /Enter the registry/],
    [{ registry: 'registry.example.com:99999' }, /1-65535/],
    [{ registry: 'registry example.com' }, /spaces/],
    [{ registry: 'ftp://registry.example.com' }, /without a scheme/],
    [{ registry: 'registry.example.com/Group' }, /lowercase repository path/],
    [{ username: '' }, /Enter the username/],
    [{ username: 'me:you' }, /must not contain ":"/],
    [{ secret: '' }, /Enter the token/],
    [{ secret: `${fakeToken}\n` }, /line breaks/],
    [{ secret: `${fakeToken} x` }, /spaces/],
  ];
  for (const [change, reason] of cases) {
    const message = validateCredentialInput({ ...ok, ...change });
    assert.match(message ?? '', reason, JSON.stringify(change));
    assert.ok(!(message ?? '').includes(fakeToken));
  }
});

test('buildAuthConfig writes one minified line, keys in byte order, readable by the runner and Docker CLI', () => {
  const text = buildAuthConfig([
    { registry: 'Registry.Example.com:5050', username: 'deployer', secret: fakeToken },
    { registry: 'docker.io', username: 'hubuser', secret: 'fake-hub-token' },
  ]);
  assert.equal(
    text,
    `{"auths":{"https://index.docker.io/v1/":{"auth":"${b64('hubuser:fake-hub-token')}"},"registry.example.com:5050":{"auth":"${goodAuth}"}}}`,
  );
  assert.ok(authConfigSchema.safeParse(JSON.parse(text)).success);
  assert.deepEqual(parsedOk(text).warnings, []);
  assert.deepEqual(dockerCliEnvProblems(text), []);
  // GitLab's masked-and-raw rule: one line, no whitespace.
  assert.match(text, /^\S{8,}$/);
});

test('buildAuthConfig encodes non-ASCII secrets as UTF-8 and keeps one entry per lookup path', () => {
  const text = buildAuthConfig([
    { registry: 'https://registry.example.com', username: 'first', secret: 'fake-1' },
    { registry: 'registry.example.com', username: 'deployer', secret: 'fake-é' },
  ]);
  assert.equal(text, `{"auths":{"registry.example.com":{"auth":"${b64('deployer:fake-é')}"}}}`);
});

test('buildAuthConfig rejects invalid input with a typed error that never quotes the secret', () => {
  assert.throws(
    () => buildAuthConfig([{ registry: 'registry.example.com', username: 'deployer', secret: `${fakeToken}\n` }]),
    (error: unknown) => AuthConfigError.is(error, 'invalid-input') && !error.message.includes(fakeToken),
  );
});

test('mergeAuthConfig replaces the entry for the same path in place and keeps everything else', () => {
  const existing = JSON.stringify(
    {
      auths: {
        'other.example.com': { username: 'bot', password: 'fake-other' },
        'https://registry.example.com': { auth: b64('old:fake-old') },
        'z.example.com': { auth: b64('z:fake-z') },
      },
      credHelpers: { '123.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login' },
      HttpHeaders: { 'User-Agent': 'ci' },
    },
    null,
    2,
  );
  const merged = mergeAuthConfig(existing, [
    { registry: 'registry.example.com', username: 'deployer', secret: fakeToken },
    { registry: 'new.example.com:5050', username: 'deployer', secret: fakeToken },
  ]);
  assert.equal(
    merged,
    '{"auths":{"other.example.com":{"username":"bot","password":"fake-other"},' +
      `"registry.example.com":{"auth":"${goodAuth}"},"z.example.com":{"auth":"${b64('z:fake-z')}"},"new.example.com:5050":{"auth":"${goodAuth}"}},` +
      '"credHelpers":{"123.dkr.ecr.eu-west-1.amazonaws.com":"ecr-login"},"HttpHeaders":{"User-Agent":"ci"}}',
  );
});

test('mergeAuthConfig adds "auths" when missing and starts from scratch on empty text', () => {
  assert.equal(
    mergeAuthConfig('{"credsStore":"desktop"}', [{ registry: 'r.example.com', username: 'deployer', secret: fakeToken }]),
    `{"auths":{"r.example.com":{"auth":"${goodAuth}"}},"credsStore":"desktop"}`,
  );
  assert.equal(
    mergeAuthConfig('  ', [{ registry: 'r.example.com', username: 'deployer', secret: fakeToken }]),
    `{"auths":{"r.example.com":{"auth":"${goodAuth}"}}}`,
  );
});

test('mergeAuthConfig refuses an existing value that is not a JSON object, with a reason and no content', () => {
  const secretish = 'fake-existing-secret';
  const entry = [{ registry: 'r.example.com', username: 'deployer', secret: fakeToken }];
  assert.throws(
    () => mergeAuthConfig(`{"auths":{"x.example.com":{"auth":"${secretish}"}}`, entry),
    (error: unknown) => AuthConfigError.is(error, 'invalid-json') && /line 1/.test(error.message) && !error.message.includes(secretish),
  );
  assert.throws(
    () => mergeAuthConfig('[]', entry),
    (error: unknown) => AuthConfigError.is(error, 'not-an-object'),
  );
  assert.throws(
    () => mergeAuthConfig('{"auths":"x"}', entry),
    (error: unknown) => AuthConfigError.is(error, 'invalid-auths'),
  );
});

test('as a credential source: auths and credHelpers keys with runner paths, credHelpers winning on the same raw key', () => {
  const result = parsedOk(
    `{"auths":{"registry.example.com":{"auth":"${goodAuth}"},"https://index.docker.io/v1/":{"auth":"${goodAuth}"}},` +
      '"credHelpers":{"registry.example.com":"pass","registry2.domain.tld:5005/image/name:version":"pass"},"credsStore":"desktop"}',
  );
  const source = credentialSourceFromAuthConfig(result.config, 'DOCKER_AUTH_CONFIG', 'pipeline variable');
  assert.deepEqual(source, {
    kind: 'DOCKER_AUTH_CONFIG',
    credsStore: 'desktop',
    keys: [
      { key: 'https://index.docker.io/v1/', path: 'docker.io', via: 'auths', label: 'pipeline variable' },
      { key: 'registry.example.com', path: 'registry.example.com', via: 'credHelpers', label: 'pipeline variable' },
      { key: 'registry2.domain.tld:5005/image/name:version', path: 'registry2.domain.tld:5005/image/name', via: 'credHelpers', label: 'pipeline variable' },
    ],
  });
});

test('any valid credential round-trips: build, then parse as the runner, with no warning and no secret in the result', () => {
  const token = fc.stringMatching(/^[\x21-\x7e]{8,40}$/).map((value) => `fake-${value}`);
  const user = fc.stringMatching(/^[A-Za-z0-9+._@-]{1,20}$/);
  fc.assert(
    fc.property(user, token, (username, secret) => {
      const text = buildAuthConfig([{ registry: 'registry.example.com:5050', username, secret }]);
      const result = parsedOk(text);
      assert.deepEqual(result.config.auths, [{ key: 'registry.example.com:5050', username, hasSecret: true, kind: 'auth' }]);
      assert.deepEqual(result.warnings, []);
      assert.ok(!JSON.stringify(result).includes(secret));
    }),
    { numRuns: 300 },
  );
});

test('arbitrary text never throws: it parses or gives problems, however deep it nests', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
      assert.equal(typeof parseAuthConfig(text).ok, 'boolean');
      assert.ok(Array.isArray(dockerCliEnvProblems(text)));
    }),
    { numRuns: 2000 },
  );
  const deep = parsedFailed('['.repeat(100_000));
  assert.match(deep.problems[0]!.message, /nesting/);
});

// Docker's `decodeAuth` and the runner: Go StdEncoding (padding required, CR/LF skipped), split at the first ':',
// NUL padding trimmed from the password. One decoder serves the diagnostics, the wizard's import and the GitLab save.
test('decodeAuthValue reads an auth value as Docker and the runner do', () => {
  const bytes = (values: number[]) => Buffer.from(values).toString('base64');
  assert.deepEqual(decodeAuthValue(b64(`deployer:${fakeToken}`)), { ok: true, username: 'deployer', secret: fakeToken, utf8: true });
  assert.deepEqual(decodeAuthValue(b64('robot:fake:with:colons')), { ok: true, username: 'robot', secret: 'fake:with:colons', utf8: true });
  const wrapped = b64(`a-rather-long-deploy-token-user-name:${fakeToken}-${'x'.repeat(60)}`);
  assert.equal(decodeAuthValue(`${wrapped.slice(0, 76)}\n${wrapped.slice(76)}`).ok, true, 'GNU base64 line wrapping is skipped');
  assert.deepEqual(decodeAuthValue(b64('user:token\0\0')), { ok: true, username: 'user', secret: 'token', utf8: true });
  assert.deepEqual(decodeAuthValue(bytes([0x75, 0x3a, 0xff, 0xfe])), { ok: true, username: 'u', secret: '\ufffd\ufffd', utf8: false });
  assert.deepEqual(decodeAuthValue(b64(':token-only')), { ok: false, problem: 'no-user', hasColon: true });
  assert.deepEqual(decodeAuthValue(b64('no-colon-at-all')), { ok: false, problem: 'no-user', hasColon: false });
  for (const broken of [b64('user:token').replace(/=+$/, ''), 'dXNlcjp0b2tlbg==='.slice(0, 15), 'dXNl cjp0b2tlbg==', '_-8_', 'dXNlcjp0b2tl=g==']) {
    const result = decodeAuthValue(broken);
    assert.equal(result.ok, false, broken);
    assert.equal(!result.ok && result.problem, 'base64', broken);
  }
});
