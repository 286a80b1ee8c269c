/**
 * Rules on job scripts: file-variable-echo, kaniko-missing-config and committed-credentials for `docker login -p`.
 * A script line written once in a template is reported once, with every job that runs it.
 */
import type { Finding, ResolvedJob, SourceSpan, TracedString } from '../types';
import { cachedIn } from '../memo';
import { expandImageName } from '../registry/imageVariables';
import type { Rule, RuleContext } from './context';
import { jobsNamed, provenanceRelated, spanKey, spanKeyMemo, unique } from './context';
import { isKanikoImage } from './imageEvaluation';
import { dockerConfigDirectories, findAuthConfigEchoes, isKanikoPush, literalDockerLoginPassword, writesDockerConfig } from './shellPatterns';

export const scriptRules: Rule = {
  codes: ['file-variable-echo', 'kaniko-missing-config', 'committed-credentials'],
  check(context) {
    const lines = distinctScriptLines(context.pipeline.jobs);
    return [...fileVariableEcho(context, lines), ...dockerLoginPassword(context, lines), ...kanikoMissingConfig(context)];
  },
};

interface ScriptLine {
  readonly line: TracedString;
  readonly jobs: ResolvedJob[];
}

/** Each job's script line keys: a re-check reuses unchanged jobs, and with them these. */
const lineKeys = new WeakMap<ResolvedJob, readonly string[]>();

function distinctScriptLines(jobs: readonly ResolvedJob[]): ScriptLine[] {
  const byKey = new Map<string, ScriptLine>();
  // A template's line reaches every new job through one span object: its key is built once.
  const keyOf = spanKeyMemo();
  for (const job of jobs) {
    const keys = cachedIn(lineKeys, job, () => job.scriptLines.map((line) => keyOf(line.span)));
    for (let index = 0; index < keys.length; index++) {
      const line = job.scriptLines[index]!;
      const key = keys[index]!;
      const entry = byKey.get(key);
      if (!entry) byKey.set(key, { line, jobs: [job] });
      // Jobs come in order, so a job already listed is the last one (a line may repeat within a job).
      else if (entry.jobs[entry.jobs.length - 1] !== job) entry.jobs.push(job);
    }
  }
  return [...byKey.values()];
}

function fileVariableEcho(context: RuleContext, lines: readonly ScriptLine[]): Finding[] {
  const findings: Finding[] = [];
  for (const { line, jobs } of lines) {
    for (const echo of findAuthConfigEchoes(line.value)) {
      const quotedNote = echo.quoted ? '' : ' Unquoted, the shell also splits and glob-expands the JSON.';
      findings.push({
        code: 'file-variable-echo',
        severity: 'warning',
        message: `echo ${echo.quoted ? `"${echo.variable}"` : echo.variable} > ${echo.target} writes a path if File-type${jobsText(jobs)}`,
        detail:
          `If DOCKER_AUTH_CONFIG is a File-type CI/CD variable, its value in the job is the path of a temporary file, so ${echo.target} gets ` +
          `that path instead of the JSON.${quotedNote} Use printf '%s' "$DOCKER_AUTH_CONFIG" > … for a Variable-type variable, or ` +
          'cat "$DOCKER_AUTH_CONFIG" > … for a File-type one.',
        range: context.spanInScalar(line, echo.start, echo.end) ?? line.span,
        related: provenanceRelated([line]),
        data: { quoted: echo.quoted, target: echo.target, scriptSpan: line.span, jobs: jobs.map((job) => job.name) },
      });
    }
  }
  return findings;
}

function dockerLoginPassword(context: RuleContext, lines: readonly ScriptLine[]): Finding[] {
  const findings: Finding[] = [];
  for (const { line, jobs } of lines) {
    const literal = literalDockerLoginPassword(line.value);
    if (!literal) continue;
    findings.push({
      code: 'committed-credentials',
      severity: 'error',
      message: `Committed secret: literal docker login password${jobsText(jobs)}`,
      detail:
        'Anyone who can read the repository can use it. Revoke it, keep it in a masked CI/CD variable and pass it with --password-stdin ' +
        '(echo "$REGISTRY_PASSWORD" | docker login -u … --password-stdin).',
      range: context.spanInScalar(line, literal.start, literal.end) ?? line.span,
      related: provenanceRelated([line]),
      data: { command: 'docker login', jobs: jobs.map((job) => job.name) },
    });
  }
  return findings;
}

function kanikoMissingConfig(context: RuleContext): Finding[] {
  const byExecutorLine = new Map<string, { line: TracedString; offset: number; jobs: ResolvedJob[] }>();
  // Most jobs share a few image names: each is judged once, and a job's variables are gathered only when needed.
  const kanikoByName = new Map<string, boolean>();
  for (const job of context.pipeline.jobs) {
    if (!job.image || job.mayDependOnUnresolvedInclude) continue;
    const variablesOf = () => context.variableValues(job, job.matrix[0] ?? null);
    const name = job.image.value.includes('$') ? expandImageName(job.image.value, variablesOf()) : job.image.value;
    let kaniko = kanikoByName.get(name);
    if (kaniko === undefined) {
      kaniko = isKanikoImage(name);
      kanikoByName.set(name, kaniko);
    }
    if (!kaniko) continue;
    const executor = findExecutorLine(job.scriptLines);
    if (!executor) continue;
    const script = job.scriptLines.map((line) => line.value).join('\n');
    const directories = ['/kaniko/.docker', '$DOCKER_CONFIG', '${DOCKER_CONFIG}', ...dockerConfigDirectories(script)];
    const dockerConfig = variablesOf().known.DOCKER_CONFIG;
    if (dockerConfig) directories.push(dockerConfig);
    if (writesDockerConfig(script, directories)) continue;
    const key = spanKey(executor.line.span);
    const entry = byExecutorLine.get(key) ?? { ...executor, jobs: [] };
    entry.jobs.push(job);
    byExecutorLine.set(key, entry);
  }
  return [...byExecutorLine.values()].map(({ line, offset, jobs }) => ({
    code: 'kaniko-missing-config' as const,
    severity: 'warning' as const,
    message: `kaniko pushes without /kaniko/.docker/config.json${jobsText(jobs)}`,
    detail:
      'kaniko does not get the runner\'s pull credentials or the job token, so the push fails with UNAUTHORIZED ("error checking push ' +
      `permissions"). Write the config first, e.g. printf '%s' "$DOCKER_AUTH_CONFIG" > /kaniko/.docker/config.json.`,
    range: lineRange(context, line, offset),
    related: provenanceRelated([line]),
    data: { jobs: jobs.map((job) => job.name), job: jobs[0]!.name, scriptSpan: line.span },
  }));
}

function findExecutorLine(lines: readonly TracedString[]): { line: TracedString; offset: number } | null {
  for (const line of lines) {
    let offset = 0;
    // A `- |` item may hold several commands (with `\` continuations): test each logical command.
    for (const command of line.value.split(/(?<!\\)\n/)) {
      if (isKanikoPush(command)) return { line, offset: offset + (command.length - command.trimStart().length) };
      offset += command.length + 1;
    }
  }
  return null;
}

/** The executor's own line inside a multi-line script item, else the whole item. */
function lineRange(context: RuleContext, line: TracedString, offset: number): SourceSpan {
  const newline = line.value.indexOf('\n', offset);
  const end = newline < 0 ? line.value.length : newline;
  return context.spanInScalar(line, offset, end) ?? line.span;
}

function jobsText(jobs: readonly ResolvedJob[]): string {
  return jobsNamed(unique(jobs.map((job) => job.name)));
}
