/**
 * Rules on image and service names: missing-credentials, registry-unknown, invalid-image-reference, key-near-miss,
 * and auth-config-shadows-job-token for keys that come from outside the YAML.
 * One finding per scalar (and registry / variable / reason), listing the jobs and matrix combinations concerned.
 */
import { cachedIn } from '../memo';
import { credentialLookup, nearMissesOfPath, splitCoverage, type NearMiss } from '../registry/credentialLookup';
import { registryHostOf } from '../registry/imageRef';
import type { CredentialSource, Finding, LookupResult, RelatedLocation, ResolvedJob, SourceSpan } from '../types';
import type { ImageEvaluation, Rule, RuleContext } from './context';
import { describeCombination, groupBy, jobsNamed, provenanceRelated, spanKeyMemo, unique } from './context';
import { keyListSource } from './imageEvaluation';

/** What is wrong with the key, in a few words for the message. */
const NEAR_MISS_FACTS: Readonly<Record<string, string>> = {
  port: 'has another port',
  scheme: 'lacks the scheme',
  'docker-hub-spelling': 'is not a Docker Hub key the runner reads',
  'docker-io-library': 'has a library/ the runner does not add',
  case: 'differs in case',
};

const NEAR_MISS_EXPLANATIONS: Readonly<Record<string, string>> = {
  port: 'the port differs (the runner compares host:port exactly)',
  scheme: 'only keys with an http(s):// scheme count for the whole host',
  'docker-hub-spelling': 'the runner only reads Docker Hub keys spelled docker.io or https://index.docker.io/v1/',
  'docker-io-library': 'the runner does not insert library/ into official image names',
  case: 'the repository path is compared case-sensitively',
};

export const imageRules: Rule = {
  codes: ['missing-credentials', 'credential-not-in-gitlab', 'registry-unknown', 'invalid-image-reference', 'key-near-miss', 'auth-config-shadows-job-token'],
  check(context) {
    const findings: Finding[] = [];
    const keyOf = spanKeyMemo();
    for (const group of groupBy(context.evaluations, (evaluation) => keyOf(evaluation.image.span)).values()) {
      findings.push(...registryUnknown(group), ...invalidReference(group), ...uncovered(context, group), ...shadowing(context, group));
    }
    return findings;
  },
};

/**
 * The part of a written image name that can hold the registry: its first path component, or, in a name without `/`
 * (`$CI_REGISTRY_IMAGE:$TAG`), what comes before the tag or digest separator that follows the first variable.
 */
function registryPartAsWritten(written: string): string {
  if (written.includes('/')) return written.split('/')[0]!;
  const firstVariable = written.indexOf('$');
  const separator = written.slice(Math.max(firstVariable, 0)).search(/[:@]/);
  return separator < 0 ? written : written.slice(0, Math.max(firstVariable, 0) + separator);
}

function registryUnknown(group: readonly ImageEvaluation[]): Finding[] {
  const unknown = group.filter((evaluation) => evaluation.status === 'registry-unknown');
  if (unknown.length === 0) return [];
  const written = unknown[0]!.image.value;
  // Evaluations with the same variables share one list: each list is read once.
  const lists = new Set<readonly string[]>();
  for (const evaluation of unknown) lists.add(evaluation.unknownVariables);
  const allUnknown = unique([...lists].flat());
  // Name the variables written in the registry part when that is where they are; else every unknown one.
  const head = registryPartAsWritten(written);
  const inHead = allUnknown.filter((name) => head.includes(`$${name}`) || head.includes(`\${${name}}`));
  const variables = inHead.length > 0 ? inHead : allUnknown;
  const predefinedHint = variables.some((name) => name.startsWith('CI_'))
    ? ' Predefined variables are known once the GitLab instance and project are (git remote, settings or --ci-registry).'
    : ' Define it in variables:, or treat the result as unchecked.';
  const names = variables.map((name) => `$${name}`).join(', ');
  return [
    {
      code: 'registry-unknown',
      severity: 'information',
      message: `Registry unknown: ${names} not known here${jobsOf(unknown)}`,
      detail:
        `The registry of "${written}" depends on ${names} (a CI/CD variable set in GitLab, or a predefined one), so its credentials ` +
        `cannot be checked.${predefinedHint}`,
      range: unknown[0]!.image.span,
      related: related(unknown),
      data: { image: written, variables, jobs: jobNames(unknown) },
    },
  ];
}

