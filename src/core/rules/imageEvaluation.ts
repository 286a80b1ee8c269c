/**
 * Evaluates every image and service the way GitLab Runner would for each job: variable expansion (job, matrix,
 * predefined), Docker's validity, the runner's lookup path, and which credential source (if any) matches.
 */
import { cachedIn } from '../memo';
import { credentialSourceFromAuthConfig, jobPayloadSource } from '../registry/credentialSources';
import { parseAuthConfig } from '../auth/parse';
import { credentialLookup, splitCoverage } from '../registry/credentialLookup';
import { parseDockerReference, registryKeyPath, runnerLookupPath } from '../registry/imageRef';
import type { DockerReference } from '../registry/imageRef';
import type { Deadline } from '../deadline';
import type { CredentialSource, LookupResult, Pipeline, ResolvedJob, TracedString } from '../types';
import {
  expandImageNameTracked,
  expandVariables,
  resolveJobVariables,
  type CollectedVariable,
  type ImageNameExpansion,
  type JobVariables,
} from '../registry/imageVariables';
import type { CheckOptions, ImageEvaluation, ImageStatus, YamlAuthConfig } from './context';

export const AUTH_CONFIG_VARIABLE = 'DOCKER_AUTH_CONFIG';

/** True for the kaniko executor image (`gcr.io/kaniko-project/executor`, any tag or digest) and its maintained fork. */
export function isKanikoImage(image: string): boolean {
  const docker = parseDockerReference(image.trim());
  if (!docker.valid) return /(^|\/)kaniko-project\/executor(?:[:@]|$)/.test(image);
  return (
    (docker.registry === 'gcr.io' && docker.repository === 'kaniko-project/executor') ||
    (docker.registry === 'docker.io' && docker.repository === 'martizih/kaniko') ||
    (docker.registry === 'ghcr.io' && docker.repository === 'osscontainertools/kaniko')
  );
}

/**
 * The collection GitLab builds for a job, lowest precedence first; the last variable of a name wins (Collection#[],
 * the runner's `JobVariables.Get`). Written down once, here. Source: lib/gitlab/ci/variables/builder.rb
 * `scoped_variables` (predefined, YAML, then instance, group and project variables, then pipeline variables) and
 * GitLab's "CI/CD variable precedence" documentation; `parallel: matrix` values are merged over the job's own
 * `variables:` (lib/gitlab/ci/config/normalizer/matrix_strategy.rb), which are merged over the global ones it inherits
 * (lib/gitlab/ci/variables/helpers.rb `inherit_yaml_variables`).
 *   1. predefined variables known here (`CI_REGISTRY`, `CI_PROJECT_PATH`…; run-time ones such as `CI_COMMIT_SHA` are not)
 *   2. YAML global `variables:` the job inherits
 *   3. YAML job `variables:`
 *   4. `parallel: matrix` values
 *   5. CI/CD variables: instance, group, project, then the CLI's `--var` and settings-defined values
 */
export function variablePrecedence(
  job: ResolvedJob,
  predefined: Readonly<Record<string, string>>,
  combination: Readonly<Record<string, string>> | null,
  ciCdVariables: readonly CollectedVariable[],
): CollectedVariable[] {
  const collected: CollectedVariable[] = [];
  for (const key of Object.keys(predefined)) collected.push({ key, value: predefined[key]! });
  // Global and job values are already one record (the job's own value replaces the inherited one in place).
  const variables = job.variables;
  // A matrix value replaces the job's entry where it stands (a Ruby Hash#merge), new names come after.
  for (const key in variables) {
    const variable = variables[key]!;
    if (combination && Object.hasOwn(combination, key)) collected.push({ key, value: combination[key]! });
    else collected.push(variable.raw ? { key, value: variable.value, raw: true } : { key, value: variable.value });
  }
  if (combination) for (const key of Object.keys(combination)) if (!Object.hasOwn(variables, key)) collected.push({ key, value: combination[key]! });
  collected.push(...ciCdVariables);
  return collected;
}

/** The variables the runner would know for a job (`variablePrecedence`, then GitLab's and the runner's expansion). */
export function jobVariableValues(
  job: ResolvedJob,
  predefined: Readonly<Record<string, string>>,
  combination: Readonly<Record<string, string>> | null,
  ciCdVariables: readonly CollectedVariable[] = [],
): JobVariables {
  return resolveJobVariables(variablePrecedence(job, predefined, combination, ciCdVariables));
}

