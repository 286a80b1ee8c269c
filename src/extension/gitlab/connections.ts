/**
 * GitLab connections: one per instance origin the user confirmed. The token lives in SecretStorage under a key
 * naming that origin; what is safe to show (scopes, expiry, user) lives in globalState. A folder gets an API client
 * only when the workspace is trusted and its project is on an origin the user connected: a token never goes elsewhere.
 */
import * as vscode from 'vscode';
import { GitLabApi } from '../../core/gitlab/api';
import { GitLabClient, type FetchLike, type GitLabCredential } from '../../core/gitlab/client';
import { parseInstanceUrl, type GitLabInstance } from '../../core/gitlab/instance';
import type { GitLabContext } from '../../core/gitlab/projectContext';
import type { ProjectContexts } from '../platform';
import { SettingsReader } from '../settings';
import { CONNECTIONS_KEY, TOKEN_SECRET_PREFIX } from './storageKeys';

/** What is remembered about a connection. Never the token. */
export interface ConnectionInfo {
  readonly origin: string;
  readonly baseUrl: string;
  /** `token`: a personal (or project/group) access token the user typed; `session`: GitLab Workflow's `gitlab` auth session. */
  readonly auth: 'token' | 'session';
  readonly username?: string;
  readonly scopes: readonly string[];
  /** `YYYY-MM-DD`, when the token expires. */
  readonly expiresAt?: string | null;
}

/** The GitLab Workflow extension's authentication provider id. */
export const gitlabWorkflowProvider = 'gitlab';

export type FolderAccess =
  | {
      readonly ok: true;
      readonly context: GitLabContext;
      readonly instance: GitLabInstance;
      readonly connection: ConnectionInfo;
      readonly api: GitLabApi;
      /** True when the token may write (scope `api`). */
      readonly canWrite: boolean;
    }
  | {
      readonly ok: false;
      readonly reason: 'untrusted' | 'no-project' | 'bad-instance' | 'not-connected' | 'token-missing';
      readonly message: string;
      readonly context?: GitLabContext;
      readonly instance?: GitLabInstance;
    };

