/**
 * The findings engine: runs every rule over a resolved pipeline, adds the pipeline's own problems, applies severity
 * overrides and inline suppression comments, and returns findings in a stable order. Also answers hover questions
 * (which jobs use the image at an offset, and how the runner reads it).
 */
import { CheckStopped, type Deadline } from './deadline';
import { resolvePipeline } from './pipeline';
import { cachedIn } from './memo';
import { pullKeyOf, pullPlanOf } from './registry/pullCheck';
import type { ResolveOptions } from './pipeline';
import { DEFAULT_SEVERITIES } from './rules/codes';
import type { CheckOptions, DockerView, ImageStatus, RuleContext } from './rules/context';
import { spanKey } from './rules/context';
import { AUTH_CONFIG_VARIABLE, createImageEvaluator, createVariableValues, evaluateImages } from './rules/imageEvaluation';
import { RULES } from './rules';
import { scalarSourceMap } from './rules/scalarSource';
import type { ScalarSourceMap } from './rules/scalarSource';
import { suppressionChecker } from './rules/suppression';
import type { CredentialMatch, Finding, FindingCode, Pipeline, ProjectFiles, Provenance, ResolvedJob, TracedString } from './types';

export type { CheckOptions, ImageStatus } from './rules/context';
export { DEFAULT_SEVERITIES, FINDING_CODES } from './rules/codes';
/** Registries anyone may pull from without credentials (the default of `gitlabCiAuth.publicRegistries` and the CLI). */
export { DEFAULT_PUBLIC_REGISTRY_SETTING as DEFAULT_PUBLIC_REGISTRIES } from './settings';

/**
 * All findings for a resolved pipeline: the rules' findings plus `pipeline.problems`, with `options.severities`
 * applied (`'off'` drops a code) and `# gitlab-ci-auth-ignore` comments honoured; sorted by file, offset, code.
 * Once `deadline` passes, the rules stop: their findings are dropped and one `limit-exceeded` on the root file says so.
 */
export function checkPipeline(pipeline: Pipeline, options: CheckOptions, deadline?: Deadline): Finding[] {
  const context = createRuleContext(pipeline, options, deadline);
  const findings: Finding[] = [];
  try {
    for (const rule of RULES) {
      deadline?.check();
      if (rule.codes.some((code) => context.isEnabled(code))) findings.push(...rule.check(context));
    }
  } catch (error) {
    if (!(error instanceof CheckStopped)) throw error;
    findings.length = 0;
    findings.push({ code: 'limit-exceeded', severity: 'error', message: error.message, range: { file: pipeline.rootFile, start: 0, end: 0 }, related: [] });
  }
  findings.push(...pipeline.problems);
  return finalize(pipeline, options, findings);
}

/** Resolves `rootFile` from `files` (include, extends, default...) and checks it, both within `options.deadline`. */
export function checkProject(
  rootFile: string,
  files: ProjectFiles,
  options: CheckOptions & { resolve?: ResolveOptions; deadline?: Deadline },
): { pipeline: Pipeline; findings: Finding[] } {
  const { deadline } = options;
  const resolveOptions: ResolveOptions = { ...(options.resolve ?? { variables: includeVariables(options) }), ...(deadline ? { deadline } : {}) };
  const pipeline = resolvePipeline(rootFile, files, resolveOptions);
  return { pipeline, findings: checkPipeline(pipeline, options, deadline) };
}

/** The variables an `include:` location is expanded with: the predefined ones, then the CI/CD variables known here. */
export function includeVariables(options: CheckOptions): Record<string, string> {
  const values: Record<string, string> = { ...options.predefinedVariables };
  for (const variable of options.ciCdVariables ?? []) {
    if (variable.value === null) delete values[variable.key];
    else Object.defineProperty(values, variable.key, { value: variable.value, enumerable: true, writable: true, configurable: true });
  }
  return values;
}

/** How the runner reads one image of one job: what a hover shows. */
export interface ImageExplanation {
  /** The name as written (after `$[[ inputs ]]`). */
  readonly written: string;
  /** After the runner's `$VAR` expansion; null when the registry depends on an unknown variable. */
  readonly expanded: string | null;
  readonly docker: DockerView;
  /** The path the runner looks credentials up with (`normalizeImageRef`). */
  readonly lookupPath: string;
  readonly status: ImageStatus;
  readonly match: CredentialMatch | null;
  /** The credential stored in VS Code that matches, known only here (whatever the runner has). */
  readonly storedMatch: CredentialMatch | null;
  /** Where the value came from (extends parent, anchor, default, include). */
  readonly via: readonly Provenance[];
  /** Variables the name refers to that are not known. */
  readonly unknownVariables: readonly string[];
  /** The expanded name with `<NAME>` for each value not known here (run-time variables such as `CI_COMMIT_SHA`). */
  readonly shown: string;
  /** The pull check's key for this image and credential (`PullTarget.key`), to show its result. */
  readonly pullKey: string;
}

