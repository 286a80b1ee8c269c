// The pull check as a user runs it in the workbench, against real docker-registry instances on 127.0.0.1 (htpasswd,
// and token auth by the loopback GitLab-like token server): credentials imported by paste, the command from the
// palette, each failing pull in the Problems panel on its image's line, the success in the hover, and a second run
// within the cache time that asks no registry.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { basicAuthorization, pushTestImage, startRegistry, type RunningRegistry } from '../support/registry';
import { startTokenServer, type TokenServer } from '../support/tokenServer';
import { openWorkbench, type Problem, type Workbench } from './harness';

const alice = { username: 'alice', password: 'FAKE-e2e-pull-alice' };
const carol = { username: 'carol', password: 'FAKE-e2e-pull-carol' };
const bob = { username: 'bob', password: 'FAKE-e2e-pull-bob' };
const PULL_CODES = ['image-not-found', 'pull-denied', 'credential-rejected', 'registry-unreachable'];

/** `code@line` (1-based, as the Problems panel shows) of each pull finding, sorted. */
function pullProblems(problems: readonly Problem[]): string[] {
  return problems.flatMap((problem) => PULL_CODES.filter((code) => problem.code.includes(code)).map((code) => `${code}@${problem.line}`)).sort();
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('pull check: Check That Every Image Can Be Pulled against real registries, in the workbench', function () {
  let basic: RunningRegistry;
  let reject: RunningRegistry;
  let tokenRegistry: RunningRegistry;
  let tokenServer: TokenServer;
  let workbench: Workbench;
  let workspaceRoot: string;
  let expected: string[];

  before(async () => {
    basic = await startRegistry({ kind: 'htpasswd', users: [alice] });
    reject = await startRegistry({ kind: 'htpasswd', users: [carol] });
    tokenServer = await startTokenServer({ users: [{ ...bob, permissions: { 'team/api': ['pull'] } }] });
    tokenRegistry = await startRegistry({ kind: 'token', tokenServer });
    await pushTestImage(basic.url, 'group/app', '1.0', basicAuthorization(alice.username, alice.password));
    await pushTestImage(reject.url, 'group/app', '1.0', basicAuthorization(carol.username, carol.password));
    for (const [repository, tag] of [
      ['team/api', '2.0'],
      ['team/other', '1'],
    ] as const) {
      const push = tokenServer.mintToken('seed', [{ type: 'repository', name: repository, actions: ['push', 'pull'] }]);
      await pushTestImage(tokenRegistry.url, repository, tag, `Bearer ${push}`);
    }
    const refused = `127.0.0.1:${await closedPort()}`;
    // The pipeline must name the registries' real ports, so the workspace is written here rather than kept as a fixture.
    workspaceRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'gitlab-ci-auth-pull-e2e-'));
    const workspace = path.join(workspaceRoot, 'pullcheck');
    fs.mkdirSync(workspace);
    const lines = [
      'found:', //                                      1
      `  image: ${basic.host}/group/app:1.0`, //        2
      'tag-missing:', //                                3
      `  image: ${basic.host}/group/app:9.9`, //        4
      'token:', //                                      5
      `  image: ${tokenRegistry.host}/team/api:2.0`, // 6
      '  services:', //                                 7
      `    - ${tokenRegistry.host}/team/other:1`, //    8
      'unreachable:', //                                9
      `  image: ${refused}/team/app:1`, //              10
      'rejected:', //                                   11
      `  image: ${reject.host}/group/app:1.0`, //       12
      '  script: [make]',
      '',
    ];
    fs.writeFileSync(path.join(workspace, '.gitlab-ci.yml'), lines.join('\n'));
    expected = ['image-not-found@4', 'pull-denied@8', 'registry-unreachable@10', 'credential-rejected@12'].sort();
    workbench = await openWorkbench({ workspace, settings: { 'editor.minimap.enabled': false } });
  });

  after(async () => {
    await workbench?.close();
    await Promise.all([basic?.stop(), reject?.stop(), tokenRegistry?.stop()]);
    await tokenServer?.stop();
    if (workspaceRoot) fs.rmSync(workspaceRoot, { recursive: true, force: true });
  });

  it('imports the credentials by paste, runs the command from the palette, and shows each failing pull on its line', async () => {
    await workbench.openFile('.gitlab-ci.yml');
    await workbench.problems((list) => list.some((problem) => problem.line === 10));
    const auth = (user: { username: string }, secret: string) => Buffer.from(`${user.username}:${secret}`).toString('base64');
    const json = JSON.stringify({
      auths: {
        [basic.host]: { auth: auth(alice, alice.password) },
        [tokenRegistry.host]: { auth: auth(bob, bob.password) },
        [reject.host]: { auth: auth(carol, 'FAKE-e2e-wrong-password') },
      },
    });
    await workbench.runCommand('GitLab CI Auth: Import Existing DOCKER_AUTH_CONFIG…');
    await workbench.quickInput({ title: 'Import Existing DOCKER_AUTH_CONFIG' });
    await pick('Paste the JSON');
    await workbench.quickInput({ message: /It is hidden as you type/ });
    await workbench.submitQuickInput(json);
    await workbench.quickInput({ title: 'Remember the imported credentials for…' });
    await pick('For this project only');
    await workbench.notification('Imported 3 credential(s) into SecretStorage.');
    assert.equal(tokenServer.requests.length, 0, 'nothing is sent before the user asks');

    await workbench.runCommand('GitLab CI Auth: Check That Every Image Can Be Pulled');
    await workbench.notification('Pull check done: 6 checked, 4 would fail (see Problems).');
    const problems = await workbench.problems((list) => pullProblems(list).length >= expected.length);
    assert.deepEqual(pullProblems(problems), expected);
    await workbench.screenshot('pull-check-problems');
  });

  it('the hover of a pullable image says when it was checked and that this credential may pull it', async () => {
    // The problem's hover part (credential-not-in-gitlab) may come first; this waits for ours.
    await workbench.hoverMatching(
      `${basic.host}/group/app:1.0`,
      /Pull checked just now: the manifest exists and this credential \(127\.0\.0\.1:\d+\) may pull it\./,
    );
  });

  it('a second run within the cache time asks no registry', async () => {
    const before = tokenServer.requests.length;
    await workbench.runCommand('GitLab CI Auth: Check That Every Image Can Be Pulled');
    await workbench.notification('Pull check done: 6 checked (6 recently, not asked again), 4 would fail (see Problems).');
    assert.equal(tokenServer.requests.length, before);
    assert.deepEqual(pullProblems(await workbench.problems()), expected);
  });

  async function pick(label: string): Promise<void> {
    await workbench.typeInQuickInput(label);
    await workbench.pickQuickInputItem(label);
  }
});
