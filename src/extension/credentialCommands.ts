/**
 * The credential commands around the wizard: Manage (list, re-verify, rotate, remove, copy), Import an existing
 * DOCKER_AUTH_CONFIG into SecretStorage, and Copy the combined DOCKER_AUTH_CONFIG. Tokens are never shown.
 */
import * as vscode from 'vscode';
import { parseAuthConfig } from '../core/authConfig';
import { registryHostOf, registryKeyPath } from '../core/imageRef';
import { decodeAuthEntries } from '../core/wizard/authEntries';
import type { StoreScope } from '../core/wizard/credentialWizard';
import { COMMAND_IMPORT_AUTH_CONFIG } from './codeActions';
import { KeyringUnavailableError, type CredentialStore, type StoredCredential } from './credentialStore';
import type { SettingsReader } from './settings';
import { copyWithAutoClear, type AuthConfigPreview } from './wizard/outputs';
import { verifyWithProgress } from './wizard/verify';

export const COMMAND_MANAGE_CREDENTIALS = 'gitlabCiAuth.manageCredentials';
export const COMMAND_COPY_AUTH_CONFIG = 'gitlabCiAuth.copyAuthConfig';

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
}

export function registerCredentialCommands(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, credentials: CredentialStore, deps: CommandDependencies): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMAND_MANAGE_CREDENTIALS, () => manageCredentials(credentials, deps)),
    vscode.commands.registerCommand(COMMAND_IMPORT_AUTH_CONFIG, (args?: ImportAuthConfigArgs) => importAuthConfig(credentials, log, args)),
    vscode.commands.registerCommand(COMMAND_COPY_AUTH_CONFIG, () => copyAuthConfig(credentials, deps.settings)),
  );
}

/** Copies the combined DOCKER_AUTH_CONFIG of every stored credential. Resolves false when there is nothing to copy. */
async function copyAuthConfig(credentials: CredentialStore, settings: SettingsReader, registries?: readonly string[]): Promise<boolean> {
  if (credentials.list().length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No registry credentials are stored yet. Run "Configure Registry Credentials…" first.'));
    return false;
  }
  const combined = await credentials.combinedAuthConfig(registries);
  if (combined.missingSecrets.length > 0) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('Left out {0}: the stored token is gone from SecretStorage.', combined.missingSecrets.map((entry) => entry.registry).join(', ')),
    );
  }
  const seconds = settings.read().clipboardClearSeconds;
  await copyWithAutoClear(combined.json, seconds);
  void vscode.window.showInformationMessage(
    seconds > 0
      ? vscode.l10n.t('DOCKER_AUTH_CONFIG copied. It contains your tokens: the clipboard is cleared in {0} s if it still holds it.', seconds)
      : vscode.l10n.t('DOCKER_AUTH_CONFIG copied. It contains your tokens.'),
  );
  return true;
}

type ManageChoice = { readonly credential: StoredCredential } | 'add' | 'copy';

async function manageCredentials(credentials: CredentialStore, deps: CommandDependencies): Promise<void> {
  for (;;) {
    const stored = credentials.list();
    const items: Array<vscode.QuickPickItem & { choice?: ManageChoice }> = stored.map((credential) => ({
      label: credential.registry,
      description: credential.helper !== undefined ? vscode.l10n.t('credential helper {0}', credential.helper) : credential.username,
      detail: describe(credential),
      choice: { credential },
    }));
    items.push(
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      { label: vscode.l10n.t('$(add) Add a registry credential…'), choice: 'add' },
      ...(stored.length > 0 ? [{ label: vscode.l10n.t('$(copy) Copy the combined DOCKER_AUTH_CONFIG'), choice: 'copy' as const }] : []),
    );
    const picked = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t('Registry Credentials'),
      placeHolder: stored.length > 0 ? vscode.l10n.t('Stored registry credentials (tokens are in SecretStorage)') : vscode.l10n.t('No registry credentials stored yet'),
      ignoreFocusOut: true,
    });
    if (!picked?.choice) return;
    if (picked.choice === 'add') {
      await deps.configure();
      return;
    }
    if (picked.choice === 'copy') {
      await copyAuthConfig(credentials, deps.settings);
      return;
    }
    const done = await manageOne(credentials, deps, picked.choice.credential);
    if (done) return;
  }
}

