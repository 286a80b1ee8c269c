/**
 * Deterministic benchmark pipelines: a root `.gitlab-ci.yml` with `default:`, top-level variables and 20 local includes,
 * and jobs spread over those 21 files using every way GitLab lets an image arrive: `extends` chains, YAML anchors with
 * `<<`, `!reference`, `default:`, `parallel: matrix` and variables inside image names.
 */

/** mulberry32: a tiny seeded PRNG, so every run benchmarks the same text. */
export function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INCLUDED_FILES = 20;
const REGISTRIES = ['registry.example.com', 'registry.example.com:5050', 'harbor.internal.example', 'docker.io', 'quay.io', '$CI_REGISTRY'];

/**
 * @param {number} jobs how many runnable jobs
 * @param {number} seed
 * @returns {Record<string, string>} project-relative path → text
 */
export function generatePipeline(jobs, seed = 1) {
  const next = random(seed * 7919 + jobs);
  const pick = (items) => items[Math.floor(next() * items.length)];
  const templates = Math.max(4, Math.round(jobs / 25));
  const files = {};
  const bodies = Array.from({ length: INCLUDED_FILES + 1 }, () => []);

  // Shared hidden templates live in the included files: extends chains of one to three levels.
  for (let t = 0; t < templates; t++) {
    const file = 1 + (t % INCLUDED_FILES);
    const lines = [`.tpl-${t}:`];
    if (t >= 2 && next() < 0.6) lines.push(`  extends: .tpl-${Math.floor(next() * t)}`);
    if (next() < 0.7) lines.push(`  image: ${pick(REGISTRIES)}/team-${t % 9}/builder-${t}:${1 + (t % 5)}`);
    lines.push('  before_script:', `    - echo preparing template ${t}`, '  variables:', `    TEMPLATE: "tpl-${t}"`);
    lines.push('  script:', `    - make target-${t}`);
    bodies[file].push(lines.join('\n'));
  }
  // One anchor per file, for `<<: *anchor` within that file.
  for (let f = 0; f <= INCLUDED_FILES; f++) {
    bodies[f].push(
      [
        `.anchor-${f}: &anchor-${f}`,
        `  image: ${pick(REGISTRIES)}/anchored/app-${f}:latest`,
        '  services:',
        `    - name: ${pick(REGISTRIES)}/db/postgres:16`,
        '      alias: db',
        '  tags: [docker]',
      ].join('\n'),
    );
  }

  for (let j = 0; j < jobs; j++) {
    const file = j % (INCLUDED_FILES + 1);
    const style = next();
    const lines = [`job-${j}:`, `  stage: ${pick(['build', 'test', 'deploy'])}`];
    if (style < 0.35) {
      lines.push(`  extends: .tpl-${Math.floor(next() * templates)}`);
    } else if (style < 0.55) {
      lines.push(`  <<: *anchor-${file}`);
    } else if (style < 0.7) {
      lines.push(`  image: ${pick(REGISTRIES)}/svc-${j % 13}/app:\${VERSION}`);
      lines.push('  variables:', `    VERSION: "${j % 7}.${j % 3}"`);
    } else if (style < 0.8) {
      lines.push(`  image: $REGISTRY/matrix/app-\${FLAVOUR}`, '  parallel:', '    matrix:', '      - FLAVOUR: [alpine, debian, ubi]');
    }
    // else: the image comes from `default:`.
    if (next() < 0.25) lines.push('  services:', `    - ${pick(REGISTRIES)}/cache/redis:7`);
    if (next() < 0.3) {
      lines.push('  script:', `    - !reference [.tpl-${Math.floor(next() * templates)}, script]`, `    - ./run.sh ${j}`);
    } else {
      lines.push('  script:', `    - ./run.sh ${j}`, `    - echo "job ${j} done"`);
    }
    if (next() < 0.2) lines.push('  rules:', '    - if: $CI_COMMIT_BRANCH == "main"');
    bodies[file].push(lines.join('\n'));
  }

  const includes = Array.from({ length: INCLUDED_FILES }, (_, i) => `  - local: ci/part-${String(i + 1).padStart(2, '0')}.yml`);
  files['.gitlab-ci.yml'] = [
    'stages: [build, test, deploy]',
    'variables:',
    '  REGISTRY: registry.example.com/group',
    '  GIT_DEPTH: "10"',
    'default:',
    '  image: registry.example.com/group/default-runner:3',
    '  interruptible: true',
    'include:',
    ...includes,
    '',
    bodies[0].join('\n\n'),
    '',
  ].join('\n');
  for (let f = 1; f <= INCLUDED_FILES; f++) files[`ci/part-${String(f).padStart(2, '0')}.yml`] = `${bodies[f].join('\n\n')}\n`;
  return files;
}

/**
 * The same project after a one-line edit: the tag of the first image line of one included file changes.
 * @param {Record<string, string>} files
 * @param {number} round distinguishes successive edits
 */
export function editOneLine(files, round) {
  const target = 'ci/part-07.yml';
  const text = files[target];
  const edited = text.replace(/(image: [^\n]*?:)(\S+)\n/, (_match, head) => `${head}edit-${round}\n`);
  return { ...files, [target]: edited };
}