/** A job's variables for one matrix combination (or none), as `jobVariableValues` gives them. */
export type VariableValuesOf = (job: ResolvedJob, combination: Readonly<Record<string, string>> | null) => JobVariables;

/**
 * `jobVariableValues` for one check, worked out once per job and combination and shared by the rules. Jobs that inherit
 * the same `variables` record (no job-level variables) share one set of values.
 */
export function createVariableValues(predefined: Readonly<Record<string, string>>, ciCdVariables: readonly CollectedVariable[] = []): VariableValuesOf {
  const byVariables = new WeakMap<object, JobVariables>();
  const byCombination = new WeakMap<object, WeakMap<object, JobVariables>>();
  return (job, combination) => {
    if (!combination) return cachedIn(byVariables, job.variables, () => jobVariableValues(job, predefined, null, ciCdVariables));
    const combinations = cachedIn(byCombination, job.variables, () => new WeakMap<object, JobVariables>());
    return cachedIn(combinations, combination, () => jobVariableValues(job, predefined, combination, ciCdVariables));
  };
}

/** A credential source for a list of registry keys (public or ignored registries), matched with the runner's rules. */
export function keyListSource(keys: readonly string[], label: string): CredentialSource {
  return {
    kind: 'runner-config',
    keys: keys.map((key) => ({ key, path: registryKeyPath(key.trim()), via: 'auths' as const, label })),
  };
}

interface JobSources {
  readonly sources: readonly CredentialSource[];
  readonly yamlAuthConfig: YamlAuthConfig | null;
  /** A YAML `DOCKER_AUTH_CONFIG` key depends on a variable we do not know: coverage cannot be decided. */
  readonly keysUnknown: boolean;
}

/** Evaluates every image/service of every job, once per matrix combination. */
export function evaluateImages(pipeline: Pipeline, options: CheckOptions, valuesOf?: VariableValuesOf, deadline?: Deadline): ImageEvaluation[] {
  startReadingsGeneration();
  const evaluator = createImageEvaluator(options, valuesOf);
  const optionsKey = evaluationOptionsKey(options);
  const evaluations: ImageEvaluation[] = [];
  for (const job of pipeline.jobs) {
    deadline?.check();
    const previous = previousEvaluations.get(job);
    if (previous?.optionsKey === optionsKey) {
      for (const evaluation of previous.evaluations) evaluations.push(evaluation);
      continue;
    }
    const jobEvaluations: ImageEvaluation[] = [];
    if (job.image || job.services.length > 0) {
      if (job.matrix.length === 0) evaluateJobImages(evaluator, job, null, jobEvaluations);
      else for (const combination of job.matrix) evaluateJobImages(evaluator, job, combination, jobEvaluations);
    }
    previousEvaluations.set(job, { optionsKey, evaluations: jobEvaluations });
    for (const evaluation of jobEvaluations) evaluations.push(evaluation);
  }
  return evaluations;
}

type ImageEvaluator = (
  job: ResolvedJob,
  image: TracedString,
  role: 'image' | 'service',
  combination: Readonly<Record<string, string>> | null,
) => ImageEvaluation;

/** The job's image, then its services, for one combination. */
function evaluateJobImages(evaluator: ImageEvaluator, job: ResolvedJob, combination: Readonly<Record<string, string>> | null, into: ImageEvaluation[]): void {
  if (job.image) into.push(evaluator(job, job.image, 'image', combination));
  for (const service of job.services) into.push(evaluator(job, service, 'service', combination));
}

/**
 * A job's evaluations by job: a re-check reuses the resolved jobs whose inputs did not change (`ResolveCache`), and
 * with the same options their evaluations are the same. Findings are still built from all evaluations on every check.
 */
const previousEvaluations = new WeakMap<ResolvedJob, { readonly optionsKey: string; readonly evaluations: readonly ImageEvaluation[] }>();

/** Everything of the options an evaluation depends on (severities do not change it). */
function evaluationOptionsKey(options: CheckOptions): string {
  return JSON.stringify([
    options.credentials,
    options.predefinedVariables,
    options.ciCdVariables ?? [],
    options.publicRegistries,
    options.ignoredRegistries ?? [],
  ]);
}

