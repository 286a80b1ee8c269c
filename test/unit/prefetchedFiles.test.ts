/**
 * PrefetchedFiles: the browser's files, read ahead through an asynchronous reader (vscode.workspace.fs there). Checked
 * again after each read round, the resolver ends up seeing exactly what it sees over the same files read synchronously.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePipeline } from '../../src/core/pipeline';
import { PrefetchedFiles, type AsyncFileReader } from '../../src/core/pipeline/prefetchedFiles';
import { projectFilesOver } from '../../src/core/pipeline/projectFiles';
import type { Pipeline, ProjectFiles } from '../../src/core/types';

function fakeReader(files: Map<string, string>): AsyncFileReader & { reads: string[]; listings: number } {
  const reader = {
    reads: [] as string[],
    listings: 0,
    read: async (path: string) => {
      reader.reads.push(path);
      return files.get(path);
    },
    list: async () => {
      reader.listings++;
      return [...files.keys()];
    },
  };
  return reader;
}

/** What the owner (the diagnostics) does: check, read what was missed, check again until nothing is missed. */
async function resolveAhead(cache: PrefetchedFiles, rootFile: string, overlay?: Map<string, string>): Promise<{ pipeline: Pipeline; rounds: number }> {
  for (let rounds = 1; ; rounds++) {
    const pipeline = resolvePipeline(rootFile, cache.files(overlay));
    const reading = cache.fetchMissing();
    if (!reading) return { pipeline, rounds };
    await reading;
    assert.ok(rounds < 20, 'the rounds end');
  }
}

function syncFiles(files: Map<string, string>): ProjectFiles {
  return projectFilesOver({ read: (path) => ({ text: files.get(path) }), list: () => [...files.keys()] }, new Map());
}

const project = new Map([
  ['.gitlab-ci.yml', 'include:\n  - local: ci/build.yml\n  - local: "ci/jobs/*.yml"\nbuild:\n  extends: .base\n'],
  ['ci/build.yml', 'include: ci/base.yml\n'],
  ['ci/base.yml', '.base:\n  image: registry.example.com/team/builder:1\n'],
  ['ci/jobs/test.yml', 'test:\n  image: registry.example.com/team/tester:2\n'],
]);

const images = (pipeline: Pipeline) => pipeline.jobs.map((job) => `${job.name}=${job.image?.value}`).sort();

describe('PrefetchedFiles', () => {
  it('resolves nested and wildcard includes as a synchronous read of the same files does, each file read once', async () => {
    const reader = fakeReader(project);
    const { pipeline, rounds } = await resolveAhead(new PrefetchedFiles(reader), '.gitlab-ci.yml');
    const expected = resolvePipeline('.gitlab-ci.yml', syncFiles(project));
    assert.deepEqual(images(pipeline), images(expected));
    assert.deepEqual(images(pipeline), ['build=registry.example.com/team/builder:1', 'test=registry.example.com/team/tester:2']);
    assert.deepEqual(pipeline.problems, expected.problems);
    assert.equal(new Set(reader.reads).size, reader.reads.length, `read twice: ${reader.reads.join(', ')}`);
    assert.equal(reader.listings, 1);
    assert.ok(rounds >= 3, `${rounds} rounds: the root, then each include level`);
  });

  it('a file found missing is reported missing, and read again only after it is created', async () => {
    const files = new Map([['.gitlab-ci.yml', 'include: ci/later.yml\n']]);
    const reader = fakeReader(files);
    const cache = new PrefetchedFiles(reader);
    const first = await resolveAhead(cache, '.gitlab-ci.yml');
    assert.ok(first.pipeline.problems.some((problem) => problem.code === 'include-not-found'));
    await resolveAhead(cache, '.gitlab-ci.yml');
    assert.equal(reader.reads.filter((path) => path === 'ci/later.yml').length, 1);

    files.set('ci/later.yml', 'job:\n  image: registry.example.com/a:1\n');
    assert.equal(cache.invalidate('ci', 'created'), true);
    const after = await resolveAhead(cache, '.gitlab-ci.yml');
    assert.deepEqual(images(after.pipeline), ['job=registry.example.com/a:1']);
  });

  it('a changed file is read again; unsaved editor texts win and are never read', async () => {
    const files = new Map([['.gitlab-ci.yml', 'job:\n  image: registry.example.com/a:1\n']]);
    const reader = fakeReader(files);
    const cache = new PrefetchedFiles(reader);
    await resolveAhead(cache, '.gitlab-ci.yml');
    files.set('.gitlab-ci.yml', 'job:\n  image: registry.example.com/b:2\n');
    assert.equal(cache.invalidate('.gitlab-ci.yml', 'changed'), true);
    assert.deepEqual(images((await resolveAhead(cache, '.gitlab-ci.yml')).pipeline), ['job=registry.example.com/b:2']);

    const overlaid = fakeReader(files);
    const overlay = new Map([['.gitlab-ci.yml', 'job:\n  image: registry.example.com/c:3\n']]);
    assert.deepEqual(images((await resolveAhead(new PrefetchedFiles(overlaid), '.gitlab-ci.yml', overlay)).pipeline), ['job=registry.example.com/c:3']);
    assert.deepEqual(overlaid.reads, []);
  });

  it('a read that lands after a change is dropped and done again (no stale text)', async () => {
    const files = new Map([['.gitlab-ci.yml', 'job:\n  image: registry.example.com/old:1\n']]);
    const reader = fakeReader(files);
    const cache = new PrefetchedFiles(reader);
    resolvePipeline('.gitlab-ci.yml', cache.files());
    const reading = cache.fetchMissing();
    files.set('.gitlab-ci.yml', 'job:\n  image: registry.example.com/new:2\n');
    cache.invalidate('.gitlab-ci.yml', 'changed');
    await reading;
    assert.deepEqual(images((await resolveAhead(cache, '.gitlab-ci.yml')).pipeline), ['job=registry.example.com/new:2']);
  });

  it('holds at most maxFiles: a hostile include fan-out cannot make it read without end', async () => {
    const files = new Map([['.gitlab-ci.yml', `include:\n${Array.from({ length: 50 }, (_, i) => `  - local: f${i}.yml\n`).join('')}`]]);
    for (let i = 0; i < 50; i++) files.set(`f${i}.yml`, `job${i}:\n  image: registry.example.com/x:${i}\n`);
    const reader = fakeReader(files);
    await resolveAhead(new PrefetchedFiles(reader, 10), '.gitlab-ci.yml');
    assert.ok(reader.reads.length <= 10, `${reader.reads.length} reads`);
  });
});
