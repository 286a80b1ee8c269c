/** What `resolvePipeline` accepts besides the files, and the bounds that keep it fast on hostile input. */
import type { Deadline } from '../deadline';
import type { ExternalIncludeRequest } from '../types';
import type { ResolveCache } from './cache';

export type { ExternalIncludeRequest };

/** Bounds on the work done for one pipeline. Past a bound the resolver stops that part and reports `limit-exceeded`. */
export interface ResolveLimits {
  /** Files merged through `include` (GitLab: 150 per pipeline, duplicates counted). */
  readonly maxIncludes: number;
  /** Nesting of includes (GitLab: 100). */
  readonly maxIncludeDepth: number;
  /** Size of one file in characters (GitLab's `max_yaml_size_bytes` default is 2 MB). */
  readonly maxFileSize: number;
  /** Nesting of YAML collections (GitLab's `max_yaml_depth` default is 100). */
  readonly maxYamlDepth: number;
  /** Values a document may hold once its aliases are expanded: GitLab rejects such alias bombs too. */
  readonly maxExpandedValues: number;
  /** Alias uses, `<<` merged entries and `!reference` items taken together, per pipeline. */
  readonly maxAliasExpansions: number;
  /** Levels of `extends` inheritance (GitLab: 11). */
  readonly maxExtendsDepth: number;
  /** Nesting of `!reference` tags (GitLab: 10). */
  readonly maxReferenceDepth: number;
  /** Jobs one `parallel: matrix` may produce (GitLab: 200). */
  readonly maxMatrixCombinations: number;
}

export const DEFAULT_LIMITS: ResolveLimits = {
  maxIncludes: 150,
  maxIncludeDepth: 100,
  maxFileSize: 2 * 1024 * 1024,
  maxYamlDepth: 100,
  maxExpandedValues: 2_000_000,
  maxAliasExpansions: 500_000,
  maxExtendsDepth: 11,
  maxReferenceDepth: 10,
  maxMatrixCombinations: 200,
};

/** Supplies included files that live outside the project (fetched and cached by the caller; must not block). */
export interface ExternalIncludes {
  /** `path` names the file in spans and messages, e.g. `gitlab:group/proj@ref/ci/x.yml`. */
  read(include: ExternalIncludeRequest): { path: string; text: string } | undefined;
}

export interface ResolveOptions {
  /** Values for the root file's `spec: inputs` (pipeline inputs). */
  readonly inputs?: Readonly<Record<string, string>>;
  /** Variables GitLab would know when expanding `include:` locations (project, group, predefined variables). */
  readonly variables?: Readonly<Record<string, string>>;
  readonly limits?: Partial<ResolveLimits>;
  readonly externalIncludes?: ExternalIncludes;
  /** Parsed files from earlier checks of the same project (`createResolveCache()`): unchanged files are not parsed again. */
  readonly cache?: ResolveCache;
  /** The check's wall-clock budget: past it, resolution stops and reports `limit-exceeded` on the root file. */
  readonly deadline?: Deadline;
}
