/**
 * Plain data shared by every part of the core, the CLI and the extension.
 * No `vscode` import here or anywhere under src/core: the core is pure and deterministic.
 */

/** A stretch of one file: its path relative to the project root (posix separators) and character offsets [start, end). */
export interface SourceSpan {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

/** One step of how a value reached a job: which `extends` parent, anchor, `default:` block, `!reference` or include it came from. */
export interface Provenance {
  readonly kind: 'extends' | 'default' | 'top-level' | 'anchor' | 'reference' | 'include' | 'matrix' | 'variable';
  /** Human-readable name: the parent job, the anchor, the referenced path, the included file. */
  readonly name: string;
  /** Where that step is written (the `extends:` value, the `*alias`, the `!reference` tag...). */
  readonly span: SourceSpan;
}

/** A string value of the pipeline with its exact source and how it got where it is. */
export interface TracedString {
  /** The value GitLab hands the runner: after `$[[ inputs ]]` interpolation, before `$VAR` expansion. */
  readonly value: string;
  /** The scalar as written (the offending text a diagnostic underlines). */
  readonly span: SourceSpan;
  /** Outermost first: e.g. extends parent, then the anchor inside it. Empty when written in the job itself. */
  readonly via: readonly Provenance[];
}

/** A `variables:` entry: its value, and whether it is raw (`expand: false`, Entry::Variable's ComplexVariable). */
export interface TracedVariable extends TracedString {
  /** `expand: false`: neither GitLab nor the runner expands a `$` in it. */
  readonly raw?: true;
}

/** A job that will run (name not starting with `.`, not a reserved keyword), after include, extends, default and !reference. */
export interface ResolvedJob {
  readonly name: string;
  /** The job's key. */
  readonly span: SourceSpan;
  /** `image:` or `image: {name:}`; null when none applies (trigger jobs, or no image anywhere). */
  readonly image: TracedString | null;
  readonly services: readonly TracedString[];
  /** Variables visible to the job for image expansion: top-level (unless `inherit: variables` says otherwise) then job-level; job wins. */
  readonly variables: Readonly<Record<string, TracedVariable>>;
  /** `parallel: matrix` combinations (each a map of variable → value); empty when there is no matrix. */
  readonly matrix: readonly Readonly<Record<string, string>>[];
  /** `before_script`, `script` and `after_script` lines in run order, each with its span. */
  readonly scriptLines: readonly TracedString[];
  readonly isTrigger: boolean;
  /** True when this job's image may come from an include that could not be read (remote, project, template, component). */
  readonly mayDependOnUnresolvedInclude: boolean;
  /** The same for its services. */
  readonly servicesMayDependOnUnresolvedInclude: boolean;
  /** When `rules:` make the job conditional: the rules that can let it run ("rule 1 `if: $CI_COMMIT_TAG`"), for the hover. */
  readonly runsWhen?: readonly string[];
}

export type IncludeKind = 'local' | 'project' | 'template' | 'remote' | 'component';

/** An include that is not a file of this project: what a fetcher asks GitLab for. */
export interface ExternalIncludeRequest {
  readonly kind: 'project' | 'template' | 'remote' | 'component';
  readonly project?: string;
  readonly ref?: string;
  readonly file?: string;
  readonly template?: string;
  readonly url?: string;
  readonly component?: string;
}

export interface UnresolvedInclude {
  readonly kind: IncludeKind;
  /** `group/project:path@ref`, the template name, the URL or the component address. */
  readonly location: string;
  readonly span: SourceSpan;
  /** What to fetch, variables expanded; absent for a local include whose path holds an unknown variable. */
  readonly request?: ExternalIncludeRequest;
}

/** An `include:` entry with `rules:`: included, not included (not merged), or maybe (treated as unreadable). */
export interface IncludeDecision {
  readonly outcome: 'included' | 'excluded' | 'maybe';
  /** "rule 1 `if: $CI_COMMIT_BRANCH == "main"` matches", or what the decision depends on. */
  readonly reason: string;
  /** The entry (its hash), for the hover. */
  readonly span: SourceSpan;
}

/** One project file that took part in the pipeline, kept so findings can be turned into lines and columns. */
export interface PipelineFile {
  readonly path: string;
  readonly text: string;
}

export interface Pipeline {
  /** The entry file (project-relative). */
  readonly rootFile: string;
  /** Every file read, entry first, in include order. */
  readonly files: readonly PipelineFile[];
  readonly jobs: readonly ResolvedJob[];
  /** Top-level `variables:` (after include merge). */
  readonly globalVariables: Readonly<Record<string, TracedVariable>>;
  readonly unresolvedIncludes: readonly UnresolvedInclude[];
  /** How each `include:` entry with `rules:` was decided (for its hover). */
  readonly includeDecisions?: readonly IncludeDecision[];
  /** Problems met while resolving: YAML syntax, extends missing/cycle/depth, include not found, bad !reference, missing inputs. */
  readonly problems: readonly Finding[];
}

/**
 * Reads project files for include resolution. Paths are project-relative with posix separators.
 * Implementations must refuse anything outside the project root (including through symlinks) and never execute anything.
 */
export interface ProjectFiles {
  /** The file's text, or undefined when it is missing, unreadable or outside the project. */
  read(path: string): string | undefined;
  /** Project-relative paths of files matching a GitLab `include: local` glob (`*`, `**`), sorted. */
  glob(pattern: string): readonly string[];
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** Stable rule codes: the contract between findings, settings, quick fixes and the README. */
export type FindingCode =
  | 'yaml-syntax'
  | 'missing-credentials'
  | 'credential-not-in-gitlab'
  | 'registry-unknown'
  | 'invalid-image-reference'
  | 'unresolved-include'
  | 'include-not-found'
  | 'extends-missing'
  | 'extends-cycle'
  | 'extends-too-deep'
  | 'reference-unresolved'
  | 'input-missing'
  | 'invalid-auth-config'
  | 'committed-credentials'
  | 'key-near-miss'
  | 'file-variable-echo'
  | 'kaniko-missing-config'
  | 'auth-config-shadows-job-token'
  | 'limit-exceeded'
  | 'image-not-found'
  | 'pull-denied'
  | 'credential-rejected'
  | 'registry-unreachable'
  | 'default-conflict';

export interface RelatedLocation {
  readonly span: SourceSpan;
  readonly message: string;
}

/** A finding as plain data. Secrets never appear in `message`, `related` or `data`. */
export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  /** The fact, short enough for the Problems panel: "No credentials for registry.example.com:5000 (job build)". */
  readonly message: string;
  /** Why it matters and what to do, shown in the hover (and by the CLI under the message). */
  readonly detail?: string;
  readonly range: SourceSpan;
  readonly related: readonly RelatedLocation[];
  /** What a quick fix needs (registry, suggested key, job name...). JSON-serialisable. */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** Where a credential comes from, in GitLab Runner's precedence order (first wins on the same path). */
export type CredentialSourceKind = 'DOCKER_AUTH_CONFIG' | 'runner-config' | 'job-payload';

/** One registry key a source provides. `key` exactly as written in the config; `path` as the runner normalises it. */
export interface CredentialKey {
  readonly key: string;
  readonly path: string;
  readonly via: 'auths' | 'credHelpers' | 'job-token';
  /** Who provides it, for hovers and messages: "wizard (alice)", "imported config", "pipeline variable", "runner setting", "job token". Never a secret. */
  readonly label: string;
}

/**
 * Where a source's keys come from, when that matters for who can see them. The runner sees the pipeline's YAML, GitLab's
 * CI/CD variables, its own configuration and the job token; `stored-here` (stored or imported in VS Code) is known only
 * to this editor, so it never counts as coverage. `gitlab-variable` is GitLab's DOCKER_AUTH_CONFIG read while connected;
 * `said-in-gitlab` lists registries the user said GitLab's variable holds (ignored once that variable can be read).
 * Absent: a source the runner sees by its nature (YAML, runner settings, job token, the CLI's DOCKER_AUTH_CONFIG).
 */
export type CredentialOrigin = 'gitlab-variable' | 'said-in-gitlab' | 'stored-here';

export interface CredentialSource {
  readonly kind: CredentialSourceKind;
  readonly keys: readonly CredentialKey[];
  /** A `credsStore` is configured: coverage of any registry it may list is unknown. */
  readonly credsStore?: string;
  readonly origin?: CredentialOrigin;
  /** What the source is, for messages: `project variable DOCKER_AUTH_CONFIG (group/app)`. Never a secret. */
  readonly label?: string;
}

export interface CredentialMatch {
  readonly key: string;
  readonly path: string;
  readonly source: CredentialSourceKind;
  readonly label: string;
  readonly origin?: CredentialOrigin;
}

export interface LookupResult {
  /** The runner's lookup path for the image (normalizeImageRef). */
  readonly lookupPath: string;
  readonly match: CredentialMatch | null;
  /** No match, but a `credsStore` might cover it. */
  readonly coverageUnknown: boolean;
}
