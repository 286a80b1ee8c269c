/**
 * A re-check through the resolve cache reuses the jobs (and their image evaluations) whose inputs did not change. It
 * must give exactly what a fresh check gives: random line edits (anywhere, and aimed at hidden templates, `default:`,
 * variables, `extends:` parents, anchors, `!reference`s and `include:`) of multi-file projects built from the corpus,
 * the fixtures and a generated pipeline; after each edit the cached check's pipeline and findings are JSON-identical to
 * a fresh check's.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { checkProject } from '../../src/core/check';
import { createResolveCache } from '../../src/core/pipeline';
import { keyListSource } from '../../src/core/rules/imageEvaluation';
import type { ResolvedJob } from '../../src/core/types';
import { corpusFileNames, corpusFilesDir, corpusSkip } from '../support/corpus';
import { scaled } from '../support/fuzz';
import { editRandomLine, random } from '../support/randomEdits';
import { memoryFiles } from './checkSupport';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures');

type Project = Record<string, string>;

const TYPED = [':', ' ', '#', '"', '[', ']', '{', '}', '&a ', '*a', '- ', '|', 'x', '1', '!reference [a]', '<<: *a', ',', '$X', '${Y}'];
const INSERTED = [
  '',
  '# note',
  'new-job:',
  '  image: alpine',
  '  extends: .tpl-1',
  '  variables:',
  '    VERSION: "9"',
  '.t: &a',
  '  image: registry.example.com/x:1',
  'default:',
  '  image: $REGISTRY/d:1',
  '  - local: part-1.yml',
  '  DOCKER_AUTH_CONFIG: \'{"auths":{"registry.example.com":{"auth":"ZmFrZTpmYWtl"}}}\'',
];
/** Lines an edit is aimed at (half the time): what many jobs share. */
const AIMED = /^\.|^default:|variables:|extends:|&[\w-]+|\*[\w-]+|!reference|^include:|local:|^image:|^ {2}image:|DOCKER_AUTH_CONFIG/;
const editLine = (text: string, next: () => number): string => editRandomLine(text, next, { typed: TYPED, inserted: INSERTED, aimed: AIMED });

