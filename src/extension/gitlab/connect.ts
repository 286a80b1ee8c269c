/**
 * "Connect to GitLab…": confirm the instance URL, then a token (or GitLab Workflow's session on gitlab.com),
 * checked with GET /personal_access_tokens/self before anything is stored.
 */
import * as vscode from 'vscode';
import { GitLabApiError } from '../../core/gitlab/errors';
import { parseInstanceUrl, type GitLabInstance } from '../../core/gitlab/instance';
import { gitlabWorkflowSession, pickFolder, type ConnectionInfo, type GitLabConnections } from './connections';

/**
 * Arguments the command accepts (all optional). `folder` prefills the instance from that folder's project.
 * `instanceUrl` with `token` connects after one confirmation that names the instance (any caller can pass arguments,
 * a `command:` link too). The token is then checked against that instance only and kept only in SecretStorage under
 * that instance's origin, exactly like a typed one; it is never logged or shown.
 */
export interface ConnectArgs {
  readonly folder?: string;
  readonly instanceUrl?: string;
  readonly token?: string;
}

/** Runs the connect flow; resolves with the stored connection, or undefined when cancelled or refused. */
export async function connectGitLab(connections: GitLabConnections, log: vscode.LogOutputChannel, args: ConnectArgs = {}): Promise<ConnectionInfo | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Trust this workspace to connect it to GitLab: tokens are never used in an untrusted workspace.'));
    return undefined;
  }
  const folder = await pickFolder(args.folder);
  const context = folder ? connections.contextOf(folder) : undefined;
  if (args.token !== undefined) return connectWithArguments(connections, log, args, context?.instanceUrl);
  const suggested = context?.instanceUrl ?? 'https://gitlab.com';

  const url = await vscode.window.showInputBox({
    title: vscode.l10n.t('Connect to GitLab (1/2): instance'),
    prompt: vscode.l10n.t('The URL of your GitLab instance. The token you enter next is only ever sent to this host.'),
    value: suggested,
    ignoreFocusOut: true,
    validateInput: (value) => {
      const parsed = parseInstanceUrl(value);
      return parsed.ok ? undefined : parsed.problem;
    },
  });
  if (url === undefined) return undefined;
  const parsed = parseInstanceUrl(url);
  if (!parsed.ok) return undefined;
  const instance = parsed.instance;

  const viaSession = instance.host === 'gitlab.com' ? await offerWorkflowSession() : undefined;
  if (viaSession === 'cancelled') return undefined;

  return checkAndSave(connections, log, instance, context?.instanceUrl, async () =>
    viaSession ? await checkSession(connections, instance, viaSession) : await askAndCheckToken(connections, instance),
  );
}

/** `instanceUrl` + `token` given: the same checks and storage as the dialogs, without them. */
async function connectWithArguments(
  connections: GitLabConnections,
  log: vscode.LogOutputChannel,
  args: ConnectArgs,
  workspaceInstanceUrl: string | undefined,
): Promise<ConnectionInfo | undefined> {
  const parsed = parseInstanceUrl(args.instanceUrl ?? '');
  if (!parsed.ok) {
    const message = args.instanceUrl ? parsed.problem : vscode.l10n.t('Connecting with a token needs the instanceUrl it belongs to.');
    log.warn(`Connecting failed: ${message}`);
    void vscode.window.showErrorMessage(message);
    return undefined;
  }
  const instance = parsed.instance;
  // Any caller can pass arguments (another extension, a command: link): storing a token and choosing where it goes
  // take the user's explicit confirmation.
  const connect = { label: vscode.l10n.t('Connect'), confirmed: true };
  const cancel = { label: vscode.l10n.t('Cancel'), confirmed: false };
  const answer = await vscode.window.showQuickPick([connect, cancel], {
    title: vscode.l10n.t('Connect to GitLab at {0}?', instance.origin),
    placeHolder: vscode.l10n.t('A command was run with a GitLab token for {0}: connecting stores it in SecretStorage and sends it to {0}.', instance.origin),
    ignoreFocusOut: true,
  });
  if (answer?.confirmed !== true) return undefined;
  const token = args.token ?? '';
  return checkAndSave(connections, log, instance, workspaceInstanceUrl, () => checkToken(connections, instance, token));
}

/** Runs the check, then stores the connection (token in SecretStorage) and says so; failures become one clear message. */
async function checkAndSave(
  connections: GitLabConnections,
  log: vscode.LogOutputChannel,
  instance: GitLabInstance,
  workspaceInstanceUrl: string | undefined,
  check: () => Promise<{ connection: ConnectionInfo; token: string | undefined } | undefined>,
): Promise<ConnectionInfo | undefined> {
  try {
    const info = await check();
    if (!info) return undefined;
    log.info(
      `Connected to ${instance.host} as ${info.connection.username ?? '?'} (scopes ${info.connection.scopes.join(', ')}; expires ${info.connection.expiresAt ?? 'never'})`,
    );
    await connections.save(info.connection, info.token);
    void vscode.window.showInformationMessage(connectedMessage(info.connection, instance, workspaceInstanceUrl));
    return info.connection;
  } catch (error) {
    const message = GitLabApiError.is(error) ? error.message : vscode.l10n.t('Could not connect to {0}.', instance.host);
    log.warn(`Connecting to ${instance.host} failed: ${message}`);
    void vscode.window.showErrorMessage(message);
    return undefined;
  }
}

