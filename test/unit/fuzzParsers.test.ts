/**
 * Property tests for the string parsers every finding depends on: Docker's and the runner's reading of an image
 * reference, and DOCKER_AUTH_CONFIG. They must never throw, must answer in bounded time whatever the input, must follow
 * the documented runner rules on generated valid input, and must never echo a secret.
 *
 * Seeded: `FUZZ_SEED=<n>` replays a run, `FUZZ_RUNS=<n>` scales the number of cases (100,000 over the fuzz files in the fuzz tier, a twentieth in the unit tier).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { credentialSourceFromAuthConfig } from '../../src/core/registry/credentialSources';
import { parseAuthConfig } from '../../src/core/auth/parse';
import { lookupCredential } from '../../src/core/registry/credentialLookup';
import { parseDockerReference, registryKeyPath, runnerLookupPath } from '../../src/core/registry/imageRef';
import { propertyRunner, runs } from '../support/fuzz';

/** The full budget gives this file ~66,000 of the 100,000 cases: these parsers are cheap. */
const holds = propertyRunner(0);

/**
 * Times one call; these parsers are regex-based, so a catastrophic backtrack shows up here. A slow call is timed twice
 * more and the fastest counts: a garbage-collection pause or a busy core is not the parser's fault, a backtrack repeats.
 */
function timed<T>(run: () => T, limitMs: number, what: string): T {
  let result: T | undefined;
  let fastest = Infinity;
  for (let attempt = 0; attempt < 3 && fastest >= limitMs; attempt++) {
    const started = performance.now();
    result = run();
    fastest = Math.min(fastest, performance.now() - started);
  }
  assert.ok(fastest < limitMs, `${what} took ${fastest.toFixed(1)} ms (limit ${limitMs} ms)`);
  return result as T;
}

// Characters that mean something to a reference: separators, port, tag, digest, IPv6, case, unicode and controls.
const REFERENCE_CHARS = [...'abcxyzABZ019._-__/:@[]$'].concat([
  'sha256:',
  'localhost',
  'index.docker.io',
  'docker.io',
  '..',
  '//',
  ' ',
  '\t',
  '\n',
  '\0',
  'é',
  '\uD800',
  '😀',
]);
const referenceText = fc.array(fc.constantFrom(...REFERENCE_CHARS), { maxLength: 60 }).map((parts) => parts.join(''));

