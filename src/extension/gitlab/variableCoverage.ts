/**
 * DOCKER_AUTH_CONFIG coverage from the GitLab project's and groups' CI/CD variables, as a CoverageContributor.
 * Answers from a per-folder cache; fetching runs in the background (with a status bar item) and fires onDidChange.
 * A broken variable (the runner drops it whole) is reported once per change, in a notification and the log.
 */
import * as vscode from 'vscode';
import { GitLabApiError } from '../../core/gitlab/errors';
import { readVariablesCoverage, type VariablesCoverage } from '../../core/gitlab/variablesCoverage';
import type { CollectedVariable } from '../../core/registry/imageVariables';
import type { CredentialSource } from '../../core/types';
import type { CoverageContributor } from '../coverage';
import type { GitLabConnections } from './connections';
import { COMMAND_CONFIGURE_CREDENTIALS, COMMAND_REFRESH_GITLAB } from '../commandIds';

/** How one folder's refresh ended, as the notification and the log say it. Never a value. */
export interface RefreshOutcome {
  /** The workspace folder's URI. */
  readonly folder: string;
  readonly ok: boolean;
  readonly message: string;
}

interface FolderEntry {
  coverage?: VariablesCoverage;
  /** Why the last refresh failed or could not run (not connected, untrusted...). */
  problem?: string;
  /** The problem is a normal state (not connected, no project, untrusted): no status bar item for it. */
  quiet?: boolean;
  fetching?: Promise<RefreshOutcome>;
  /** True while a request to GitLab is under way (not while only reading local state). */
  networking?: boolean;
  /** What was last reported as broken, so the notification is not repeated on every refresh. */
  reportedBroken?: string;
}

