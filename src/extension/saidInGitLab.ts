/**
 * "GitLab already has it": registries the user says GitLab's DOCKER_AUTH_CONFIG holds, remembered per workspace folder
 * (the project) and registry key in workspaceState. A coverage contributor on the runner's side; the core ignores it
 * once GitLab's variable itself can be read. Undone from Manage Registry Credentials.
 */
import * as vscode from 'vscode';
import { saidInGitLabSource } from '../core/registry/credentialLookup';
import type { CredentialSource } from '../core/types';
import { COMMAND_MARK_IN_GITLAB } from './commandIds';
import type { CoverageContributor } from './coverage';

/** Arguments of `gitlabCiAuth.markInGitLab` (the quick fix on `credential-not-in-gitlab`). */
export interface MarkInGitLabArgs {
  /** The stored key GitLab is said to hold. */
  readonly key: string;
  /** The workspace folder URI, as a string. */
  readonly folder: string;
}

export interface SaidInGitLabEntry {
  readonly folder: string;
  readonly key: string;
}

const STATE_KEY = 'gitlabCiAuth.saidInGitLab';
/** Bounds what a long-lived workspace keeps: far more registries than any project uses. */
const MAX_KEYS_PER_FOLDER = 200;

export class SaidInGitLab implements CoverageContributor, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly state: vscode.Memento) {}

  dispose(): void {
    this.changed.dispose();
  }

  sourcesFor(folder: vscode.WorkspaceFolder): readonly CredentialSource[] {
    const keys = this.read()[folder.uri.toString()] ?? [];
    return keys.length === 0 ? [] : [saidInGitLabSource(keys)];
  }

  /** Every remembered (folder, key), for Manage. */
  list(): SaidInGitLabEntry[] {
    return Object.entries(this.read()).flatMap(([folder, keys]) => keys.map((key) => ({ folder, key })));
  }

  async add(folder: string, key: string): Promise<void> {
    const all = this.read();
    const keys = all[folder] ?? [];
    if (keys.includes(key)) return;
    all[folder] = [...keys, key].slice(-MAX_KEYS_PER_FOLDER);
    await this.state.update(STATE_KEY, all);
    this.changed.fire();
  }

  async remove(entry: SaidInGitLabEntry): Promise<void> {
    const all = this.read();
    const keys = (all[entry.folder] ?? []).filter((key) => key !== entry.key);
    if (keys.length > 0) all[entry.folder] = keys;
    else delete all[entry.folder];
    await this.state.update(STATE_KEY, all);
    this.changed.fire();
  }

  /** What workspaceState holds, keeping only well-formed entries (it is written by us, but synced and long-lived). */
  private read(): Record<string, string[]> {
    const value = this.state.get<unknown>(STATE_KEY);
    const result: Record<string, string[]> = {};
    if (typeof value !== 'object' || value === null) return result;
    for (const [folder, keys] of Object.entries(value)) {
      if (Array.isArray(keys)) result[folder] = keys.filter((key): key is string => typeof key === 'string').slice(0, MAX_KEYS_PER_FOLDER);
    }
    return result;
  }
}

export function registerSaidInGitLab(context: vscode.ExtensionContext): SaidInGitLab {
  const said = new SaidInGitLab(context.workspaceState);
  context.subscriptions.push(
    said,
    vscode.commands.registerCommand(COMMAND_MARK_IN_GITLAB, async (args: MarkInGitLabArgs) => {
      await said.add(args.folder, args.key);
      void vscode.window.showInformationMessage(
        vscode.l10n.t('Noted: GitLab\'s DOCKER_AUTH_CONFIG holds {0}. Undo it under "Manage Registry Credentials".', args.key),
      );
    }),
  );
  return said;
}