const lowerComponent = fc.stringMatching(/^[a-z0-9]{1,8}(?:(?:[._]|__|-{1,2})[a-z0-9]{1,6}){0,2}$/);
const hostLabel = fc.stringMatching(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,6}[a-zA-Z0-9])?$/);
/** A registry host that Docker and the runner both treat as a domain: it has a dot (and maybe a port). */
const dottedHost = fc
  .tuple(fc.array(hostLabel, { minLength: 2, maxLength: 4 }), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
  .map(([labels, port]) => `${labels.join('.')}${port === undefined ? '' : `:${port}`}`);
const repositoryPath = fc.array(lowerComponent, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
const tag = fc.stringMatching(/^[\w][\w.-]{0,20}$/);
const digest = fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `sha256:${hex}`);

describe('fuzz: image references', () => {
  it('parseDockerReference and runnerLookupPath never throw and answer quickly on arbitrary text', () => {
    holds(
      fc.property(fc.oneof(referenceText, fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 })), (image) => {
        const docker = timed(() => parseDockerReference(image), 50, `parseDockerReference(${JSON.stringify(image)})`);
        const lookup = timed(() => runnerLookupPath(image), 50, `runnerLookupPath(${JSON.stringify(image)})`);
        assert.equal(typeof lookup, 'string');
        if (docker.valid) assert.ok(docker.registry && docker.repository, 'a valid reference names a registry and a repository');
        else assert.ok(docker.error, 'an invalid reference says why');
        assert.deepEqual(parseDockerReference(image), docker, 'deterministic');
      }),
      runs(25_000),
    );
  });

  it('stays fast on long adversarial references (no catastrophic backtracking)', () => {
    const repeated = fc
      .tuple(
        fc.constantFrom('a-', 'a.', 'a_', 'a__', 'a--', 'a/', '0', 'a:', '[::', 'a.b.', '-', 'A'),
        fc.integer({ min: 200, max: 3000 }),
        fc.constantFrom('', '!', ':', '@', '/', 'A', '-', '@sha256:'),
      )
      .map(([unit, count, tail]) => unit.repeat(count) + tail);
    holds(
      fc.property(repeated, (image) => {
        timed(() => parseDockerReference(image), 100, `parseDockerReference of ${image.length} characters`);
        timed(() => runnerLookupPath(image), 100, `runnerLookupPath of ${image.length} characters`);
      }),
      runs(1_000),
    );
  });

  it('reads a dotted host as the registry: Docker keeps it, the runner lowercases it and drops the tag', () => {
    holds(
      fc.property(dottedHost, repositoryPath, fc.option(tag, { nil: undefined }), (host, repository, imageTag) => {
        const image = `${host}/${repository}${imageTag === undefined ? '' : `:${imageTag}`}`;
        const docker = parseDockerReference(image);
        assert.ok(docker.valid, `${image} is a valid reference: ${docker.error}`);
        assert.equal(docker.registry, host);
        assert.equal(docker.repository, repository);
        assert.equal(docker.tag, imageTag ?? null);
        assert.equal(runnerLookupPath(image), `${host.toLowerCase()}/${repository}`);
      }),
      runs(8_000),
    );
  });

  it('puts a name without a host on docker.io for the runner (no library/ insertion), and on docker.io/library for Docker when it has one segment', () => {
    holds(
      fc.property(repositoryPath, fc.option(tag, { nil: undefined }), (repository, imageTag) => {
        const first = repository.split('/')[0]!;
        fc.pre(!/[.:]/.test(first) && first !== 'localhost'); // otherwise the first segment is a host
        const image = `${repository}${imageTag === undefined ? '' : `:${imageTag}`}`;
        assert.equal(runnerLookupPath(image), `docker.io/${repository}`);
        const docker = parseDockerReference(image);
        assert.equal(docker.registry, 'docker.io');
        assert.equal(docker.repository, repository.includes('/') ? repository : `library/${repository}`);
      }),
      runs(6_000),
    );
  });

  it('normalises once: the lookup path of a lookup path is itself', () => {
    const image = fc
      .tuple(fc.option(dottedHost, { nil: undefined }), repositoryPath, fc.option(tag, { nil: undefined }), fc.option(digest, { nil: undefined }))
      .map(
        ([host, repository, imageTag, imageDigest]) =>
          `${host ? `${host}/` : ''}${repository}${imageTag ? `:${imageTag}` : ''}${imageDigest ? `@${imageDigest}` : ''}`,
      );
    holds(
      fc.property(image, (reference) => {
        const once = runnerLookupPath(reference);
        assert.equal(runnerLookupPath(once), once);
        assert.equal(once.split('/')[0], once.split('/')[0]!.toLowerCase(), 'the host part is lowercased');
      }),
      runs(6_000),
    );
  });

  it('matches a scheme key for its whole host whatever its case and path, and never across ports', () => {
    holds(
      fc.property(
        dottedHost,
        repositoryPath,
        fc.constantFrom('https://', 'http://', 'HTTPS://', 'Http://'),
        fc.constantFrom('', '/', '/v1/', '/v2/anything'),
        (host, repository, scheme, suffix) => {
          fc.pre(!host.includes(':'));
          const image = `${host}/${repository}:1`;
          const key = `${scheme}${host.toUpperCase()}${suffix}`;
          const covered = lookupCredential(image, [{ kind: 'DOCKER_AUTH_CONFIG', keys: [{ key, path: registryKeyPath(key), via: 'auths', label: 'fuzz' }] }]);
          assert.equal(covered.match?.key, key, `${key} covers ${image}`);
          const otherPort = `${host}:5000`;
          const uncovered = lookupCredential(image, [
            { kind: 'DOCKER_AUTH_CONFIG', keys: [{ key: otherPort, path: registryKeyPath(otherPort), via: 'auths', label: 'fuzz' }] },
          ]);
          assert.equal(uncovered.match, null, `${otherPort} does not cover ${image}`);
        },
      ),
      runs(4_000),
    );
  });
});

