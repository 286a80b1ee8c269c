/**
 * What every rule reads: the pipeline, the options, and the image evaluations computed once per check
 * (each image/service scalar of each job, for each `parallel: matrix` combination).
 */
import type {
  CredentialMatch,
  CredentialSource,
  Finding,
  FindingCode,
  Pipeline,
  Provenance,
  RelatedLocation,
  ResolvedJob,
  Severity,
  SourceSpan,
  TracedString,
} from '../types';
import type { DockerReference } from '../registry/imageRef';
import type { PullResult } from '../registry/pullCheck';
import type { CollectedVariable, JobVariables } from '../registry/imageVariables';

export interface CheckOptions {
  /**
   * Credential sources outside the YAML: GitLab's CI/CD variables, runner settings, the job token, and credentials
   * stored in VS Code (`origin: 'stored-here'`), which the runner never sees and so never count as coverage.
   */
  readonly credentials: readonly CredentialSource[];
  /** Predefined CI/CD variables of the GitLab context (`CI_REGISTRY`...), see `gitlabContextFromRemote`. */
  readonly predefinedVariables: Readonly<Record<string, string>>;
  /**
   * CI/CD variables (instance, group, project as GitLab shows them while connected, then the CLI's `--var` and the
   * settings-defined values), lowest precedence first: they override the YAML's `variables:` (`variablePrecedence`).
   * A `value: null` is set but hidden: an image name using it is registry-unknown.
   */
  readonly ciCdVariables?: readonly CollectedVariable[];
  /** Registry keys (`host[:port]` or a path) pulled anonymously; matched like credential keys. */
  readonly publicRegistries: readonly string[];
  /** Registry keys never reported. */
  readonly ignoredRegistries?: readonly string[];
  readonly severities?: Partial<Record<FindingCode, Severity | 'off'>>;
  /** Results of the pull check by `PullTarget.key` (`pullCheck.ts`); without it no pull finding is made. */
  readonly pullResults?: (key: string) => PullResult | undefined;
}

/** How the runner would treat one image for one job (and matrix combination). */
export type ImageStatus =
  | 'covered'
  | 'public'
  | 'job-token'
  | 'uncovered'
  /** Uncovered for the runner, but a credential stored in VS Code matches: it is not known to be in GitLab. */
  | 'stored-only'
  | 'registry-unknown'
  | 'coverage-unknown'
  | 'invalid'
  | 'ignored'
  | 'may-come-from-include';

/** Docker's reading of the image (which registry it contacts), as `parseDockerReference` gives it. */
export type DockerView = DockerReference;

export interface ImageEvaluation {
  readonly job: ResolvedJob;
  readonly image: TracedString;
  readonly role: 'image' | 'service';
  /** The matrix combination this evaluation is for, or null without a matrix. */
  readonly combination: Readonly<Record<string, string>> | null;
  /** After the runner's expansion; null when the registry depends on an unknown variable. */
  readonly expanded: string | null;
  /** Variables the image refers to that are not known (predefined, YAML, matrix). */
  readonly unknownVariables: readonly string[];
  /** The expanded name with `<NAME>` for each unknown value (`registry.example.com/app:<CI_COMMIT_SHA>`). */
  readonly shown: string;
  readonly docker: DockerView;
  readonly lookupPath: string;
  readonly status: ImageStatus;
  readonly match: CredentialMatch | null;
  /** The credential stored in VS Code that matches the image (whatever the runner has), or null. */
  readonly storedMatch: CredentialMatch | null;
  /** The sources the runner would have for this job (YAML `DOCKER_AUTH_CONFIG` included when it applies). */
  readonly sources: readonly CredentialSource[];
  /** The YAML `DOCKER_AUTH_CONFIG` in effect for this job, when it is the one used. */
  readonly yamlAuthConfig: YamlAuthConfig | null;
}

/** A `DOCKER_AUTH_CONFIG:` written in a `variables:` block of the YAML. */
export interface YamlAuthConfig {
  readonly variable: TracedString;
}