async function offerWorkflowSession(): Promise<vscode.AuthenticationSession | 'cancelled' | undefined> {
  const session = await gitlabWorkflowSession(['api']);
  if (!session) return undefined;
  const useSession = vscode.l10n.t('Use my GitLab Workflow account ({0})', session.account.label);
  const useToken = vscode.l10n.t('Enter a personal access token');
  const choice = await vscode.window.showQuickPick([useSession, useToken], { title: vscode.l10n.t('Connect to GitLab (2/2): sign in'), ignoreFocusOut: true });
  if (choice === undefined) return 'cancelled';
  return choice === useSession ? session : undefined;
}

async function checkSession(
  connections: GitLabConnections,
  instance: GitLabInstance,
  session: vscode.AuthenticationSession,
): Promise<{ connection: ConnectionInfo; token: undefined }> {
  // OAuth tokens are refused by /personal_access_tokens/self: /user proves the session works.
  const user = await withProgress(instance, () => connections.clientFor(instance, { kind: 'oauth', token: session.accessToken }).currentUser());
  return {
    connection: { origin: instance.origin, baseUrl: instance.baseUrl, auth: 'session', username: user.username, scopes: [...session.scopes] },
    token: undefined,
  };
}

async function askAndCheckToken(connections: GitLabConnections, instance: GitLabInstance): Promise<{ connection: ConnectionInfo; token: string } | undefined> {
  const tokenPage = `${instance.baseUrl}/-/user_settings/personal_access_tokens?name=GitLab+CI+Registry+Auth&scopes=api`;
  const token = await vscode.window.showInputBox({
    title: vscode.l10n.t('Connect to GitLab (2/2): token for {0}', instance.host),
    prompt: vscode.l10n.t('A personal access token with the api scope (read_api to only read variables). Create one at {0}', tokenPage),
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) =>
      value.trim() === '' ? vscode.l10n.t('Paste the token.') : /\s/.test(value.trim()) ? vscode.l10n.t('A token has no spaces.') : undefined,
  });
  return token === undefined ? undefined : checkToken(connections, instance, token);
}

/** Checks a token with /personal_access_tokens/self and /user on `instance` (the only host it is sent to). */
async function checkToken(connections: GitLabConnections, instance: GitLabInstance, token: string): Promise<{ connection: ConnectionInfo; token: string }> {
  if (token.trim() === '' || /\s/.test(token.trim()))
    throw new GitLabApiError('unauthorized', vscode.l10n.t('That is not a token: it is empty or has spaces.'));
  const credential = { kind: 'private-token' as const, token: token.trim() };
  const api = connections.clientFor(instance, credential);
  const self = await withProgress(instance, () => api.tokenSelf());
  if (self.revoked || self.active === false)
    throw new GitLabApiError('unauthorized', vscode.l10n.t('GitLab says this token is revoked or inactive. Create a new one.'));
  if (!self.scopes.includes('api') && !self.scopes.includes('read_api')) {
    throw new GitLabApiError(
      'insufficient-scope',
      vscode.l10n.t(
        'This token has the scopes {0}; it needs api (or read_api to only read variables). Create a token with the api scope.',
        self.scopes.join(', ') || '(none)',
      ),
      { requiredScope: 'api' },
    );
  }
  const user = await withProgress(instance, () => api.currentUser());
  return {
    connection: {
      origin: instance.origin,
      baseUrl: instance.baseUrl,
      auth: 'token',
      username: user.username,
      scopes: self.scopes,
      expiresAt: self.expires_at ?? null,
    },
    token: credential.token,
  };
}

function connectedMessage(connection: ConnectionInfo, instance: GitLabInstance, workspaceInstanceUrl: string | undefined): string {
  const parts = [vscode.l10n.t('Connected to {0} as {1}. Scopes: {2}.', instance.host, connection.username ?? '?', connection.scopes.join(', '))];
  if (connection.expiresAt) parts.push(vscode.l10n.t('The token expires on {0}.', connection.expiresAt));
  if (!connection.scopes.includes('api')) parts.push(vscode.l10n.t('Read-only: saving variables and creating tokens need the api scope.'));
  const workspace = workspaceInstanceUrl ? parseInstanceUrl(workspaceInstanceUrl) : undefined;
  if (workspace?.ok && workspace.instance.origin !== instance.origin) {
    parts.push(vscode.l10n.t("This workspace's project is on {0}: the token is not used for it.", workspace.instance.host));
  }
  return parts.join(' ');
}

function withProgress<T>(instance: GitLabInstance, task: () => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking the token with {0}…', instance.host) }, task),
  );
}