function invalidReference(group: readonly ImageEvaluation[]): Finding[] {
  const findings: Finding[] = [];
  const invalid = group.filter((evaluation) => evaluation.status === 'invalid');
  for (const byError of groupBy(invalid, (evaluation) => `${evaluation.docker.error}\u0000${evaluation.expanded}`).values()) {
    const first = byError[0]!;
    const written = first.image.value;
    const shown = first.expanded === written ? `"${written}"` : `"${written}" (expanded to "${first.expanded}")`;
    const error = first.docker.error ?? 'invalid reference format';
    findings.push({
      code: 'invalid-image-reference',
      severity: 'error',
      // Docker's own words, without the prefix every one of them shares.
      message: `Invalid image ${shown}: ${error.replace(/^invalid reference format: (?=.)/, '')}${jobsOf(byError)}`,
      detail: `Docker says: ${error}. It refuses to pull a name it cannot parse, so the job fails before it starts.`,
      range: first.image.span,
      related: related(byError),
      data: { image: first.expanded, written, error: first.docker.error, jobs: jobNames(byError) },
    });
  }
  return findings;
}

function uncovered(context: RuleContext, group: readonly ImageEvaluation[]): Finding[] {
  const findings: Finding[] = [];
  const missing = group.filter((evaluation) => evaluation.status === 'uncovered' || evaluation.status === 'stored-only');
  if (missing.length === 0) return findings;
  // Evaluations share a few lookup path strings: each one's host is cut out once.
  const hosts = new Map<string, string>();
  const hostOf = (lookupPath: string): string => {
    let host = hosts.get(lookupPath);
    if (host === undefined) {
      host = registryHostOf(lookupPath);
      hosts.set(lookupPath, host);
    }
    return host;
  };
  const { storedHere, gitlabVariable } = coverageOf(context);
  for (const byRegistry of groupBy(missing, (evaluation) => hostOf(evaluation.lookupPath)).values()) {
    const first = byRegistry[0]!;
    const registry = registryHostOf(first.lookupPath);
    const misses = context.isEnabled('key-near-miss') ? nearMissesFor(byRegistry, storedHere) : [];
    if (misses.length > 0) {
      for (const miss of misses) findings.push(nearMissFinding(context, byRegistry, miss));
      continue;
    }
    const lookupPaths = unique(byRegistry.map((evaluation) => evaluation.lookupPath));
    const stored = byRegistry.find((evaluation) => evaluation.storedMatch !== null)?.storedMatch ?? null;
    // GitLab's variable is what the runner reads when there is one; a job whose YAML DOCKER_AUTH_CONFIG applies saw none.
    const readVariable = gitlabVariable && first.yamlAuthConfig === null ? gitlabVariable : undefined;
    const data = {
      registry,
      lookupPath: first.lookupPath,
      lookupPaths,
      image: first.expanded,
      written: first.image.value,
      role: first.role,
      jobs: jobNames(byRegistry),
      ...combinationsData(byRegistry),
      ...(stored ? { storedKey: stored.key } : {}),
    };
    if (stored && !readVariable) {
      // Only VS Code knows this credential: said plainly, but not as a failure, since GitLab may well hold it.
      findings.push({
        code: 'credential-not-in-gitlab',
        severity: 'information',
        // The fact first, as for missing-credentials; the hover says what the runner does without the key.
        message: `Credential for ${registry} stored in VS Code only${jobsOf(byRegistry)}`,
        detail:
          `Nothing shows that GitLab's DOCKER_AUTH_CONFIG holds the key "${stored.key}": the runner sees GitLab's variables, not VS Code. ` +
          'Save it to GitLab, or connect so the variable can be read.',
        range: first.image.span,
        related: related(byRegistry),
        data,
      });
      continue;
    }
    // The fact, short enough for the Problems panel; the hover and the rule page say why and what the runner looked up.
    // With GitLab's variable read, the fact is that it lacks the key (and whether VS Code has one to save there).
    const gitlabLacks = readVariable
      ? `GitLab's ${readVariable.label ?? 'DOCKER_AUTH_CONFIG variable'} has no key for it` +
        (stored ? `; one is stored in VS Code only, under "${stored.key}": save it to GitLab.` : '.')
      : undefined;
    findings.push({
      code: 'missing-credentials',
      severity: 'warning',
      message: `No credentials for ${registry}${readVariable ? " in GitLab's DOCKER_AUTH_CONFIG" : ''}${jobsOf(byRegistry)}`,
      ...(gitlabLacks ? { detail: gitlabLacks } : {}),
      range: first.image.span,
      related: related(byRegistry),
      data: { ...data, ...(readVariable ? { gitlabVariable: readVariable.label ?? '' } : {}) },
    });
  }
  return findings;
}