export interface RuleContext {
  readonly pipeline: Pipeline;
  readonly options: CheckOptions;
  /** Every image and service of every job, per matrix combination. */
  readonly evaluations: readonly ImageEvaluation[];
  /** Distinct YAML `DOCKER_AUTH_CONFIG` scalars (global and job-level), with the jobs that see each. */
  readonly yamlAuthConfigs: ReadonlyMap<string, { variable: TracedString; jobs: ResolvedJob[] }>;
  /** Whether a code will be reported at all (severity not `off`). */
  isEnabled(code: FindingCode): boolean;
  /** The variables the runner knows for a job and matrix combination (`jobVariableValues`), worked out once per check. */
  variableValues(job: ResolvedJob, combination: Readonly<Record<string, string>> | null): JobVariables;
  fileText(path: string): string | undefined;
  /** The file span of value characters [start, end) of a scalar; null when its quoting cannot be mapped exactly. */
  spanInScalar(scalar: TracedString, start: number, end: number): SourceSpan | null;
}

export interface Rule {
  /** The codes this rule can produce: it is skipped when all are `off`. */
  readonly codes: readonly FindingCode[];
  check(context: RuleContext): Finding[];
}

/** A stable key for a span, to group findings by scalar. */
export function spanKey(span: SourceSpan): string {
  return `${span.file}\u0000${span.start}\u0000${span.end}`;
}

/**
 * `spanKey` remembered per span object, for grouping many values: a scalar that reaches many jobs (a template's image or
 * script line) is one span object, so its key is built once.
 */
export function spanKeyMemo(): (span: SourceSpan) => string {
  const keys = new Map<SourceSpan, string>();
  return (span) => {
    let key = keys.get(span);
    if (key === undefined) {
      key = spanKey(span);
      keys.set(span, key);
    }
    return key;
  };
}

const PROVENANCE_LABELS: Readonly<Record<Provenance['kind'], string>> = {
  extends: 'inherited through extends from',
  default: 'from the default: block',
  'top-level': 'from the top-level',
  anchor: 'merged from the YAML anchor',
  reference: 'taken by !reference from',
  include: 'from the included file',
  matrix: 'from the parallel:matrix value',
  variable: 'from the variable',
};

/** The related locations that explain where a value came from (its `via` chain), deduplicated. */
export function provenanceRelated(values: readonly { via: readonly Provenance[] }[]): RelatedLocation[] {
  const seen = new Set<string>();
  // Most values share their steps' span objects: one seen is skipped without building its key.
  const seenSpans = new Set<SourceSpan>();
  const related: RelatedLocation[] = [];
  for (const value of values) {
    for (const step of value.via) {
      if (seenSpans.has(step.span)) continue;
      seenSpans.add(step.span);
      const key = spanKey(step.span);
      if (seen.has(key)) continue;
      seen.add(key);
      related.push({ span: step.span, message: `${PROVENANCE_LABELS[step.kind]} ${step.name}` });
    }
  }
  return related;
}

/** `a, b, c and 4 more`: a readable list that stays short. */
export function shortList(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/**
 * `(job build)`, `(jobs a, b, c and 2 more; matrix: …)`: the jobs a message ends with. The hover lists the same names
 * with the same shortening, so a warning and its hover agree.
 */
export function jobsNamed(jobs: readonly string[], combinations: readonly string[] = []): string {
  if (jobs.length === 0) return '';
  const matrix = combinations.length > 0 ? `; matrix: ${shortList(combinations)}` : '';
  return ` (${jobs.length > 1 ? 'jobs' : 'job'} ${shortList(jobs)}${matrix})`;
}

/** `PROVIDER=aws STACK=web`: one matrix combination as a user reads it. */
export function describeCombination(combination: Readonly<Record<string, string>>): string {
  return Object.entries(combination)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
}

export function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const id = key(item);
    const group = groups.get(id);
    if (group) group.push(item);
    else groups.set(id, [item]);
  }
  return groups;
}
