/**
 * Resolves a GitLab CI pipeline the way GitLab does before handing jobs to a runner:
 * YAML (anchors, `<<`, `!reference`, `spec: inputs`) → `include:` merge → `extends:` → `!reference` → jobs with
 * `default:`, deprecated globals and `inherit:`.
 */
import { CheckStopped } from '../deadline';
import type { Pipeline, ProjectFiles } from '../types';
import { entryValue } from './ciValue';
import { ResolveContext } from './context';
import { ExtendsResolver } from './extends';
import { IncludeLoader, type LoadedPipeline } from './includeLoader';
import { JobMemo, ReadTracker } from './jobReuse';
import { JobBuilder } from './jobs';
import { DEFAULT_LIMITS, type ResolveOptions } from './options';
import { ReferenceResolver } from './references';

export { createResolveCache, ResolveCache } from './cache';
// No Node API from here on: the browser bundle resolves pipelines too. Disk reading is in ./diskFiles (desktop, CLI).
export { normalizeProjectPath } from './projectFiles';
export { localIncludeGlob } from './pathGlob';
export { RESERVED_TOP_LEVEL_KEYS } from './jobs';
export { DEFAULT_LIMITS } from './options';
export type { ExternalIncludeRequest, ExternalIncludes, ResolveLimits, ResolveOptions } from './options';

/**
 * Every job of the pipeline rooted at `rootFile` (project-relative), with its image, services, variables, matrix and
 * script lines traced to their source. Never throws: unreadable or hostile input becomes `problems` and partial results.
 */
export function resolvePipeline(rootFile: string, files: ProjectFiles, options: ResolveOptions = {}): Pipeline {
  const memo = options.cache?.jobMemo(rootFile);
  const pipeline = resolveOnce(rootFile, files, options, memo);
  if (!memo?.needsFreshBuild) return pipeline;
  // Near a depth limit a reused job may differ from a fresh build: build every job again, and reuse none next time.
  memo.clear();
  return resolveOnce(rootFile, files, options, undefined);
}

function resolveOnce(rootFile: string, files: ProjectFiles, options: ResolveOptions, memo: JobMemo | undefined): Pipeline {
  const ctx = new ResolveContext({ ...DEFAULT_LIMITS, ...options.limits }, options.deadline);
  const rootText = files.read(rootFile);
  if (rootText === undefined) {
    ctx.report('include-not-found', 'error', `Cannot read '${rootFile}'.`, { file: rootFile, start: 0, end: 0 });
    return { rootFile, files: [], jobs: [], globalVariables: {}, unresolvedIncludes: [], problems: ctx.problems };
  }
  let loaded: LoadedPipeline | undefined;
  const loader = new IncludeLoader(files, ctx, options.variables ?? {}, options.externalIncludes, options.cache);
  try {
    loaded = loader.load(rootFile, rootText, options.inputs ?? {});
    const tracker = memo && new ReadTracker(ctx);
    const extendsResolver = new ExtendsResolver(loaded.config, ctx, loaded.incomplete, tracker);
    const config = loaded.config;
    const references = new ReferenceResolver(extendsResolver, (key) => entryValue(config, key), ctx, loaded.incomplete, tracker);
    references.checkAll(loaded.references);
    const shared = JSON.stringify([ctx.limits, loaded.incomplete, loaded.lastUnresolvedOrder, [...loaded.mergeOrder]]);
    const builder = new JobBuilder({
      config,
      extendsResolver,
      references,
      ctx,
      mergeOrder: loaded.mergeOrder,
      lastUnresolvedOrder: loaded.lastUnresolvedOrder,
      ...(memo && tracker ? { reuse: { memo, tracker, shared } } : {}),
    });
    const jobs = builder.jobs();
    builder.reportDefaultConflicts();
    if (memo && (extendsResolver.nearDepthLimit || references.nearDepthLimit)) {
      // Near a depth limit a memoized lookup depends on which job asked first: keep no job of this check for the next.
      if (memo.reused > 0) memo.needsFreshBuild = true;
      else memo.clear();
    }
    return {
      rootFile,
      files: loaded.files,
      jobs,
      globalVariables: builder.globals(),
      unresolvedIncludes: loaded.unresolvedIncludes,
      includeDecisions: loaded.includeDecisions,
      problems: ctx.problems,
    };
  } catch (error) {
    // Never throw into the editor: report on the root file and return what was read (no job: what was built so far
    // would be a partial pipeline that looks complete).
    memo?.clear();
    const root = { file: rootFile, start: 0, end: 0 };
    const reason = error instanceof RangeError ? 'the input is too deeply nested' : 'internal error';
    ctx.report('limit-exceeded', 'error', error instanceof CheckStopped ? error.message : `Pipeline analysis stopped: ${reason}.`, root);
    return {
      rootFile,
      files: loader.files.length > 0 ? loader.files : [{ path: rootFile, text: rootText }],
      jobs: [],
      globalVariables: {},
      unresolvedIncludes: loaded?.unresolvedIncludes ?? [],
      problems: ctx.problems,
    };
  }
}
