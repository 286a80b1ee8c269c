/**
 * Registry credentials kept by the extension: each token in SecretStorage (the OS keychain) under a key per
 * registry key + username; the non-secret metadata (registry, key, username, kind, dates) in globalState or
 * workspaceState, one Memento key per registry key so two windows storing different registries never overwrite
 * each other. Also a coverage contributor whose keys are `stored-here`: known only to VS Code, never coverage the
 * runner sees, so an image they match is reported as "stored in VS Code only" rather than covered.
 */
import * as vscode from 'vscode';
import { authConfigKeyFor } from '../core/auth/build';
import type { CredentialInput } from '../core/auth/schemas';
import { registryKeyPath } from '../core/registry/imageRef';
import type { CredentialKey, CredentialSource } from '../core/types';
import { combinedAuthConfig, type HelperInput } from '../core/auth/combinedAuthConfig';
import type { StoreScope, StoredCredentialKind, WizardCredential } from '../core/wizard/credentialWizard';
import type { CoverageContributor } from './coverage';

/** One stored credential's metadata. Never holds the secret. */
export interface StoredCredential {
  /** `host[:port]` as chosen in the wizard (or the key's host, when imported). */
  readonly registry: string;
  /** The `auths` / `credHelpers` key it is written under. */
  readonly key: string;
  /** Empty for a credential helper entry. */
  readonly username: string;
  readonly kind: StoredCredentialKind;
  /** ISO timestamp. */
  readonly createdAt: string;
  readonly expiresAt?: string;
  /** Credential helper name (`ecr-login`) for a `credHelpers` entry, which has no secret. */
  readonly helper?: string;
  readonly scope: StoreScope;
}

/**
 * Where a stored credential's token stands: `stored`; `missing` when the metadata outlived the token (keychain reset,
 * state synced from another machine); `unreadable` when the keychain failed to answer; `none` for a credential helper.
 */
export type TokenStatus = 'stored' | 'missing' | 'unreadable' | 'none';

/** SecretStorage refused to store or delete (no OS keychain). The message is safe to show. */
export class KeyringUnavailableError extends Error {
  readonly reason = 'keyring-unavailable';
  static is(error: unknown): error is KeyringUnavailableError {
    return error instanceof KeyringUnavailableError;
  }
}

export interface CombinedAuthConfig {
  /** Minified `DOCKER_AUTH_CONFIG` JSON. Contains secrets: never log it. */
  readonly json: string;
  /** Keys written into `json` from the store (credentials used once not counted). */
  readonly included: readonly string[];
  /** Stored credentials left out because their token is missing or unreadable. */
  readonly missingSecrets: readonly StoredCredential[];
}

export interface CredentialStore extends CoverageContributor {
  /** Every stored credential, workspace entries first; one per key (a workspace entry hides a global one). */
  list(): readonly StoredCredential[];
  /** The secret of a stored credential; undefined when SecretStorage lost it or cannot be read. */
  secretFor(credential: StoredCredential): Promise<string | undefined>;
  /** Whether the credential's token is still in SecretStorage. */
  tokenStatus(credential: StoredCredential): Promise<TokenStatus>;
  /**
   * Stores (or replaces) the credential for its key. Throws {@link KeyringUnavailableError} when SecretStorage fails,
   * leaving the metadata as it was.
   */
  store(credential: WizardCredential, scope: StoreScope, key?: string): Promise<StoredCredential>;
  /** Deletes the token, then the metadata. Throws {@link KeyringUnavailableError} (metadata kept) when the keychain refuses. */
  remove(credential: StoredCredential): Promise<void>;
  /** The combined DOCKER_AUTH_CONFIG of the given registries (all when omitted), plus credentials used once. */
  combinedAuthConfig(registries?: readonly string[], extra?: readonly WizardCredential[]): Promise<CombinedAuthConfig>;
}

/** What the store keeps its data in: an ExtensionContext, or the same three parts (tests inject failing ones). */
export type CredentialStorage = Pick<vscode.ExtensionContext, 'globalState' | 'workspaceState' | 'secrets'>;
export type CredentialLog = Pick<vscode.LogOutputChannel, 'info' | 'warn'>;

const METADATA_PREFIX = 'gitlabCiAuth.registryCredential:';
const SECRET_PREFIX = 'registry-credential:';

type StoredMetadata = Omit<StoredCredential, 'scope'>;

export function registerCredentialStore(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): CredentialStore {
  const store = createCredentialStore(context, log);
  context.subscriptions.push(store);
  return store;
}

/** A credential store over `storage`; dispose it to stop listening to SecretStorage. */
export function createCredentialStore(storage: CredentialStorage, log: CredentialLog): CredentialStore & vscode.Disposable {
  return new SecretCredentialStore(storage, log);
}

/** The SecretStorage key of one credential. */
function secretKey(key: string, username: string): string {
  return SECRET_PREFIX + JSON.stringify([key, username]);
}