export class GitLabConnections implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  readonly settings: SettingsReader;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
    readonly projects: ProjectContexts,
    private readonly fetchImpl: FetchLike = fetch,
  ) {
    this.settings = new SettingsReader(log);
    // Secrets are shared between windows: another window connecting or disconnecting changes what we can do.
    this.disposables.push(secrets.onDidChange((event) => event.key.startsWith(TOKEN_SECRET_PREFIX) && this.changed.fire()));
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }

  all(): ConnectionInfo[] {
    return Object.values(this.state.get<Record<string, ConnectionInfo>>(CONNECTIONS_KEY, {}));
  }

  get(origin: string): ConnectionInfo | undefined {
    return this.state.get<Record<string, ConnectionInfo>>(CONNECTIONS_KEY, {})[origin];
  }

  /** Remembers a connection the user confirmed; `token` is stored in SecretStorage (sessions are asked for each time). */
  async save(info: ConnectionInfo, token: string | undefined): Promise<void> {
    if (token !== undefined) await this.secrets.store(TOKEN_SECRET_PREFIX + info.origin, token);
    else await this.secrets.delete(TOKEN_SECRET_PREFIX + info.origin);
    await this.state.update(CONNECTIONS_KEY, { ...this.state.get<Record<string, ConnectionInfo>>(CONNECTIONS_KEY, {}), [info.origin]: info });
    this.changed.fire();
  }

  async remove(origin: string): Promise<void> {
    await this.secrets.delete(TOKEN_SECRET_PREFIX + origin);
    const all = { ...this.state.get<Record<string, ConnectionInfo>>(CONNECTIONS_KEY, {}) };
    delete all[origin];
    await this.state.update(CONNECTIONS_KEY, all);
    this.changed.fire();
  }

  /** A client for an instance with an explicit credential (used while connecting, before anything is stored). */
  clientFor(instance: GitLabInstance, credential: GitLabCredential): GitLabApi {
    return new GitLabApi(
      new GitLabClient({
        instance,
        credential,
        fetch: this.fetchImpl,
        log: (line) => this.log.info(`GitLab ${instance.host}: ${line}`),
      }),
    );
  }

  /** The folder's GitLab project (from settings or the `origin` remote), or undefined. */
  contextOf(folder: vscode.WorkspaceFolder): GitLabContext | undefined {
    return this.projects.contextFor(folder, this.settings.read(folder.uri)) ?? undefined;
  }

  /** An API client for the folder's project, or why there is none. Never reaches the network itself. */
  async accessFor(folder: vscode.WorkspaceFolder): Promise<FolderAccess> {
    if (!vscode.workspace.isTrusted) {
      return {
        ok: false,
        reason: 'untrusted',
        message: vscode.l10n.t('GitLab is not contacted in an untrusted workspace. Trust the workspace to use the connection.'),
      };
    }
    const context = this.contextOf(folder);
    if (!context) {
      return {
        ok: false,
        reason: 'no-project',
        message: vscode.l10n.t('No GitLab project for {0}: set gitlabCiAuth.gitlab.projectPath or add an origin remote.', folder.name),
      };
    }
    const parsed = parseInstanceUrl(context.instanceUrl);
    if (!parsed.ok) return { ok: false, reason: 'bad-instance', message: parsed.problem, context };
    const instance = parsed.instance;
    const connection = this.get(instance.origin);
    if (!connection) {
      return {
        ok: false,
        reason: 'not-connected',
        message: vscode.l10n.t('Not connected to {0}: run "GitLab CI Auth: Connect to GitLab…".', instance.host),
        context,
        instance,
      };
    }
    const credential = await this.credentialFor(connection);
    if (!credential) {
      return {
        ok: false,
        reason: 'token-missing',
        message: vscode.l10n.t('The token for {0} is no longer in SecretStorage: connect again.', instance.host),
        context,
        instance,
      };
    }
    return { ok: true, context, instance, connection, api: this.clientFor(instance, credential), canWrite: connection.scopes.includes('api') };
  }

  private async credentialFor(connection: ConnectionInfo): Promise<GitLabCredential | undefined> {
    if (connection.auth === 'token') {
      const token = await this.secrets.get(TOKEN_SECRET_PREFIX + connection.origin);
      return token ? { kind: 'private-token', token } : undefined;
    }
    const session = await gitlabWorkflowSession(connection.scopes.includes('api') ? ['api'] : ['read_api']);
    return session ? { kind: 'oauth', token: session.accessToken } : undefined;
  }
}

/** GitLab Workflow's session, if that extension is installed and signed in; never prompts. */
export async function gitlabWorkflowSession(scopes: readonly string[]): Promise<vscode.AuthenticationSession | undefined> {
  try {
    return await vscode.authentication.getSession(gitlabWorkflowProvider, [...scopes], { silent: true });
  } catch {
    // No provider with that id: GitLab Workflow is not installed.
    return undefined;
  }
}

/** The folder a command applies to: the given one, the active editor's, the only one, or the user's pick. */
export async function pickFolder(hint?: vscode.WorkspaceFolder | vscode.Uri | string): Promise<vscode.WorkspaceFolder | undefined> {
  if (hint && typeof hint === 'object' && 'uri' in hint && 'index' in hint) return hint;
  if (hint) {
    const uri =
      typeof hint === 'string' ? (/^[a-z][a-z0-9+.-]*:/i.test(hint) && !/^[a-z]:[\\/]/i.test(hint) ? vscode.Uri.parse(hint) : vscode.Uri.file(hint)) : hint;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (folder) return folder;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  const activeFolder = active ? vscode.workspace.getWorkspaceFolder(active) : undefined;
  if (activeFolder) return activeFolder;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: vscode.l10n.t('Which project?') });
}
