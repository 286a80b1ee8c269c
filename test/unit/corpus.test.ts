import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDiskProjectFiles, resolvePipeline } from '../../src/core/pipeline/index';
import type { Pipeline } from '../../src/core/types';
import { corpusDir as CORPUS, corpusSkip } from '../support/corpus';

const MAX_MS_PER_FILE = 5000;

interface ManifestEntry {
  readonly file: string;
  readonly repo: string | null;
  readonly path: string | null;
}

interface Placed {
  readonly entry: ManifestEntry;
  readonly root: string;
  readonly relative: string;
}

// Files without a repository: 203 is the `.gitlab-ci-template.yml` that 202 includes (corpus/README.md).
const SNIPPET_PATHS: Record<string, string> = { 'files/202.yml': '.gitlab-ci.yml', 'files/203.yml': '.gitlab-ci-template.yml' };

/** Mirrors the corpus into one folder per repository at its original paths, so `include: local` resolves as there. */
function placeCorpus(target: string, entries: readonly ManifestEntry[]): Placed[] {
  return entries.map((entry) => {
    const snippet = SNIPPET_PATHS[entry.file];
    const repo = entry.repo ? entry.repo.replace(/[^\w.-]/g, '_') : snippet ? 'snippets' : `single-${path.basename(entry.file, '.yml')}`;
    const relative = (snippet ?? entry.path ?? '.gitlab-ci.yml').replace(/^\/+/, '');
    const root = path.join(target, repo);
    fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    fs.copyFileSync(path.join(CORPUS, entry.file), path.join(root, relative));
    return { entry, root, relative };
  });
}

/** Stable JSON of what a consumer reads, for the determinism check. */
function snapshot(pipeline: Pipeline): string {
  return JSON.stringify({ jobs: pipeline.jobs, problems: pipeline.problems, unresolved: pipeline.unresolvedIncludes });
}

describe('real-world corpus', { skip: corpusSkip }, () => {
  let target = '';
  let placed: Placed[] = [];
  const resolved = new Map<string, Pipeline>();

  before(() => {
    target = fs.mkdtempSync(path.join(os.tmpdir(), 'corpus-'));
    const entries = JSON.parse(fs.readFileSync(path.join(CORPUS, 'manifest.json'), 'utf8')) as ManifestEntry[];
    placed = placeCorpus(target, entries);
  });

  after(() => {
    if (target) fs.rmSync(target, { recursive: true, force: true });
  });

  it('resolves every file without throwing, in bounded time, with spans inside their files, deterministically', () => {
    assert.ok(placed.length >= 200, `corpus has ${placed.length} files`);
    for (const { entry, root, relative } of placed) {
      const files = createDiskProjectFiles(root);
      const started = Date.now();
      const pipeline = resolvePipeline(relative, files);
      const elapsed = Date.now() - started;
      assert.ok(elapsed < MAX_MS_PER_FILE, `${entry.file} took ${elapsed} ms`);
      resolved.set(entry.file, pipeline);

      const lengths = new Map(pipeline.files.map((file) => [file.path, file.text.length]));
      const spans = [
        ...pipeline.jobs.flatMap((job) => [job.span, ...[job.image, ...job.services, ...Object.values(job.variables), ...job.scriptLines].flatMap((traced) => (traced ? [traced.span, ...traced.via.map((step) => step.span)] : []))]),
        ...pipeline.problems.map((problem) => problem.range),
        ...pipeline.unresolvedIncludes.map((include) => include.span),
      ];
      for (const span of spans) {
        const length = lengths.get(span.file);
        assert.ok(length !== undefined, `${entry.file}: span in unknown file ${span.file}`);
        assert.ok(span.start >= 0 && span.start <= span.end && span.end <= length, `${entry.file}: span ${span.start}-${span.end} outside ${span.file} (${length})`);
      }
      assert.equal(snapshot(resolvePipeline(relative, files)), snapshot(pipeline), `${entry.file} resolves the same twice`);
    }
  });

  const imagesOf = (file: string) => {
    const pipeline = resolved.get(file);
    assert.ok(pipeline, `${file} was resolved`);
    return Object.fromEntries(pipeline.jobs.map((job) => [job.name, { image: job.image?.value ?? null, services: job.services.map((s) => s.value) }]));
  };

  it('reads the Docker template (001): docker:latest with the docker:dind service', () => {
    assert.deepEqual(imagesOf('files/001.yml'), {
      'build-master': { image: 'docker:latest', services: ['docker:dind'] },
      build: { image: 'docker:latest', services: ['docker:dind'] },
    });
  });

  it('reads the Kaniko template (002): the image object name', () => {
    assert.deepEqual(imagesOf('files/002.yml'), { 'kaniko-build': { image: 'gcr.io/kaniko-project/executor:debug', services: [] } });
  });

  it('follows 202 into its included template: extends gives the Kaniko image, the top-level image the others', () => {
    const images = imagesOf('files/202.yml');
    assert.equal(images['build-cloud-gateway']?.image, '$HARBOR_HOST/kubernetes/kaniko-project/executor:v1.14.0-debug');
    assert.equal(images['maven-install']?.image, '$HARBOR_HOST/kubernetes/maven:3.6.3-openjdk-8-slim');
    assert.deepEqual(resolved.get('files/202.yml')?.problems.filter((p) => p.code === 'extends-missing'), []);
  });

  it('reports the cut-off files (189-198) as YAML problems instead of failing', () => {
    const broken = ['files/189.yml', 'files/190.yml', 'files/191.yml', 'files/192.yml', 'files/193.yml'];
    for (const file of broken) assert.ok(resolved.has(file), `${file} was resolved`);
    const withSyntax = [...resolved].filter(([file, pipeline]) => file >= 'files/189.yml' && file <= 'files/198.yml' && pipeline.problems.some((p) => p.code === 'yaml-syntax'));
    assert.ok(withSyntax.length > 0);
  });
});
