/**
 * `gitlab-ci-auth check FILE... [options]`: the findings for each pipeline file, as text, JSON or a GitLab Code Quality
 * report. Exit 0 when nothing at warning or error level is found (information alone is 0), 1 otherwise, 2 on a usage or
 * I/O error. Findings never contain a secret, so every format is safe to keep as a CI artifact.
 */
import { createHash } from 'node:crypto';
import { cachedIn } from '../core/memo';
import * as path from 'node:path';
import { credentialSourceFromAuthConfig } from '../core/registry/credentialSources';
import { parseAuthConfig } from '../core/auth/parse';
import { DEFAULT_PUBLIC_REGISTRIES, checkPipeline, checkProject } from '../core/check';
import type { CheckOptions } from '../core/check';
import { runnerConfigSource } from '../core/registry/credentialSources';
import { Deadline } from '../core/deadline';
import { gitlabContextFromRemote } from '../core/gitlab/projectContext';
import { LineIndex } from '../core/lineIndex';
import { createDiskProjectFiles, normalizeProjectPath } from '../core/pipeline/diskFiles';
import { pullPlanOf, type CredentialResolver, type PullResult } from '../core/registry/pullCheck';
import { runPullChecks } from '../core/registry/pullCheckRun';
import { isFindingCode } from '../core/rules/codes';
import { evaluateImages } from '../core/rules/imageEvaluation';
import { decodeAuthEntries, type DecodedAuthEntry } from '../core/auth/decodeEntries';
import { DEFAULT_CHECK_TIME_BUDGET_MS, SEVERITY_LEVELS } from '../core/settings';
import type { CredentialSource, Finding, FindingCode, Pipeline, Severity } from '../core/types';
import type { CollectedVariable } from '../core/registry/imageVariables';
import { scrubSecrets } from '../core/secretScrub';
import { trimBoth, trimTrailing } from '../core/text';
import { CliIo, UsageError, parseArgs, parseVariableFlags, secretVariableValues } from './io';

export const CHECK_USAGE = `Usage: gitlab-ci-auth check FILE... [options]

  --project-dir DIR          project root for includes (default: each FILE's directory)
  --auth-config FILE         the DOCKER_AUTH_CONFIG CI/CD variable's value (JSON); a broken one is reported and ignored.
                             Without it, the DOCKER_AUTH_CONFIG environment variable is read (its JSON, or the file
                             it names, as a File-type variable), as the runner sees it in a GitLab job
  --pull                     also ask each image's registry whether the pull would succeed (manifest HEAD with the
                             credential the runner would use; nothing is downloaded)
  --pull-timeout SECONDS     per-request timeout of --pull (default 15)
  --runner-registry KEY      a registry your runners cover themselves (config.toml, runner host config.json); repeatable
  --public-registry KEY      a registry pulled anonymously, added to the defaults (${DEFAULT_PUBLIC_REGISTRIES.join(', ')}); repeatable
  --ignore-registry KEY      a registry never reported; repeatable
  --ci-registry HOST         the instance's $CI_REGISTRY (job-token coverage), e.g. registry.gitlab.com
  --project-path PATH        the project's full path, e.g. group/project ($CI_REGISTRY_IMAGE...)
  --instance-url URL         the GitLab instance, e.g. https://gitlab.example.com (dependency proxy, default registry)
  --var NAME=VALUE           a CI/CD variable known to the pipeline; repeatable
  --severity CODE=LEVEL      error|warning|information|hint|off for one rule code; repeatable
  --time-budget-ms MS        wall-clock budget of one FILE's check (default ${DEFAULT_CHECK_TIME_BUDGET_MS}): past it the check stops and
                             reports limit-exceeded on FILE
  --format text|json|codequality

Exit status: 0 no warning or error, 1 warnings or errors found (with --pull: a pull would fail), 2 usage or I/O error.
`;

type Format = 'text' | 'json' | 'codequality';

interface Located {
  readonly finding: Finding;
  /** Path shown to the user (relative to the working directory) and the path relative to the project (JSON, Code Quality). */
  readonly displayPath: string;
  readonly projectPath: string;
  readonly start: { line: number; character: number };
  readonly end: { line: number; character: number };
  readonly related: { file: string; line: number; column: number; message: string }[];
}