/** Actions on one credential; resolves false to go back to the list. */
async function manageOne(credentials: CredentialStore, deps: CommandDependencies, credential: StoredCredential): Promise<boolean> {
  type Action = 'verify' | 'rotate' | 'remove' | 'copy';
  const hasSecret = credential.helper === undefined;
  const actions: Array<vscode.QuickPickItem & { action: Action }> = [
    ...(hasSecret ? [{ label: vscode.l10n.t('Verify again'), action: 'verify' as const }, { label: vscode.l10n.t('Rotate: replace the token'), action: 'rotate' as const }] : []),
    { label: vscode.l10n.t('Copy DOCKER_AUTH_CONFIG for this registry'), action: 'copy' },
    { label: vscode.l10n.t('Remove'), detail: vscode.l10n.t('Deletes the token from SecretStorage and the metadata.'), action: 'remove' },
  ];
  const picked = await vscode.window.showQuickPick(actions, { title: credential.registry, placeHolder: describe(credential), ignoreFocusOut: true });
  if (!picked) return false;
  switch (picked.action) {
    case 'verify': {
      const secret = await credentials.secretFor(credential);
      if (secret === undefined) {
        void vscode.window.showWarningMessage(vscode.l10n.t('The token for {0} is gone from SecretStorage; rotate it to store it again.', credential.registry));
        return true;
      }
      const result = await verifyWithProgress({ registry: credential.registry, username: credential.username, secret }, deps.settings.read().verifyTimeoutSeconds);
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
      await copyAuthConfig(credentials, deps.settings, [credential.key]);
      return true;
    case 'remove': {
      const remove = vscode.l10n.t('Remove');
      const answer = await vscode.window.showWarningMessage(vscode.l10n.t('Remove the stored credential for {0}?', credential.registry), { modal: true }, remove);
      if (answer === remove) await credentials.remove(credential);
      return answer === remove;
    }
  }
}

async function rotate(credentials: CredentialStore, deps: CommandDependencies, credential: StoredCredential): Promise<void> {
  const secret = await vscode.window.showInputBox({
    title: vscode.l10n.t('New token for {0} ({1})', credential.registry, credential.username),
    prompt: vscode.l10n.t('The new token or password; the old one is replaced.'),
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() === '' ? vscode.l10n.t('Enter the token.') : /\s/.test(value.trim()) ? vscode.l10n.t('A token contains no whitespace.') : undefined),
  });
  if (secret === undefined) return;
  const token = secret.trim();
  const result = await verifyWithProgress({ registry: credential.registry, username: credential.username, secret: token }, deps.settings.read().verifyTimeoutSeconds);
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
    void vscode.window.showInformationMessage(vscode.l10n.t('Token for {0} replaced. Update the DOCKER_AUTH_CONFIG variable in GitLab too.', credential.registry));
  } catch (error) {
    if (!KeyringUnavailableError.is(error)) throw error;
    void vscode.window.showErrorMessage(error.message);
  }
}

/** Imports a DOCKER_AUTH_CONFIG: entries go to SecretStorage. Resolves true when something was stored. */
async function importAuthConfig(credentials: CredentialStore, log: vscode.LogOutputChannel, args?: ImportAuthConfigArgs): Promise<boolean> {
  const fromArgument = typeof args?.text === 'string';
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
  const scope: StoreScope | undefined = fromArgument ? 'global' : await askScope();
  if (!scope) return false;

  let count = 0;
  try {
    for (const entry of decoded.auths) {
      const registry = registryHostOf(registryKeyPath(entry.key));
      await credentials.store({ registry, username: entry.username, secret: entry.secret, kind: 'imported' }, scope, entry.key);
      count++;
    }
    for (const entry of decoded.helpers) {
      const registry = registryHostOf(registryKeyPath(entry.key));
      await credentials.store({ registry, username: '', kind: 'imported', helper: entry.helper }, scope, entry.key);
      count++;
    }
  } catch (error) {
    if (!KeyringUnavailableError.is(error)) throw error;
    void vscode.window.showErrorMessage(error.message);
    return count > 0;
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
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: vscode.l10n.t('Import'), filters: { JSON: ['json'], [vscode.l10n.t('All files')]: ['*'] } });
    if (!picked?.[0]) return undefined;
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(picked[0]));
  }
  return undefined;
}

async function askScope(): Promise<StoreScope | undefined> {
  const items: Array<vscode.QuickPickItem & { scope: StoreScope }> = [
    { label: vscode.l10n.t('All workspaces on this machine'), scope: 'global' },
    { label: vscode.l10n.t('This workspace only'), scope: 'workspace' },
  ];
  return (await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Remember the imported credentials for…'), ignoreFocusOut: true }))?.scope;
}

function describe(credential: StoredCredential): string {
  const parts = [
    vscode.l10n.t('key {0}', credential.key),
    vscode.l10n.t('kind {0}', credential.kind),
    vscode.l10n.t('stored {0}', credential.createdAt.slice(0, 10)),
    credential.scope === 'workspace' ? vscode.l10n.t('this workspace') : vscode.l10n.t('all workspaces'),
  ];
  if (credential.expiresAt) parts.push(vscode.l10n.t('expires {0}', credential.expiresAt.slice(0, 10)));
  return parts.join(' · ');
}
