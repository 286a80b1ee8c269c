/**
 * The credential commands around the wizard: Manage (list, re-verify, rotate, remove, copy), Import an existing
 * DOCKER_AUTH_CONFIG into SecretStorage, and Copy the combined DOCKER_AUTH_CONFIG. Tokens are never shown.
 */
import * as vscode from 'vscode';
import { credentialKindLabel } from '../core/wizard/registryGuide';
import { parseAuthConfig } from '../core/auth/parse';
import { registryHostOf, registryKeyPath } from '../core/registry/imageRef';
import { decodeAuthEntries } from '../core/auth/decodeEntries';
import type { StoreScope } from '../core/wizard/credentialWizard';
import { planImport, replacementQuestion, type ImportConflict } from '../core/wizard/importPlan';
import { KeyringUnavailableError, type CredentialStore, type StoredCredential, type TokenStatus } from './credentialStore';
import type { SettingsReader } from './settings';
import { copyWithAutoClear, type AuthConfigPreview } from './wizard/outputs';
import { verifyWithProgress } from './wizard/verify';
import { COMMAND_COPY_AUTH_CONFIG, COMMAND_IMPORT_AUTH_CONFIG, COMMAND_MANAGE_CREDENTIALS, COMMAND_SAVE_AUTH_CONFIG_TO_GITLAB } from './commandIds';
import type { GitLabConnection } from './gitlab/gitlab';
import { projectAuthConfig, type ProjectAuthConfig, type ProjectAuthConfigSources } from './projectAuthConfig';
import type { SaidInGitLab, SaidInGitLabEntry } from './saidInGitLab';

/** Argument of `gitlabCiAuth.importAuthConfig`: the JSON (e.g. from a quick fix on a committed value) and where it came from. */
export interface ImportAuthConfigArgs {
  readonly text?: string;
  readonly origin?: 'yaml';
}

interface CommandDependencies {
  readonly preview: AuthConfigPreview;
  readonly settings: SettingsReader;
  /** Opens the wizard; resolves true when it finished. */
  readonly configure: () => Promise<boolean>;
  /** What the project's whole DOCKER_AUTH_CONFIG is built from (its pipelines, GitLab's variable). */
  readonly project: Omit<ProjectAuthConfigSources, 'credentials'> & { readonly connection: Pick<GitLabConnection, 'saveDockerAuthConfig'> };
  /** Registries the user said GitLab already holds, listed (and undone) in Manage. */
  readonly said: SaidInGitLab;
  readonly log?: vscode.LogOutputChannel;
}

/** Arguments of Copy DOCKER_AUTH_CONFIG and Save DOCKER_AUTH_CONFIG to GitLab… from a quick fix: the folder whose pipelines decide. */
export interface ProjectCommandArgs {
  /** The workspace folder URI, as a string. */
  readonly folder?: string;
}

export function registerCredentialCommands(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  credentials: CredentialStore,
  deps: CommandDependencies,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMAND_MANAGE_CREDENTIALS, () => manageCredentials(credentials, deps)),
    vscode.commands.registerCommand(COMMAND_IMPORT_AUTH_CONFIG, (args?: ImportAuthConfigArgs) => importAuthConfig(credentials, log, args)),
    vscode.commands.registerCommand(COMMAND_COPY_AUTH_CONFIG, (args?: ProjectCommandArgs) => copyAuthConfig(credentials, deps, undefined, folderOf(args))),
    vscode.commands.registerCommand(COMMAND_SAVE_AUTH_CONFIG_TO_GITLAB, (args?: ProjectCommandArgs) => saveToGitLab(credentials, deps, folderOf(args))),
  );
}

/** The folder a command is about: its argument, else the active editor's, else the first. */
function folderOf(args: ProjectCommandArgs | undefined): vscode.WorkspaceFolder | undefined {
  const named = typeof args?.folder === 'string' ? vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(args.folder)) : undefined;
  const active = vscode.window.activeTextEditor?.document.uri;
  return named ?? (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
}

/**
 * Copies the project's whole DOCKER_AUTH_CONFIG (`projectAuthConfig`): the stored credentials its pipelines use (or
 * the given registries), merged over what GitLab's variable holds when connected. Credentials whose token is missing
 * are left out and named; when nothing is left nothing is copied. Resolves true when something was copied.
 */
