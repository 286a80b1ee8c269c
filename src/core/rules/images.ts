/**
 * Evaluates every image and service the way GitLab Runner would for each job: variable expansion (job, matrix,
 * predefined), Docker's validity, the runner's lookup path, and which credential source (if any) matches.
 */
import { credentialSourceFromAuthConfig, parseAuthConfig } from '../authConfig';
import { jobPayloadSource, lookupCredential } from '../credentials';
import { parseDockerReference, registryKeyPath, runnerLookupPath } from '../imageRef';
import type { DockerReference } from '../imageRef';
import type { CredentialSource, LookupResult, Pipeline, ResolvedJob, TracedString } from '../types';
import { expandImageName, expandVariables, registryDependsOnUnknownVariable } from '../variables';
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

/** The variables the runner would know for a job: predefined, then YAML (global and job), then the matrix values. */
export function jobVariableValues(
  job: ResolvedJob,
  predefined: Readonly<Record<string, string>>,
  combination: Readonly<Record<string, string>> | null,
): Record<string, string> {
  const values: Record<string, string> = { ...predefined };
  for (const [name, value] of Object.entries(job.variables)) values[name] = value.value;
  if (combination) Object.assign(values, combination);
  return values;
}

/** Names of variables `text` refers to (directly, or through a known variable's value) that are not known. */
export function unknownVariablesIn(text: string, values: Readonly<Record<string, string>>): string[] {
  const unknown = new Set<string>();
  const walk = (value: string, depth: number): void => {
    expandVariables(value, (name) => {
      if (!Object.hasOwn(values, name)) unknown.add(name);
      else if (depth === 0) walk(values[name]!, 1);
      return '';
    });
  };
  walk(text, 0);
  return [...unknown];
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
export function evaluateImages(pipeline: Pipeline, options: CheckOptions): ImageEvaluation[] {
  const evaluator = createImageEvaluator(options);
  const optionsKey = evaluationOptionsKey(options);
  const evaluations: ImageEvaluation[] = [];
  for (const job of pipeline.jobs) {
    const previous = previousEvaluations.get(job);
    if (previous?.optionsKey === optionsKey) {
      for (const evaluation of previous.evaluations) evaluations.push(evaluation);
      continue;
    }
    const images: [TracedString, 'image' | 'service'][] = [];
    if (job.image) images.push([job.image, 'image']);
    for (const service of job.services) images.push([service, 'service']);
    const jobEvaluations: ImageEvaluation[] = [];
    const combinations = images.length === 0 ? [] : job.matrix.length > 0 ? job.matrix : [null];
    for (const combination of combinations) {
      for (const [image, role] of images) jobEvaluations.push(evaluator(job, image, role, combination));
    }
    previousEvaluations.set(job, { optionsKey, evaluations: jobEvaluations });
    for (const evaluation of jobEvaluations) evaluations.push(evaluation);
  }
  return evaluations;
}

/**
 * A job's evaluations by job: a re-check reuses the resolved jobs whose inputs did not change (`ResolveCache`), and
 * with the same options their evaluations are the same. Findings are still built from all evaluations on every check.
 */
const previousEvaluations = new WeakMap<ResolvedJob, { readonly optionsKey: string; readonly evaluations: readonly ImageEvaluation[] }>();

/** Everything of the options an evaluation depends on (severities do not change it). */
function evaluationOptionsKey(options: CheckOptions): string {
  return JSON.stringify([options.credentials, options.predefinedVariables, options.publicRegistries, options.ignoredRegistries ?? []]);
}

/**
 * An evaluator with the per-check caches: credential sources per distinct YAML DOCKER_AUTH_CONFIG text, variable values
 * per job, and Docker's reading, the lookup path and the credential lookups per distinct expanded image name (templates,
 * anchors and `default:` make most jobs share a few images, so each is worked out once).
 */
export function createImageEvaluator(
  options: CheckOptions,
): (job: ResolvedJob, image: TracedString, role: 'image' | 'service', combination: Readonly<Record<string, string>> | null) => ImageEvaluation {
  const publicSources = [keyListSource(options.publicRegistries, 'public registry')];
  const ignoredSources = [keyListSource(options.ignoredRegistries ?? [], 'ignored registry')];
  const external = options.credentials;
  const hasExternalAuthConfig = external.some((source) => source.kind === 'DOCKER_AUTH_CONFIG');
  const runnerSources = external.filter((source) => source.kind === 'runner-config');
  const payloadSources = external.some((source) => source.kind === 'job-payload')
    ? external.filter((source) => source.kind === 'job-payload')
    : derivedJobPayload(options.predefinedVariables);
  const externalAuthConfig = external.filter((source) => source.kind === 'DOCKER_AUTH_CONFIG');
  const externalSources: JobSources = { sources: [...externalAuthConfig, ...runnerSources, ...payloadSources], yamlAuthConfig: null, keysUnknown: false };
  const yamlSourceCache = new Map<string, { sources: readonly CredentialSource[]; keysUnknown: boolean }>();
  const jobValues = new WeakMap<ResolvedJob, Record<string, string>>();
  const names = new Map<string, { docker: DockerReference; lookupPath: string }>();
  // Keyed by the sources array itself: each array above is built once per check.
  const lookups = new WeakMap<readonly CredentialSource[], Map<string, LookupResult>>();

  const valuesFor = (job: ResolvedJob, combination: Readonly<Record<string, string>> | null): Readonly<Record<string, string>> => {
    if (combination) return jobVariableValues(job, options.predefinedVariables, combination);
    let values = jobValues.get(job);
    if (!values) {
      values = jobVariableValues(job, options.predefinedVariables, null);
      jobValues.set(job, values);
    }
    return values;
  };

  const lookup = (image: string, sources: readonly CredentialSource[]): LookupResult => {
    let bySources = lookups.get(sources);
    if (!bySources) {
      bySources = new Map();
      lookups.set(sources, bySources);
    }
    let result = bySources.get(image);
    if (!result) {
      result = lookupCredential(image, sources);
      bySources.set(image, result);
    }
    return result;
  };

  const sourcesFor = (job: ResolvedJob, values: () => Readonly<Record<string, string>>): JobSources => {
    const variable = job.variables[AUTH_CONFIG_VARIABLE];
    // A project/group CI/CD variable outranks the YAML one; the runner reads one DOCKER_AUTH_CONFIG string, no merge.
    if (hasExternalAuthConfig || !variable) return externalSources;
    const known = values();
    const expanded = expandVariables(variable.value, (name) => known[name]);
    let cached = yamlSourceCache.get(expanded);
    if (!cached) {
      const { source, keysUnknown } = yamlAuthConfigSource(expanded);
      cached = { sources: [...(source ? [source] : []), ...runnerSources, ...payloadSources], keysUnknown };
      yamlSourceCache.set(expanded, cached);
    }
    return { sources: cached.sources, yamlAuthConfig: { variable }, keysUnknown: cached.keysUnknown };
  };

  return (job, image, role, combination) => {
    // Variable values are only needed for a name with a `$` or a YAML DOCKER_AUTH_CONFIG to expand.
    const values = (): Readonly<Record<string, string>> => valuesFor(job, combination);
    const { sources, yamlAuthConfig, keysUnknown } = sourcesFor(job, values);
    const hasVariables = image.value.includes('$');
    const unknownVariables = hasVariables ? unknownVariablesIn(image.value, values()) : [];
    const registryUnknown = unknownVariables.length > 0 && registryDependsOnUnknownVariable(image.value, values());
    const expandedName = (hasVariables ? expandImageName(image.value, values()) : image.value).trim();
    let name = names.get(expandedName);
    if (!name) {
      name = { docker: parseDockerReference(expandedName), lookupPath: runnerLookupPath(expandedName) };
      names.set(expandedName, name);
    }
    const { docker, lookupPath } = name;
    const expanded = registryUnknown ? null : expandedName;
    const result = (status: ImageStatus, match: ImageEvaluation['match'] = null): ImageEvaluation => ({
      job,
      image,
      role,
      combination,
      unknownVariables,
      docker,
      lookupPath,
      sources,
      yamlAuthConfig,
      expanded,
      status,
      match,
    });
    if (registryUnknown) return result('registry-unknown');
    // With an unknown variable outside the registry part, Docker's verdict on the expanded name means nothing.
    if (!docker.valid && unknownVariables.length === 0) return result('invalid');
    const found = lookup(expandedName, sources);
    if (found.match) return result(found.match.source === 'job-payload' ? 'job-token' : 'covered', found.match);
    if (lookup(expandedName, publicSources).match) return result('public');
    if (lookup(expandedName, ignoredSources).match) return result('ignored');
    if (job.mayDependOnUnresolvedInclude) return result('may-come-from-include');
    if (found.coverageUnknown || keysUnknown) return result('coverage-unknown');
    return result('uncovered');
  };
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
