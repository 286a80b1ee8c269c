/**
 * Quick fixes for our diagnostics, keyed on the diagnostic code and the finding's data (never on message text).
 * Edits come from the core's pure edit functions and become WorkspaceEdits here.
 */
import * as vscode from 'vscode';
import { ignoreOnLineEdit, kanikoConfigStepEdit, removeVariableEdit, replaceEchoEdit, replaceKeyEdit, type TextEdit } from '../core/rules/fixEdits';
import type { Finding, SourceSpan, TracedString } from '../core/types';
import { DIAGNOSTIC_SOURCE, fileUri, spanToRange, type DiagnosticsService, type EntryCheck, type ProjectCheck } from './diagnostics';
import { CI_DOCUMENT_SELECTOR, projectFileOf } from './documents';
import { treatAsPublic } from './settings';
import {
  COMMAND_CONFIGURE_CREDENTIALS,
  COMMAND_CONNECT_GITLAB,
  COMMAND_COPY_AUTH_CONFIG,
  COMMAND_IMPORT_AUTH_CONFIG,
  COMMAND_MARK_IN_GITLAB,
  COMMAND_MOVE_CREDENTIALS,
  COMMAND_SAVE_AUTH_CONFIG_TO_GITLAB,
  COMMAND_TREAT_AS_PUBLIC,
} from './commandIds';
import type { ProjectCommandArgs } from './credentialCommands';
import type { GitLabConnection } from './gitlab/gitlab';
import type { MarkInGitLabArgs } from './saidInGitLab';

/** Arguments of `gitlabCiAuth.configureCredentials` (implemented by the wizard). */
export interface ConfigureCredentialsArgs {
  readonly registry: string;
  readonly repository?: string;
  /** The workspace folder URI, as a string. */
  readonly folder?: string;
}

export interface TreatAsPublicArgs {
  readonly registry: string;
  readonly folder: string;
}

/** Arguments of `gitlabCiAuth.moveCredentialsOutOfFile`: where the committed DOCKER_AUTH_CONFIG finding is. Never the secret itself. */
export interface MoveCredentialsArgs {
  readonly uri: string;
  readonly start: number;
  readonly end: number;
}

/** Whether GitLab's variables were read for a folder: Save to GitLab… is offered then, Connect to GitLab… otherwise. */
export type GitLabReadFor = Pick<GitLabConnection, 'variablesCoverageFor'>;

export function registerCodeActions(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  diagnostics: DiagnosticsService,
  gitlab?: GitLabReadFor,
): void {
  context.subscriptions.push(
    vscode.languages.registerCodeActionsProvider(CI_DOCUMENT_SELECTOR, new CiQuickFixes(diagnostics, gitlab), {
      providedCodeActionKinds: CiQuickFixes.providedCodeActionKinds,
    }),
    vscode.commands.registerCommand(COMMAND_TREAT_AS_PUBLIC, (args: TreatAsPublicArgs) => treatAsPublic(vscode.Uri.parse(args.folder), args.registry)),
    vscode.commands.registerCommand(COMMAND_MOVE_CREDENTIALS, (args: MoveCredentialsArgs) => moveCredentialsOutOfFile(args, diagnostics, log)),
  );
}

export class CiQuickFixes implements vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];

  constructor(
    private readonly diagnostics: DiagnosticsService,
    private readonly gitlab?: GitLabReadFor,
  ) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const ours = context.diagnostics.filter((diagnostic) => diagnostic.source === DIAGNOSTIC_SOURCE);
    if (ours.length === 0) return [];
    const project = this.diagnostics.projectFor(document);
    if (!project) return [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of ours) {
      const finding = this.diagnostics.findingFor(document.uri, diagnostic);
      if (!finding) continue;
      const connected = this.gitlab?.variablesCoverageFor(project.folder) !== undefined;
      const fixes = [...fixesFor(finding, project, document, connected), ignoreOnLine(finding, project)].filter(
        (action): action is vscode.CodeAction => action !== undefined,
      );
      for (const action of fixes) action.diagnostics = [diagnostic];
      actions.push(...fixes);
    }
    return actions;
  }
}