// An obviously fake secret: a parse result, warning or problem must never contain it, nor its base64 form.
const SECRET = 'fuzz-SECRET-not-a-real-token-7Q2';
const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** A JSON-ish DOCKER_AUTH_CONFIG built from pieces a user gets wrong, carrying the secret in every shape it can take. */
const authConfigText = (() => {
  const key = fc.constantFrom(
    'registry.example.com',
    'https://index.docker.io/v1/',
    'REGISTRY.example.com:5000',
    'gitlab.example.com:443/group',
    '',
    ' spaced ',
    'a"quote',
  );
  const user = fc.constantFrom('ci-bot', 'user name', '', 'é', 'a:b');
  const secretShapes = (username: string) =>
    fc.constantFrom(
      `"auth":"${base64(`${username}:${SECRET}`)}"`,
      `"auth":"${base64(`${username}:${SECRET}\n`)}"`, // echo without -n
      `"auth":"${base64(`${username}:${SECRET}`).replace(/=+$/, '')}"`, // unpadded
      `"auth":"${base64(`${username}:${SECRET}`).slice(0, 10)}\\n${base64(`${username}:${SECRET}`).slice(10)}"`, // wrapped
      `"auth":"${base64(SECRET)}"`, // no colon
      `"auth":"${SECRET}"`, // not base64 at all
      `"username":"${username}","password":"${SECRET}"`,
      `"Username":"${username}","PASSWORD":"${SECRET}"`,
      `"username":"${username}","password":" ${SECRET} "`,
      `"identitytoken":"${SECRET}"`,
      `"auth":${JSON.stringify(SECRET)},"password":${JSON.stringify(SECRET)}`,
      `"password":["${SECRET}"]`,
      `"auth":{"nested":"${SECRET}"}`,
    );
  const entry = fc.tuple(key, user).chain(([registry, username]) => secretShapes(username).map((body) => `${JSON.stringify(registry)}:{${body}}`));
  const wrapper = fc.constantFrom(
    (entries: string) => `{"auths":{${entries}}}`,
    (entries: string) => `{"AUTHS":{${entries}},"credsStore":"desktop"}`,
    (entries: string) => `{${entries}}`, // legacy layout
    (entries: string) => `{"auths":{${entries}},"credHelpers":{"registry.example.com":"../evil"}}`,
    (entries: string) => `{"auths":{${entries}}} trailing`,
    (entries: string) => `{"auths":{${entries}`, // truncated
    (entries: string) => `[{"auths":{${entries}}}]`,
    (entries: string) => `{"auths":{${entries}},"auths":{${entries}}}`,
  );
  return fc.tuple(fc.array(entry, { minLength: 1, maxLength: 3 }), wrapper).map(([entries, wrap]) => wrap(entries.join(',')));
})();

/** The text with random characters inserted or removed, so the JSON reader meets every kind of broken input. */
const damaged = fc
  .tuple(
    authConfigText,
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.constantFrom('', '"', '{', '}', ',', ':', '\\', '\\u12', '\0', '\n', ' ', '[', 'é', '\uDC00')), {
      maxLength: 4,
    }),
  )
  .map(([text, edits]) =>
    edits.reduce((current, [at, remove, insert]) => {
      const position = current.length === 0 ? 0 : at % current.length;
      return current.slice(0, position) + insert + current.slice(position + remove);
    }, text),
  );

function assertNoSecret(result: unknown, input: string): void {
  const serialized = JSON.stringify(result);
  for (const form of [SECRET, base64(SECRET), SECRET.slice(5, 25)]) {
    assert.ok(!serialized.includes(form), `the parse result of a config quotes its secret (input length ${input.length})`);
  }
}

describe('fuzz: DOCKER_AUTH_CONFIG', () => {
  it('never throws, never quotes a secret, and points problems inside the text', () => {
    holds(
      fc.property(fc.oneof(authConfigText, damaged), (text) => {
        const result = timed(() => parseAuthConfig(text), 100, 'parseAuthConfig');
        assertNoSecret(result, text);
        const problems = result.ok ? result.warnings : result.problems;
        for (const problem of problems) {
          assert.ok(problem.message.length > 0, 'a problem says what is wrong');
          if (problem.offset !== null) {
            assert.ok(problem.offset >= 0 && problem.offset <= text.length, `offset ${problem.offset} outside a text of ${text.length}`);
            // "Unexpected end of text" marks the end itself: one character past the last is how it is underlined.
            const atEnd = problem.offset === text.length && (problem.length ?? 0) <= 1;
            assert.ok(
              atEnd || problem.offset + (problem.length ?? 0) <= text.length,
              `problem range [${problem.offset}, +${problem.length}] ends past a text of ${text.length}`,
            );
          }
        }
        if (result.ok) assertNoSecret(credentialSourceFromAuthConfig(result.config, 'DOCKER_AUTH_CONFIG', 'fuzz'), text);
        assert.deepEqual(parseAuthConfig(text), result, 'deterministic');
      }),
      runs(12_000),
    );
  });

  it('never throws on arbitrary text and deeply nested JSON', () => {
    const nested = fc
      .tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('[', '{"a":', '{"auths":'), fc.boolean())
      .map(([depth, open, closed]) => open.repeat(depth) + (closed ? '1' + (open === '[' ? ']' : '}').repeat(depth) : ''));
    holds(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), nested), (text) => {
        const result = timed(() => parseAuthConfig(text), 500, `parseAuthConfig of ${text.length} characters`);
        assert.equal(typeof result.ok, 'boolean');
      }),
      runs(4_000),
    );
  });
});
