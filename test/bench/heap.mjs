#!/usr/bin/env node
/**
 * Heap across edit-check cycles, in a process of its own so that nothing else the benchmark loaded (the peers, their
 * caches, pending promises) is counted: the core bundle the benchmark built, a 1,000-job pipeline, one `ResolveCache`
 * reused across checks as the extension does, one line of one included file edited per cycle.
 * Usage: node --expose-gc test/bench/heap.mjs <core.cjs> <cycles>; prints JSON.
 */
import { createRequire } from 'node:module';
import { editOneLine, generatePipeline } from './generate.mjs';

const [coreFile, cyclesText] = process.argv.slice(2);
const core = createRequire(import.meta.url)(coreFile);
const cycles = Number(cyclesText);
const files = generatePipeline(1_000);
const memoryFiles = (current) => ({
  read: (file) => (Object.hasOwn(current, file) ? current[file] : undefined),
  glob: (pattern) => {
    const matcher = core.localIncludeGlob(pattern);
    return Object.keys(current)
      .filter((file) => matcher.test(file))
      .sort();
  },
});
const cache = core.pipelineApi.createResolveCache();
const options = { credentials: [], predefinedVariables: {}, publicRegistries: ['docker.io'], resolve: { variables: {}, cache } };
const marks = new Set([10, 100, 250, 500, 750, cycles]);
const series = [];
let jobs = 0;
const started = performance.now();
for (let cycle = 1; cycle <= cycles; cycle++) {
  jobs = core.checkProject('.gitlab-ci.yml', memoryFiles(editOneLine(files, cycle)), options).pipeline.jobs.length;
  if (marks.has(cycle)) {
    globalThis.gc();
    globalThis.gc();
    series.push({ cycle, heapMb: process.memoryUsage().heapUsed / 2 ** 20 });
  }
}
process.stdout.write(JSON.stringify({ jobs, cycles, msPerCycle: (performance.now() - started) / cycles, series }));