export async function runCheck(args: string[], io: CliIo): Promise<number> {
  const { positionals, values, repeated, booleans } = parseArgs(args, {
    values: ['project-dir', 'auth-config', 'ci-registry', 'project-path', 'instance-url', 'format', 'pull-timeout', 'time-budget-ms'],
    repeated: ['public-registry', 'runner-registry', 'ignore-registry', 'var', 'severity'],
    booleans: ['pull'],
  });
  if (positionals.length === 0) throw new UsageError(`give at least one FILE\n\n${CHECK_USAGE}`);
  const format = (values.get('format') ?? 'text') as Format;
  if (!['text', 'json', 'codequality'].includes(format)) throw new UsageError(`--format must be text, json or codequality, not '${format}'`);

  const cwd = io.cwd();
  const located: Located[] = [];
  const sources: CredentialSource[] = [];
  const authConfig = readAuthConfig(io, values.get('auth-config'));
  let pullCredentials: readonly DecodedAuthEntry[] = [];
  if (authConfig) {
    const parsed = parseAuthConfig(authConfig.text);
    if (parsed.ok) {
      sources.push(credentialSourceFromAuthConfig(parsed.config, 'DOCKER_AUTH_CONFIG', 'DOCKER_AUTH_CONFIG'));
      pullCredentials = decodeAuthEntries(authConfig.text)?.auths ?? [];
    } else located.push(...authConfigProblems(authConfig.name, authConfig.text, parsed.problems));
  }
  const pull = booleans.has('pull');
  const pullTimeoutSeconds = Number(values.get('pull-timeout') ?? DEFAULT_PULL_TIMEOUT_SECONDS);
  if (!(pullTimeoutSeconds > 0)) throw new UsageError('--pull-timeout takes a number of seconds above 0');
  const timeBudgetMs = Number(values.get('time-budget-ms') ?? DEFAULT_CHECK_TIME_BUDGET_MS);
  if (!(timeBudgetMs > 0)) throw new UsageError('--time-budget-ms takes a number of milliseconds above 0');
  const runnerKeys = repeated.get('runner-registry') ?? [];
  if (runnerKeys.length > 0) sources.push(runnerConfigSource(runnerKeys));

  const variableValues = parseVariableFlags(repeated.get('var') ?? []);
  // A --var value may be a secret: it never reaches a finding (an image name expanded from it, for one).
  const hide = (text: string): string => scrubSecrets(text, secretVariableValues(variableValues));
  let options: CheckOptions = {
    credentials: sources,
    predefinedVariables: gitlabVariables(values),
    ciCdVariables: Object.keys(variableValues).map((key): CollectedVariable => ({ key, value: variableValues[key]! })),
    publicRegistries: [...DEFAULT_PUBLIC_REGISTRIES, ...(repeated.get('public-registry') ?? [])],
    ignoredRegistries: repeated.get('ignore-registry') ?? [],
    severities: severityFlags(repeated.get('severity') ?? []),
  };

  const seen = new Set<string>();
  const skipped: SkippedPull[] = [];
  for (const file of positionals) {
    const absolute = path.resolve(cwd, file);
    const projectDir = path.resolve(cwd, values.get('project-dir') ?? path.dirname(absolute));
    const relative = normalizeProjectPath(path.relative(projectDir, absolute).split(path.sep).join('/'));
    if (!relative) throw new UsageError(`${file} is not inside the project directory ${projectDir}`);
    const files = createDiskProjectFiles(projectDir);
    if (files.read(relative) === undefined) throw new UsageError(`cannot read ${file}`);
    const checked = checkProject(relative, files, { ...options, deadline: new Deadline(timeBudgetMs) });
    const { pipeline } = checked;
    let { findings } = checked;
    if (pull) {
      const results = await runPullChecks(evaluateImages(pipeline, options).map(pullPlanOf), credentialResolver(pullCredentials), {
        requestTimeoutMs: pullTimeoutSeconds * 1000,
      });
      options = { ...options, pullResults: (key) => results.get(key) };
      findings = checkPipeline(pipeline, options, new Deadline(timeBudgetMs));
      skipped.push(...skippedPulls(pipeline, options, results).map(({ image, reason }) => ({ image: hide(image), reason: hide(reason) })));
    }
    const texts = new Map(pipeline.files.map((entry) => [entry.path, entry.text]));
    const indexes = new Map<string, LineIndex>();
    const indexFor = (projectPath: string): LineIndex =>
      cachedIn(indexes, projectPath, () => new LineIndex(texts.get(projectPath) ?? files.read(projectPath) ?? ''));
    const display = (projectPath: string) => toPosix(path.relative(cwd, path.join(projectDir, projectPath))) || projectPath;
    for (const finding of findings) {
      const id = `${projectDir}\u0000${finding.code}\u0000${finding.range.file}\u0000${finding.range.start}\u0000${finding.range.end}\u0000${finding.message}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const index = indexFor(finding.range.file);
      located.push({
        finding: {
          ...finding,
          message: hide(finding.message),
          ...(finding.detail === undefined ? {} : { detail: hide(finding.detail) }),
          ...(finding.data ? { data: hideInData(finding.data, hide) as typeof finding.data } : {}),
        },
        displayPath: display(finding.range.file),
        projectPath: finding.range.file,
        start: index.positionAt(finding.range.start),
        end: index.positionAt(finding.range.end),
        related: finding.related.map((related) => {
          const position = indexFor(related.span.file).positionAt(related.span.start);
          return { file: display(related.span.file), line: position.line + 1, column: position.character + 1, message: hide(related.message) };
        }),
      });
    }
  }

  io.stdout(
    format === 'json'
      ? formatJson(located, pull ? skipped : undefined)
      : format === 'codequality'
        ? formatCodeQuality(located)
        : formatText(located, positionals.length, skipped),
  );
  return located.some(({ finding }) => finding.severity === 'error' || finding.severity === 'warning') ? 1 : 0;
}

const DEFAULT_PULL_TIMEOUT_SECONDS = 15;

/**
 * The DOCKER_AUTH_CONFIG the runner would see: `--auth-config FILE`, else the environment variable (its JSON, or the
 * path a File-type variable holds). Undefined when neither is given.
 */
function readAuthConfig(io: CliIo, file: string | undefined): { name: string; text: string } | undefined {
  if (file !== undefined) return { name: file, text: readOrFail(io, path.resolve(io.cwd(), file), '--auth-config') };
  const value = io.env?.(AUTH_CONFIG_ENV);
  if (value === undefined || value.trim() === '') return undefined;
  if (value.trim().startsWith('{')) return { name: `$${AUTH_CONFIG_ENV}`, text: value };
  // A File-type CI/CD variable holds the path of a file with the JSON.
  return { name: value, text: readOrFail(io, path.resolve(io.cwd(), value), `$${AUTH_CONFIG_ENV} (a File-type variable)`) };
}

const AUTH_CONFIG_ENV = 'DOCKER_AUTH_CONFIG';

/** The secret behind a matching key: the `auths` entry of the DOCKER_AUTH_CONFIG given to the CLI, exactly that key. */
function credentialResolver(entries: readonly DecodedAuthEntry[]): CredentialResolver {
  return (match) => {
    const entry = entries.find((candidate) => candidate.key === match.key);
    if (entry) return { username: entry.username, secret: entry.secret };
    return { unavailable: `Covered by ${match.label} (key ${match.key}), whose secret this check was not given.` };
  };
}

interface SkippedPull {
  readonly image: string;
  readonly reason: string;
}

/** The images not checked, once per name and reason. */
function skippedPulls(pipeline: Pipeline, options: CheckOptions, results: ReadonlyMap<string, PullResult>): SkippedPull[] {
  const skipped = new Map<string, SkippedPull>();
  for (const evaluation of evaluateImages(pipeline, options)) {
    const plan = pullPlanOf(evaluation);
    const result = results.get('target' in plan ? plan.target.key : plan.key);
    if (result?.outcome !== 'skipped') continue;
    const image = evaluation.expanded ?? evaluation.image.value.trim();
    skipped.set(`${image}\u0000${result.message}`, { image, reason: result.message });
  }
  return [...skipped.values()];
}

function readOrFail(io: CliIo, file: string, flag: string): string {
  try {
    return io.readFile(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw new UsageError(`cannot read ${flag} ${file}: ${reason}`);
  }
}

/** A broken --auth-config is what the runner would drop: reported like a finding on that file, then ignored. */
function authConfigProblems(file: string, text: string, problems: readonly { message: string; offset: number | null; length?: number | null }[]): Located[] {
  const index = new LineIndex(text);
  return problems.map((problem) => {
    const start = problem.offset ?? 0;
    const end = start + (problem.length ?? 0);
    return {
      finding: {
        code: 'invalid-auth-config',
        severity: 'error',
        message: `${problem.message} The runner drops this DOCKER_AUTH_CONFIG, so it is not used for this check.`,
        range: { file, start, end },
        related: [],
      },
      displayPath: toPosix(file),
      projectPath: toPosix(file),
      start: index.positionAt(start),
      end: index.positionAt(end),
      related: [],
    };
  });
}

function gitlabVariables(values: Map<string, string>): Record<string, string> {
  const registry = values.get('ci-registry');
  const projectPath = values.get('project-path');
  const instanceUrl = values.get('instance-url');
  if (instanceUrl && projectPath) {
    const context = gitlabContextFromRemote('', { instanceUrl, projectPath, ...(registry ? { registryHost: registry } : {}) });
    if (!context) throw new UsageError(`cannot read --instance-url ${instanceUrl} with --project-path ${projectPath}`);
    return context.predefinedVariables;
  }
  if (instanceUrl && !projectPath) throw new UsageError('--instance-url needs --project-path');
  const variables: Record<string, string> = {};
  if (registry) variables.CI_REGISTRY = trimTrailing(registry.replace(/^https?:\/\//i, ''), '/');
  if (projectPath) {
    const clean = trimBoth(projectPath, '/');
    variables.CI_PROJECT_PATH = clean;
    variables.CI_PROJECT_NAMESPACE = clean.split('/').slice(0, -1).join('/');
    variables.CI_PROJECT_NAME = clean.split('/').pop()!;
    if (registry) variables.CI_REGISTRY_IMAGE = `${variables.CI_REGISTRY}/${clean.toLowerCase()}`;
  }
  return variables;
}

function severityFlags(flags: readonly string[]): Partial<Record<FindingCode, Severity | 'off'>> {
  const severities: Partial<Record<FindingCode, Severity | 'off'>> = {};
  for (const flag of flags) {
    const [code, level] = flag.split('=');
    if (!code || !isFindingCode(code)) throw new UsageError(`--severity: unknown rule code '${code ?? ''}'`);
    if (!level || !(SEVERITY_LEVELS as readonly string[]).includes(level)) {
      throw new UsageError(`--severity ${code}: level must be one of ${SEVERITY_LEVELS.join(', ')}`);
    }
    severities[code] = level as Severity | 'off';
  }
  return severities;
}

function formatText(located: readonly Located[], fileCount: number, skipped: readonly SkippedPull[]): string {
  // The fact on the finding's line; why and what to do indented under it, as in the editor's hover.
  const lines = located.map(
    ({ finding, displayPath, start }) =>
      `${displayPath}:${start.line + 1}:${start.character + 1}: ${finding.severity} ${finding.code}: ${finding.message}` +
      (finding.detail === undefined ? '' : `\n    ${finding.detail}`),
  );
  const notes = skipped.map(({ image, reason }) => `pull not checked: ${image}: ${reason}\n`).join('');
  const count = (severity: Severity) => located.filter(({ finding }) => finding.severity === severity).length;
  const files = `${fileCount} file${fileCount === 1 ? '' : 's'} checked`;
  if (located.length === 0) return `${notes}No problems found (${files}).\n`;
  const parts = (['error', 'warning', 'information', 'hint'] as const)
    .map((severity) => [severity, count(severity)] as const)
    .filter(([, n]) => n > 0)
    .map(([severity, n]) => `${n} ${severity}${n === 1 || severity === 'information' ? '' : 's'}`);
  return `${lines.join('\n')}\n\n${notes}${parts.join(', ')} (${files}).\n`;
}

/** `data` with `hide` applied to every string in it. */
function hideInData(value: unknown, hide: (text: string) => string): unknown {
  if (typeof value === 'string') return hide(value);
  if (Array.isArray(value)) return value.map((item) => hideInData(item, hide));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, hideInData(item, hide)]));
  }
  return value;
}

function formatJson(located: readonly Located[], skipped: readonly SkippedPull[] | undefined): string {
  const findings = located.map(({ finding, projectPath, start, end, related }) => ({
    code: finding.code,
    severity: finding.severity,
    message: finding.message,
    ...(finding.detail === undefined ? {} : { detail: finding.detail }),
    file: projectPath,
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
    related,
    data: finding.data ?? {},
  }));
  return `${JSON.stringify(skipped ? { findings, pullSkipped: skipped } : { findings }, null, 2)}\n`;
}

const CODE_QUALITY_SEVERITY: Readonly<Record<Severity, string>> = { error: 'critical', warning: 'major', information: 'info', hint: 'info' };

/** GitLab Code Quality report: fingerprints hash the code, path and message (not lines), so moving code keeps them. */
function formatCodeQuality(located: readonly Located[]): string {
  const occurrences = new Map<string, number>();
  const issues = located.map(({ finding, projectPath, start }) => {
    const base = `${finding.code}\u0000${projectPath}\u0000${finding.message}`;
    const occurrence = occurrences.get(base) ?? 0;
    occurrences.set(base, occurrence + 1);
    return {
      description: finding.message,
      ...(finding.detail === undefined ? {} : { content: { body: finding.detail } }),
      check_name: finding.code,
      fingerprint: createHash('sha256').update(`${base}\u0000${occurrence}`).digest('hex'),
      severity: finding.code === 'committed-credentials' ? 'blocker' : CODE_QUALITY_SEVERITY[finding.severity],
      location: { path: projectPath, lines: { begin: start.line + 1 } },
    };
  });
  return `${JSON.stringify(issues, null, 2)}\n`;
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}