function fixesFor(finding: Finding, project: ProjectCheck, document: vscode.TextDocument, connected: boolean): (vscode.CodeAction | undefined)[] {
  const folder = project.folder.uri.toString();
  switch (finding.code) {
    case 'credential-not-in-gitlab': {
      const key = stringData(finding, 'storedKey');
      if (!key) return [];
      const [copy, save] = toGitLabFixes(folder, connected);
      save.isPreferred = true;
      return [save, copy, commandAction(vscode.l10n.t('GitLab already has it'), COMMAND_MARK_IN_GITLAB, { key, folder } satisfies MarkInGitLabArgs)];
    }
    case 'missing-credentials': {
      // GitLab's variable lacks a key that VS Code has: getting it there is the fix.
      if (stringData(finding, 'storedKey')) {
        const [copy, save] = toGitLabFixes(folder, connected);
        save.isPreferred = true;
        return [save, copy];
      }
      const args = configureArgsFor(finding, folder);
      if (!args) return [];
      const { registry } = args;
      const configure = commandAction(vscode.l10n.t('Configure credentials for {0}…', registry), COMMAND_CONFIGURE_CREDENTIALS, args);
      configure.isPreferred = true;
      const treatAsPublic = commandAction(vscode.l10n.t('Treat {0} as public', registry), COMMAND_TREAT_AS_PUBLIC, {
        registry,
        folder,
      } satisfies TreatAsPublicArgs);
      return [configure, treatAsPublic];
    }
    case 'key-near-miss': {
      const suggested = stringData(finding, 'suggestedKey');
      if (!suggested) return [];
      const title = vscode.l10n.t('Change key to {0}', suggested);
      // A key written in the pipeline's YAML (the rule then gives its span) is edited in place; a stored key goes through the wizard.
      const keySpan = spanData(finding, 'keySpan');
      if (keySpan) {
        const action = editAction(title, replaceKeyEdit(textOf(project, keySpan.file), keySpan, suggested), project);
        if (action) action.isPreferred = true;
        return [action];
      }
      return [commandAction(title, COMMAND_CONFIGURE_CREDENTIALS, { registry: suggested, folder } satisfies ConfigureCredentialsArgs)];
    }
    case 'kaniko-missing-config': {
      const job = stringData(finding, 'job');
      const entry = entryReporting(project, finding);
      if (!job || !entry) return [];
      return [editAction(vscode.l10n.t('Write /kaniko/.docker/config.json from DOCKER_AUTH_CONFIG'), kanikoConfigStepEdit(entry.pipeline, job), project)];
    }
    case 'file-variable-echo': {
      // The finding underlines the echo; the edit needs the whole script line to see its redirect.
      const line = spanData(finding, 'scriptSpan') ?? finding.range;
      return [editAction(vscode.l10n.t('Use printf instead of echo'), replaceEchoEdit(textOf(project, line.file), line), project)];
    }
    case 'committed-credentials':
      return [
        commandAction(vscode.l10n.t('Remove credentials from this file and store them safely'), COMMAND_MOVE_CREDENTIALS, {
          uri: document.uri.toString(),
          start: finding.range.start,
          end: finding.range.end,
        } satisfies MoveCredentialsArgs),
      ];
    default:
      return [];
  }
}

/** What "Configure credentials for …" of a missing-credentials finding passes to the wizard; undefined without a registry. */
export function configureArgsFor(finding: Finding, folder: string): ConfigureCredentialsArgs | undefined {
  const registry = stringData(finding, 'registry');
  // A credential already stored in VS Code (GitLab's variable lacks it) needs saving to GitLab, not configuring.
  if (!registry || stringData(finding, 'storedKey')) return undefined;
  const repository = repositoryOf(stringData(finding, 'lookupPath'), registry);
  return { registry, ...(repository ? { repository } : {}), folder };
}

/** Copy DOCKER_AUTH_CONFIG, and Save to GitLab… when GitLab's variables were read for the folder (Connect to GitLab… otherwise). */
function toGitLabFixes(folder: string, connected: boolean): [vscode.CodeAction, vscode.CodeAction] {
  const copy = commandAction(vscode.l10n.t('Copy DOCKER_AUTH_CONFIG'), COMMAND_COPY_AUTH_CONFIG, { folder } satisfies ProjectCommandArgs);
  const save = connected
    ? commandAction(vscode.l10n.t('Save to GitLab…'), COMMAND_SAVE_AUTH_CONFIG_TO_GITLAB, { folder } satisfies ProjectCommandArgs)
    : commandAction(vscode.l10n.t('Connect to GitLab…'), COMMAND_CONNECT_GITLAB, { folder });
  return [copy, save];
}

function ignoreOnLine(finding: Finding, project: ProjectCheck): vscode.CodeAction | undefined {
  // A file GitLab cannot parse never runs: hiding its syntax error would only hide that.
  if (finding.code === 'yaml-syntax') return undefined;
  const edits = ignoreOnLineEdit(textOf(project, finding.range.file), finding.range.start, finding.code, finding.range.file);
  return editAction(vscode.l10n.t('Ignore {0} on this line', finding.code), edits, project);
}