/**
 * An evaluator with the per-check caches: credential sources per distinct YAML DOCKER_AUTH_CONFIG text, variable values
 * per job, name expansions per set of values, and the credential lookups per lookup path (templates, anchors and
 * `default:` make most jobs share a few images, so each is worked out once).
 */
export function createImageEvaluator(
  options: CheckOptions,
  valuesOf: VariableValuesOf = createVariableValues(options.predefinedVariables, options.ciCdVariables),
): ImageEvaluator {
  const publicLookup = cachedLookup([keyListSource(options.publicRegistries, 'public registry')]);
  const ignoredLookup = cachedLookup([keyListSource(options.ignoredRegistries ?? [], 'ignored registry')]);
  // Only what the runner sees decides coverage; a credential stored in VS Code alone is looked up separately.
  const { runner: external, storedHere } = splitCoverage(options.credentials);
  const storedLookup = cachedLookup(storedHere);
  const hasExternalAuthConfig = external.some((source) => source.kind === 'DOCKER_AUTH_CONFIG');
  const runnerSources = external.filter((source) => source.kind === 'runner-config');
  const payloadSources = external.some((source) => source.kind === 'job-payload')
    ? external.filter((source) => source.kind === 'job-payload')
    : derivedJobPayload(options.predefinedVariables);
  const externalAuthConfig = external.filter((source) => source.kind === 'DOCKER_AUTH_CONFIG');
  const externalSources: JobSources = { sources: [...externalAuthConfig, ...runnerSources, ...payloadSources], yamlAuthConfig: null, keysUnknown: false };
  const yamlSourceCache = new Map<string, { sources: readonly CredentialSource[]; keysUnknown: boolean }>();
  // Keyed by the sources array itself: each array above is built once per check.
  const lookups = new WeakMap<readonly CredentialSource[], (lookupPath: string) => LookupResult>();
  // Keyed by the values record: jobs (and combinations) with the same values share it.
  const expansions = new WeakMap<object, Map<string, Expansion>>();

  const lookup = (lookupPath: string, sources: readonly CredentialSource[]): LookupResult =>
    cachedIn(lookups, sources, () => cachedLookup(sources))(lookupPath);

  const sourcesFor = (job: ResolvedJob, combination: Readonly<Record<string, string>> | null): JobSources => {
    const variable = job.variables[AUTH_CONFIG_VARIABLE];
    // A project/group CI/CD variable outranks the YAML one; the runner reads one DOCKER_AUTH_CONFIG string, no merge.
    if (hasExternalAuthConfig || !variable) return externalSources;
    const known = valuesOf(job, combination);
    const expanded = variable.raw ? variable.value : expandVariables(variable.value, (name) => known.known[name]);
    const cached = cachedIn(yamlSourceCache, expanded, () => {
      const { source, keysUnknown } = yamlAuthConfigSource(expanded);
      return { sources: [...(source ? [source] : []), ...runnerSources, ...payloadSources], keysUnknown };
    });
    return { sources: cached.sources, yamlAuthConfig: { variable }, keysUnknown: cached.keysUnknown };
  };

  /** The runner's expansion of a name with a `$`, with the unknown variables it refers to. */
  const expand = (written: string, values: JobVariables): Expansion =>
    cachedIn(
      cachedIn(expansions, values, () => new Map<string, Expansion>()),
      written,
      () => {
        const tracked: ImageNameExpansion = expandImageNameTracked(written, values);
        return {
          name: tracked.expanded.trim(),
          shown: tracked.shown.trim(),
          unknownVariables: tracked.unknownVariables,
          registryUnknown: tracked.registryUnknown,
        };
      },
    );

  return (job, image, role, combination) => {
    const { sources, yamlAuthConfig, keysUnknown } = sourcesFor(job, combination);
    // Variable values are only needed for a name with a `$` (or a YAML DOCKER_AUTH_CONFIG to expand, above).
    const expansion = image.value.includes('$') ? expand(image.value, valuesOf(job, combination)) : null;
    const unknownVariables = expansion ? expansion.unknownVariables : NONE;
    const registryUnknown = expansion ? expansion.registryUnknown : false;
    const expandedName = expansion ? expansion.name : image.value.trim();
    const shown = expansion ? expansion.shown : expandedName;
    const { docker, lookupPath } = readingOf(expandedName);
    const expanded = registryUnknown ? null : expandedName;
    let status: ImageStatus;
    let match: ImageEvaluation['match'] = null;
    let storedMatch: ImageEvaluation['storedMatch'] = null;
    if (registryUnknown) status = 'registry-unknown';
    // With an unknown variable outside the registry part, Docker's verdict on the expanded name means nothing.
    else if (!docker.valid && unknownVariables.length === 0) status = 'invalid';
    else {
      const found = lookup(lookupPath, sources);
      storedMatch = storedHere.length > 0 ? storedLookup(lookupPath).match : null;
      if (found.match) {
        status = found.match.source === 'job-payload' ? 'job-token' : 'covered';
        match = found.match;
      } else if (publicLookup(lookupPath).match || publicLookup(withoutHttpsPort(lookupPath)).match) status = 'public';
      else if (ignoredLookup(lookupPath).match) status = 'ignored';
      else if (role === 'service' ? job.servicesMayDependOnUnresolvedInclude : job.mayDependOnUnresolvedInclude) status = 'may-come-from-include';
      else if (found.coverageUnknown || keysUnknown) status = 'coverage-unknown';
      else status = storedMatch ? 'stored-only' : 'uncovered';
    }
    return { job, image, role, combination, unknownVariables, shown, docker, lookupPath, sources, yamlAuthConfig, expanded, status, match, storedMatch };
  };
}