async function copyAuthConfig(
  credentials: CredentialStore,
  deps: CommandDependencies,
  registries?: readonly string[],
  folder?: vscode.WorkspaceFolder,
): Promise<boolean> {
  if (credentials.list().length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No registry credentials are stored yet. Run "Configure Registry Credentials…" first.'));
    return false;
  }
  let combined: ProjectAuthConfig;
  try {
    combined = await projectAuthConfig({ credentials, ...deps.project }, folder, registries);
  } catch (error) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Nothing copied: {0}', error instanceof Error ? error.message : String(error)));
    return false;
  }
  const missing = combined.missingSecrets.map((entry) => entry.registry).join(', ');
  if (combined.fromStore.length === 0) {
    offerReEntry(vscode.l10n.t('Nothing copied: the token for {0} is missing from SecretStorage. Re-enter it under "Manage Registry Credentials".', missing));
    return false;
  }
  const seconds = deps.settings.read().clipboardClearSeconds;
  await copyWithAutoClear(combined.json, seconds);
  // Says exactly what is in it, so a partial value is never pasted unawares.
  const contents = vscode.l10n.t('It holds {0}.', describeContents(combined));
  const copied =
    seconds > 0
      ? vscode.l10n.t('DOCKER_AUTH_CONFIG copied. {0} It contains your tokens: the clipboard is cleared in {1} s if it still holds it.', contents, seconds)
      : vscode.l10n.t('DOCKER_AUTH_CONFIG copied. {0} It contains your tokens.', contents);
  if (missing !== '')
    offerReEntry(
      vscode.l10n.t('{0} It leaves out {1}: the token is missing from SecretStorage. Re-enter it under "Manage Registry Credentials".', copied, missing),
    );
  else void vscode.window.showInformationMessage(copied);
  return true;
}

/** `a, b from VS Code and c already in GitLab's variable`: what a built DOCKER_AUTH_CONFIG holds. */
export function describeContents(config: Pick<ProjectAuthConfig, 'fromStore' | 'fromGitLab'>): string {
  const stored = vscode.l10n.t('{0} from VS Code', config.fromStore.join(', '));
  return config.fromGitLab.length === 0 ? stored : vscode.l10n.t("{0} and {1} already in GitLab's variable", stored, config.fromGitLab.join(', '));
}

/** Save DOCKER_AUTH_CONFIG to GitLab…: the project's whole value, through the confirmed, merging save (which offers to connect). */
async function saveToGitLab(credentials: CredentialStore, deps: CommandDependencies, folder: vscode.WorkspaceFolder | undefined): Promise<boolean> {
  const save = deps.project.connection.saveDockerAuthConfig;
  if (!folder || !save) return false;
  try {
    const combined = await projectAuthConfig({ credentials, ...deps.project }, folder);
    if (combined.fromStore.length === 0) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Nothing to save: no stored credential with its token is used by this project.'));
      return false;
    }
    await save(folder, combined.json);
    return true;
  } catch (error) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not save the CI/CD variable: {0}', error instanceof Error ? error.message : String(error)));
    return false;
  }
}

/** A warning about missing tokens with a button that opens Manage, where the token can be re-entered. */
function offerReEntry(message: string): void {
  const manage = vscode.l10n.t('Manage Credentials');
  void vscode.window.showWarningMessage(message, manage).then((choice) => {
    if (choice === manage) void vscode.commands.executeCommand(COMMAND_MANAGE_CREDENTIALS);
  });
}

type ManageChoice = { readonly credential: StoredCredential; readonly status: TokenStatus } | { readonly said: SaidInGitLabEntry } | 'add' | 'copy';

