import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { checkProject } from '../../src/core/check';
import { directIncludeSites, externalIncludeSites, placeExternalFindings } from '../../src/core/gitlab/externalFindings';
import type { ExternalIncludes, ResolveOptions } from '../../src/core/pipeline';
import type { ExternalIncludeRequest, Finding, SourceSpan } from '../../src/core/types';
import { memoryFiles, NO_CONTEXT } from './checkSupport';

/** What the connection would have fetched: `project:file@ref` → text, served under the cache's path names. */
function fetched(files: Record<string, string>): ExternalIncludes & { paths: Set<string> } {
  const paths = new Set<string>();
  return {
    paths,
    read(request: ExternalIncludeRequest) {
      const key = `${request.project}:${request.file}@${request.ref ?? 'main'}`;
      const text = files[key];
      if (text === undefined) return undefined;
      const path = `gitlab:${request.project}@${request.ref ?? 'main'}/${request.file}`;
      paths.add(path);
      return { path, text };
    },
  };
}

function run(projectFiles: Record<string, string>, remote: Record<string, string>, withDirectSites = true) {
  const files = memoryFiles(projectFiles);
  const external = fetched(remote);
  const resolve: ResolveOptions = { variables: {}, externalIncludes: external };
  const { pipeline, findings } = checkProject('.gitlab-ci.yml', files, { ...NO_CONTEXT, resolve });
  const isExternal = (path: string) => external.paths.has(path);
  const placed = placeExternalFindings({
    pipeline,
    findings,
    isExternal,
    ...(withDirectSites ? { directSites: () => directIncludeSites('.gitlab-ci.yml', files, resolve) } : {}),
  });
  const text = (span: SourceSpan) => projectFiles[span.file]!.slice(span.start, span.end);
  return { pipeline, findings, placed, isExternal, text, of: (code: Finding['code']) => placed.filter((finding) => finding.code === code) };
}

const sharedBuild = ['shared-build:', '  image: private.example.com/ci/builder:2', '  script: [make]', ''].join('\n');

