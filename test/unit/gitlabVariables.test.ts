import { after, before, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { GitLabApi, type VariableFields } from '../../src/core/gitlab/api';
import { planAuthConfigWrite, writeVariable } from '../../src/core/gitlab/authConfigWrite';
import { GitLabClient } from '../../src/core/gitlab/client';
import { parseInstanceUrl } from '../../src/core/gitlab/instance';
import { coverageFromVariables, readVariablesCoverage, type LevelVariables } from '../../src/core/gitlab/variablesCoverage';
import type { GitLabVariable } from '../../src/core/gitlab/schemas';
import { FakeGitLab } from '../support/fakeGitLab';

const token = 'FAKE-pat-variables-0001';
const auth = (user: string, secret: string) => Buffer.from(`${user}:${secret}`).toString('base64');
const config = (entries: Record<string, string>) =>
  JSON.stringify({ auths: Object.fromEntries(Object.entries(entries).map(([key, value]) => [key, { auth: value }])) });

function variable(value: string | null, extra: Partial<GitLabVariable> = {}): GitLabVariable {
  return {
    key: 'DOCKER_AUTH_CONFIG',
    value,
    variable_type: 'env_var',
    protected: false,
    masked: false,
    hidden: value === null,
    raw: true,
    environment_scope: '*',
    ...extra,
  };
}

const project = { level: 'project' as const, path: 'team/sub/app' };
const subgroup = { level: 'group' as const, path: 'team/sub' };
const group = { level: 'group' as const, path: 'team' };

describe('DOCKER_AUTH_CONFIG coverage from CI/CD variables', () => {
  it('uses the project variable and says the group one is not used (GitLab passes one value, no merge)', () => {
    const levels: LevelVariables[] = [
      { owner: project, readable: true, variables: [variable(config({ 'registry.example.com': auth('u', 'FAKE-1') }))] },
      { owner: group, readable: true, variables: [variable(config({ 'other.example.com': auth('u', 'FAKE-2') }))] },
    ];
    const coverage = coverageFromVariables(levels);
    assert.equal(coverage.effective?.label, 'project variable DOCKER_AUTH_CONFIG (team/sub/app)');
    assert.deepEqual(
      coverage.sources.flatMap((source) => source.keys.map((key) => [key.key, key.label])),
      [['registry.example.com', 'project variable DOCKER_AUTH_CONFIG (team/sub/app)']],
    );
    assert.ok(coverage.notes.some((note) => note.startsWith('group variable DOCKER_AUTH_CONFIG (team) is not used')));
  });

  it('inherits the closest group variable when the project has none', () => {
    const coverage = coverageFromVariables([
      { owner: project, readable: true, variables: [variable('x', { key: 'OTHER' })] },
      { owner: subgroup, readable: true, variables: [variable(config({ 'registry.example.com:5050': auth('u', 'FAKE-1') }))] },
      { owner: group, readable: true, variables: [variable(config({ 'far.example.com': auth('u', 'FAKE-2') }))] },
    ]);
    assert.equal(coverage.effective?.label, 'group variable DOCKER_AUTH_CONFIG (team/sub)');
    assert.deepEqual(
      coverage.sources[0]!.keys.map((key) => key.key),
      ['registry.example.com:5050'],
    );
  });

  it('treats a hidden variable as set with unknown contents, not as missing', () => {
    const coverage = coverageFromVariables([{ owner: project, readable: true, variables: [variable(null, { masked: true })] }]);
    assert.equal(coverage.effective?.state.kind, 'hidden');
    assert.equal(coverage.sources.length, 1);
    assert.deepEqual(coverage.sources[0]!.keys, []);
    assert.match(coverage.sources[0]!.credsStore ?? '', /hidden project variable/);
  });

  it('gives no coverage for a broken variable, which the runner drops whole, and says why without quoting it', () => {
    const secret = 'FAKE-secret-in-broken-value';
    const coverage = coverageFromVariables([
      { owner: project, readable: true, variables: [variable(`{"auths":{"registry.example.com":{"auth":"${secret}"`)] },
      { owner: group, readable: true, variables: [variable(config({ 'registry.example.com': auth('u', 'FAKE-2') }))] },
    ]);
    assert.equal(coverage.effective?.state.kind, 'broken');
    assert.deepEqual(coverage.sources, []);
    const state = coverage.effective!.state;
    assert.ok(state.kind === 'broken' && state.problems.length > 0);
    assert.ok(!JSON.stringify(coverage).includes(secret));
  });

  it('keeps `*` as the default and describes environment-scoped variables separately', () => {
    const coverage = coverageFromVariables([
      {
        owner: project,
        readable: true,
        variables: [
          variable(config({ 'prod.example.com': auth('u', 'FAKE-1') }), { environment_scope: 'production' }),
          variable(config({ 'registry.example.com': auth('u', 'FAKE-2') })),
        ],
      },
    ]);
    assert.deepEqual(
      coverage.sources[0]!.keys.map((key) => key.key),
      ['registry.example.com'],
    );
    assert.ok(coverage.notes.some((note) => note.includes('scope production') && note.includes('"production"') && note.includes('prod.example.com')));
  });

  it('reports unreadable levels as unknown and warns that a closer unreadable one may replace the known value', () => {
    const coverage = coverageFromVariables([
      { owner: project, readable: false, reason: 'reading project variables needs the Maintainer role' },
      { owner: group, readable: true, variables: [variable(config({ 'registry.example.com': auth('u', 'FAKE-1') }))] },
    ]);
    assert.deepEqual(
      coverage.unknownLevels.map((level) => level.owner.path),
      ['team/sub/app'],
    );
    assert.equal(coverage.sources.length, 1);
    assert.ok(coverage.notes.some((note) => note.includes('could not be read; if it exists it replaces')));
  });

  it('notes a protected variable (unprotected branches do not get it)', () => {
    const coverage = coverageFromVariables([
      { owner: project, readable: true, variables: [variable(config({ 'r.example.com': auth('u', 'FAKE-1') }), { protected: true })] },
    ]);
    assert.ok(coverage.notes.some((note) => note.includes('is protected')));
  });
});

describe('saving DOCKER_AUTH_CONFIG: the merge plan', () => {
  const existing = config({ 'registry.example.com': auth('old', 'FAKE-old'), 'keep.example.com': auth('k', 'FAKE-keep') });

  it('adds, replaces and keeps entries by lookup path, never dropping one', () => {
    const plan = planAuthConfigWrite(existing, config({ 'registry.example.com': auth('new', 'FAKE-new'), 'added.example.com:5050': auth('a', 'FAKE-a') }));
    assert.equal(plan.existing, 'valid');
    assert.deepEqual(plan.added, ['added.example.com:5050']);
    assert.deepEqual(plan.changed, ['registry.example.com']);
    assert.deepEqual(plan.kept, ['keep.example.com']);
    const saved = JSON.parse(plan.value) as { auths: Record<string, { auth: string }> };
    assert.deepEqual(Object.keys(saved.auths).sort(), ['added.example.com:5050', 'keep.example.com', 'registry.example.com']);
    assert.equal(saved.auths['registry.example.com']!.auth, auth('new', 'FAKE-new'));
    assert.equal(saved.auths['keep.example.com']!.auth, auth('k', 'FAKE-keep'));
    assert.ok(!/\s/.test(plan.value), 'minified');
    assert.equal(plan.maskable, true);
  });

  it('treats the same credential as kept, and an https:// spelling of a key as the same registry', () => {
    const plan = planAuthConfigWrite(config({ 'https://registry.example.com': auth('u', 'FAKE-1') }), config({ 'registry.example.com': auth('u', 'FAKE-1') }));
    assert.deepEqual([plan.added, plan.changed], [[], []]);
    assert.deepEqual(Object.keys((JSON.parse(plan.value) as { auths: object }).auths), ['registry.example.com']);
  });

  it('keeps credHelpers and other keys of the existing value', () => {
    const plan = planAuthConfigWrite(
      '{"auths":{},"credHelpers":{"123.dkr.ecr.eu-west-1.amazonaws.com":"ecr-login"}}',
      config({ 'r.example.com': auth('u', 'FAKE-1') }),
    );
    assert.deepEqual(plan.kept, ['123.dkr.ecr.eu-west-1.amazonaws.com']);
    assert.equal((JSON.parse(plan.value) as { credHelpers: Record<string, string> }).credHelpers['123.dkr.ecr.eu-west-1.amazonaws.com'], 'ecr-login');
  });

  it('says a hidden or broken value is replaced without listing what it held', () => {
    const hidden = planAuthConfigWrite(null, config({ 'r.example.com': auth('u', 'FAKE-1') }));
    assert.equal(hidden.existing, 'hidden');
    assert.equal(hidden.replacesUnreadable, true);
    const broken = planAuthConfigWrite('{"auths": {', config({ 'r.example.com': auth('u', 'FAKE-1') }));
    assert.equal(broken.existing, 'broken');
    assert.ok(broken.existingProblem);
    assert.deepEqual(broken.added, ['r.example.com']);
    assert.equal(planAuthConfigWrite(undefined, config({ 'r.example.com': auth('u', 'FAKE-1') })).existing, 'none');
  });
});

describe('saving DOCKER_AUTH_CONFIG through the loopback GitLab API test server', () => {
  const server = new FakeGitLab();
  let api: GitLabApi;
  const fields = (value: string, scope = '*'): VariableFields => ({
    value,
    variable_type: 'env_var',
    protected: false,
    masked: true,
    raw: true,
    environment_scope: scope,
  });

  before(async () => {
    await server.start();
    server.tokens.set(token, { scopes: ['api'] });
    server.addProject('team/sub/app', 'maintainer');
    server.roles.set('group:team/sub', 'owner');
    const parsed = parseInstanceUrl(server.baseUrl);
    assert.ok(parsed.ok);
    api = new GitLabApi(new GitLabClient({ instance: parsed.instance, credential: { kind: 'private-token', token }, fetch, sleep: async () => {} }));
  });
  after(() => server.stop());
  beforeEach(() => {
    server.variables.clear();
    server.requests.length = 0;
  });

  it('reads project and group variables, hidden ones as null, and marks a group it may not read as unknown', async () => {
    server.addVariable('project:team/sub/app', { key: 'DOCKER_AUTH_CONFIG', value: null, hidden: true, masked: true });
    server.addVariable('group:team/sub', { key: 'DOCKER_AUTH_CONFIG', value: config({ 'registry.example.com': auth('u', 'FAKE-1') }) });
    const coverage = await readVariablesCoverage(api, 'team/sub/app');
    assert.deepEqual(
      coverage.variables.map((found) => [found.label, found.state.kind]),
      [
        ['project variable DOCKER_AUTH_CONFIG (team/sub/app)', 'hidden'],
        ['group variable DOCKER_AUTH_CONFIG (team/sub)', 'valid'],
      ],
    );
    assert.deepEqual(
      coverage.unknownLevels.map((level) => level.owner.path),
      ['team'],
    );
  });

  it('creates the variable with POST when GitLab has none for that scope', async () => {
    const value = config({ 'registry.example.com': auth('u', 'FAKE-1') });
    const owner = { level: 'project' as const, path: 'team/sub/app' };
    const outcome = await writeVariable(api, owner, 'DOCKER_AUTH_CONFIG', fields(value), await api.variable(owner, 'DOCKER_AUTH_CONFIG', '*'));
    assert.deepEqual(outcome, { action: 'created', masked: true });
    const [post] = server.requestsTo('POST', /variables$/);
    assert.deepEqual(post!.body, {
      key: 'DOCKER_AUTH_CONFIG',
      value,
      variable_type: 'env_var',
      protected: false,
      masked: true,
      raw: true,
      environment_scope: '*',
    });
  });

  it('updates with PUT and the scope filter, leaving the variable of another scope alone', async () => {
    server.addVariable('project:team/sub/app', { key: 'DOCKER_AUTH_CONFIG', value: config({ 'a.example.com': auth('u', 'FAKE-1') }), raw: true });
    server.addVariable('project:team/sub/app', {
      key: 'DOCKER_AUTH_CONFIG',
      value: config({ 'p.example.com': auth('u', 'FAKE-2') }),
      raw: true,
      environment_scope: 'production',
    });
    const owner = { level: 'project' as const, path: 'team/sub/app' };
    const value = config({ 'b.example.com': auth('u', 'FAKE-3') });
    const outcome = await writeVariable(api, owner, 'DOCKER_AUTH_CONFIG', fields(value), await api.variable(owner, 'DOCKER_AUTH_CONFIG', '*'));
    assert.equal(outcome.action, 'updated');
    const [put] = server.requestsTo('PUT', /DOCKER_AUTH_CONFIG$/);
    assert.equal(put!.query.get('filter[environment_scope]'), '*');
    const stored = server.variables.get('project:team/sub/app')!;
    assert.equal(stored.find((found) => found.environment_scope === '*')!.value, value);
    assert.equal(stored.find((found) => found.environment_scope === 'production')!.value, config({ 'p.example.com': auth('u', 'FAKE-2') }));
  });

  it('does not save unmasked for any other validation error', async () => {
    server.failNext('POST', /variables$/, { status: 400, body: '{"message":{"key":["(DOCKER_AUTH_CONFIG) has already been taken"]}}' });
    const owner = { level: 'project' as const, path: 'team/sub/app' };
    await assert.rejects(
      writeVariable(api, owner, 'DOCKER_AUTH_CONFIG', fields(config({ 'r.example.com': auth('u', 'FAKE-1') })), undefined),
      /has already been taken/,
    );
    assert.equal(server.requestsTo('POST', /variables$/).length, 1);
  });

  it('saves unmasked and says so when an older GitLab refuses a masked raw JSON value', async () => {
    server.failNext('POST', /variables$/, { status: 400, body: '{"message":{"value":["is invalid"]}}' });
    const owner = { level: 'group' as const, path: 'team/sub' };
    const outcome = await writeVariable(api, owner, 'DOCKER_AUTH_CONFIG', fields(config({ 'r.example.com': auth('u', 'FAKE-1') })), undefined);
    assert.deepEqual(outcome, { action: 'created', masked: false });
    assert.equal(server.variables.get('group:team/sub')![0]!.masked, false);
  });

  it('distinguishes a missing variable (create it) from a missing project (an error)', async () => {
    assert.equal(await api.variable({ level: 'project', path: 'team/sub/app' }, 'DOCKER_AUTH_CONFIG', '*'), undefined);
    await assert.rejects(api.variable({ level: 'project', path: 'team/none' }, 'DOCKER_AUTH_CONFIG', '*'), /404 Project Not Found/);
  });
});
