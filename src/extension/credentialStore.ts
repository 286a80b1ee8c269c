/**
 * Registry credentials kept by the extension: each token in SecretStorage (the OS keychain) under a key per
 * registry key + username; the non-secret metadata (registry, key, username, kind, dates) in globalState or
 * workspaceState. Also a coverage contributor: stored registries count as covered by DOCKER_AUTH_CONFIG.
 */
import * as vscode from 'vscode';
import { authConfigKeyFor, type CredentialInput } from '../core/authConfig';
import { registryKeyPath } from '../core/imageRef';
import type { CredentialKey, CredentialSource } from '../core/types';
import { combinedAuthConfig, type HelperInput } from '../core/wizard/combinedAuthConfig';
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

/** SecretStorage refused to store (no OS keychain). The message is safe to show. */
export class KeyringUnavailableError extends Error {
  readonly reason = 'keyring-unavailable';
  static is(error: unknown): error is KeyringUnavailableError {
    return error instanceof KeyringUnavailableError;
  }
}

export interface CombinedAuthConfig {
  /** Minified `DOCKER_AUTH_CONFIG` JSON. Contains secrets: never log it. */
  readonly json: string;
  /** Stored credentials left out because their secret is gone (keychain reset, other machine). */
  readonly missingSecrets: readonly StoredCredential[];
}

export interface CredentialStore extends CoverageContributor {
  /** Every stored credential, workspace entries first; one per key (a workspace entry hides a global one). */
  list(): readonly StoredCredential[];
  /** The secret of a stored credential; undefined when SecretStorage lost it. */
  secretFor(credential: StoredCredential): Promise<string | undefined>;
  /** Stores (or replaces) the credential for its key. Throws {@link KeyringUnavailableError} when SecretStorage fails. */
  store(credential: WizardCredential, scope: StoreScope, key?: string): Promise<StoredCredential>;
  /** Deletes the secret and the metadata. */
  remove(credential: StoredCredential): Promise<void>;
  /** The combined DOCKER_AUTH_CONFIG of the given registries (all when omitted), plus credentials used once. */
  combinedAuthConfig(registries?: readonly string[], extra?: readonly WizardCredential[]): Promise<CombinedAuthConfig>;
}

const METADATA_KEY = 'gitlabCiAuth.registryCredentials';
const SECRET_PREFIX = 'registry-credential:';

type StoredMetadata = Omit<StoredCredential, 'scope'>;

export function registerCredentialStore(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): CredentialStore {
  const store = new SecretCredentialStore(context, log);
  context.subscriptions.push(store);
  return store;
}

/** The SecretStorage key of one credential. */
function secretKey(key: string, username: string): string {
  return SECRET_PREFIX + JSON.stringify([key, username]);
}