async function manageCredentials(credentials: CredentialStore, deps: CommandDependencies): Promise<void> {
  for (;;) {
    const stored = credentials.list();
    const statuses = await Promise.all(stored.map((credential) => credentials.tokenStatus(credential)));
    const items: Array<vscode.QuickPickItem & { choice?: ManageChoice }> = stored.map((credential, index) => ({
      label: credential.registry,
      description: credential.helper !== undefined ? vscode.l10n.t('credential helper {0}', credential.helper) : credential.username,
      detail: [statusLabel(statuses[index]!), describe(credential)].filter(Boolean).join(' · '),
      choice: { credential, status: statuses[index]! },
    }));
    const said = deps.said.list();
    if (said.length > 0) items.push({ label: vscode.l10n.t('Said to be in GitLab'), kind: vscode.QuickPickItemKind.Separator });
    for (const entry of said) {
      items.push({
        label: vscode.l10n.t('$(discard) GitLab already has {0}', entry.key),
        detail: vscode.l10n.t(
          'You said so for {0}; pick to undo, and the image is reported again',
          vscode.Uri.parse(entry.folder).path.split('/').pop() ?? entry.folder,
        ),
        choice: { said: entry },
      });
    }
    items.push(
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      { label: vscode.l10n.t('$(add) Add a registry credential…'), choice: 'add' },
      ...(stored.length > 0 ? [{ label: vscode.l10n.t('$(copy) Copy the combined DOCKER_AUTH_CONFIG'), choice: 'copy' as const }] : []),
    );
    const picked = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t('Registry Credentials'),
      placeHolder:
        stored.length > 0 ? vscode.l10n.t('Stored registry credentials (tokens are in SecretStorage)') : vscode.l10n.t('No registry credentials stored yet'),
      ignoreFocusOut: true,
    });
    if (!picked?.choice) return;
    if (picked.choice === 'add') {
      await deps.configure();
      return;
    }
    if (picked.choice === 'copy') {
      await copyAuthConfig(credentials, deps, undefined, folderOf(undefined));
      return;
    }
    if ('said' in picked.choice) {
      await deps.said.remove(picked.choice.said);
      continue;
    }
    const done = await manageOne(credentials, deps, picked.choice.credential, picked.choice.status);
    if (done) return;
  }
}

/** Actions on one credential; resolves false to go back to the list. */
async function manageOne(credentials: CredentialStore, deps: CommandDependencies, credential: StoredCredential, status: TokenStatus): Promise<boolean> {
  type Action = 'verify' | 'rotate' | 'remove' | 'copy';
  const hasSecret = credential.helper === undefined;
  const tokenGone = status === 'missing' || status === 'unreadable';
  const actions: Array<vscode.QuickPickItem & { action: Action }> = [
    ...(hasSecret && tokenGone ? [{ label: vscode.l10n.t('Re-enter the token'), detail: statusLabel(status), action: 'rotate' as const }] : []),
    ...(hasSecret && !tokenGone
      ? [
          { label: vscode.l10n.t('Verify again'), action: 'verify' as const },
          { label: vscode.l10n.t('Rotate: replace the token'), action: 'rotate' as const },
        ]
      : []),
    ...(tokenGone ? [] : [{ label: vscode.l10n.t('Copy DOCKER_AUTH_CONFIG for this registry'), action: 'copy' as const }]),
    { label: vscode.l10n.t('Remove'), detail: vscode.l10n.t('Deletes the token from SecretStorage and the metadata.'), action: 'remove' },
  ];
  const picked = await vscode.window.showQuickPick(actions, { title: credential.registry, placeHolder: describe(credential), ignoreFocusOut: true });
  if (!picked) return false;
  switch (picked.action) {
    case 'verify': {
      const secret = await credentials.secretFor(credential);
      if (secret === undefined) {
        void vscode.window.showWarningMessage(vscode.l10n.t('The token for {0} is missing from SecretStorage; re-enter it.', credential.registry));
        return true;
      }
      const result = await verifyWithProgress(
        { registry: credential.registry, username: credential.username, secret },
        deps.settings.read().verifyTimeoutSeconds,
        deps.log,
      );
      if (!result) return true;
      const text = result.detail ? `${result.message} (${result.detail})` : result.message;
      if (result.status === 'valid') void vscode.window.showInformationMessage(vscode.l10n.t('{0}: {1}', credential.registry, text));
      else void vscode.window.showWarningMessage(vscode.l10n.t('{0}: {1}', credential.registry, text));
      return true;
    }
    case 'rotate':
      await rotate(credentials, deps, credential);
      return true;
    case 'copy':
      await copyAuthConfig(credentials, deps, [credential.key]);
      return true;
    case 'remove': {
      const remove = vscode.l10n.t('Remove');
      const answer = await vscode.window.showWarningMessage(
        vscode.l10n.t('Remove the stored credential for {0}?', credential.registry),
        { modal: true },
        remove,
      );
      if (answer !== remove) return false;
      try {
        await credentials.remove(credential);
      } catch (error) {
        if (!KeyringUnavailableError.is(error)) throw error;
        void vscode.window.showErrorMessage(error.message);
      }
      return true;
    }
  }
}

