/** Hover on an image or service name: where Docker pulls it from, what the runner looks up, and what covers it. */
import * as vscode from 'vscode';
import { explainImage, findImageAt, type ImageExplanation } from '../core/check';
import { shortList } from '../core/rules/context';
import { describeAge, type PullResult } from '../core/registry/pullCheck';
import { escapeMarkdown, markdownCode } from '../core/text';
import type { Finding, IncludeDecision, Provenance } from '../core/types';
import { spanToRange, type DiagnosticsService } from './diagnostics';
import { CI_DOCUMENT_SELECTOR, projectFileOf } from './documents';
import type { PullCheckService } from './pullCheck';

export function registerHover(context: vscode.ExtensionContext, diagnostics: DiagnosticsService, pulls?: PullCheckService): void {
  context.subscriptions.push(vscode.languages.registerHoverProvider(CI_DOCUMENT_SELECTOR, new ImageHover(diagnostics, pulls)));
}

export class ImageHover implements vscode.HoverProvider {
  constructor(
    private readonly diagnostics: DiagnosticsService,
    private readonly pulls?: PullCheckService,
  ) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const hover = this.imageOrIncludeHover(document, position);
    // A diagnostic's message is the fact; why it matters and what to do are its detail, shown under it here.
    const details = detailsMarkdown(this.diagnostics.findingsAt(document.uri, position));
    if (!details) return hover;
    if (!hover) return new vscode.Hover(details);
    return new vscode.Hover([...hover.contents, details], hover.range);
  }

  private imageOrIncludeHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const file = projectFileOf(document.uri);
    const project = file && this.diagnostics.projectFor(document);
    const text = file && project?.texts.get(file.relativePath);
    if (!file || !project || !text || text.text !== document.getText()) return undefined;
    const offset = document.offsetAt(position);
    for (const entry of project.entries) {
      const hits = findImageAt(entry.pipeline, file.relativePath, offset);
      const first = hits[0];
      if (!first) continue;
      // A scalar shared through extends/anchors/default: explained for its first job, with how many jobs use it.
      const explanation = explainImage(first.image, first.job, entry.pipeline, project.options);
      const jobs = [...new Set(hits.map((hit) => hit.job.name))];
      // What might cover it when coverage is unknown: a credsStore, or a GitLab variable whose value is hidden.
      const unknownSources = project.options.credentials.flatMap((source) => (source.credsStore ? [source.credsStore] : []));
      const markdown = hoverMarkdown(explanation, jobs, unknownSources);
      if (first.job.runsWhen) markdown.appendMarkdown(`\n- ${runsWhenLine(first.job.runsWhen)}`);
      const pull = this.pulls?.resultFor(project.folder, explanation.pullKey);
      if (pull) markdown.appendMarkdown(`\n\n${escapeMarkdown(pullLine(pull))}`);
      return new vscode.Hover(markdown, spanToRange(first.image.span, text));
    }
    for (const entry of project.entries) {
      const decision = entry.pipeline.includeDecisions?.find(
        (candidate) => candidate.span.file === file.relativePath && candidate.span.start <= offset && offset <= candidate.span.end,
      );
      if (decision) return new vscode.Hover(includeDecisionMarkdown(decision), spanToRange(decision.span, text));
    }
    return undefined;
  }
}

/** The details of the findings at the hovered place, each after its rule code; undefined when none has one. */
function detailsMarkdown(findings: readonly Finding[]): vscode.MarkdownString | undefined {
  const lines = findings.flatMap((finding) => (finding.detail ? [`${code(finding.code)} ${escapeMarkdown(finding.detail)}`] : []));
  if (lines.length === 0) return undefined;
  return new vscode.MarkdownString([...new Set(lines)].join('\n\n'));
}

/** A job made conditional by `rules:`: the rules that can let it run (repository text, so escaped but for its code spans). */
function runsWhenLine(rules: readonly string[]): string {
  return vscode.l10n.t('Runs only when its rules allow: {0}', rules.map(escapeQuotedRule).join('; '));
}