class SecretCredentialStore implements CredentialStore, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // Other windows store and delete secrets too; their metadata lives in the shared globalState.
    this.subscription = context.secrets.onDidChange((event) => {
      if (event.key.startsWith(SECRET_PREFIX)) this.changed.fire();
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  private memento(scope: StoreScope): vscode.Memento {
    return scope === 'global' ? this.context.globalState : this.context.workspaceState;
  }

  private read(scope: StoreScope): StoredCredential[] {
    const raw = this.memento(scope).get<unknown>(METADATA_KEY);
    if (!Array.isArray(raw)) return [];
    return raw.filter(isStoredMetadata).map((entry) => ({ ...entry, scope }));
  }

  private async write(scope: StoreScope, entries: readonly StoredCredential[]): Promise<void> {
    const metadata: StoredMetadata[] = entries.map(({ scope: _scope, ...rest }) => rest);
    await this.memento(scope).update(METADATA_KEY, metadata);
  }

  list(): readonly StoredCredential[] {
    const workspace = this.read('workspace');
    const keys = new Set(workspace.map((entry) => entry.key));
    return [...workspace, ...this.read('global').filter((entry) => !keys.has(entry.key))];
  }

  sourcesFor(_folder: vscode.WorkspaceFolder): readonly CredentialSource[] {
    const keys: CredentialKey[] = this.list().map((entry) => ({
      key: entry.key,
      path: registryKeyPath(entry.key),
      via: entry.helper !== undefined ? 'credHelpers' : 'auths',
      label: labelOf(entry),
    }));
    return keys.length === 0 ? [] : [{ kind: 'DOCKER_AUTH_CONFIG', keys }];
  }

  async secretFor(credential: StoredCredential): Promise<string | undefined> {
    if (credential.helper !== undefined) return undefined;
    try {
      return await this.context.secrets.get(secretKey(credential.key, credential.username));
    } catch (error) {
      this.log.warn(vscode.l10n.t('Could not read the stored token for {0}: {1}', credential.registry, errorName(error)));
      return undefined;
    }
  }

  async store(credential: WizardCredential, scope: StoreScope, key = authConfigKeyFor(credential.registry)): Promise<StoredCredential> {
    if (credential.secret !== undefined) {
      try {
        await this.context.secrets.store(secretKey(key, credential.username), credential.secret);
      } catch (error) {
        // Only the error's name: a keyring error message could in principle echo what it was given.
        this.log.warn(vscode.l10n.t('SecretStorage could not store a token ({0}); the OS keychain may be unavailable.', errorName(error)));
        throw new KeyringUnavailableError(vscode.l10n.t('The OS keychain is not available, so the token cannot be stored.'));
      }
    }
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
    const existing = this.read(scope);
    const replaced = existing.filter((entry) => entry.key === key);
    await this.write(scope, [...existing.filter((entry) => entry.key !== key), stored]);
    for (const old of replaced) {
      if (old.username !== stored.username && old.helper === undefined) await this.deleteSecretIfUnused(old);
    }
    this.log.info(vscode.l10n.t('Stored a credential ({0}) for {1}, user {2}.', stored.kind, stored.key, stored.username || '-'));
    this.changed.fire();
    return stored;
  }

  async remove(credential: StoredCredential): Promise<void> {
    const remaining = this.read(credential.scope).filter((entry) => !(entry.key === credential.key && entry.username === credential.username));
    await this.write(credential.scope, remaining);
    if (credential.helper === undefined) await this.deleteSecretIfUnused(credential);
    this.log.info(vscode.l10n.t('Removed the stored credential for {0}.', credential.key));
    this.changed.fire();
  }

  /** The same key + username may be stored in both scopes; the secret goes only when neither uses it. */
  private async deleteSecretIfUnused(credential: StoredCredential): Promise<void> {
    const stillUsed = [...this.read('global'), ...this.read('workspace')].some((entry) => entry.key === credential.key && entry.username === credential.username);
    if (stillUsed) return;
    try {
      await this.context.secrets.delete(secretKey(credential.key, credential.username));
    } catch (error) {
      this.log.warn(vscode.l10n.t('Could not delete the stored token for {0}: {1}', credential.registry, errorName(error)));
    }
  }

  async combinedAuthConfig(registries?: readonly string[], extra: readonly WizardCredential[] = []): Promise<CombinedAuthConfig> {
    const chosen = this.list().filter((entry) => registries === undefined || registries.includes(entry.registry) || registries.includes(entry.key));
    // The stored key is passed as the registry: buildAuthConfig maps it to itself, keeping imported keys as written.
    const tokens: CredentialInput[] = [];
    const helpers: HelperInput[] = [];
    const missingSecrets: StoredCredential[] = [];
    for (const entry of chosen) {
      if (entry.helper !== undefined) {
        helpers.push({ key: entry.key, helper: entry.helper });
        continue;
      }
      const secret = await this.secretFor(entry);
      if (secret === undefined) missingSecrets.push(entry);
      else tokens.push({ registry: entry.key, username: entry.username, secret });
    }
    for (const credential of extra) {
      if (credential.helper !== undefined) helpers.push({ key: authConfigKeyFor(credential.registry), helper: credential.helper });
      else tokens.push({ registry: credential.registry, username: credential.username, secret: credential.secret ?? '' });
    }
    return { json: combinedAuthConfig(tokens, helpers), missingSecrets };
  }
}

function labelOf(entry: StoredCredential): string {
  if (entry.helper !== undefined) return vscode.l10n.t('stored credential helper ({0})', entry.helper);
  if (entry.kind === 'imported') return vscode.l10n.t('imported DOCKER_AUTH_CONFIG ({0})', entry.username);
  return vscode.l10n.t('stored credential ({0})', entry.username);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

function isStoredMetadata(value: unknown): value is StoredMetadata {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry.registry === 'string' && typeof entry.key === 'string' && typeof entry.username === 'string' && typeof entry.kind === 'string' && typeof entry.createdAt === 'string';
}