async function rotate(credentials: CredentialStore, deps: CommandDependencies, credential: StoredCredential): Promise<void> {
  const secret = await vscode.window.showInputBox({
    title: vscode.l10n.t('New token for {0} ({1})', credential.registry, credential.username),
    prompt: vscode.l10n.t('The new token or password; the old one is replaced.'),
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) =>
      value.trim() === '' ? vscode.l10n.t('Enter the token.') : /\s/.test(value.trim()) ? vscode.l10n.t('A token contains no whitespace.') : undefined,
  });
  if (secret === undefined) return;
  const token = secret.trim();
  const result = await verifyWithProgress(
    { registry: credential.registry, username: credential.username, secret: token },
    deps.settings.read().verifyTimeoutSeconds,
    deps.log,
  );
  if (result && result.status !== 'valid') {
    const save = vscode.l10n.t('Save anyway');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('The new token for {0} did not verify: {1}', credential.registry, result.message),
      { modal: true, ...(result.detail ? { detail: result.detail } : {}) },
      save,
    );
    if (answer !== save) return;
  }
  try {
    await credentials.store(
      { registry: credential.registry, username: credential.username, secret: token, kind: credential.kind },
      credential.scope,
      credential.key,
    );
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Token for {0} replaced. Update the DOCKER_AUTH_CONFIG variable in GitLab too.', credential.registry),
    );
  } catch (error) {
    if (!KeyringUnavailableError.is(error)) throw error;
    void vscode.window.showErrorMessage(error.message);
  }
}

/** Imports a DOCKER_AUTH_CONFIG: entries go to SecretStorage. Resolves true when something was stored. */
export async function importAuthConfig(credentials: CredentialStore, log: vscode.LogOutputChannel, args?: ImportAuthConfigArgs): Promise<boolean> {
  const fromArgument = typeof args?.text === 'string';
  if (fromArgument && !vscode.workspace.isTrusted) {
    // The text came from a file or a caller, not from the user's paste: an untrusted workspace never stores it.
    void vscode.window.showWarningMessage(vscode.l10n.t('Trust this workspace to import credentials from it: nothing was stored.'));
    return false;
  }
  const text = fromArgument ? args!.text! : await askForAuthConfig();
  if (text === undefined) return false;

  const parsed = parseAuthConfig(text);
  if (!parsed.ok) {
    const problems = parsed.problems.map((problem) => [problem.entry, problem.field].filter(Boolean).join(' › ') + ': ' + problem.message);
    void vscode.window.showErrorMessage(vscode.l10n.t('This DOCKER_AUTH_CONFIG cannot be imported.'), { modal: true, detail: problems.join('\n') });
    return false;
  }
  const decoded = decodeAuthEntries(text);
  if (!decoded || decoded.auths.length + decoded.helpers.length === 0) {
    void vscode.window.showWarningMessage(vscode.l10n.t('This DOCKER_AUTH_CONFIG has no credentials to import.'));
    return false;
  }
  // Always the user's choice, and for text handed over by a caller (a quick fix, a command link) the confirmation too.
  const entries = [
    ...decoded.auths.map((entry) => ({
      key: entry.key,
      registry: registryHostOf(registryKeyPath(entry.key)),
      username: entry.username,
      store: { secret: entry.secret },
    })),
    ...decoded.helpers.map((entry) => ({
      key: entry.key,
      registry: registryHostOf(registryKeyPath(entry.key)),
      username: '',
      store: { helper: entry.helper },
    })),
  ];
  const listed = entries.map((entry) => (entry.username ? `${entry.key} (${entry.username})` : entry.key)).join(', ');
  const scope = await askScope(
    fromArgument
      ? vscode.l10n.t('Import {0} from {1}?', listed, args?.origin === 'yaml' ? vscode.l10n.t('the pipeline file') : vscode.l10n.t("the command's caller"))
      : undefined,
  );
  if (!scope) return false;
  const plan = planImport(
    entries,
    credentials.list().map((stored) => ({ key: stored.key, username: stored.username, scope: stored.scope })),
  );
  const confirmed = new Set<string>(plan.fresh.map((entry) => entry.key));
  for (const conflict of plan.conflicts) if (await confirmReplacement(conflict)) confirmed.add(conflict.candidate.key);

  let count = 0;
  const total = entries.length;
  try {
    for (const entry of entries) {
      if (!confirmed.has(entry.key)) continue;
      await credentials.store({ registry: entry.registry, username: entry.username, kind: 'imported', ...entry.store }, scope, entry.key);
      count++;
    }
  } catch (error) {
    if (!KeyringUnavailableError.is(error)) throw error;
    // Each entry is stored whole (token, then metadata) or not at all; say how far the import got.
    void vscode.window.showErrorMessage(
      count > 0
        ? vscode.l10n.t('{0} Imported {1} of {2} credential(s); the rest were not stored.', error.message, count, total)
        : vscode.l10n.t('{0} Nothing was imported.', error.message),
    );
    return count > 0;
  }
  if (count === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Nothing imported: your stored credentials were kept.'));
    return false;
  }
  log.info(vscode.l10n.t('Imported {0} registry credential(s){1}.', count, args?.origin === 'yaml' ? vscode.l10n.t(' from a pipeline file') : ''));
  const skipped = decoded.skipped.map((entry) => `${entry.key}: ${entry.reason}`);
  if (skipped.length > 0) void vscode.window.showWarningMessage(vscode.l10n.t('Imported {0} credential(s); skipped {1}', count, skipped.join('; ')));
  else void vscode.window.showInformationMessage(vscode.l10n.t('Imported {0} credential(s) into SecretStorage.', count));
  return true;
}

