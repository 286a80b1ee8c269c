/**
 * The whole DOCKER_AUTH_CONFIG a project needs, as Copy and the wizard hand it out: every stored credential the
 * project's pipelines use, merged over the entries GitLab's variable already holds (when connected and readable).
 * Pasting it into GitLab therefore never drops a registry that was there.
 */
import type * as vscode from 'vscode';
import { storedKeysUsedBy } from '../core/check';
import { planAuthConfigWrite } from '../core/gitlab/authConfigWrite';
import type { WizardCredential } from '../core/wizard/credentialWizard';
import type { CredentialStore, StoredCredential } from './credentialStore';
import type { DiagnosticsService } from './diagnostics';
import type { GitLabConnection } from './gitlab/gitlab';

export interface ProjectAuthConfigSources {
  readonly credentials: CredentialStore;
  readonly diagnostics: Pick<DiagnosticsService, 'checkFolder'>;
  readonly connection: Pick<GitLabConnection, 'currentDockerAuthConfig'>;
}

export interface ProjectAuthConfig {
  /** Minified JSON. Contains secrets: never log it. */
  readonly json: string;
  /** Keys written from VS Code's store (and credentials used once). */
  readonly fromStore: readonly string[];
  /** Keys kept as they are in GitLab's variable. */
  readonly fromGitLab: readonly string[];
  /** Stored credentials left out because their token is missing or unreadable. */
  readonly missingSecrets: readonly StoredCredential[];
}

/** Stored keys the folder's pipelines use; empty when nothing is checked there (no pipeline, diagnostics off). */
export function storedKeysUsedIn(diagnostics: Pick<DiagnosticsService, 'checkFolder'>, folder: vscode.WorkspaceFolder | undefined): string[] {
  const project = folder && diagnostics.checkFolder(folder);
  if (!project) return [];
  return [...new Set(project.entries.flatMap((entry) => storedKeysUsedBy(entry.pipeline, project.options)))];
}

/**
 * Builds the project's DOCKER_AUTH_CONFIG. `registries` (hosts or keys) picks the stored credentials; without it, those
 * the pipelines use, or every stored one when they use none. GitLab's entries come first, stored ones replace a key
 * with the same lookup path. Throws when GitLab's value cannot be read although it should be (a readable error).
 */
export async function projectAuthConfig(
  sources: ProjectAuthConfigSources,
  folder: vscode.WorkspaceFolder | undefined,
  registries?: readonly string[],
  extra: readonly WizardCredential[] = [],
): Promise<ProjectAuthConfig> {
  const used = storedKeysUsedIn(sources.diagnostics, folder);
  // A credential whose token is gone no longer covers anything, so no pipeline "uses" it: chosen all the same, so that
  // the result names it as left out instead of losing it silently.
  const lost = used.length > 0 && registries === undefined ? await keysWithoutToken(sources.credentials) : [];
  const chosen = registries ?? (used.length > 0 ? [...used, ...lost] : undefined);
  const combined = await sources.credentials.combinedAuthConfig(chosen, extra);
  const fromStore = [...combined.included, ...extra.map((credential) => credential.registry)];
  const inGitLab = folder ? await sources.connection.currentDockerAuthConfig?.(folder) : undefined;
  if (inGitLab === undefined) return { json: combined.json, fromStore, fromGitLab: [], missingSecrets: combined.missingSecrets };
  const plan = planAuthConfigWrite(inGitLab, combined.json);
  return { json: plan.value, fromStore, fromGitLab: plan.kept.filter((key) => !fromStore.includes(key)), missingSecrets: combined.missingSecrets };
}

async function keysWithoutToken(credentials: CredentialStore): Promise<string[]> {
  const keys: string[] = [];
  for (const entry of credentials.list()) {
    const status = await credentials.tokenStatus(entry);
    if (status === 'missing' || status === 'unreadable') keys.push(entry.key);
  }
  return keys;
}
