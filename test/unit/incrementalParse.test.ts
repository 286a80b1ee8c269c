/**
 * Re-parsing only the top-level items an edit changed must give exactly what a whole-file parse gives. Random line
 * edits (changed, deleted, inserted, duplicated, re-indented lines, YAML punctuation typed in) of the corpus, every
 * fixture and a generated pipeline: the spliced CST equals a fresh parse's, and a check through the resolve cache
 * (which re-parses in part) gives the same pipeline and findings as a check without it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { checkProject } from '../../src/core/check';
import { createResolveCache, localIncludeGlob } from '../../src/core/pipeline';
import { ResolveContext } from '../../src/core/pipeline/context';
import { DEFAULT_LIMITS } from '../../src/core/pipeline/options';
import { parsePipelineFile, reparsePipelineFile } from '../../src/core/pipeline/yamlLoader';
import type { ProjectFiles } from '../../src/core/types';
import { corpusFilesDir as CORPUS } from '../support/corpus';
import { editRandomLine, random, type EditVocabulary } from '../support/randomEdits';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures');

/** The random edits: what is typed into lines, and whole lines inserted. */
const EDITS: EditVocabulary = {
  typed: [':', ' ', '#', '"', "'", '[', ']', '{', '}', '&a ', '*a', '- ', '|', '>', '\t', 'x', '1', '!reference [a]', '<<: *a', '---', '...', '%YAML 1.1', ',', '?'],
  inserted: ['', '# note', 'new-job:', '  image: alpine', 'x: 1', '  - echo hi', '.t: &a', '  k: v'],
};
const editLine = (text: string, next: () => number): string => editRandomLine(text, next, EDITS);

function yamlFiles(): { name: string; text: string }[] {
  const found: { name: string; text: string }[] = [];
  if (fs.existsSync(CORPUS)) {
    for (const name of fs.readdirSync(CORPUS).filter((file) => file.endsWith('.yml')).sort()) found.push({ name, text: fs.readFileSync(path.join(CORPUS, name), 'utf8') });
  }
  const walk = (folder: string): void => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry.name)) found.push({ name: path.relative(FIXTURES, full), text: fs.readFileSync(full, 'utf8') });
    }
  };
  walk(FIXTURES);
  const jobs = Array.from({ length: 60 }, (_, j) =>
    [`job-${j}:`, `  extends: .tpl-${j % 3}`, `  image: registry.example.com/team/app-${j}:1.${j}`, '  script:', `    - ./run.sh ${j}`, ''].join('\n'),
  );
  found.push({ name: 'generated', text: ['.tpl-0: &a', '  image: alpine', '.tpl-1:', '  <<: *a', '.tpl-2:', '  script: [make]', ...jobs].join('\n') });
  return found;
}

const parse = (text: string) => parsePipelineFile('f.yml', text, new ResolveContext(DEFAULT_LIMITS));

describe('incremental re-parse', () => {
  it('gives the CST a whole-file parse gives, after random line edits of every corpus file and fixture', () => {
    const next = random(20261123);
    let reparsed = 0;
    let edits = 0;
    for (const { name, text } of yamlFiles()) {
      let previousText = text;
      for (let round = 0; round < 4; round++) {
        const edited = editLine(previousText, next);
        const previous = parse(previousText);
        const result = reparsePipelineFile(previous, edited, new ResolveContext(DEFAULT_LIMITS));
        edits++;
        if (result) {
          reparsed++;
          const ctx = new ResolveContext(DEFAULT_LIMITS);
          const fresh = parsePipelineFile('f.yml', edited, ctx);
          assert.deepEqual(ctx.problems, [], `${name} round ${round}: re-parsed although the edited file has problems`);
          assert.equal(fresh.header, undefined);
          assert.equal(fresh.single, true, `${name} round ${round}`);
          assert.equal(result.text, edited);
          assert.deepEqual(JSON.parse(JSON.stringify(result.content)), JSON.parse(JSON.stringify(fresh.content)), `${name} round ${round}`);
        }
        previousText = edited;
      }
    }
    // Most single-line edits of a multi-item file are re-parsed in part; the rest fall back.
    assert.ok(reparsed > edits / 4, `only ${reparsed} of ${edits} edits were re-parsed in part`);
  });

  it('checks through the resolve cache exactly as a fresh check does, over a series of edits', () => {
    const next = random(7);
    const options = { credentials: [], predefinedVariables: { CI_REGISTRY: 'registry.gitlab.com' }, publicRegistries: ['docker.io'] };
    const filesOf = (text: string): ProjectFiles => ({
      read: (file) => (file === '.gitlab-ci.yml' ? text : undefined),
      glob: (pattern) => (localIncludeGlob(pattern).test('.gitlab-ci.yml') ? ['.gitlab-ci.yml'] : []),
    });
    for (const { name, text } of yamlFiles().filter((_, index) => index % 3 === 0)) {
      const cache = createResolveCache();
      let current = text;
      for (let round = 0; round < 5; round++) {
        const cached = checkProject('.gitlab-ci.yml', filesOf(current), { ...options, resolve: { variables: {}, cache } });
        const fresh = checkProject('.gitlab-ci.yml', filesOf(current), { ...options, resolve: { variables: {} } });
        assert.deepEqual(cached, fresh, `${name} round ${round}`);
        current = editLine(current, next);
      }
    }
  });

  it('falls back to a whole parse for what it cannot splice: the first lines of a file with a header, a new document, a syntax error', () => {
    const base = 'a:\n  x: 1\nb:\n  y: 2\nc:\n  z: 3\nd:\n  w: 4\ne: 5\n';
    assert.equal(parse(base).single, true);
    assert.ok(reparsePipelineFile(parse(base), base.replace('z: 3', 'z: 30'), new ResolveContext(DEFAULT_LIMITS)));
    assert.equal(reparsePipelineFile(parse(base), base.replace('z: 3', 'z: [3'), new ResolveContext(DEFAULT_LIMITS)), undefined);
    assert.equal(reparsePipelineFile(parse(base), base.replace('c:\n', '---\nc:\n'), new ResolveContext(DEFAULT_LIMITS)), undefined);
    assert.equal(reparsePipelineFile(parse(base), base.replace('z: 3', 'z: "3\u0001"'), new ResolveContext(DEFAULT_LIMITS)), undefined);
    const withHeader = `spec:\n  inputs:\n    v:\n---\n${base}`;
    assert.notEqual(parse(withHeader).single, true);
    assert.equal(reparsePipelineFile(parse(withHeader), withHeader.replace('z: 3', 'z: 30'), new ResolveContext(DEFAULT_LIMITS)), undefined);
  });
});
