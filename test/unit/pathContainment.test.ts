/**
 * Include reading stays inside the workspace folder. A hostile `.gitlab-ci.yml` names files outside it every way it can
 * (`..`, absolute paths, symlinked files and folders, globs climbing out, variables expanding to `..`, URLs); none is
 * read: its content appears nowhere in the result, and no file outside the folder is even opened. Nothing is executed.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkProject, type CheckOptions } from '../../src/core/check';
import { createDiskProjectFiles, normalizeProjectPath } from '../../src/core/pipeline/diskFiles';

const OPTIONS: CheckOptions = { credentials: [], predefinedVariables: {}, publicRegistries: ['docker.io'] };
/** What the outside files hold: a job whose name and image must never show up. */
const OUTSIDE_SENTINEL = 'stolen-outside-job';
const OUTSIDE_YAML = `${OUTSIDE_SENTINEL}:\n  image: outside.example.com/${OUTSIDE_SENTINEL}:1\n  script: [x]\n`;

let sandbox = '';
let project = '';
let outside = '';

before(() => {
  sandbox = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'containment-')));
  project = path.join(sandbox, 'project');
  outside = path.join(sandbox, 'outside');
  fs.mkdirSync(path.join(project, 'ci'), { recursive: true });
  fs.mkdirSync(path.join(outside, 'nested'), { recursive: true });
  fs.writeFileSync(path.join(outside, 'secret.yml'), OUTSIDE_YAML);
  fs.writeFileSync(path.join(outside, 'nested', 'deep.yml'), OUTSIDE_YAML);
  fs.writeFileSync(path.join(project, 'ci', 'inside.yml'), 'inside-job:\n  image: registry.example.com/inside:1\n  script: [x]\n');
  fs.symlinkSync(path.join(outside, 'secret.yml'), path.join(project, 'ci', 'link-to-outside.yml'));
  fs.symlinkSync(outside, path.join(project, 'linkdir'));
  fs.symlinkSync('../../outside/secret.yml', path.join(project, 'ci', 'relative-link.yml'));
});

after(() => fs.rmSync(sandbox, { recursive: true, force: true }));

/** Every path handed to fs reading functions and every attempt to start a process while `run` executes. */
function watchingFileSystem<T>(run: () => T): { result: T; opened: string[]; listed: string[]; spawned: string[] } {
  const opened: string[] = [];
  const listed: string[] = [];
  const spawned: string[] = [];
  // The modules themselves (an `import *` namespace is read-only): the core's imports read through to them.
  const mutableFs = require('node:fs') as Record<string, (...args: unknown[]) => unknown>;
  const mutableChild = require('node:child_process') as Record<string, (...args: unknown[]) => unknown>;
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  const patch = (target: Record<string, (...args: unknown[]) => unknown>, name: string, record: (args: unknown[]) => void, key: string) => {
    const original = target[name]!;
    originals.set(key, original);
    target[name] = function (this: unknown, ...args: unknown[]) {
      record(args);
      return original.apply(this, args);
    };
  };
  for (const name of ['readFileSync', 'openSync', 'createReadStream', 'readFile', 'open'])
    patch(mutableFs, name, (args) => opened.push(String(args[0])), `fs.${name}`);
  for (const name of ['readdirSync', 'opendirSync']) patch(mutableFs, name, (args) => listed.push(String(args[0])), `fs.${name}`);
  for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
    const original = mutableChild[name]!;
    originals.set(`child.${name}`, original);
    mutableChild[name] = (...args: unknown[]) => {
      spawned.push(String(args[0]));
      throw new Error('no process may be started');
    };
  }
  try {
    return { result: run(), opened, listed, spawned };
  } finally {
    for (const [key, original] of originals) {
      const [where, name] = key.split('.') as [string, string];
      (where === 'fs' ? mutableFs : mutableChild)[name] = original;
    }
  }
}

