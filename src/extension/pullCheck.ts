/**
 * *Check That Every Image Can Be Pulled*: asks each image's registry, with the credential the runner would use, whether
 * the pull would succeed (core `runPullChecks`), and keeps the results for `gitlabCiAuth.pullCheckCacheMinutes`. The
 * diagnostics turn them into findings on each image's line; the hover shows them. Runs only when the user asks, and only
 * in a trusted workspace (it sends stored secrets to the registries the repository names).
 */
import * as vscode from 'vscode';
import { pullKeyOf, pullPlanOf, type PullCredential, type PullPlanEntry, type PullResult } from '../core/registry/pullCheck';
import { evaluateImages } from '../core/rules/imageEvaluation';
import { COMMAND_CHECK_PULLS } from './commandIds';
import type { CredentialStore } from './credentialStore';
import type { DiagnosticsService, PullResultSource } from './diagnostics';
import type { Platform } from './platform';
import { loadCommands } from './lazyCommands';
import { SettingsReader, affectsSettings } from './settings';

export interface PullCheckService extends PullResultSource {
  /** A result still fresh for this folder and key. */
  resultFor(folder: vscode.WorkspaceFolder, key: string): PullResult | undefined;
  /** Runs the check over every workspace folder; the number of requests sent is what tests count. */
  checkAll(token?: vscode.CancellationToken, progress?: vscode.Progress<{ message?: string; increment?: number }>): Promise<PullCheckSummary>;
}

export interface PullCheckSummary {
  /** Images checked against a registry in this run. */
  readonly checked: number;
  /** Images whose result from an earlier run was still fresh, so their registry was not asked again. */
  readonly cached: number;
  readonly failed: number;
  readonly skipped: number;
  readonly cancelled: boolean;
}

export function registerPullCheck(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  credentials: CredentialStore,
  diagnostics: () => DiagnosticsService,
  platform: Platform,
): PullCheckService {
  const service = new PullCheckController(log, credentials, diagnostics, platform.registryFetch);
  context.subscriptions.push(
    service,
    vscode.commands.registerCommand(COMMAND_CHECK_PULLS, () => runCommand(service)),
  );
  return service;
}

async function runCommand(service: PullCheckService): Promise<PullCheckSummary | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('Checking that images can be pulled sends stored credentials to registries: trust this workspace first.'),
    );
    return undefined;
  }
  const summary = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking that every image can be pulled'), cancellable: true },
    (progress, token) => service.checkAll(token, progress),
  );
  const parts = [
    summary.cached === 0
      ? vscode.l10n.t('{0} checked', summary.checked)
      : vscode.l10n.t('{0} checked ({1} recently, not asked again)', summary.checked + summary.cached, summary.cached),
  ];
  if (summary.failed > 0) parts.push(vscode.l10n.t('{0} would fail (see Problems)', summary.failed));
  if (summary.skipped > 0) parts.push(vscode.l10n.t('{0} not checked (hover the image for why)', summary.skipped));
  const message = summary.cancelled ? vscode.l10n.t('Pull check cancelled: {0}.', parts.join(', ')) : vscode.l10n.t('Pull check done: {0}.', parts.join(', '));
  void (summary.failed > 0 ? vscode.window.showWarningMessage(message) : vscode.window.showInformationMessage(message));
  return summary;
}

