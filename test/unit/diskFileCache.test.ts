/**
 * DiskFileCache: a folder's disk reads kept between checks, dropped when its owner reports a change on disk. Once told,
 * a check sees exactly what an uncached read of the disk sees (texts, misses, wildcard matches, symlinked files, the
 * containment rules); until told, it reads nothing from the disk again.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDiskProjectFiles, DiskFileCache } from '../../src/core/pipeline/diskFiles';

let sandbox = '';
let root = '';

function write(relative: string, text: string): void {
  const file = path.join(root, ...relative.split('/'));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

beforeEach(() => {
  sandbox = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'disk-cache-')));
  root = path.join(sandbox, 'project');
  write('.gitlab-ci.yml', 'include: ci/a.yml\n');
  write('ci/a.yml', 'a: 1\n');
  write('ci/b.yaml', 'b: 1\n');
  write('shared/real.yml', 'real: 1\n');
  write('outside.yml', 'never: read\n');
  fs.renameSync(path.join(root, 'outside.yml'), path.join(sandbox, 'outside.yml'));
  fs.symlinkSync(path.join(root, 'shared', 'real.yml'), path.join(root, 'ci', 'link.yml'));
  fs.symlinkSync(path.join(sandbox, 'outside.yml'), path.join(root, 'ci', 'escape.yml'));
});

afterEach(() => fs.rmSync(sandbox, { recursive: true, force: true }));

/** Every file-reading call made while `run` executes. */
function diskCalls(run: () => void): number {
  const names = ['readFileSync', 'statSync', 'realpathSync', 'readdirSync'] as const;
  // The module itself (an `import *` namespace is read-only): the core's imports read through to it.
  const real = require('node:fs') as Record<string, (...args: unknown[]) => unknown>;
  const originals = names.map((name) => real[name]!);
  let calls = 0;
  names.forEach((name, i) => {
    real[name] = Object.assign((...args: unknown[]) => {
      calls++;
      return originals[i]!(...args);
    }, originals[i]);
  });
  try {
    run();
  } finally {
    names.forEach((name, i) => (real[name] = originals[i]!));
  }
  return calls;
}