async function askForAuthConfig(): Promise<string | undefined> {
  const paste = vscode.l10n.t('Paste the JSON');
  const file = vscode.l10n.t('Pick a file (e.g. ~/.docker/config.json)');
  const how = await vscode.window.showQuickPick([paste, file], { title: vscode.l10n.t('Import Existing DOCKER_AUTH_CONFIG'), ignoreFocusOut: true });
  if (how === paste) {
    return vscode.window.showInputBox({
      title: vscode.l10n.t('Import Existing DOCKER_AUTH_CONFIG'),
      prompt: vscode.l10n.t('Paste the DOCKER_AUTH_CONFIG JSON. It is hidden as you type because it contains tokens.'),
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => {
        if (value.trim() === '') return undefined;
        const result = parseAuthConfig(value);
        return result.ok ? undefined : result.problems.map((problem) => problem.message).join(' ');
      },
    });
  }
  if (how === file) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: vscode.l10n.t('Import'),
      filters: { JSON: ['json'], [vscode.l10n.t('All files')]: ['*'] },
    });
    if (!picked?.[0]) return undefined;
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(picked[0]));
  }
  return undefined;
}

async function askScope(question?: string): Promise<StoreScope | undefined> {
  const items: Array<vscode.QuickPickItem & { scope: StoreScope }> = [
    { label: vscode.l10n.t('On this computer, for all my projects'), scope: 'global' },
    { label: vscode.l10n.t('For this project only'), scope: 'workspace' },
  ];
  const title = vscode.l10n.t('Remember the imported credentials for…');
  return (await vscode.window.showQuickPick(items, { title, ...(question ? { placeHolder: question } : {}), ignoreFocusOut: true }))?.scope;
}

/** A stored credential is replaced only on an explicit "Replace"; the safe answer comes first. */
async function confirmReplacement(conflict: ImportConflict): Promise<boolean> {
  const keep = { label: vscode.l10n.t('Keep mine'), replace: false };
  const replace = { label: vscode.l10n.t('Replace'), replace: true };
  const picked = await vscode.window.showQuickPick([keep, replace], {
    title: vscode.l10n.t('Replace a stored credential?'),
    placeHolder: replacementQuestion(conflict),
    ignoreFocusOut: true,
  });
  return picked?.replace === true;
}

/** What the list says about a token that cannot be used; empty when it can. */
function statusLabel(status: TokenStatus): string {
  if (status === 'missing') return vscode.l10n.t('$(warning) Token missing — re-enter');
  if (status === 'unreadable') return vscode.l10n.t('$(warning) The OS keychain could not be read — retry or re-enter');
  return '';
}

function describe(credential: StoredCredential): string {
  const parts = [
    vscode.l10n.t('key {0}', credential.key),
    credentialKindLabel(credential.kind, vscode.l10n.t),
    vscode.l10n.t('stored {0}', credential.createdAt.slice(0, 10)),
    credential.scope === 'workspace' ? vscode.l10n.t('this project only') : vscode.l10n.t('all my projects'),
  ];
  if (credential.expiresAt) parts.push(vscode.l10n.t('expires {0}', credential.expiresAt.slice(0, 10)));
  return parts.join(' · ');
}