class PullCheckController implements PullCheckService, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  /** Results by folder URI, then by pull key. */
  private readonly results = new Map<string, Map<string, PullResult>>();
  private readonly settings: SettingsReader;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly credentials: CredentialStore,
    private readonly diagnostics: () => DiagnosticsService,
    private readonly registryFetch: typeof fetch,
  ) {
    this.settings = new SettingsReader(log);
    this.disposables.push(
      this.changed,
      // A credential stored, replaced or removed, or any of our settings changed: what was checked no longer holds.
      credentials.onDidChange(() => this.clear()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (affectsSettings(event)) this.clear();
      }),
    );
  }

  dispose(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    for (const disposable of this.disposables) disposable.dispose();
  }

  resultsFor(folder: vscode.WorkspaceFolder): ((key: string) => PullResult | undefined) | undefined {
    if (!this.results.has(folder.uri.toString())) return undefined;
    return (key) => this.resultFor(folder, key);
  }

  resultFor(folder: vscode.WorkspaceFolder, key: string): PullResult | undefined {
    const result = this.results.get(folder.uri.toString())?.get(key);
    return result && Date.now() - result.checkedAt < this.cacheMs() ? result : undefined;
  }

  async checkAll(token?: vscode.CancellationToken, progress?: vscode.Progress<{ message?: string; increment?: number }>): Promise<PullCheckSummary> {
    const abort = new AbortController();
    const subscription = token?.onCancellationRequested(() => abort.abort());
    let checked = 0;
    let cached = 0;
    let failed = 0;
    let skipped = 0;
    try {
      for (const folder of vscode.workspace.workspaceFolders ?? []) {
        const project = this.diagnostics().checkFolder(folder);
        if (!project || abort.signal.aborted) continue;
        const plans = new Map<string, PullPlanEntry>();
        for (const entry of project.entries) {
          for (const evaluation of evaluateImages(entry.pipeline, project.options)) {
            const plan = pullPlanOf(evaluation);
            plans.set(pullKeyOf(plan), plan);
          }
        }
        const fresh = [...plans.values()].filter((plan) => this.resultFor(folder, pullKeyOf(plan)) === undefined);
        const secrets = await this.secretsFor(fresh);
        const total = fresh.filter((plan) => 'target' in plan).length;
        // The request code is required on first use, like the other commands (lazyCommands.ts).
        const results = await loadCommands().runPullChecks(
          fresh,
          (match) =>
            secrets.get(match.key) ?? {
              unavailable: vscode.l10n.t('Covered by {0} (key {1}), whose secret is not available in VS Code.', match.label, match.key),
            },
          {
            requestTimeoutMs: project.settings.verifyTimeoutSeconds * 1000,
            signal: abort.signal,
            fetch: this.registryFetch,
            onProgress: (done) =>
              progress?.report({ message: vscode.l10n.t('{0} of {1} images in {2}', done, total, folder.name), increment: 100 / Math.max(1, total) }),
          },
        );
        let byKey = this.results.get(folder.uri.toString());
        if (!byKey) {
          byKey = new Map();
          this.results.set(folder.uri.toString(), byKey);
        }
        for (const [key, result] of results) byKey.set(key, result);
        for (const key of plans.keys()) {
          const outcome = byKey.get(key)?.outcome;
          if (outcome === undefined) continue; // cancelled before it was checked
          if (outcome === 'skipped') skipped++;
          else if (results.has(key)) checked++;
          else cached++;
          if (outcome !== 'found' && outcome !== 'skipped') failed++;
        }
      }
    } finally {
      subscription?.dispose();
    }
    this.log.info(
      `pull check: ${checked} checked, ${cached} from cache, ${failed} failing, ${skipped} not checked${abort.signal.aborted ? ' (cancelled)' : ''}`,
    );
    this.fire();
    return { checked, cached, failed, skipped, cancelled: abort.signal.aborted };
  }

  /** The stored secret behind each key the targets match; a key with no readable secret is left out. */
  private async secretsFor(plans: readonly PullPlanEntry[]): Promise<Map<string, PullCredential>> {
    const secrets = new Map<string, PullCredential>();
    const keys = new Set(plans.flatMap((plan) => ('target' in plan && plan.target.match ? [plan.target.match.key] : [])));
    for (const stored of this.credentials.list()) {
      if (!keys.has(stored.key) || secrets.has(stored.key)) continue;
      const secret = await this.credentials.secretFor(stored);
      if (secret !== undefined) secrets.set(stored.key, { username: stored.username, secret });
    }
    return secrets;
  }

  private cacheMs(): number {
    return this.settings.read().pullCheckCacheMinutes * 60_000;
  }

  private clear(): void {
    if (this.results.size === 0) return;
    this.results.clear();
    this.fire();
  }

  /** Re-checks the folders now, and again when the oldest result expires, so an expired result stops being shown. */
  private fire(): void {
    this.changed.fire();
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    const times = [...this.results.values()].flatMap((byKey) => [...byKey.values()].map((result) => result.checkedAt));
    if (times.length === 0) return;
    const delay = Math.min(...times) + this.cacheMs() - Date.now();
    this.expiryTimer = setTimeout(
      () => {
        for (const byKey of this.results.values()) {
          for (const [key, result] of byKey) if (Date.now() - result.checkedAt >= this.cacheMs()) byKey.delete(key);
        }
        this.fire();
      },
      Math.max(1000, Math.min(delay + 50, 2 ** 31 - 1)),
    );
  }
}