/** Explains `image` (the job's image or one of its services) for `job`; with a matrix, for its first combination. */
export function explainImage(image: TracedString, job: ResolvedJob, _pipeline: Pipeline, options: CheckOptions): ImageExplanation {
  const role = job.image && spanKey(job.image.span) === spanKey(image.span) ? 'image' : 'service';
  const evaluation = createImageEvaluator(options)(job, image, role, job.matrix[0] ?? null);
  return {
    written: image.value,
    expanded: evaluation.expanded,
    docker: evaluation.docker,
    lookupPath: evaluation.lookupPath,
    status: evaluation.status,
    match: evaluation.match,
    storedMatch: evaluation.storedMatch,
    via: image.via,
    unknownVariables: evaluation.unknownVariables,
    shown: evaluation.shown,
    pullKey: pullKeyOf(pullPlanOf(evaluation)),
  };
}

/**
 * The keys of credentials stored in VS Code that the pipeline's images use (whether or not GitLab also has them), in
 * first-use order: what a DOCKER_AUTH_CONFIG built for this project must hold from the store.
 */
export function storedKeysUsedBy(pipeline: Pipeline, options: CheckOptions): string[] {
  const keys = new Set<string>();
  for (const evaluation of evaluateImages(pipeline, options)) if (evaluation.storedMatch) keys.add(evaluation.storedMatch.key);
  return [...keys];
}

/** Every (job, image-or-service) whose scalar contains `offset` in `file`: a template's image is used by many jobs. */
export function findImageAt(pipeline: Pipeline, file: string, offset: number): { job: ResolvedJob; image: TracedString }[] {
  const found: { job: ResolvedJob; image: TracedString }[] = [];
  for (const job of pipeline.jobs) {
    for (const image of job.image ? [job.image, ...job.services] : job.services) {
      if (image.span.file === file && image.span.start <= offset && offset <= image.span.end) found.push({ job, image });
    }
  }
  return found;
}

function createRuleContext(pipeline: Pipeline, options: CheckOptions, deadline?: Deadline): RuleContext {
  const texts = new Map(pipeline.files.map((file) => [file.path, file.text]));
  const maps = new Map<string, ScalarSourceMap | null>();
  let evaluations: RuleContext['evaluations'] | undefined;
  let yamlAuthConfigs: RuleContext['yamlAuthConfigs'] | undefined;
  const variableValues = createVariableValues(options.predefinedVariables, options.ciCdVariables);
  return {
    pipeline,
    options,
    variableValues,
    get evaluations() {
      evaluations ??= evaluateImages(pipeline, options, variableValues, deadline);
      return evaluations;
    },
    get yamlAuthConfigs() {
      yamlAuthConfigs ??= collectYamlAuthConfigs(pipeline);
      return yamlAuthConfigs;
    },
    isEnabled: (code) => severityOf(options, code) !== 'off',
    fileText: (path) => texts.get(path),
    spanInScalar(scalar, start, end) {
      const key = spanKey(scalar.span);
      let map = maps.get(key);
      if (map === undefined) {
        const text = texts.get(scalar.span.file);
        map = text === undefined ? null : scalarSourceMap(text, scalar.span, scalar.value);
        maps.set(key, map);
      }
      return map ? map.spanOf(start, end) : null;
    },
  };
}

function collectYamlAuthConfigs(pipeline: Pipeline): RuleContext['yamlAuthConfigs'] {
  const configs = new Map<string, { variable: TracedString; jobs: ResolvedJob[] }>();
  const global = pipeline.globalVariables[AUTH_CONFIG_VARIABLE];
  if (global) configs.set(spanKey(global.span), { variable: global, jobs: [] });
  for (const job of pipeline.jobs) {
    const variable = job.variables[AUTH_CONFIG_VARIABLE];
    if (!variable) continue;
    const key = spanKey(variable.span);
    const entry = configs.get(key);
    if (entry) entry.jobs.push(job);
    else configs.set(key, { variable, jobs: [job] });
  }
  return configs;
}

function severityOf(options: CheckOptions, code: FindingCode) {
  return options.severities?.[code] ?? DEFAULT_SEVERITIES[code];
}

function finalize(pipeline: Pipeline, options: CheckOptions, findings: readonly Finding[]): Finding[] {
  const texts = new Map(pipeline.files.map((file) => [file.path, file.text]));
  const checkers = new Map<string, (offset: number, code: FindingCode) => boolean>();
  // The messages seen per code and range: a duplicate has all three equal (messages are long, so they are not hashed).
  const seen = new Map<string, string[]>();
  const result: Finding[] = [];
  for (const finding of findings) {
    const severity = options.severities?.[finding.code];
    if (severity === 'off') continue;
    const id = `${finding.code}\u0000${spanKey(finding.range)}`;
    const messages = seen.get(id);
    if (!messages) seen.set(id, [finding.message]);
    else if (messages.includes(finding.message)) continue;
    else messages.push(finding.message);
    const isSuppressed = cachedIn(checkers, finding.range.file, () => {
      const text = texts.get(finding.range.file);
      return text === undefined ? () => false : suppressionChecker(text);
    });
    if (isSuppressed(finding.range.start, finding.code)) continue;
    result.push(severity ? { ...finding, severity } : finding);
  }
  return result.sort(compareFindings);
}

/** The stable order findings are reported in: by file, offset, code, end, message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareStrings(a.range.file, b.range.file) ||
    a.range.start - b.range.start ||
    compareStrings(a.code, b.code) ||
    a.range.end - b.range.end ||
    compareStrings(a.message, b.message)
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
