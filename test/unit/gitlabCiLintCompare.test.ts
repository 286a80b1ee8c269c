import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { compareJobImages, formatComparison, jobImagesFromMergedYaml, jobImagesFromPipeline } from '../../src/core/gitlab/ciLintCompare';
import type { Pipeline, ResolvedJob, TracedString } from '../../src/core/types';

function traced(value: string): TracedString {
  return { value, span: { file: '.gitlab-ci.yml', start: 0, end: value.length }, via: [] };
}

function job(name: string, image: string | null, services: string[] = [], isTrigger = false): ResolvedJob {
  return {
    name,
    span: { file: '.gitlab-ci.yml', start: 0, end: name.length },
    image: image === null ? null : traced(image),
    services: services.map(traced),
    variables: {},
    matrix: [],
    scriptLines: [],
    isTrigger,
    mayDependOnUnresolvedInclude: false,
    servicesMayDependOnUnresolvedInclude: false,
  };
}

function pipeline(jobs: ResolvedJob[]): Pipeline {
  return { rootFile: '.gitlab-ci.yml', files: [], jobs, globalVariables: {}, unresolvedIncludes: [], problems: [] };
}

describe('CI Lint comparison', () => {
  it('reads jobs, image names and service names from merged_yaml, skipping hidden jobs, keywords and triggers', () => {
    const merged = [
      'stages:',
      '- build',
      'variables:',
      '  A: b',
      '.template:',
      '  image: hidden:1',
      'build:',
      '  image:',
      '    name: registry.example.com/build:1',
      '    entrypoint: [""]',
      '  services:',
      '  - postgres:16',
      '  - name: registry.example.com/cache:2',
      '    alias: cache',
      '  script:',
      '  - make',
      'deploy:',
      '  trigger: other/project',
    ].join('\n');
    assert.deepEqual(
      [...jobImagesFromMergedYaml(merged)],
      [['build', { image: 'registry.example.com/build:1', services: ['postgres:16', 'registry.example.com/cache:2'] }]],
    );
  });

  it('reads the Ruby-symbol keys older GitLab versions emit', () => {
    const merged = [':test_job:', '  :image: registry.example.com/test:1', '  :script:', '  - "true"'].join('\n');
    assert.deepEqual([...jobImagesFromMergedYaml(merged)], [['test_job', { image: 'registry.example.com/test:1', services: [] }]]);
  });

  it('lists jobs only on one side and jobs whose image or services differ', () => {
    const local = jobImagesFromPipeline(pipeline([job('build', 'a:1'), job('lint', 'b:1'), job('test', 'c:1', ['redis:7']), job('bridge', null, [], true)]));
    const server = jobImagesFromMergedYaml(['build:', '  image: a:2', 'test:', '  image: c:1', '  services: [redis:6]', 'scan:', '  image: s:1'].join('\n'));
    const differences = compareJobImages(local, server);
    assert.deepEqual(
      differences.map((difference) => [difference.job, difference.kind]),
      [
        ['build', 'image'],
        ['lint', 'only-local'],
        ['scan', 'only-on-server'],
        ['test', 'services'],
      ],
    );
    const report = formatComparison('.gitlab-ci.yml', 4, differences, []);
    assert.match(report, /4 of 4 jobs differ/);
    assert.match(report, /\*\*scan\*\*: only in GitLab's resolution/);
  });

  it('says so when both sides agree', () => {
    const local = jobImagesFromPipeline(pipeline([job('build', 'a:1')]));
    const report = formatComparison('.gitlab-ci.yml', 1, compareJobImages(local, jobImagesFromMergedYaml('build:\n  image: a:1\n')), []);
    assert.match(report, /same images and services/);
  });
});