function escapeQuotedRule(text: string): string {
  return text
    .split('`')
    .map((part, index) => (index % 2 === 1 ? code(part) : escapeMarkdown(part)))
    .join('');
}

/** An `include:` entry with `rules:`: whether GitLab merges it, and which rule (or unknown) decides. */
function includeDecisionMarkdown(decision: IncludeDecision): vscode.MarkdownString {
  const markdown = new vscode.MarkdownString();
  // The reason quotes the repository's own rule text: escaped, except the backticks the core put around it.
  const reason = escapeQuotedRule(decision.reason);
  switch (decision.outcome) {
    case 'included':
      markdown.appendMarkdown(`**${vscode.l10n.t('Included')}**: ${reason}`);
      break;
    case 'excluded':
      markdown.appendMarkdown(`**${vscode.l10n.t('Not included')}**: ${reason}. ${vscode.l10n.t('Its jobs are not checked.')}`);
      break;
    case 'maybe':
      markdown.appendMarkdown(
        `**${vscode.l10n.t('Maybe')}**: ${reason}. ${vscode.l10n.t('Checked as if included; images it could change are not reported as uncovered.')}`,
      );
      break;
  }
  return markdown;
}

function hoverMarkdown(explanation: ImageExplanation, jobs: readonly string[], unknownSources: readonly string[]): vscode.MarkdownString {
  const markdown = new vscode.MarkdownString();
  markdown.appendMarkdown(`**${statusLine(explanation)}**\n\n`);
  const lines: string[] = [];
  const unknown = explanation.unknownVariables.length > 0;
  if (explanation.expanded === null) {
    lines.push(vscode.l10n.t('Unknown here: {0}', explanation.unknownVariables.map((name) => code(`$${name}`)).join(', ')));
  } else if (explanation.shown !== explanation.written) {
    // `<NAME>` stands for a value set at run time (CI_COMMIT_SHA...) or not known here.
    lines.push(vscode.l10n.t('Expands to {0}', code(explanation.shown)));
  }
  const { docker } = explanation;
  if (docker.valid && docker.registry) {
    lines.push(vscode.l10n.t('Docker pulls from {0}, repository {1}', code(docker.registry), code(docker.repository ?? '')));
  } else if (unknown && explanation.expanded !== null) {
    // The run-time values decide what Docker reads; only the registry is known.
    lines.push(vscode.l10n.t('Values set at run time: {0}', explanation.unknownVariables.map((name) => code(`$${name}`)).join(', ')));
  } else if (docker.error && !unknown) {
    lines.push(vscode.l10n.t('Docker rejects it: {0}', escapeMarkdown(docker.error)));
  }
  if (explanation.lookupPath) lines.push(vscode.l10n.t('The runner looks up credentials for {0}', code(explanation.lookupPath)));
  const coverage = coverageLine(explanation);
  if (coverage) lines.push(coverage);
  if (explanation.status === 'coverage-unknown' && unknownSources.length > 0) {
    lines.push(vscode.l10n.t('Credentials may come from {0}, whose contents are not known here', unknownSources.map(escapeMarkdown).join(', ')));
  }
  const origin = provenanceLine(explanation.via);
  if (origin) lines.push(origin);
  // The same names, in the same order and shortening, as the finding's message.
  lines.push(jobs.length > 1 ? vscode.l10n.t('Jobs: {0}', shortList(jobs.map(code))) : vscode.l10n.t('Job: {0}', code(jobs[0] ?? '')));
  markdown.appendMarkdown(lines.map((line) => `- ${line}`).join('\n'));
  return markdown;
}