describe('findings inside fetched include files are shown on the include entry', () => {
  it('a job of an include:project file: missing-credentials on the file: entry, naming the job, the file and its line', () => {
    const root = [
      'include:',
      '  - project: group/shared-ci',
      '    ref: v1',
      '    file: templates/build.yml',
      'local-job:',
      '  image: alpine:3',
      '  script: [true]',
      '',
    ].join('\n');
    const result = run({ '.gitlab-ci.yml': root }, { 'group/shared-ci:templates/build.yml@v1': sharedBuild });
    const [missing, ...rest] = result.of('missing-credentials');
    assert.ok(missing);
    assert.equal(rest.length, 0);
    assert.equal(missing.range.file, '.gitlab-ci.yml');
    assert.equal(result.text(missing.range), 'templates/build.yml');
    assert.match(missing.message, /^No credentials for .*, in gitlab:group\/shared-ci@v1\/templates\/build\.yml, line 2$/);
    assert.match(missing.message, /\(job shared-build\)/);
    assert.equal(missing.data?.['registry'], 'private.example.com', 'the quick fix still knows the registry');
    assert.equal(missing.data?.['includedFile'], 'gitlab:group/shared-ci@v1/templates/build.yml');
    assert.deepEqual(missing.related, [], 'the include step is the range itself, not repeated as related');
    for (const finding of result.placed) {
      assert.ok(!result.isExternal(finding.range.file), `${finding.code} stays in a project file`);
      for (const location of finding.related) assert.ok(!result.isExternal(location.span.file), 'related locations are project files only');
    }
  });

  it('a local job extending a hidden template of the include: shown on the include entry, related to the local job', () => {
    const root = [
      'include:',
      '  project: group/shared-ci',
      '  file: /templates/base.yml',
      'package:',
      '  extends: .builder',
      '  script: [make package]',
      '',
    ].join('\n');
    const base = ['.builder:', '  image: private.example.com/ci/builder:2', ''].join('\n');
    const result = run({ '.gitlab-ci.yml': root }, { 'group/shared-ci:templates/base.yml@main': base });
    const [missing] = result.of('missing-credentials');
    assert.ok(missing);
    assert.equal(result.text(missing.range), '/templates/base.yml');
    assert.match(missing.message, /\(job package\)/);
    assert.match(missing.message, /gitlab:group\/shared-ci@main\/templates\/base\.yml, line 2/);
    const relatedTexts = missing.related.map((location) => result.text(location.span));
    assert.ok(relatedTexts.includes('package'), `the job key is related: ${JSON.stringify(relatedTexts)}`);
  });

  it('a file included by a fetched file, through a local include: shown on the entry in the project file that started the chain', () => {
    const root = ['include:', '  - local: ci/shared.yml', ''].join('\n');
    const shared = ['include:', '  - project: group/shared-ci', '    file: outer.yml', ''].join('\n');
    const outer = ['include:', '  - local: inner.yml', 'outer-job:', '  image: alpine:3', '  script: [true]', ''].join('\n');
    const inner = ['', 'inner-job:', '  image: private.example.com/inner:1', '  script: [true]', ''].join('\n');
    const result = run(
      { '.gitlab-ci.yml': root, 'ci/shared.yml': shared },
      { 'group/shared-ci:outer.yml@main': outer, 'group/shared-ci:inner.yml@main': inner },
    );
    const [missing] = result.of('missing-credentials');
    assert.ok(missing);
    assert.equal(missing.range.file, 'ci/shared.yml');
    assert.equal(result.text(missing.range), 'outer.yml');
    assert.match(missing.message, /, in gitlab:group\/shared-ci@main\/inner\.yml, line 3$/);
    assert.match(missing.message, /\(job inner-job\)/);
    const sites = externalIncludeSites(result.pipeline, result.isExternal);
    assert.equal(result.text(sites.get('gitlab:group/shared-ci@main/inner.yml')!), 'outer.yml');
  });

  it('a YAML error in a fetched file that defines nothing: on its include entry (found by withholding the fetched files)', () => {
    const root = [
      'stages: [build]',
      'include:',
      '  - project: group/shared-ci',
      '    file: broken.yml',
      'local-job:',
      '  image: alpine:3',
      '  script: [true]',
      '',
    ].join('\n');
    const remote = { 'group/shared-ci:broken.yml@main': 'job: [unclosed\n' };
    const result = run({ '.gitlab-ci.yml': root }, remote);
    const [syntax] = result.of('yaml-syntax');
    assert.ok(syntax, JSON.stringify(result.findings.map((finding) => finding.code)));
    assert.equal(result.text(syntax.range), 'broken.yml');
    assert.match(syntax.message, /, in gitlab:group\/shared-ci@main\/broken\.yml, line \d+$/);

    const withoutFallback = run({ '.gitlab-ci.yml': root }, remote, false).of('yaml-syntax')[0];
    assert.ok(withoutFallback, 'still shown without the fallback');
    assert.deepEqual(withoutFallback.range, { file: '.gitlab-ci.yml', start: 0, end: 0 });
  });

  it('# gitlab-ci-auth-ignore on the include entry silences the codes it names for what the file brings in', () => {
    const root = (comment: string) => ['include:', '  - project: group/shared-ci', `    file: build.yml ${comment}`, ''].join('\n');
    const remote = { 'group/shared-ci:build.yml@main': ['job:', '  image: private.example.com/ci/builder:2', '  script: [make]', ''].join('\n') };
    assert.equal(run({ '.gitlab-ci.yml': root('') }, remote).of('missing-credentials').length, 1);
    assert.equal(run({ '.gitlab-ci.yml': root('# gitlab-ci-auth-ignore missing-credentials') }, remote).of('missing-credentials').length, 0);
    assert.equal(run({ '.gitlab-ci.yml': root('# gitlab-ci-auth-ignore registry-unknown') }, remote).of('missing-credentials').length, 1);
  });

  it('findings in project files are left as they are', () => {
    const root = [
      'include:',
      '  - project: group/shared-ci',
      '    file: build.yml',
      'local-job:',
      '  image: private.example.com/local:1',
      '  script: [true]',
      '',
    ].join('\n');
    const result = run({ '.gitlab-ci.yml': root }, { 'group/shared-ci:build.yml@main': 'other:\n  image: alpine:3\n  script: [true]\n' });
    assert.deepEqual(result.placed, result.findings);
    const [missing] = result.of('missing-credentials');
    assert.equal(result.text(missing!.range), 'private.example.com/local:1');
  });
});