/** The entry (root pipeline or standalone file) whose check produced a finding. */
function entryReporting(project: ProjectCheck, finding: Finding): EntryCheck | undefined {
  return project.entries.find((entry) => entry.findings.includes(finding));
}

function commandAction(title: string, command: string, args: object): vscode.CodeAction {
  const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
  action.command = { title, command, arguments: [args] };
  return action;
}

function editAction(title: string, edits: readonly TextEdit[], project: ProjectCheck): vscode.CodeAction | undefined {
  const edit = toWorkspaceEdit(edits, project);
  if (!edit) return undefined;
  const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
  action.edit = edit;
  return action;
}

function textOf(project: ProjectCheck, file: string): string {
  return project.texts.get(file)?.text ?? '';
}

/** Core edits (offsets into the texts the check read) as one WorkspaceEdit; undefined when there is nothing to apply. */
export function toWorkspaceEdit(edits: readonly TextEdit[], project: ProjectCheck): vscode.WorkspaceEdit | undefined {
  if (edits.length === 0) return undefined;
  const workspaceEdit = new vscode.WorkspaceEdit();
  for (const edit of edits) {
    const text = project.texts.get(edit.file);
    if (!text) return undefined;
    workspaceEdit.replace(fileUri(project.folder, edit.file), spanToRange(edit, text), edit.newText);
  }
  return workspaceEdit;
}

/** The repository part of a runner lookup path (`registry/team/app` → `team/app`), for a path-scoped credential. */
function repositoryOf(lookupPath: string | undefined, registry: string): string | undefined {
  if (!lookupPath || !lookupPath.toLowerCase().startsWith(`${registry.toLowerCase()}/`)) return undefined;
  return lookupPath.slice(registry.length + 1) || undefined;
}

function spanData(finding: Finding, key: string): SourceSpan | undefined {
  const value = finding.data?.[key] as Partial<SourceSpan> | undefined;
  return value && typeof value.file === 'string' && typeof value.start === 'number' && typeof value.end === 'number'
    ? { file: value.file, start: value.start, end: value.end }
    : undefined;
}

function stringData(finding: Finding, key: string): string | undefined {
  const value = finding.data?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Hands a committed DOCKER_AUTH_CONFIG to the wizard's import (which stores it in SecretStorage) and, only once it
 * is stored, removes the variable from the file. The secret travels from the YAML to the import, nowhere else.
 */
async function moveCredentialsOutOfFile(args: MoveCredentialsArgs, diagnostics: DiagnosticsService, log: vscode.LogOutputChannel): Promise<boolean> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(args.uri));
  const file = projectFileOf(document.uri);
  const project = diagnostics.projectFor(document);
  if (!file || !project) return false;
  const located = committedVariableAt(project, file.relativePath, args.start, args.end);
  if (!located) {
    void vscode.window.showWarningMessage(vscode.l10n.t('The DOCKER_AUTH_CONFIG value changed; run the quick fix again.'));
    return false;
  }
  const stored = await vscode.commands.executeCommand<boolean>(COMMAND_IMPORT_AUTH_CONFIG, { text: located.variable.value, origin: 'yaml' });
  if (stored !== true) return false;
  const edit = toWorkspaceEdit(removeVariableEdit(textOf(project, located.variable.span.file), located.variable.span), project);
  if (!edit || !(await vscode.workspace.applyEdit(edit))) {
    log.warn(vscode.l10n.t('The credentials were stored, but DOCKER_AUTH_CONFIG could not be removed from {0}.', file.relativePath));
    return false;
  }
  return true;
}

/** The committed-credentials finding at a span and the DOCKER_AUTH_CONFIG variable it is about. */
function committedVariableAt(project: ProjectCheck, file: string, start: number, end: number): { finding: Finding; variable: TracedString } | undefined {
  for (const entry of project.entries) {
    const finding = entry.findings.find(
      (candidate) =>
        candidate.code === 'committed-credentials' && candidate.range.file === file && candidate.range.start === start && candidate.range.end === end,
    );
    if (!finding) continue;
    const within = spanData(finding, 'variableSpan') ?? finding.range;
    const variable = authConfigVariables(entry).find(
      (traced) => traced.span.file === within.file && traced.span.start <= within.start && within.end <= traced.span.end,
    );
    if (variable) return { finding, variable };
  }
  return undefined;
}

function authConfigVariables(entry: EntryCheck): TracedString[] {
  const all = [entry.pipeline.globalVariables['DOCKER_AUTH_CONFIG'], ...entry.pipeline.jobs.map((job) => job.variables['DOCKER_AUTH_CONFIG'])];
  return all.filter((traced): traced is TracedString => traced !== undefined);
}