/** A single file as a project of three included parts (split at top-level keys) under a root that includes them. */
function splitProject(text: string): Project {
  const lines = text.split('\n');
  const starts = lines.flatMap((line, index) => (/^[^\s#-]/.test(line) ? [index] : []));
  if (starts.length < 3) return { '.gitlab-ci.yml': text };
  const cut1 = starts[Math.floor(starts.length / 3)]!;
  const cut2 = starts[Math.floor((2 * starts.length) / 3)]!;
  return {
    '.gitlab-ci.yml': 'include:\n  - local: part-1.yml\n  - local: part-2.yml\n  - local: part-3.yml\n',
    'part-1.yml': lines.slice(0, cut1).join('\n'),
    'part-2.yml': lines.slice(cut1, cut2).join('\n'),
    'part-3.yml': lines.slice(cut2).join('\n'),
  };
}

/** A pipeline using every way an image arrives, spread over a root and three included files. */
function generatedProject(jobs: number, seed: number): Project {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const registries = ['registry.example.com', 'registry.example.com:5050', 'docker.io', '$CI_REGISTRY', '$REGISTRY'];
  const bodies: string[][] = [[], [], [], []];
  for (let t = 0; t < 8; t++) {
    const lines = [`.tpl-${t}:`];
    if (t >= 2 && next() < 0.6) lines.push(`  extends: .tpl-${Math.floor(next() * t)}`);
    if (next() < 0.7) lines.push(`  image: ${pick(registries)}/team/builder-${t}:1`);
    lines.push('  variables:', `    TEMPLATE: "tpl-${t}"`, '  script:', `    - make target-${t}`);
    bodies[1 + (t % 3)]!.push(lines.join('\n'));
  }
  for (let f = 1; f <= 3; f++)
    bodies[f]!.push(
      [
        `.anchor-${f}: &anchor-${f}`,
        `  image: ${pick(registries)}/anchored/app-${f}:latest`,
        '  services:',
        `    - name: ${pick(registries)}/db/postgres:16`,
      ].join('\n'),
    );
  for (let j = 0; j < jobs; j++) {
    const file = j % 4;
    const style = next();
    const lines = [`job-${j}:`];
    if (style < 0.3) lines.push(`  extends: ${next() < 0.3 ? `[.tpl-${j % 8}, .tpl-${(j + 3) % 8}]` : `.tpl-${j % 8}`}`);
    else if (style < 0.45 && file > 0) lines.push(`  <<: *anchor-${file}`);
    else if (style < 0.6) lines.push(`  image: ${pick(registries)}/svc-${j % 5}/app:\${VERSION}`, '  variables:', `    VERSION: "${j % 7}"`);
    else if (style < 0.7) lines.push('  image: $REGISTRY/matrix/app-${FLAVOUR}', '  parallel:', '    matrix:', '      - FLAVOUR: [alpine, debian]');
    else if (style < 0.75) lines.push('  inherit:', '    default: false', '    variables: [REGISTRY]', '  image: !reference [.tpl-0, image]');
    if (next() < 0.2) lines.push('  services:', `    - ${pick(registries)}/cache/redis:7`);
    if (next() < 0.3) lines.push('  script:', `    - !reference [.tpl-${j % 8}, script]`, `    - ./run.sh ${j}`);
    else lines.push('  script:', `    - ./run.sh ${j}`);
    if (next() < 0.1) lines.push('  variables:', `    DOCKER_AUTH_CONFIG: '{"auths":{"registry.example.com:5050":{"auth":"ZmFrZTpmYWtl"}}}'`);
    bodies[file]!.push(lines.join('\n'));
  }
  return {
    '.gitlab-ci.yml': [
      'variables:',
      '  REGISTRY: registry.example.com/group',
      'default:',
      '  image: registry.example.com/group/default-runner:3',
      '  before_script:',
      '    - !reference [.tpl-1, script]',
      'include:',
      '  - local: part-1.yml',
      '  - local: part-2.yml',
      '  - local: part-3.yml',
      '',
      bodies[0]!.join('\n\n'),
      '',
    ].join('\n'),
    'part-1.yml': `${bodies[1]!.join('\n\n')}\n`,
    'part-2.yml': `${bodies[2]!.join('\n\n')}\n`,
    'part-3.yml': `${bodies[3]!.join('\n\n')}\n`,
  };
}

function fixtureProjects(): { name: string; project: Project }[] {
  const projects: { name: string; project: Project }[] = [];
  const walk = (folder: string): void => {
    const entries = fs.readdirSync(folder, { withFileTypes: true });
    if (entries.some((entry) => entry.name === '.gitlab-ci.yml')) {
      const project: Project = {};
      const collect = (dir: string): void => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const full = path.join(dir, entry.name);
          if (entry.isDirectory()) collect(full);
          else if (/\.ya?ml$/.test(entry.name)) project[path.relative(folder, full).split(path.sep).join('/')] = fs.readFileSync(full, 'utf8');
        }
      };
      collect(folder);
      projects.push({ name: path.relative(FIXTURES, folder), project });
    }
    for (const entry of entries) if (entry.isDirectory()) walk(path.join(folder, entry.name));
  };
  walk(FIXTURES);
  return projects;
}

const OPTIONS = {
  credentials: [],
  predefinedVariables: { CI_REGISTRY: 'registry.gitlab.com', CI_REGISTRY_IMAGE: 'registry.gitlab.com/group/project' },
  publicRegistries: ['docker.io', 'quay.io'],
};

/** Edits `project` `rounds` times; after each edit the cached check must equal a fresh one. Returns the jobs reused. */
function checkSeries(name: string, project: Project, rounds: number, next: () => number): number {
  const cache = createResolveCache();
  let current = project;
  let previousJobs = new Set<ResolvedJob>();
  let reused = 0;
  for (let round = 0; round <= rounds; round++) {
    const cached = checkProject('.gitlab-ci.yml', memoryFiles(current), { ...OPTIONS, resolve: { variables: { ...OPTIONS.predefinedVariables }, cache } });
    const fresh = checkProject('.gitlab-ci.yml', memoryFiles(current), { ...OPTIONS, resolve: { variables: { ...OPTIONS.predefinedVariables } } });
    assert.equal(JSON.stringify(cached), JSON.stringify(fresh), `${name} round ${round}`);
    reused += cached.pipeline.jobs.filter((job) => previousJobs.has(job)).length;
    previousJobs = new Set(cached.pipeline.jobs);
    const paths = Object.keys(current);
    // Included files more often than the root: that is where reuse happens.
    const target = paths.length > 1 && next() < 0.85 ? paths[1 + Math.floor(next() * (paths.length - 1))]! : paths[0]!;
    current = { ...current, [target]: editLine(current[target]!, next) };
  }
  return reused;
}

describe('re-check reusing unchanged jobs', () => {
  it('equals a fresh check after random edits of generated multi-file pipelines', () => {
    let reused = 0;
    const seeds = scaled(8, 2);
    for (let seed = 1; seed <= seeds; seed++) reused += checkSeries(`generated seed ${seed}`, generatedProject(80, seed), 25, random(seed * 31));
    assert.ok(reused > 375 * seeds, `only ${reused} jobs were reused`);
  });

  it('equals a fresh check after random edits of every corpus file split into included parts', { skip: corpusSkip }, () => {
    const next = random(20261123);
    let reused = 0;
    const rounds = scaled(4, 1);
    for (const name of corpusFileNames()) {
      reused += checkSeries(name, splitProject(fs.readFileSync(path.join(corpusFilesDir, name), 'utf8')), rounds, next);
    }
    assert.ok(reused > 125 * rounds, `only ${reused} jobs were reused`);
  });

  it('equals a fresh check after random edits of the fixture projects', () => {
    const next = random(99);
    for (const { name, project } of fixtureProjects()) checkSeries(name, project, 6, next);
  });

  it('equals a fresh check near the extends and !reference depth limits', () => {
    const chain = Array.from(
      { length: 12 },
      (_, level) =>
        `.l${level}:\n${level > 0 ? `  extends: .l${level - 1}\n` : ''}  image: registry.example.com/level-${level}:1\n  script: ${level > 0 ? `[!reference [.l${level - 1}, script], echo ${level}]` : '[echo 0]'}\n`,
    );
    const jobs = Array.from({ length: 24 }, (_, j) => `job-${j}:\n  extends: .l${j % 12}\n  script: [!reference [.l${(j * 5) % 12}, script]]\n`);
    const project: Project = {
      '.gitlab-ci.yml': 'include:\n  - local: chain-a.yml\n  - local: chain-b.yml\n  - local: jobs-a.yml\n  - local: jobs-b.yml\n',
      'chain-a.yml': chain.slice(0, 6).join(''),
      'chain-b.yml': chain.slice(6).join(''),
      'jobs-a.yml': jobs.slice(0, 12).join(''),
      'jobs-b.yml': jobs.slice(12).join(''),
    };
    for (let seed = 1; seed <= 6; seed++) checkSeries(`depth seed ${seed}`, project, 20, random(seed));
  });

  it('evaluates reused jobs again when the check options change', () => {
    const project = generatedProject(40, 5);
    const cache = createResolveCache();
    const variants = [
      OPTIONS,
      { ...OPTIONS, credentials: [keyListSource(['registry.example.com'], 'runner')] },
      { ...OPTIONS, publicRegistries: [] },
      { ...OPTIONS, predefinedVariables: { CI_REGISTRY: 'registry.example.com:5050' } },
      OPTIONS,
    ];
    for (const [index, options] of variants.entries()) {
      const cached = checkProject('.gitlab-ci.yml', memoryFiles(project), { ...options, resolve: { variables: {}, cache } });
      const fresh = checkProject('.gitlab-ci.yml', memoryFiles(project), { ...options, resolve: { variables: {} } });
      assert.equal(JSON.stringify(cached), JSON.stringify(fresh), `options ${index}`);
    }
  });

  it('rebuilds a job whose extends parent, default:, variables or !reference target changed, and only those', () => {
    const project: Project = {
      '.gitlab-ci.yml':
        'variables:\n  REGISTRY: registry.example.com\ndefault:\n  image: $REGISTRY/default:1\ninclude:\n  - local: templates.yml\n  - local: steps.yml\n  - local: jobs.yml\n',
      'templates.yml': '.base:\n  image: $REGISTRY/base:1\n',
      'steps.yml': '.steps:\n  script: [make]\n',
      'jobs.yml': 'a:\n  extends: .base\n  script: [a]\nb:\n  script: !reference [.steps, script]\nc:\n  script: [c]\n',
    };
    const cache = createResolveCache();
    const run = (files: Project) => checkProject('.gitlab-ci.yml', memoryFiles(files), { ...OPTIONS, resolve: { variables: {}, cache } }).pipeline.jobs;
    const images = (jobs: readonly ResolvedJob[]) => jobs.map((job) => `${job.name}=${job.image?.value}`);
    const first = run(project);
    const second = run({ ...project, 'templates.yml': project['templates.yml']!.replace('base:1', 'base:2') });
    assert.deepEqual(images(second), ['a=$REGISTRY/base:2', 'b=$REGISTRY/default:1', 'c=$REGISTRY/default:1']);
    // b and c do not read .base: they are the same objects as before.
    assert.equal(second[1], first[1]);
    assert.equal(second[2], first[2]);
    assert.notEqual(second[0], first[0]);
    const edited = { ...project, 'templates.yml': project['templates.yml']!.replace('base:1', 'base:2') };
    const third = run({ ...edited, 'steps.yml': '.steps:\n  script: [make, test]\n' });
    assert.deepEqual(
      third[1]!.scriptLines.map((line) => line.value),
      ['make', 'test'],
    );
    assert.equal(third[0], second[0]);
    assert.equal(third[2], second[2]);
    const fourth = run({ ...edited, '.gitlab-ci.yml': project['.gitlab-ci.yml']!.replace('default:1', 'default:2') });
    assert.deepEqual(images(fourth), ['a=$REGISTRY/base:2', 'b=$REGISTRY/default:2', 'c=$REGISTRY/default:2']);
    const fifth = run({ ...edited, '.gitlab-ci.yml': project['.gitlab-ci.yml']!.replace('registry.example.com', 'other.example.com') });
    assert.equal(fifth[0]!.variables.REGISTRY?.value, 'other.example.com');
  });
});