function checkContained(yaml: string, variables: Record<string, string> = {}) {
  fs.writeFileSync(path.join(project, '.gitlab-ci.yml'), yaml);
  const watched = watchingFileSystem(() => checkProject('.gitlab-ci.yml', createDiskProjectFiles(project), { ...OPTIONS, resolve: { variables } }));
  const { pipeline, findings } = watched.result;
  const everything = JSON.stringify({ files: pipeline.files, jobs: pipeline.jobs, findings, unresolved: pipeline.unresolvedIncludes });
  assert.ok(!everything.includes(OUTSIDE_SENTINEL), `content from outside the project was read for:\n${yaml}`);
  for (const file of watched.opened) {
    const real = path.resolve(file);
    assert.ok(real.startsWith(project + path.sep), `opened ${real}, outside the project`);
  }
  for (const directory of watched.listed) assert.ok(path.resolve(directory).startsWith(project), `listed ${directory}, outside the project`);
  assert.deepEqual(watched.spawned, [], 'no process is started');
  return { pipeline, findings, opened: watched.opened };
}

describe('include reading stays inside the project folder', () => {
  it('reads an ordinary include (the watch sees reads at all)', () => {
    const { pipeline, opened } = checkContained('include: ci/inside.yml\n');
    assert.ok(pipeline.jobs.some((job) => job.name === 'inside-job'));
    assert.ok(opened.some((file) => file.endsWith(path.join('ci', 'inside.yml'))));
  });

  it('refuses ../ paths, in every spelling', () => {
    for (const location of [
      '../outside/secret.yml',
      './../outside/secret.yml',
      'ci/../../outside/secret.yml',
      '/../outside/secret.yml',
      '..\\outside\\secret.yml',
      'ci/..//../outside/secret.yml',
    ]) {
      const { findings } = checkContained(`include:\n  - local: '${location}'\nok:\n  image: registry.example.com/ok:1\n  script: [x]\n`);
      assert.ok(
        findings.some((finding) => finding.code === 'include-not-found'),
        `${location} is reported as not found`,
      );
    }
  });

  it('reads an absolute include path relative to the project, never from the filesystem root', () => {
    for (const location of [path.join(outside, 'secret.yml'), '/etc/passwd', '//etc/passwd']) {
      const { findings } = checkContained(`include: '${location}'\n`);
      assert.ok(
        findings.some((finding) => finding.code === 'include-not-found'),
        `${location} is not found inside the project`,
      );
    }
  });

  it('refuses a symlinked file or folder whose target is outside, directly or through a glob', () => {
    for (const yaml of [
      'include: ci/link-to-outside.yml\n',
      'include: ci/relative-link.yml\n',
      'include: linkdir/secret.yml\n',
      'include: linkdir/nested/deep.yml\n',
      "include: 'linkdir/**/*.yml'\n",
      "include: 'ci/*.yml'\n",
      "include: '**/*.yml'\n",
      "include: '**'\n",
    ]) {
      checkContained(yaml);
    }
  });

  it('refuses globs and variables that climb out', () => {
    for (const yaml of ["include: '../**/*.yml'\n", "include: '../*/secret.yml'\n", "include: '/../**'\n", "include: '**/../../outside/*.yml'\n"])
      checkContained(yaml);
    checkContained('include: $UP/outside/secret.yml\n', { UP: '..' });
    checkContained('include:\n  - local: ${DIR}/secret.yml\n', { DIR: path.join(outside) });
  });

  it('never fetches file: or other URLs, and never runs what a path looks like', () => {
    const marker = path.join(sandbox, 'executed');
    for (const yaml of [
      `include: 'file://${path.join(outside, 'secret.yml')}'\n`,
      `include:\n  - remote: 'file://${path.join(outside, 'secret.yml')}'\n`,
      `include: '$(touch ${marker}).yml'\n`,
      `include: '\`touch ${marker}\`.yml'\n`,
      `include: 'ci/inside.yml; touch ${marker}'\n`,
      `job:\n  image: registry.example.com/$(touch ${marker})\n  script: ['touch ${marker}']\n`,
    ]) {
      checkContained(yaml);
    }
    assert.ok(!fs.existsSync(marker), 'nothing was executed');
  });

  it('normalises project paths by refusing anything that is absolute or climbs out', () => {
    assert.equal(normalizeProjectPath('ci/./a.yml'), 'ci/a.yml');
    for (const unsafe of ['../a.yml', 'ci/../../a.yml', '/etc/passwd', 'C:/Windows/win.ini', 'c:\\x', 'ci\\..\\..\\a.yml', 'a\0b', '']) {
      assert.equal(normalizeProjectPath(unsafe), undefined, JSON.stringify(unsafe));
    }
  });
});
