/**
 * "Create a Registry Token in GitLab…": a pull-only token for the project's container registry, either a deploy
 * token (every tier) or a project access token (Reporter; Premium on GitLab.com). Its expiry is remembered
 * (never the token) so the extension warns before it stops working.
 */
import * as vscode from 'vscode';
import { GitLabApiError } from '../../core/gitlab/errors';
import { dateInDays } from '../../core/gitlab/tokenExpiry';
import type { FolderAccess } from './connections';
import { rememberCreatedToken } from './tokenRecords';

/** What the wizard receives: the registry to use it for, and the credential. */
export interface CreatedRegistryToken {
  readonly registry: string;
  readonly username: string;
  readonly secret: string;
  readonly expiresAt?: string;
}

const reporterAccessLevel = 20;

/** Asks which kind, expiry and name, creates the token and remembers its expiry. Undefined when cancelled. */
export async function createRegistryTokenInteractively(
  access: FolderAccess & { ok: true },
  state: vscode.Memento,
  log: vscode.LogOutputChannel,
): Promise<CreatedRegistryToken | undefined> {
  const projectPath = access.context.projectPath;
  const registry = access.context.predefinedVariables['CI_REGISTRY'];
  if (!registry) throw new Error(vscode.l10n.t('The container registry of {0} is unknown: set gitlabCiAuth.gitlab.registryHost.', access.instance.host));
  const onGitLabCom = access.instance.host === 'gitlab.com';

  const kind = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('Deploy token'), description: vscode.l10n.t('read_registry; works on every tier'), value: 'deploy' as const },
      {
        label: vscode.l10n.t('Project access token'),
        description: onGitLabCom
          ? vscode.l10n.t('read_registry, Reporter role; needs Premium on GitLab.com')
          : vscode.l10n.t('read_registry, Reporter role; expires within a year'),
        value: 'access' as const,
      },
    ],
    { title: vscode.l10n.t('Create a registry token for {0} (1/3): kind', projectPath), ignoreFocusOut: true },
  );
  if (!kind) return undefined;

  const days = [30, 90, 180, 365];
  const expiry = await vscode.window.showQuickPick(
    [
      ...days.map((count) => ({ label: vscode.l10n.t('{0} days', count), description: dateInDays(new Date(), count), days: count as number | undefined })),
      ...(kind.value === 'deploy' ? [{ label: vscode.l10n.t('Never'), description: vscode.l10n.t('deploy tokens may not expire'), days: undefined }] : []),
    ],
    {
      title: vscode.l10n.t('Create a registry token (2/3): expiry'),
      placeHolder: vscode.l10n.t('You are warned 7 days before it expires.'),
      ignoreFocusOut: true,
    },
  );
  if (!expiry) return undefined;

  const name = await vscode.window.showInputBox({
    title: vscode.l10n.t('Create a registry token (3/3): name'),
    value: 'ci-registry-pull',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : vscode.l10n.t('Enter a name.')),
  });
  if (name === undefined) return undefined;

  const expiresAt = expiry.days === undefined ? undefined : dateInDays(new Date(), expiry.days);
  let created: CreatedRegistryToken;
  try {
    created = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Creating the token in {0}…', projectPath) },
      async () => {
        if (kind.value === 'deploy') {
          const token = await access.api.createDeployToken(projectPath, {
            name: name.trim(),
            scopes: ['read_registry'],
            ...(expiresAt ? { expires_at: expiresAt } : {}),
          });
          return { registry, username: token.username, secret: token.token, ...(expiresAt ? { expiresAt } : {}) };
        }
        const token = await access.api.createProjectAccessToken(projectPath, {
          name: name.trim(),
          scopes: ['read_registry'],
          access_level: reporterAccessLevel,
          expires_at: expiresAt!,
        });
        // GitLab ignores the username for access tokens; the bot's name reads better in a config than a placeholder.
        const username = await access.api.user(token.user_id).then(
          (user) => user.username,
          () => name.trim(),
        );
        return { registry, username, secret: token.token, expiresAt: expiresAt! };
      },
    );
  } catch (error) {
    if (kind.value === 'access' && GitLabApiError.is(error) && error.reason !== 'network') {
      throw new Error(`${error.message} ${vscode.l10n.t('Project access tokens need Premium on GitLab.com; a deploy token works on every tier.')}`);
    }
    throw error;
  }

  const description = `${kind.value === 'deploy' ? 'deploy token' : 'project access token'} ${name.trim()} (${projectPath})`;
  log.info(`Created the ${description} for ${registry}${expiresAt ? `, expires ${expiresAt}` : ', no expiry'}`);
  if (expiresAt) await rememberCreatedToken(state, { description, expiresAt });
  return created;
}
