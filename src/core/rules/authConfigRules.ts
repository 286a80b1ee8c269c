/**
 * Rules on a `DOCKER_AUTH_CONFIG:` written in the YAML `variables:` (global or job): invalid-auth-config (the runner
 * would drop it), committed-credentials (a literal secret in the repository) and auth-config-shadows-job-token
 * (a key on the `$CI_REGISTRY` host). Ranges point inside the JSON when the YAML quoting allows an exact mapping.
 */
import { parseAuthConfig } from '../auth/parse';
import { registryKeyPath } from '../registry/imageRef';
import type { Finding, ResolvedJob, TracedString } from '../types';
import { expandVariables } from '../registry/imageVariables';
import type { Rule, RuleContext } from './context';
import { provenanceRelated, jobsNamed, unique } from './context';

export const authConfigRules: Rule = {
  codes: ['invalid-auth-config', 'committed-credentials', 'auth-config-shadows-job-token'],
  check(context) {
    const findings: Finding[] = [];
    for (const { variable, jobs } of context.yamlAuthConfigs.values()) {
      if (variable.value.trim() === '') continue; // an empty DOCKER_AUTH_CONFIG is no source at all
      findings.push(...invalidAuthConfig(context, variable, jobs));
      findings.push(...committedSecrets(context, variable, jobs));
      findings.push(...shadowsJobToken(context, variable, jobs));
    }
    findings.push(...committedRegistryPassword(context));
    return findings;
  },
};

function invalidAuthConfig(context: RuleContext, variable: TracedString, jobs: readonly ResolvedJob[]): Finding[] {
  // `$VAR` references are left as written: the parser knows the runner expands them and does not decode them.
  const parsed = parseAuthConfig(variable.value);
  const problems = parsed.ok ? parsed.warnings.filter((warning) => warning.severity === 'error') : parsed.problems;
  return problems.map((problem) => {
    const length = problem.length ?? 1;
    const range = (problem.offset !== null && context.spanInScalar(variable, problem.offset, problem.offset + Math.max(1, length))) || variable.span;
    const consequence = parsed.ok
      ? undefined
      : 'The runner drops this whole DOCKER_AUTH_CONFIG ("Failed to resolve credentials from $DOCKER_AUTH_CONFIG"), so none of its registries get credentials.';
    const { fact, rest } = splitFact(problem.message);
    // The parser's advice already says what the runner does with the config when it says anything.
    const detail = rest || consequence;
    return {
      code: 'invalid-auth-config' as const,
      severity: 'error' as const,
      message: `Invalid DOCKER_AUTH_CONFIG: ${fact}${jobsText(jobs)}`,
      ...(detail ? { detail } : {}),
      range,
      related: provenanceRelated([variable]),
      data: { entry: problem.entry, field: problem.field, variableSpan: variable.span, jobs: jobs.map((job) => job.name) },
    };
  });
}

/**
 * The parser's first sentence is the fact; its advice goes to the hover. A long first sentence keeps its clauses up to
 * the last `: ` (`auths entry "x": the "auth" value is not valid base64`), its reason going to the hover too.
 */
function splitFact(message: string): { fact: string; rest: string } {
  const sentenceEnd = message.indexOf('. ');
  let fact = sentenceEnd < 0 ? message.replace(/\.$/, '') : message.slice(0, sentenceEnd);
  let rest = sentenceEnd < 0 ? '' : message.slice(sentenceEnd + 2);
  const reasonAt = fact.lastIndexOf(': ');
  if (fact.length > 70 && reasonAt > 0) {
    const reason = fact.slice(reasonAt + 2);
    rest = `${reason.charAt(0).toUpperCase()}${reason.slice(1)}.${rest === '' ? '' : ` ${rest}`}`;
    fact = fact.slice(0, reasonAt);
  }
  return { fact, rest };
}

const SECRET_FIELD = /"(auth|password|identitytoken|registrytoken)"\s*:\s*"((?:[^"\\]|\\.)*)"/gi;
const REFERENCE = /\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[^}]*\})/g;

/** A value made only of `$VAR` references (and `:` between them) is not a committed secret. */
function isLiteralSecret(value: string): boolean {
  return value.replace(REFERENCE, '').replace(/[:\s]/g, '') !== '';
}

