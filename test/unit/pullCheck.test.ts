/**
 * The pull check's core: the challenge flow and the manifest HEAD (against a loopback HTTP server that answers as the
 * distribution spec says, recording every request), the plan per image, the findings on the image's line, the worker
 * pool's bound and cancellation, and the CLI's --pull. Real docker-registry runs are in test/integration/pullCheck.test.ts.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkProject } from '../../src/core/check';
import { pullKeyOf, pullPlanOf, type PullPlanEntry, type PullResult } from '../../src/core/registry/pullCheck';
import { runPullChecks } from '../../src/core/registry/pullCheckRun';
import { probeImagePull } from '../../src/core/registry/verify';
import { evaluateImages } from '../../src/core/rules/imageEvaluation';
import { NO_CONTEXT, authConfigSource, memoryFiles } from './checkSupport';
import { runCli } from './cliSupport';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** A registry on loopback: Bearer challenge to a token realm on a second server; `group/app:1` exists, for `bot:secret` only. */
async function fakeRegistry(): Promise<{ host: string; seen: Seen[]; realmSeen: Seen[]; stop(): Promise<void> }> {
  const seen: Seen[] = [];
  const realmSeen: Seen[] = [];
  const realm = createServer((request, response) => {
    realmSeen.push({ method: request.method!, url: request.url!, headers: request.headers });
    const basic = `Basic ${Buffer.from('bot:secret').toString('base64')}`;
    if (request.headers.authorization !== undefined && request.headers.authorization !== basic)
      return void response.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    const token = request.headers.authorization === basic ? 'granted' : 'anonymous';
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token }));
  });
  await listen(realm);
  const realmUrl = `http://127.0.0.1:${(realm.address() as AddressInfo).port}/jwt/auth`;
  const registry = createServer((request, response) => {
    seen.push({ method: request.method!, url: request.url!, headers: request.headers });
    const challenge = { 'WWW-Authenticate': `Bearer realm="${realmUrl}",service="registry"`, 'Docker-Distribution-Api-Version': 'registry/2.0' };
    if (request.headers.authorization !== 'Bearer granted') return void response.writeHead(401, challenge).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    if (request.url === '/v2/') return void response.writeHead(200, { 'Docker-Distribution-Api-Version': 'registry/2.0' }).end('{}');
    if (request.url === '/v2/group/app/manifests/1') return void response.writeHead(200, { 'Docker-Content-Digest': 'sha256:0' }).end();
    response.writeHead(404).end();
  });
  await listen(registry);
  return {
    host: `127.0.0.1:${(registry.address() as AddressInfo).port}`,
    seen,
    realmSeen,
    stop: async () => {
      for (const server of [registry, realm]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
}

describe('probeImagePull against a loopback registry following the distribution token spec', () => {
  let registry: Awaited<ReturnType<typeof fakeRegistry>>;
  before(async () => {
    registry = await fakeRegistry();
  });
  after(() => registry.stop());

  it('with a credential: challenge, token with pull scope, one manifest HEAD with the Docker and OCI manifest and index types', async () => {
    registry.seen.length = 0;
    registry.realmSeen.length = 0;
    const result = await probeImagePull(
      { registry: registry.host, repository: 'group/app', reference: '1', credential: { username: 'bot', secret: 'secret' } },
      { timeoutMs: 5000 },
    );
    assert.equal(result.status, 'valid');
    assert.deepEqual(
      registry.seen.map((request) => `${request.method} ${request.url}`),
      ['GET /v2/', 'HEAD /v2/group/app/manifests/1'],
    );
    const accept = String(registry.seen[1]!.headers.accept);
    for (const type of [
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.docker.distribution.manifest.v2+json',
    ]) {
      assert.ok(accept.includes(type), `Accept lacks ${type}`);
    }
    assert.equal(registry.seen[0]!.headers.authorization, undefined, 'the ping goes without credentials, as Docker does');
    assert.match(registry.realmSeen[0]!.url, /scope=repository%3Agroup%2Fapp%3Apull/);
  });

  it('anonymous: the token is asked for without any Authorization header, and a refused pull is no-pull-access', async () => {
    registry.realmSeen.length = 0;
    const result = await probeImagePull({ registry: registry.host, repository: 'group/app', reference: '1' }, { timeoutMs: 5000 });
    assert.equal(result.status, 'no-pull-access');
    assert.equal(registry.realmSeen[0]!.headers.authorization, undefined);
  });

  it('a missing tag is not-found; a wrong secret is wrong-credentials and never appears in the result', async () => {
    const missing = await probeImagePull(
      { registry: registry.host, repository: 'group/app', reference: '2', credential: { username: 'bot', secret: 'secret' } },
      { timeoutMs: 5000 },
    );
    assert.equal(missing.status, 'not-found');
    const wrong = await probeImagePull(
      { registry: registry.host, repository: 'group/app', reference: '1', credential: { username: 'bot', secret: 'wrong-secret-value' } },
      { timeoutMs: 5000 },
    );
    assert.equal(wrong.status, 'wrong-credentials');
    assert.ok(!JSON.stringify(wrong).includes('wrong-secret-value'));
  });

  it('a per-request timeout ends a registry that never answers', async () => {
    const silent = createServer(() => undefined);
    await listen(silent);
    try {
      const started = Date.now();
      const result = await probeImagePull(
        { registry: `127.0.0.1:${(silent.address() as AddressInfo).port}`, repository: 'a/b', reference: '1' },
        { timeoutMs: 60_000, requestTimeoutMs: 300 },
      );
      assert.equal(result.status, 'unreachable');
      assert.equal(result.detail, 'timeout after 300 ms');
      assert.ok(Date.now() - started < 10_000);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('a manifest HEAD redirected to another origin goes there without the Authorization header', async () => {
    const other: Seen[] = [];
    const target = createServer((request, response) => {
      other.push({ method: request.method!, url: request.url!, headers: request.headers });
      response.writeHead(200).end();
    });
    await listen(target);
    const redirecting = createServer((request, response) => {
      if (request.headers.authorization === undefined) return void response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="r"' }).end();
      if (request.url === '/v2/') return void response.writeHead(200, { 'Docker-Distribution-Api-Version': 'registry/2.0' }).end('{}');
      response.writeHead(307, { Location: `http://127.0.0.1:${(target.address() as AddressInfo).port}/elsewhere` }).end();
    });
    await listen(redirecting);
    try {
      const result = await probeImagePull(
        {
          registry: `127.0.0.1:${(redirecting.address() as AddressInfo).port}`,
          repository: 'a/b',
          reference: '1',
          credential: { username: 'u', secret: 'redirect-secret' },
        },
        { timeoutMs: 5000 },
      );
      assert.equal(result.status, 'valid');
      assert.equal(other.length, 1);
      assert.equal(other[0]!.headers.authorization, undefined);
    } finally {
      for (const server of [target, redirecting]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    }
  });
});

const PIPELINE = `found:
  image: registry.example.com/group/app:1
  script: [x]
same-image-again:
  image: registry.example.com/group/app:1
  script: [x]
matrix:
  image: registry.example.com/group/$NAME:1
  parallel:
    matrix:
      - NAME: [one, two]
  script: [x]
runtime:
  image: $SOMEWHERE/app:1
  script: [x]
job-token:
  image: $CI_REGISTRY_IMAGE/app:1
  script: [x]
`;

function plansOf(yaml: string, options = NO_CONTEXT): PullPlanEntry[] {
  const { pipeline } = checkProject('.gitlab-ci.yml', memoryFiles({ '.gitlab-ci.yml': yaml }), options);
  return evaluateImages(pipeline, options).map(pullPlanOf);
}

describe('pull plan and findings', () => {
  it('one target per distinct image and credential, each matrix combination included; run-time names and the job token are skipped with a reason', () => {
    const options = { ...NO_CONTEXT, predefinedVariables: { CI_REGISTRY: 'registry.gitlab.com', CI_REGISTRY_IMAGE: 'registry.gitlab.com/g/p' } };
    const plans = plansOf(PIPELINE, options);
    const targets = [...new Set(plans.flatMap((plan) => ('target' in plan ? [plan.target.image] : [])))].sort();
    assert.deepEqual(targets, ['registry.example.com/group/app:1', 'registry.example.com/group/one:1', 'registry.example.com/group/two:1']);
    const skipped = plans.flatMap((plan) => ('skipped' in plan ? [plan.skipped] : []));
    assert.ok(skipped.some((reason) => reason.includes('$SOMEWHERE')));
    assert.ok(skipped.some((reason) => reason.includes('job token')));
  });

  it('a covered image carries the matching key; a runner-config key is skipped (only the runner has it)', () => {
    const covered = plansOf(PIPELINE, { ...NO_CONTEXT, credentials: [authConfigSource(['registry.example.com'])] });
    assert.ok(covered.some((plan) => 'target' in plan && plan.target.match?.key === 'registry.example.com'));
    const runner = plansOf(PIPELINE, {
      ...NO_CONTEXT,
      credentials: [{ kind: 'runner-config', keys: [{ key: 'registry.example.com', path: 'registry.example.com', via: 'auths', label: 'runner setting' }] }],
    });
    assert.ok(runner.some((plan) => 'skipped' in plan && plan.skipped.includes("runner's own configuration")));
  });

  it('an image covered only by a hidden GitLab variable is skipped, and the reason names the variable', () => {
    const hidden = { kind: 'DOCKER_AUTH_CONFIG' as const, keys: [], credsStore: 'project variable DOCKER_AUTH_CONFIG (group/app)' };
    const plans = plansOf('job:\n  image: registry.example.com/group/app:1\n  script: [x]\n', { ...NO_CONTEXT, credentials: [hidden] });
    assert.deepEqual(
      plans.map((plan) => ('skipped' in plan ? plan.skipped : 'checked')),
      ['It may be covered by project variable DOCKER_AUTH_CONFIG (group/app), whose contents are not known here; only the runner can use it.'],
    );
  });

  it('results become findings with their own codes on each image line that uses them', () => {
    const files = memoryFiles({ '.gitlab-ci.yml': PIPELINE });
    const { pipeline } = checkProject('.gitlab-ci.yml', files, NO_CONTEXT);
    const results = new Map<string, PullResult>();
    for (const plan of evaluateImages(pipeline, NO_CONTEXT).map(pullPlanOf)) {
      if (!('target' in plan)) continue;
      const outcome = plan.target.image.endsWith('app:1') ? 'not-found' : plan.target.image.includes('/one:') ? 'denied' : 'found';
      results.set(pullKeyOf(plan), { outcome, message: `${outcome} ${plan.target.image}`, detail: 'HEAD -> 404', checkedAt: 0 });
    }
    const { findings } = checkProject('.gitlab-ci.yml', files, { ...NO_CONTEXT, pullResults: (key) => results.get(key) });
    const pull = findings.filter((finding) => ['image-not-found', 'pull-denied'].includes(finding.code));
    const lineOf = (offset: number) => PIPELINE.slice(0, offset).split('\n').length - 1;
    assert.deepEqual(
      pull.map((finding) => `${finding.code}@${lineOf(finding.range.start)}`),
      ['image-not-found@1', 'image-not-found@4', 'pull-denied@7'],
    );
    assert.equal(pull[0]!.message, 'not-found registry.example.com/group/app:1');
    assert.equal(pull[0]!.detail, 'HEAD -> 404', 'the HTTP detail is for the hover');
    const off = checkProject('.gitlab-ci.yml', files, { ...NO_CONTEXT, pullResults: (key) => results.get(key), severities: { 'image-not-found': 'off' } });
    assert.equal(off.findings.filter((finding) => finding.code === 'image-not-found').length, 0);
  });
});

describe('runPullChecks', () => {
  const target = (index: number): PullPlanEntry => ({
    target: { key: `k${index}`, image: `127.0.0.1:5000/a/b:${index}`, registry: '127.0.0.1:5000', repository: 'a/b', reference: String(index), match: null },
  });

  it('never has more than 4 requests in flight, checks each key once, and reports progress', async () => {
    let inFlight = 0;
    let most = 0;
    let calls = 0;
    const fetchImpl = (async () => {
      calls++;
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return new Response(null, { status: 404 });
    }) as typeof fetch;
    const entries = [...Array.from({ length: 12 }, (_, index) => target(index)), target(0), target(1)];
    const progress: number[] = [];
    const results = await runPullChecks(entries, () => ({ unavailable: 'n/a' }), {
      requestTimeoutMs: 1000,
      fetch: fetchImpl,
      onProgress: (done) => progress.push(done),
    });
    assert.equal(results.size, 12);
    assert.ok(most <= 4 && most > 1, `at most 4 at once, saw ${most}`);
    assert.equal(calls, 12, 'one /v2/ ping per distinct image (the 404 ends each)');
    assert.deepEqual(
      progress,
      Array.from({ length: 12 }, (_, index) => index + 1),
    );
  });

  it('a cancelled run starts nothing more and leaves unfinished images out', async () => {
    const controller = new AbortController();
    let calls = 0;
    const fetchImpl = (async (_url: string, init: RequestInit) => {
      calls++;
      controller.abort();
      throw init.signal?.reason ?? new Error('aborted');
    }) as unknown as typeof fetch;
    const results = await runPullChecks(
      Array.from({ length: 10 }, (_, index) => target(index)),
      () => ({ unavailable: 'n/a' }),
      {
        requestTimeoutMs: 1000,
        fetch: fetchImpl,
        signal: controller.signal,
      },
    );
    assert.ok(calls <= 4, `${calls} requests after cancelling`);
    assert.equal(results.size, 0);
  });
});

describe('gitlab-ci-auth check --pull', () => {
  let registry: Awaited<ReturnType<typeof fakeRegistry>>;
  let dir: string;
  before(async () => {
    registry = await fakeRegistry();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitlab-ci-auth-pull-'));
    fs.writeFileSync(
      path.join(dir, '.gitlab-ci.yml'),
      `ok:\n  image: ${registry.host}/group/app:1\n  script: [x]\nmissing:\n  image: ${registry.host}/group/app:2\n  script: [x]\n`,
    );
    fs.writeFileSync(path.join(dir, 'auth.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('bot:secret').toString('base64') } } }));
  });
  after(async () => {
    await registry.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('--auth-config FILE: exit 1, image-not-found on the missing tag only, in the Code Quality report', async () => {
    const run = await runCli(['check', '.gitlab-ci.yml', '--pull', '--auth-config', 'auth.json', '--format', 'codequality'], { cwd: dir });
    assert.equal(run.code, 1, run.stderr);
    const issues = JSON.parse(run.stdout) as { check_name: string; location: { lines: { begin: number } } }[];
    assert.deepEqual(
      issues.map((issue) => `${issue.check_name}@${issue.location.lines.begin}`),
      ['image-not-found@5'],
    );
  });

  it('DOCKER_AUTH_CONFIG from the environment, as in a GitLab job: JSON, or the path of a File-type variable', async () => {
    const authText = fs.readFileSync(path.join(dir, 'auth.json'), 'utf8');
    for (const value of [authText, path.join(dir, 'auth.json')]) {
      const run = await runCli(['check', '.gitlab-ci.yml', '--pull', '--format', 'json'], { cwd: dir, env: { DOCKER_AUTH_CONFIG: value } });
      assert.equal(run.code, 1, run.stderr);
      const { findings } = JSON.parse(run.stdout) as { findings: { code: string; line: number }[] };
      assert.deepEqual(
        findings.map((finding) => `${finding.code}@${finding.line}`),
        ['image-not-found@5'],
      );
    }
  });

  it('without --pull nothing is sent', async () => {
    registry.seen.length = 0;
    const run = await runCli(['check', '.gitlab-ci.yml', '--auth-config', 'auth.json'], { cwd: dir });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(registry.seen.length, 0);
  });
});
