// The pull check as a user runs it in the workbench, against real docker-registry instances on 127.0.0.1 (htpasswd,
// and token auth by the loopback GitLab-like token server): credentials imported by paste, the command from the
// palette, each failing pull in the Problems panel on its image's line, the success in the hover, and a second run
// within the cache time that asks no registry. Each test starts in a fresh browser window (nothing stored, nothing cached).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startPullCheckRegistries, type PullCheckRegistries } from '../support/registry';
import { freshWindowForEachTest, openWorkbench, type Problem, type Workbench } from './harness';

const PULL_CODES = ['image-not-found', 'pull-denied', 'credential-rejected', 'registry-unreachable'];

/** `code@line` (1-based, as the Problems panel shows) of each pull finding, sorted. */
function pullProblems(problems: readonly Problem[]): string[] {
  return problems.flatMap((problem) => PULL_CODES.filter((code) => problem.code.includes(code)).map((code) => `${code}@${problem.line}`)).sort();
}

describe('pull check: Check That Every Image Can Be Pulled against real registries, in the workbench', function () {
  let registries: PullCheckRegistries;
  let workbench: Workbench;
  let workspaceRoot: string;
  let expected: string[];

  before(async () => {
    registries = await startPullCheckRegistries();
    const { basic, reject, token, refusedHost } = registries;
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
      `  image: ${token.host}/team/api:2.0`, //         6
      '  services:', //                                 7
      `    - ${token.host}/team/other:1`, //            8
      'unreachable:', //                                9
      `  image: ${refusedHost}/team/app:1`, //          10
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
    await registries?.stop();
    if (workspaceRoot) fs.rmSync(workspaceRoot, { recursive: true, force: true });
  });

  // Nothing stored and no cached pull result of another test.
  freshWindowForEachTest(() => workbench);

  beforeEach(async () => {
    await workbench.openFile('.gitlab-ci.yml');
    await workbench.problems((list) => list.some((problem) => problem.line === 10));
  });

  it('imports the credentials by paste, runs the command from the palette, and shows each failing pull on its line', async () => {
    await importAndCheck();
    await workbench.screenshot('pull-check-problems');
  });

  it('the hover of a pullable image says when it was checked and that this credential may pull it', async () => {
    await importAndCheck();
    // The problem's hover part (credential-not-in-gitlab) may come first; this waits for ours.
    await workbench.hoverMatching(
      `${registries.basic.host}/group/app:1.0`,
      /Pull checked just now: the manifest exists and this credential \(127\.0\.0\.1:\d+\) may pull it\./,
    );
  });

  it('a second run within the cache time asks no registry', async () => {
    await importAndCheck();
    const before = registries.tokenServer.requests.length;
    // Only the second run's message may be on screen, so that a different one is reported as it is.
    await workbench.runCommand('Notifications: Clear All Notifications');
    await workbench.page.locator('.notification-toast').first().waitFor({ state: 'detached' });
    await workbench.runCommand('GitLab CI Auth: Check That Every Image Can Be Pulled');
    assert.equal(await workbench.notification(/^Pull check done/), 'Pull check done: 6 checked (6 recently, not asked again), 4 would fail (see Problems).');
    assert.equal(registries.tokenServer.requests.length, before);
    assert.deepEqual(pullProblems(await workbench.problems()), expected);
  });

  /** Imports the three credentials by paste (nothing is sent yet), runs the pull check, and waits for its findings. */
  async function importAndCheck(): Promise<void> {
    const requestsBefore = registries.tokenServer.requests.length;
    await workbench.runCommand('GitLab CI Auth: Import Existing DOCKER_AUTH_CONFIG…');
    await workbench.quickInput({ title: 'Import Existing DOCKER_AUTH_CONFIG' });
    await pick('Paste the JSON');
    await workbench.quickInput({ message: /It is hidden as you type/ });
    await workbench.submitQuickInput(JSON.stringify(registries.authConfig));
    await workbench.quickInput({ title: 'Remember the imported credentials for…' });
    await pick('For this project only');
    await workbench.notification('Imported 3 credential(s) into SecretStorage.');
    assert.equal(registries.tokenServer.requests.length, requestsBefore, 'nothing is sent before the user asks');

    await workbench.runCommand('GitLab CI Auth: Check That Every Image Can Be Pulled');
    await workbench.notification('Pull check done: 6 checked, 4 would fail (see Problems).');
    const problems = await workbench.problems((list) => pullProblems(list).length >= expected.length);
    assert.deepEqual(pullProblems(problems), expected);
  }

  async function pick(label: string): Promise<void> {
    await workbench.typeInQuickInput(label);
    await workbench.pickQuickInputItem(label);
  }
});