/** The stored-in-VS-Code sources and GitLab's readable DOCKER_AUTH_CONFIG of a check, split once per options object. */
const coverageByOptions = new WeakMap<object, ReturnType<typeof splitCoverage>>();
function coverageOf(context: RuleContext): ReturnType<typeof splitCoverage> {
  return cachedIn(coverageByOptions, context.options, () => splitCoverage(context.options.credentials));
}

interface Miss {
  readonly key: string;
  readonly suggestedKey: string;
  readonly reason: string;
  readonly evaluations: ImageEvaluation[];
}

// Per sources array (one per check and YAML DOCKER_AUTH_CONFIG), then per lookup path: many jobs share an image.
const nearMissCache = new WeakMap<readonly CredentialSource[], Map<string, NearMiss[]>>();

function cachedNearMisses(lookupPath: string, sources: readonly CredentialSource[]): NearMiss[] {
  const byPath = cachedIn(nearMissCache, sources, () => new Map<string, NearMiss[]>());
  return cachedIn(byPath, lookupPath, () => nearMissesOfPath(lookupPath, sources));
}

function nearMissesFor(evaluations: readonly ImageEvaluation[], storedHere: readonly CredentialSource[]): Miss[] {
  const byKey = new Map<string, Miss>();
  for (const evaluation of evaluations) {
    // An image covered by a stored key has no near miss among the stored keys: that key matches.
    const stored = evaluation.storedMatch ? [] : cachedNearMisses(evaluation.lookupPath, storedHere);
    // An uncovered image's lookup path is that of its expanded name.
    for (const miss of [...cachedNearMisses(evaluation.lookupPath, evaluation.sources), ...stored]) {
      const id = `${miss.key}\u0000${miss.suggestedKey}`;
      const existing = byKey.get(id);
      if (existing) existing.evaluations.push(evaluation);
      else byKey.set(id, { key: miss.key, suggestedKey: miss.suggestedKey, reason: miss.reason, evaluations: [evaluation] });
    }
  }
  return [...byKey.values()];
}

function nearMissFinding(context: RuleContext, evaluations: readonly ImageEvaluation[], miss: Miss): Finding {
  const first = miss.evaluations[0]!;
  const keyLocation = yamlKeyLocation(context, first, miss.key);
  const relatedLocations = related(miss.evaluations);
  if (keyLocation) relatedLocations.unshift({ span: keyLocation, message: `the DOCKER_AUTH_CONFIG key "${miss.key}"` });
  return {
    code: 'key-near-miss',
    severity: 'warning',
    message: `Key "${miss.key}" ${NEAR_MISS_FACTS[miss.reason] ?? 'does not match'}: use "${miss.suggestedKey}"${jobsOf(evaluations)}`,
    detail:
      `The runner looks up "${first.lookupPath}": ${NEAR_MISS_EXPLANATIONS[miss.reason] ?? miss.reason}. ` +
      'Until the key is fixed the image is pulled without credentials.',
    range: first.image.span,
    related: relatedLocations,
    data: {
      key: miss.key,
      suggestedKey: miss.suggestedKey,
      reason: miss.reason,
      registry: registryHostOf(first.lookupPath),
      lookupPath: first.lookupPath,
      image: first.expanded,
      jobs: jobNames(miss.evaluations),
      ...(keyLocation ? { keySpan: keyLocation } : {}),
    },
  };
}