function committedSecrets(context: RuleContext, variable: TracedString, jobs: readonly ResolvedJob[]): Finding[] {
  const findings: Finding[] = [];
  for (const match of variable.value.matchAll(SECRET_FIELD)) {
    const field = match[1]!.toLowerCase();
    const value = match[2]!;
    if (value === '' || !isLiteralSecret(value)) continue;
    const valueStart = match.index + match[0].length - 1 - value.length;
    const entry = enclosingKey(variable.value, match.index);
    const range = context.spanInScalar(variable, valueStart, valueStart + value.length) ?? variable.span;
    findings.push({
      code: 'committed-credentials',
      severity: 'error',
      message: `Committed secret: literal "${field}"${entry ? ` for "${entry}"` : ''} in DOCKER_AUTH_CONFIG${jobsText(jobs)}`,
      detail:
        'Anyone who can read the repository (and its history) can use it. Revoke it, then keep the value in a masked CI/CD variable ' +
        '(Move Credentials Out of the File) or refer to one with $VARIABLE.',
      range,
      related: provenanceRelated([variable]),
      data: { field, entry, variableSpan: variable.span, jobs: jobs.map((job) => job.name) },
    });
  }
  return findings;
}

/** The JSON object key whose object contains `offset` (the auths entry a field belongs to), best effort. */
function enclosingKey(json: string, offset: number): string | null {
  let depth = 0;
  for (let i = offset - 1; i >= 0; i--) {
    const char = json[i];
    if (char === '}') depth++;
    else if (char === '{') {
      if (depth === 0) {
        const key = /"((?:[^"\\]|\\.)*)"\s*:\s*$/.exec(json.slice(Math.max(0, i - 300), i));
        return key ? key[1]! : null;
      }
      depth--;
    }
  }
  return null;
}

function shadowsJobToken(context: RuleContext, variable: TracedString, jobs: readonly ResolvedJob[]): Finding[] {
  const registry = context.options.predefinedVariables.CI_REGISTRY;
  if (!registry || jobs.length === 0) return [];
  const registryPath = registryKeyPath(registry);
  const values = context.variableValues(jobs[0]!, null);
  const findings: Finding[] = [];
  // Keys as written (`"$CI_REGISTRY": {`) and as the runner reads them after expansion.
  for (const match of variable.value.matchAll(/"((?:[^"\\]|\\.)*)"\s*:\s*\{/g)) {
    const written = match[1]!;
    if (written.toLowerCase() === 'auths' || written.toLowerCase() === 'credhelpers') continue;
    const key = expandVariables(written, (name) => values.known[name]);
    const path = registryKeyPath(key);
    if (path !== registryPath && !path.startsWith(`${registryPath}/`)) continue;
    const start = match.index + 1;
    findings.push({
      code: 'auth-config-shadows-job-token',
      severity: 'information',
      message: `Key "${written}"${written !== key ? ` (${key})` : ''} replaces the job token for $CI_REGISTRY${jobsText(jobs)}`,
      detail:
        "For the images on the $CI_REGISTRY host the runner uses these credentials instead of the job's automatic CI_JOB_TOKEN ones. " +
        'Drop the entry unless the job token cannot reach the image.',
      range: context.spanInScalar(variable, start, start + written.length) ?? variable.span,
      related: provenanceRelated([variable]),
      data: { key, written, registry, jobs: jobs.map((job) => job.name) },
    });
  }
  return findings;
}

/** `CI_REGISTRY_PASSWORD: <literal>` in `variables:` overrides the job token with a committed secret. */
function committedRegistryPassword(context: RuleContext): Finding[] {
  const seen = new Map<string, { variable: TracedString; jobs: ResolvedJob[] }>();
  const consider = (variable: TracedString | undefined, job: ResolvedJob | null) => {
    if (!variable || !isLiteralSecret(variable.value) || variable.value.trim() === '') return;
    const key = `${variable.span.file}\u0000${variable.span.start}`;
    const entry = seen.get(key) ?? { variable, jobs: [] };
    if (job) entry.jobs.push(job);
    seen.set(key, entry);
  };
  consider(context.pipeline.globalVariables.CI_REGISTRY_PASSWORD, null);
  for (const job of context.pipeline.jobs) consider(job.variables.CI_REGISTRY_PASSWORD, job);
  return [...seen.values()].map(({ variable, jobs }) => ({
    code: 'committed-credentials' as const,
    severity: 'error' as const,
    message: `Committed secret: CI_REGISTRY_PASSWORD is a literal value${jobsText(jobs)}`,
    detail:
      'Anyone who can read the repository can use it, and it replaces the job token GitLab provides. Remove it (GitLab sets ' +
      'CI_REGISTRY_PASSWORD itself) or keep the secret in a masked CI/CD variable.',
    range: variable.span,
    related: provenanceRelated([variable]),
    data: { variable: 'CI_REGISTRY_PASSWORD', jobs: jobs.map((job) => job.name) },
  }));
}

function jobsText(jobs: readonly ResolvedJob[]): string {
  return jobsNamed(unique(jobs.map((job) => job.name)));
}