describe('DiskFileCache', () => {
  it('reads and lists what an uncached read of the disk gives, the containment rules included', () => {
    const cached = new DiskFileCache(root).files();
    const uncached = createDiskProjectFiles(root);
    for (const file of ['.gitlab-ci.yml', 'ci/a.yml', 'ci/link.yml', 'ci/escape.yml', '../outside.yml', 'ci/missing.yml', 'ci']) {
      assert.equal(cached.read(file), uncached.read(file), file);
    }
    assert.equal(cached.read('ci/escape.yml'), undefined);
    for (const pattern of ['ci/*.yml', '**/*.yml', '/ci/*', 'nothing/*.yml']) assert.deepEqual(cached.glob(pattern), uncached.glob(pattern), pattern);
  });

  it('a second check reads nothing from the disk', () => {
    const cache = new DiskFileCache(root);
    const check = () => {
      const files = cache.files();
      files.read('.gitlab-ci.yml');
      files.read('ci/a.yml');
      files.read('ci/missing.yml');
      files.glob('ci/*.yml');
    };
    assert.ok(diskCalls(check) > 0);
    assert.equal(diskCalls(check), 0);
  });

  it('unsaved editor texts win over what was read from the disk', () => {
    const cache = new DiskFileCache(root);
    assert.equal(cache.files().read('ci/a.yml'), 'a: 1\n');
    const files = cache.files(
      new Map([
        ['ci/a.yml', 'a: unsaved\n'],
        ['ci/new.yml', 'new: 1\n'],
      ]),
    );
    assert.equal(files.read('ci/a.yml'), 'a: unsaved\n');
    assert.deepEqual(files.glob('ci/*.yml'), ['ci/a.yml', 'ci/new.yml']);
    assert.equal(cache.files().read('ci/a.yml'), 'a: 1\n');
  });

  it('a changed file is read again once reported, and only then', () => {
    const cache = new DiskFileCache(root);
    assert.equal(cache.files().read('ci/a.yml'), 'a: 1\n');
    write('ci/a.yml', 'a: 2\n');
    assert.equal(cache.files().read('ci/a.yml'), 'a: 1\n', 'nothing reported yet: the cache does not look');
    assert.equal(cache.invalidate('ci/a.yml', 'changed'), true);
    assert.equal(cache.files().read('ci/a.yml'), 'a: 2\n');
  });

  it('a change the watcher never reports shows once the read is a few seconds old; until then nothing is asked of the disk', () => {
    let now = 1_000_000;
    const cache = new DiskFileCache(root, { revalidateAfterMs: 3_000, now: () => now });
    assert.equal(cache.files().read('ci/a.yml'), 'a: 1\n');
    assert.equal(cache.files().read('ci/missing.yml'), undefined);
    write('ci/a.yml', 'a: 2 (longer)\n');
    write('ci/missing.yml', 'now: here\n');
    now += 2_000;
    assert.equal(
      diskCalls(() => cache.files().read('ci/a.yml')),
      0,
      'within the window: trusted',
    );
    assert.equal(cache.files().read('ci/a.yml'), 'a: 1\n');
    now += 1_500;
    assert.equal(cache.files().read('ci/a.yml'), 'a: 2 (longer)\n', 'past the window: the stat shows the change');
    assert.equal(cache.files().read('ci/missing.yml'), 'now: here\n', 'a miss is confirmed the same way');
    now += 5_000;
    assert.equal(
      diskCalls(() => cache.files().read('ci/a.yml')),
      1,
      'unchanged: one stat, no read',
    );
    assert.equal(
      diskCalls(() => cache.files().read('ci/a.yml')),
      0,
      'and trusted again for the next window',
    );
  });

  it('on a disk that ignores case, a change reported in another case still reaches the file read', () => {
    const insensitive = new DiskFileCache(root, { caseInsensitive: true });
    const sensitive = new DiskFileCache(root, { caseInsensitive: false });
    for (const cache of [insensitive, sensitive]) assert.equal(cache.files().read('ci/a.yml'), 'a: 1\n');
    write('ci/a.yml', 'a: 2\n');
    assert.equal(insensitive.invalidate('CI/A.yml', 'changed'), true);
    assert.equal(insensitive.files().read('ci/a.yml'), 'a: 2\n');
    assert.equal(sensitive.invalidate('CI/A.yml', 'changed'), false, 'a case-sensitive disk: CI/A.yml is another file');
    assert.equal(insensitive.invalidate('CI', 'deleted'), true, 'a folder in another case takes what was read under it');
  });

  it('a change to a symlink target reaches the link that was read', () => {
    const cache = new DiskFileCache(root);
    assert.equal(cache.files().read('ci/link.yml'), 'real: 1\n');
    write('shared/real.yml', 'real: 2\n');
    assert.equal(cache.invalidate('shared/real.yml', 'changed'), true);
    assert.equal(cache.files().read('ci/link.yml'), 'real: 2\n');
  });

  it('a created file turns a miss into a text and joins wildcard matches', () => {
    const cache = new DiskFileCache(root);
    assert.equal(cache.files().read('ci/later.yml'), undefined);
    // Wildcards never follow symlinks (see createDiskProjectFiles).
    assert.deepEqual(cache.files().glob('ci/*.yml'), ['ci/a.yml']);
    write('ci/later.yml', 'later: 1\n');
    assert.equal(cache.invalidate('ci/later.yml', 'created'), true);
    assert.equal(cache.files().read('ci/later.yml'), 'later: 1\n');
    assert.deepEqual(cache.files().glob('ci/*.yml'), ['ci/a.yml', 'ci/later.yml']);
  });

  it('a directory deleted or moved away takes every file read under it (reported once, for the directory)', () => {
    const cache = new DiskFileCache(root);
    assert.equal(cache.files().read('ci/a.yml'), 'a: 1\n');
    assert.equal(cache.files().read('ci/link.yml'), 'real: 1\n');
    fs.renameSync(path.join(root, 'shared'), path.join(sandbox, 'moved'));
    assert.equal(cache.invalidate('shared', 'deleted'), true);
    assert.equal(cache.files().read('ci/link.yml'), undefined, 'the link now dangles');
    fs.rmSync(path.join(root, 'ci'), { recursive: true });
    assert.equal(cache.invalidate('ci', 'deleted'), true);
    assert.equal(cache.files().read('ci/a.yml'), undefined);
    assert.deepEqual(cache.files().glob('ci/*'), []);
  });

  it('says false for changes that cannot alter what a check sees', () => {
    const cache = new DiskFileCache(root);
    const files = cache.files();
    files.read('ci/a.yml');
    files.read('ci/missing.yml');
    files.glob('ci/*.yml');
    assert.equal(cache.invalidate('ci/b.yaml', 'changed'), false, 'a file never read');
    assert.equal(cache.invalidate('ci/a.yml', 'deleted'), true);
    assert.equal(cache.invalidate('ci/b.yaml', 'deleted'), false, 'nothing left to drop');
    files.glob('ci/*.yml');
    assert.equal(cache.invalidate('.git/index.lock', 'created'), false, 'wildcard matches never include .git');
    assert.equal(cache.invalidate('../elsewhere.yml', 'created'), false, 'outside the folder');
    assert.equal(cache.invalidate('docs/notes.md', 'created'), true, 'a wildcard may match any file name, and a miss may now resolve');
  });

  it('reads files in node_modules and .git from the disk every time (watchers do not report inside them)', () => {
    write('node_modules/templates/ci.yml', 'v: 1\n');
    fs.symlinkSync(path.join(root, 'node_modules', 'templates', 'ci.yml'), path.join(root, 'ci', 'from-package.yml'));
    const cache = new DiskFileCache(root);
    assert.equal(cache.files().read('node_modules/templates/ci.yml'), 'v: 1\n');
    assert.equal(cache.files().read('ci/from-package.yml'), 'v: 1\n');
    write('node_modules/templates/ci.yml', 'v: 2\n');
    assert.equal(cache.files().read('node_modules/templates/ci.yml'), 'v: 2\n');
    assert.equal(cache.files().read('ci/from-package.yml'), 'v: 2\n');
  });
});