/** Where a key of the job's YAML DOCKER_AUTH_CONFIG is written, when it can be located exactly. */
function yamlKeyLocation(context: RuleContext, evaluation: ImageEvaluation, key: string): SourceSpan | null {
  const variable = evaluation.yamlAuthConfig?.variable;
  if (!variable) return null;
  const quoted = JSON.stringify(key);
  const index = variable.value.indexOf(quoted);
  return index < 0 ? null : context.spanInScalar(variable, index + 1, index + quoted.length - 1);
}

/** Images whose credentials come from a non-YAML DOCKER_AUTH_CONFIG/runner key on the $CI_REGISTRY host, instead of the job token. */
function shadowing(context: RuleContext, group: readonly ImageEvaluation[]): Finding[] {
  const registry = context.options.predefinedVariables.CI_REGISTRY;
  if (!registry) return [];
  let jobTokenLookup: ((lookupPath: string) => LookupResult) | undefined;
  const shadowed = group.filter(
    (evaluation) =>
      evaluation.status === 'covered' &&
      evaluation.yamlAuthConfig === null &&
      evaluation.match !== null &&
      // A covered image's lookup path is that of its expanded name.
      (jobTokenLookup ??= credentialLookup([keyListSource([registry], 'job token')]))(evaluation.lookupPath).match !== null,
  );
  const findings: Finding[] = [];
  for (const byKey of groupBy(shadowed, (evaluation) => evaluation.match!.key).values()) {
    const first = byKey[0]!;
    const match = first.match!;
    findings.push({
      code: 'auth-config-shadows-job-token',
      severity: 'information',
      message: `Pulled with the key "${match.key}", not the job token${jobsOf(byKey)}`,
      detail:
        `"${first.expanded}" is on $CI_REGISTRY (${registry}), but the ${match.label} key "${match.key}" is used instead of the job's automatic ` +
        `CI_JOB_TOKEN credentials (a ${match.source} entry outranks the job token). If that token expires or lacks access to this project, the pull fails.`,
      range: first.image.span,
      related: related(byKey),
      data: { key: match.key, registry, source: match.source, image: first.expanded, jobs: jobNames(byKey) },
    });
  }
  return findings;
}

function related(evaluations: readonly ImageEvaluation[]): RelatedLocation[] {
  const locations = provenanceRelated(evaluations.map((evaluation) => evaluation.image));
  const scalar = evaluations[0]!.image.span;
  const seen = new Set<string>();
  for (const evaluation of evaluations) {
    if (seen.size >= 20) break;
    const job = evaluation.job;
    if (seen.has(job.name)) continue;
    seen.add(job.name);
    // The job key, when the image is written elsewhere (a template, default:, an include).
    if (job.span.file !== scalar.file || job.span.start > scalar.start || evaluation.image.via.length > 0) {
      locations.push({ span: job.span, message: `used by job ${job.name}` });
    }
  }
  return locations;
}

function jobNames(evaluations: readonly ImageEvaluation[]): string[] {
  // A job has several evaluations (services, matrix combinations): each job object is named once.
  const jobs = new Set<ResolvedJob>();
  for (const evaluation of evaluations) jobs.add(evaluation.job);
  return unique([...jobs].map((job) => job.name));
}

/** The matrix combinations of the evaluations, as a user reads them, each once. */
function combinationNames(evaluations: readonly ImageEvaluation[]): string[] {
  const combinations = new Set<Readonly<Record<string, string>>>();
  for (const evaluation of evaluations) if (evaluation.combination) combinations.add(evaluation.combination);
  return unique([...combinations].map(describeCombination));
}

/** ` (job build)`, ` (jobs a, b, c and 2 more; matrix: …)`: the same names the hover lists. */
function jobsOf(evaluations: readonly ImageEvaluation[]): string {
  return jobsNamed(jobNames(evaluations), combinationNames(evaluations));
}

function combinationsData(evaluations: readonly ImageEvaluation[]): { combinations?: string[] } {
  const combinations = combinationNames(evaluations);
  return combinations.length > 0 ? { combinations } : {};
}