class SecretCredentialStore implements CredentialStore, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;
  /** Last known token status per secret key; coverage leaves out `missing` ones. */
  private readonly statuses = new Map<string, TokenStatus>();
  /** Secret keys this window wrote whose change event has not come back yet: SecretStorage echoes a window's own writes. */
  private readonly ownWrites = new Map<string, number>();
  private disposed = false;

  constructor(
    private readonly storage: CredentialStorage,
    private readonly log: CredentialLog,
  ) {
    // Another window stored or deleted a token (its metadata is in the shared globalState): re-read, then tell listeners.
    // The echo of this window's own write is no news: re-read, but tell listeners only of a changed status (a listener
    // such as the pull check drops its results on every change, and the echo may arrive after a check has run).
    this.subscription = storage.secrets.onDidChange((event) => {
      if (event.key.startsWith(SECRET_PREFIX)) void this.refreshStatuses(!this.takeOwnWrite(event.key));
    });
    void this.refreshStatuses(false);
  }

  /** Writes a secret, expecting SecretStorage's change event for it (none comes when the write fails). */
  private async writeSecret(name: string, write: (name: string) => Thenable<void>): Promise<void> {
    this.ownWrites.set(name, (this.ownWrites.get(name) ?? 0) + 1);
    try {
      await write(name);
    } catch (error) {
      this.takeOwnWrite(name);
      throw error;
    }
  }

  /** True when the change of `name` is the echo of this window's own write (and counts it as come back). */
  private takeOwnWrite(name: string): boolean {
    const pending = this.ownWrites.get(name) ?? 0;
    if (pending === 0) return false;
    if (pending === 1) this.ownWrites.delete(name);
    else this.ownWrites.set(name, pending - 1);
    return true;
  }

  dispose(): void {
    this.disposed = true;
    this.subscription.dispose();
    this.changed.dispose();
  }

  private memento(scope: StoreScope): vscode.Memento {
    return scope === 'global' ? this.storage.globalState : this.storage.workspaceState;
  }

  private read(scope: StoreScope): StoredCredential[] {
    const memento = this.memento(scope);
    const entries: StoredCredential[] = [];
    for (const name of memento.keys()) {
      if (!name.startsWith(METADATA_PREFIX)) continue;
      const value = memento.get<unknown>(name);
      if (isStoredMetadata(value) && value.key === name.slice(METADATA_PREFIX.length)) entries.push({ ...value, scope });
    }
    return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private async writeMetadata(scope: StoreScope, key: string, entry: StoredCredential | undefined): Promise<void> {
    await this.memento(scope).update(METADATA_PREFIX + key, entry === undefined ? undefined : withoutScope(entry));
  }

  list(): readonly StoredCredential[] {
    const workspace = this.read('workspace');
    const keys = new Set(workspace.map((entry) => entry.key));
    return [...workspace, ...this.read('global').filter((entry) => !keys.has(entry.key))];
  }

  sourcesFor(_folder: vscode.WorkspaceFolder): readonly CredentialSource[] {
    // A token known to be gone cannot go into a DOCKER_AUTH_CONFIG from here, so the image is shown as uncovered
    // again (with the wizard's quick fix). An unreadable keychain keeps coverage: the token is likely still there.
    const keys: CredentialKey[] = this.list()
      .filter((entry) => this.statuses.get(secretKey(entry.key, entry.username)) !== 'missing')
      .map((entry) => ({
        key: entry.key,
        path: registryKeyPath(entry.key),
        via: entry.helper !== undefined ? 'credHelpers' : 'auths',
        label: labelOf(entry),
      }));
    return keys.length === 0 ? [] : [{ kind: 'DOCKER_AUTH_CONFIG', keys, origin: 'stored-here', label: 'VS Code' }];
  }

  /** Re-reads every token's status; fires onDidChange when one changed (or always, after another window's change). */
  private async refreshStatuses(alwaysFire: boolean): Promise<void> {
    let changed = false;
    for (const entry of this.list()) {
      const name = secretKey(entry.key, entry.username);
      const status = await this.tokenStatus(entry);
      if (this.statuses.get(name) !== status) changed = true;
      this.statuses.set(name, status);
    }
    if (!this.disposed && (changed || alwaysFire)) this.changed.fire();
  }

  async tokenStatus(credential: StoredCredential): Promise<TokenStatus> {
    if (credential.helper !== undefined) return 'none';
    try {
      const secret = await this.storage.secrets.get(secretKey(credential.key, credential.username));
      return secret === undefined ? 'missing' : 'stored';
    } catch (error) {
      this.log.warn(vscode.l10n.t('Could not read the stored token for {0}: {1}', credential.registry, errorName(error)));
      return 'unreadable';
    }
  }

  async secretFor(credential: StoredCredential): Promise<string | undefined> {
    if (credential.helper !== undefined) return undefined;
    try {
      return await this.storage.secrets.get(secretKey(credential.key, credential.username));
    } catch (error) {
      this.log.warn(vscode.l10n.t('Could not read the stored token for {0}: {1}', credential.registry, errorName(error)));
      return undefined;
    }
  }

  async store(credential: WizardCredential, scope: StoreScope, key = authConfigKeyFor(credential.registry)): Promise<StoredCredential> {
    const stored: StoredCredential = {
      registry: credential.registry,
      key,
      username: credential.username,
      kind: credential.kind,
      createdAt: new Date().toISOString(),
      ...(credential.expiresAt !== undefined ? { expiresAt: credential.expiresAt } : {}),
      ...(credential.helper !== undefined ? { helper: credential.helper } : {}),
      scope,
    };
    const replaced = this.read(scope).find((entry) => entry.key === key);
    // Metadata first: another window learns of the token through SecretStorage's change event, which must find the
    // metadata already there. A keychain failure puts the previous metadata back, so nothing is half-stored.
    await this.writeMetadata(scope, key, stored);
    if (credential.secret !== undefined) {
      try {
        await this.writeSecret(secretKey(key, credential.username), (name) => this.storage.secrets.store(name, credential.secret!));
      } catch (error) {
        await this.writeMetadata(scope, key, replaced);
        // Only the error's name: a keyring error message could in principle echo what it was given.
        this.log.warn(vscode.l10n.t('SecretStorage could not store a token ({0}); the OS keychain may be unavailable.', errorName(error)));
        throw new KeyringUnavailableError(vscode.l10n.t('The OS keychain is not available, so the token for {0} cannot be stored.', credential.registry));
      }
    }
    this.statuses.set(secretKey(key, stored.username), stored.helper !== undefined ? 'none' : 'stored');
    if (replaced && replaced.username !== stored.username && replaced.helper === undefined) await this.deleteSecretIfUnused(replaced).catch(() => undefined);
    this.log.info(vscode.l10n.t('Stored a credential ({0}) for {1}, user {2}.', stored.kind, stored.key, stored.username || '-'));
    this.changed.fire();
    return stored;
  }

  async remove(credential: StoredCredential): Promise<void> {
    if (credential.helper === undefined) await this.deleteSecretIfUnused(credential);
    await this.writeMetadata(credential.scope, credential.key, undefined);
    this.log.info(vscode.l10n.t('Removed the stored credential for {0}.', credential.key));
    this.changed.fire();
  }

  /** The same key + username may be stored in both scopes; the secret goes only when the other scope does not use it. */
  private async deleteSecretIfUnused(credential: StoredCredential): Promise<void> {
    const otherScope: StoreScope = credential.scope === 'global' ? 'workspace' : 'global';
    if (this.read(otherScope).some((entry) => entry.key === credential.key && entry.username === credential.username)) return;
    try {
      await this.writeSecret(secretKey(credential.key, credential.username), (name) => this.storage.secrets.delete(name));
    } catch (error) {
      this.log.warn(vscode.l10n.t('Could not delete the stored token for {0}: {1}', credential.registry, errorName(error)));
      throw new KeyringUnavailableError(
        vscode.l10n.t('The OS keychain is not available, so the token for {0} cannot be deleted; the credential is kept.', credential.registry),
      );
    }
  }

  async combinedAuthConfig(registries?: readonly string[], extra: readonly WizardCredential[] = []): Promise<CombinedAuthConfig> {
    const chosen = this.list().filter((entry) => registries === undefined || registries.includes(entry.registry) || registries.includes(entry.key));
    // The stored key is passed as the registry: buildAuthConfig maps it to itself, keeping imported keys as written.
    const tokens: CredentialInput[] = [];
    const helpers: HelperInput[] = [];
    const included: string[] = [];
    const missingSecrets: StoredCredential[] = [];
    for (const entry of chosen) {
      if (entry.helper !== undefined) {
        helpers.push({ key: entry.key, helper: entry.helper });
        included.push(entry.key);
        continue;
      }
      const secret = await this.secretFor(entry);
      if (secret === undefined) {
        missingSecrets.push(entry);
      } else {
        tokens.push({ registry: entry.key, username: entry.username, secret });
        included.push(entry.key);
      }
    }
    for (const credential of extra) {
      if (credential.helper !== undefined) helpers.push({ key: authConfigKeyFor(credential.registry), helper: credential.helper });
      else tokens.push({ registry: credential.registry, username: credential.username, secret: credential.secret ?? '' });
    }
    return { json: combinedAuthConfig(tokens, helpers), included, missingSecrets };
  }
}

function labelOf(entry: StoredCredential): string {
  if (entry.helper !== undefined) return vscode.l10n.t('stored credential helper ({0})', entry.helper);
  if (entry.kind === 'imported') return vscode.l10n.t('imported DOCKER_AUTH_CONFIG ({0})', entry.username);
  return vscode.l10n.t('stored credential ({0})', entry.username);
}

function withoutScope({ scope: _scope, ...metadata }: StoredCredential): StoredMetadata {
  return metadata;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

function isStoredMetadata(value: unknown): value is StoredMetadata {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.registry === 'string' &&
    typeof entry.key === 'string' &&
    typeof entry.username === 'string' &&
    typeof entry.kind === 'string' &&
    typeof entry.createdAt === 'string'
  );
}