/** `docker.io:443/library/alpine` → `docker.io/library/alpine`: 443 is the port every registry is reached on anyway. */
function withoutHttpsPort(lookupPath: string): string {
  const slash = lookupPath.indexOf('/');
  const host = slash === -1 ? lookupPath : lookupPath.slice(0, slash);
  return host.endsWith(':443') ? host.slice(0, -4) + (slash === -1 ? '' : lookupPath.slice(slash)) : lookupPath;
}

/**
 * Docker's reading and the runner's lookup path of image names, kept from one evaluation of a pipeline to the next:
 * they depend on the name alone, and successive checks of a project meet the same names. Only the names of the last
 * two evaluations are kept, so edits that keep bringing new names (a tag being typed) do not grow the heap.
 */
type Reading = { readonly docker: DockerReference; readonly lookupPath: string };
let readings = new Map<string, Reading>();
let previousReadings = new Map<string, Reading>();

function startReadingsGeneration(): void {
  previousReadings = readings;
  readings = new Map();
}

function readingOf(name: string): Reading {
  return cachedIn(readings, name, () => previousReadings.get(name) ?? { docker: parseDockerReference(name), lookupPath: runnerLookupPath(name) });
}

interface Expansion {
  /** The expanded name, trimmed. */
  readonly name: string;
  /** The same with `<NAME>` for unknown values. */
  readonly shown: string;
  readonly unknownVariables: readonly string[];
  readonly registryUnknown: boolean;
}

const NONE: readonly string[] = [];

/** `credentialLookup` with its answers kept per lookup path. */
function cachedLookup(sources: readonly CredentialSource[]): (lookupPath: string) => LookupResult {
  const lookupIn = credentialLookup(sources);
  const results = new Map<string, LookupResult>();
  return (lookupPath) => cachedIn(results, lookupPath, () => lookupIn(lookupPath));
}

function derivedJobPayload(predefined: Readonly<Record<string, string>>): CredentialSource[] {
  const registry = predefined.CI_REGISTRY;
  const proxy = predefined.CI_DEPENDENCY_PROXY_SERVER;
  if (!registry && !proxy) return [];
  return [jobPayloadSource({ CI_REGISTRY: registry, CI_DEPENDENCY_PROXY_SERVER: proxy })];
}

function yamlAuthConfigSource(expanded: string): { source: CredentialSource | null; keysUnknown: boolean } {
  if (expanded.trim() === '') return { source: null, keysUnknown: false };
  const parsed = parseAuthConfig(expanded);
  // The runner drops a source it cannot read; invalid-auth-config reports why.
  if (!parsed.ok) return { source: null, keysUnknown: false };
  const source = credentialSourceFromAuthConfig(parsed.config, 'DOCKER_AUTH_CONFIG', 'pipeline variable');
  const keysUnknown = source.keys.some((key) => key.path === '' || /^[/:]/.test(key.path));
  return { source, keysUnknown };
}