export class GitLabVariableCoverage implements CoverageContributor, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly entries = new Map<string, FolderEntry>();
  private readonly statusBar = vscode.window.createStatusBarItem('gitlabCiAuth.gitlabVariables', vscode.StatusBarAlignment.Left, 10);
  private readonly disposables: vscode.Disposable[] = [this.changed, this.statusBar];

  constructor(
    private readonly connections: GitLabConnections,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.statusBar.name = vscode.l10n.t('GitLab CI/CD variables');
    this.statusBar.command = COMMAND_REFRESH_GITLAB;
    this.disposables.push(
      connections.onDidChange(() => void this.refreshAll(false)),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateStatusBar()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.refreshAll(false)),
    );
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }

  sourcesFor(folder: vscode.WorkspaceFolder): readonly CredentialSource[] {
    const entry = this.entries.get(folder.uri.toString());
    if (!entry) void this.refresh(folder, false);
    return entry?.coverage?.sources ?? [];
  }

  variablesFor(folder: vscode.WorkspaceFolder): readonly CollectedVariable[] {
    return this.entries.get(folder.uri.toString())?.coverage?.ciCdVariables ?? [];
  }

  /** What is known for a folder (for hovers and the log); undefined before the first fetch. */
  coverageFor(folder: vscode.WorkspaceFolder): VariablesCoverage | undefined {
    return this.entries.get(folder.uri.toString())?.coverage;
  }

  /** Every folder again; `userInitiated` shows failures as notifications instead of only logging them. */
  refreshAll(userInitiated: boolean): Promise<RefreshOutcome[]> {
    return Promise.all((vscode.workspace.workspaceFolders ?? []).map((folder) => this.refresh(folder, userInitiated, true)));
  }

  /** Re-reads one folder's variables in the background; concurrent calls share one fetch unless `force`. */
  refresh(folder: vscode.WorkspaceFolder, userInitiated: boolean, force = false): Promise<RefreshOutcome> {
    const key = folder.uri.toString();
    const entry = this.entries.get(key) ?? {};
    this.entries.set(key, entry);
    if (entry.fetching && !force) return entry.fetching;
    const fetching = this.fetch(folder, entry, userInitiated).finally(() => {
      if (entry.fetching === fetching) delete entry.fetching;
      this.updateStatusBar();
    });
    entry.fetching = fetching;
    this.updateStatusBar();
    return fetching;
  }

  private async fetch(folder: vscode.WorkspaceFolder, entry: FolderEntry, userInitiated: boolean): Promise<RefreshOutcome> {
    const outcome = (ok: boolean, message: string): RefreshOutcome => ({ folder: folder.uri.toString(), ok, message });
    const access = await this.connections.accessFor(folder);
    if (!access.ok) {
      const hadCoverage = entry.coverage !== undefined;
      delete entry.coverage;
      entry.problem = access.message;
      entry.quiet = access.reason !== 'token-missing';
      if (userInitiated) void vscode.window.showWarningMessage(access.message);
      if (hadCoverage) this.changed.fire();
      return outcome(false, access.message);
    }
    entry.networking = true;
    this.updateStatusBar();
    let result: RefreshOutcome;
    try {
      const coverage = await readVariablesCoverage(access.api, access.context.projectPath);
      entry.coverage = coverage;
      delete entry.problem;
      delete entry.quiet;
      this.logCoverage(folder, coverage);
      this.reportBroken(entry, coverage);
      result = outcome(true, summaryOf(coverage) ?? vscode.l10n.t('No DOCKER_AUTH_CONFIG variable in {0}.', access.context.projectPath));
      if (userInitiated) void vscode.window.showInformationMessage(result.message);
    } catch (error) {
      // GitLab being down says nothing about the variables: what was read before still holds (and is said to).
      const transient = GitLabApiError.is(error, 'server-error') || GitLabApiError.is(error, 'network') || GitLabApiError.is(error, 'rate-limited');
      const kept = transient && entry.coverage !== undefined;
      const failure = GitLabApiError.is(error) ? error.message : vscode.l10n.t('Reading the CI/CD variables failed.');
      const message = kept ? `${failure} ${vscode.l10n.t('The DOCKER_AUTH_CONFIG read before is still used until GitLab answers.')}` : failure;
      this.log.warn(`CI/CD variables of ${folder.name}: ${message}`);
      const repeated = entry.problem === message;
      entry.problem = message;
      entry.quiet = false;
      if (!kept) delete entry.coverage;
      result = outcome(false, message);
      // A revoked token or a missing scope needs the user; say it once, not on every refresh.
      if (userInitiated || (!repeated && (GitLabApiError.is(error, 'unauthorized') || GitLabApiError.is(error, 'insufficient-scope')))) {
        void vscode.window.showErrorMessage(message);
      }
    } finally {
      entry.networking = false;
    }
    this.changed.fire();
    return result;
  }

  private logCoverage(folder: vscode.WorkspaceFolder, coverage: VariablesCoverage): void {
    this.log.info(`CI/CD variables of ${folder.name}: ${summaryOf(coverage) ?? 'no DOCKER_AUTH_CONFIG variable'}`);
    for (const level of coverage.unknownLevels) this.log.info(`  ${level.owner.level} ${level.owner.path}: unknown (${level.reason})`);
    for (const note of coverage.notes) this.log.info(`  ${note}`);
  }

  private reportBroken(entry: FolderEntry, coverage: VariablesCoverage): void {
    const effective = coverage.effective;
    if (effective?.state.kind !== 'broken') {
      delete entry.reportedBroken;
      return;
    }
    const problems = effective.state.problems.join(' ');
    const signature = `${effective.label}\n${problems}`;
    this.log.warn(`${effective.label} is not a valid DOCKER_AUTH_CONFIG; the runner ignores it whole. ${problems}`);
    if (entry.reportedBroken === signature) return;
    entry.reportedBroken = signature;
    const fix = vscode.l10n.t('Build a New One…');
    void vscode.window
      .showWarningMessage(
        vscode.l10n.t('{0} is not valid, so the runner ignores it and no registry gets credentials from it: {1}', effective.label, problems),
        fix,
      )
      .then((choice) => (choice === fix ? vscode.commands.executeCommand(COMMAND_CONFIGURE_CREDENTIALS) : undefined));
  }

  private updateStatusBar(): void {
    const folder = activeFolder();
    const entry = folder ? this.entries.get(folder.uri.toString()) : undefined;
    if (!entry || (!entry.networking && !entry.coverage && (!entry.problem || entry.quiet))) {
      this.statusBar.hide();
      return;
    }
    this.statusBar.backgroundColor = undefined;
    if (entry.networking) {
      this.statusBar.text = '$(sync~spin) GitLab';
      this.statusBar.tooltip = vscode.l10n.t('Reading CI/CD variables from GitLab…');
    } else if (entry.coverage) {
      const effective = entry.coverage.effective;
      const state = effective?.state.kind;
      this.statusBar.text =
        state === 'broken'
          ? '$(warning) DOCKER_AUTH_CONFIG'
          : state === 'hidden'
            ? '$(eye-closed) DOCKER_AUTH_CONFIG'
            : state === 'valid'
              ? '$(key) DOCKER_AUTH_CONFIG'
              : '$(circle-slash) DOCKER_AUTH_CONFIG';
      if (state === 'broken') this.statusBar.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      const stale = entry.problem && !entry.quiet ? [vscode.l10n.t('The last refresh failed: {0}', entry.problem)] : [];
      this.statusBar.tooltip = [
        summaryOf(entry.coverage) ?? vscode.l10n.t('No DOCKER_AUTH_CONFIG CI/CD variable.'),
        ...entry.coverage.notes,
        ...stale,
        vscode.l10n.t('Click to refresh.'),
      ].join('\n');
    } else {
      this.statusBar.text = '$(error) GitLab';
      this.statusBar.tooltip = `${entry.problem}\n${vscode.l10n.t('Click to refresh.')}`;
    }
    this.statusBar.show();
  }
}

/** One line about the variable in effect, without any value. */
export function summaryOf(coverage: VariablesCoverage): string | undefined {
  const effective = coverage.effective;
  if (!effective) return undefined;
  switch (effective.state.kind) {
    case 'valid':
      return vscode.l10n.t('{0} covers {1}.', effective.label, effective.state.registries.join(', ') || vscode.l10n.t('no registry'));
    case 'hidden':
      return vscode.l10n.t('{0} is hidden: it is set, what it covers is unknown.', effective.label);
    case 'broken':
      return vscode.l10n.t('{0} is broken: the runner ignores it ({1}).', effective.label, effective.state.problems.join(' '));
  }
}

function activeFolder(): vscode.WorkspaceFolder | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return (uri && vscode.workspace.getWorkspaceFolder(uri)) || vscode.workspace.workspaceFolders?.[0];
}