/** The pull check's result for the image, with how long ago it was checked. */
function pullLine(result: PullResult): string {
  const age = describeAge(result.checkedAt, Date.now());
  if (result.outcome === 'skipped') return vscode.l10n.t('Pull not checked ({0}): {1}', age, result.message);
  if (result.outcome === 'found') {
    return result.credentialKey === undefined
      ? vscode.l10n.t('Pull checked {0}: the manifest exists and it may be pulled without a credential.', age)
      : vscode.l10n.t('Pull checked {0}: the manifest exists and this credential ({1}) may pull it.', age, result.credentialKey);
  }
  return vscode.l10n.t('Pull checked {0}: {1}', age, result.message);
}

function statusLine(explanation: ImageExplanation): string {
  switch (explanation.status) {
    case 'covered':
      return vscode.l10n.t('Credentials found');
    case 'public':
      return vscode.l10n.t('Public registry: pulled without credentials');
    case 'job-token':
      return vscode.l10n.t('Pulled with the job token (CI_JOB_TOKEN)');
    case 'uncovered':
      return vscode.l10n.t('No credentials cover this registry');
    case 'stored-only':
      return vscode.l10n.t('Stored in VS Code only — not yet in GitLab');
    case 'registry-unknown':
      return vscode.l10n.t('Registry unknown: a variable in the name cannot be resolved here');
    case 'coverage-unknown':
      return vscode.l10n.t('Coverage unknown: no key matches, but a source whose contents are not known may cover it');
    case 'invalid':
      return vscode.l10n.t('Invalid image reference');
    case 'ignored':
      return vscode.l10n.t('Registry ignored by settings');
    case 'may-come-from-include':
      return vscode.l10n.t('May be overridden by an include that cannot be read or decided here');
  }
}

/** Which side knows the credential: GitLab (its variable, the job token, the runner) or only VS Code. */
function coverageLine(explanation: ImageExplanation): string | undefined {
  const { match, storedMatch } = explanation;
  if (match?.origin === 'gitlab-variable') {
    // The key's label is the variable's: `project variable DOCKER_AUTH_CONFIG (group/app)`.
    const level = match.label.startsWith('group ') ? vscode.l10n.t('group variable') : vscode.l10n.t('project variable');
    return vscode.l10n.t("GitLab's DOCKER_AUTH_CONFIG ({0}) covers this: {1}, key {2}", level, escapeMarkdown(match.label), code(match.key));
  }
  if (match?.origin === 'said-in-gitlab')
    return vscode.l10n.t("GitLab's DOCKER_AUTH_CONFIG covers this, as you said (key {0}); undo it under Manage Registry Credentials", code(match.key));
  if (match?.source === 'job-payload') return vscode.l10n.t('The job token covers this (key {0})', code(match.key));
  if (match) return vscode.l10n.t('Covered by the key {0} from {1}', code(match.key), escapeMarkdown(match.label));
  if (storedMatch)
    return vscode.l10n.t(
      'Stored in VS Code only — not yet in GitLab (key {0}, {1}); the runner cannot see it',
      code(storedMatch.key),
      escapeMarkdown(storedMatch.label),
    );
  return undefined;
}

function provenanceLine(via: readonly Provenance[]): string | undefined {
  if (via.length === 0) return undefined;
  const steps = via.map((step) => `${provenanceKind(step.kind)} ${code(step.name)}`);
  return vscode.l10n.t('Comes from {0}', steps.join(' → '));
}

function provenanceKind(kind: Provenance['kind']): string {
  switch (kind) {
    case 'extends':
      return vscode.l10n.t('extends');
    case 'default':
      return vscode.l10n.t('default:');
    case 'top-level':
      return vscode.l10n.t('top-level');
    case 'anchor':
      return vscode.l10n.t('anchor');
    case 'reference':
      return vscode.l10n.t('!reference');
    case 'include':
      return vscode.l10n.t('include');
    case 'matrix':
      return vscode.l10n.t('parallel:matrix');
    case 'variable':
      return vscode.l10n.t('variable');
  }
}

/** Repository text as inline code it cannot break out of (no link, image or HTML from a value). */
function code(value: string): string {
  return markdownCode(value);
}
