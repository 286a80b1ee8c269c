/**
 * The GitLab connection: connect, DOCKER_AUTH_CONFIG coverage from CI/CD variables, saving the variable, creating
 * registry tokens, external includes and the CI Lint comparison. Each concept lives in its own file; this one wires
 * them and registers the commands. Required only once GitLab is in use (lazyGitLab.ts).
 */
import * as vscode from 'vscode';
import { buildAuthConfig } from '../../core/auth/build';
import { expiryWarnings, type TrackedToken } from '../../core/gitlab/tokenExpiry';
import { dockerAuthConfigKey, type VariablesCoverage } from '../../core/gitlab/variablesCoverage';
import type { ExternalIncludeRequest, ExternalIncludes } from '../../core/pipeline/options';
import type { CredentialSource } from '../../core/types';
import type { CoverageContributor } from '../coverage';
import type { CredentialStore } from '../credentialStore';
import { LintReportProvider, lintReportScheme } from './lintReport';
import type { ConnectArgs } from './connect';
import { GitLabConnections, pickFolder, type FolderAccess } from './connections';
import { IncludeFetcher } from './includeFetcher';
import type { CreatedRegistryToken } from './registryToken';
import { createdTokens } from './tokenRecords';
import { loadCommands } from '../lazyCommands';
import type { Platform } from '../platform';
import { GitLabVariableCoverage, type RefreshOutcome } from './variableCoverage';
import {
  COMMAND_COMPARE_WITH_CI_LINT,
  COMMAND_CONFIGURE_CREDENTIALS,
  COMMAND_CONNECT_GITLAB,
  COMMAND_CREATE_REGISTRY_TOKEN,
  COMMAND_REFRESH_GITLAB,
} from '../commandIds';

/**
 * The GitLab connection: CI/CD variable coverage, token creation, remote includes.
 * `saveDockerAuthConfig` and `createRegistryToken` are optional in the type so callers check for them; registerGitLab always provides both.
 */
export interface SaveOptions {
  /** Connect without asking first when there is no connection. */
  readonly connectNow?: boolean;
}

export interface GitLabConnection extends CoverageContributor {
  /**
   * Saves DOCKER_AUTH_CONFIG as a CI/CD variable, merged with the current one after a modal confirmation.
   * Connects first if needed: after asking, or at once with `connectNow` (the user already chose "Connect to GitLab and
   * save…"). Resolves when saved or cancelled; rejects with a readable Error when GitLab refuses.
   */
  saveDockerAuthConfig?(folder: vscode.WorkspaceFolder, authConfigJson: string, options?: SaveOptions): Promise<void>;
  /** Creates a pull-only registry token in the folder's project; undefined when cancelled. Rejects with a readable Error. */
  createRegistryToken?(folder: vscode.WorkspaceFolder): Promise<CreatedRegistryToken | undefined>;
  /** External include files fetched so far, for `resolvePipeline`'s `externalIncludes`; never blocks. */
  externalIncludesFor(folder: vscode.WorkspaceFolder): ExternalIncludes | undefined;
  /** Fetches these unresolved includes in the background (when connected); onDidChange fires when some arrive. */
  requestIncludes(folder: vscode.WorkspaceFolder, requests: readonly ExternalIncludeRequest[]): void;
  /** Why an include could not be fetched, for hovers. */
  includeFailureFor(folder: vscode.WorkspaceFolder, request: ExternalIncludeRequest): string | undefined;
  /** What GitLab's CI/CD variables say about DOCKER_AUTH_CONFIG (for hovers); undefined until read. */
  variablesCoverageFor(folder: vscode.WorkspaceFolder): VariablesCoverage | undefined;
  /**
   * The value of the DOCKER_AUTH_CONFIG the folder's jobs receive, read now, when connected and it is readable and valid
   * (so a copied config can keep its entries); undefined otherwise. Contains secrets: never log it.
   */
  currentDockerAuthConfig?(folder: vscode.WorkspaceFolder): Promise<string | undefined>;
}

export function registerGitLab(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  credentials: CredentialStore,
  platform: Platform,
): GitLabConnection {
  const connections = new GitLabConnections(context.secrets, context.globalState, log, platform.projects);
  const coverage = new GitLabVariableCoverage(connections, log);
  const includes = new IncludeFetcher(connections, log);
  const reports = new LintReportProvider();
  const changed = new vscode.EventEmitter<void>();
  context.subscriptions.push(
    connections,
    coverage,
    includes,
    reports,
    changed,
    coverage.onDidChange(() => changed.fire()),
    includes.onDidFetch(() => changed.fire()),
    connections.onDidChange(() => includes.clear()),
    vscode.workspace.registerTextDocumentContentProvider(lintReportScheme, reports),
  );

  /** Access that may write; offers to connect (or connects, `connectNow`) when there is none yet. Throws a readable Error otherwise. */
  const writableAccess = async (folder: vscode.WorkspaceFolder, connectNow = false): Promise<(FolderAccess & { ok: true }) | undefined> => {
    let access = await connections.accessFor(folder);
    if (!access.ok && (access.reason === 'not-connected' || access.reason === 'token-missing')) {
      const connect = vscode.l10n.t('Connect…');
      if (!connectNow && (await vscode.window.showInformationMessage(access.message, connect)) !== connect) return undefined;
      if (!(await loadCommands().connectGitLab(connections, log, { folder: folder.uri.toString() }))) return undefined;
      access = await connections.accessFor(folder);
    }
    if (!access.ok) throw new Error(access.message);
    if (!access.canWrite) throw new Error(vscode.l10n.t('The token for {0} is read-only: connect with a token that has the api scope.', access.instance.host));
    return access;
  };

  const saveDockerAuthConfig = async (folder: vscode.WorkspaceFolder, authConfigJson: string, options?: SaveOptions): Promise<void> => {
    const access = await writableAccess(folder, options?.connectNow);
    if (!access) return;
    if (await loadCommands().saveDockerAuthConfigInteractively(access, authConfigJson, log)) await coverage.refresh(folder, false, true);
  };

  const currentDockerAuthConfig = async (folder: vscode.WorkspaceFolder): Promise<string | undefined> => {
    const effective = coverage.coverageFor(folder)?.effective;
    if (effective?.state.kind !== 'valid') return undefined;
    const access = await connections.accessFor(folder);
    if (!access.ok) return undefined;
    const variable = await access.api.variable(effective.owner, dockerAuthConfigKey, effective.environmentScope);
    return variable?.value ?? undefined;
  };

  const createRegistryToken = async (folder: vscode.WorkspaceFolder): Promise<CreatedRegistryToken | undefined> => {
    const access = await writableAccess(folder);
    return access ? loadCommands().createRegistryTokenInteractively(access, context.globalState, log) : undefined;
  };

  const warnAboutExpiry = () => {
    const tracked: TrackedToken[] = [
      ...connections
        .all()
        .flatMap((connection) =>
          connection.expiresAt ? [{ description: `personal access token for ${new URL(connection.origin).host}`, expiresAt: connection.expiresAt }] : [],
        ),
      ...createdTokens(context.globalState),
    ];
    for (const warning of expiryWarnings(tracked, new Date())) {
      log.warn(warning.message);
      void vscode.window.showWarningMessage(warning.message);
    }
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(COMMAND_CONNECT_GITLAB, (args?: ConnectArgs) => loadCommands().connectGitLab(connections, log, args)),
    // Resolves with each folder's outcome (what the notification said), for scripts and tests.
    vscode.commands.registerCommand(COMMAND_REFRESH_GITLAB, async (): Promise<RefreshOutcome[]> => {
      includes.refetchAll();
      warnAboutExpiry();
      const outcomes = await coverage.refreshAll(true);
      changed.fire();
      return outcomes;
    }),
    // These two resolve true when they did their work, false when cancelled or failed (said in a notification).
    vscode.commands.registerCommand(COMMAND_CREATE_REGISTRY_TOKEN, (folderHint?: vscode.WorkspaceFolder | string) =>
      reportFailure(log, vscode.l10n.t('Could not create the registry token'), async () => {
        const folder = await pickFolder(folderHint);
        if (!folder) return false;
        const created = await createRegistryToken(folder);
        if (!created) return false;
        await handOver(folder, created, credentials, saveDockerAuthConfig, log);
        return true;
      }),
    ),
    vscode.commands.registerCommand(COMMAND_COMPARE_WITH_CI_LINT, (folderHint?: vscode.WorkspaceFolder | string) =>
      reportFailure(log, vscode.l10n.t('Could not compare with GitLab CI Lint'), async () => {
        const folder = await pickFolder(folderHint);
        if (!folder) return false;
        const access = await connections.accessFor(folder);
        if (!access.ok) throw new Error(access.message);
        await loadCommands().compareWithCiLint(
          folder,
          access,
          connections.settings.read(folder.uri).ciConfigPath,
          includes.externalIncludesFor(folder),
          reports,
          platform.folderFiles(folder),
        );
        return true;
      }),
    ),
  );
  warnAboutExpiry();

  return {
    onDidChange: changed.event,
    sourcesFor: (folder): readonly CredentialSource[] => coverage.sourcesFor(folder),
    saveDockerAuthConfig,
    createRegistryToken,
    currentDockerAuthConfig,
    externalIncludesFor: (folder) => includes.externalIncludesFor(folder),
    requestIncludes: (folder, requests) => includes.request(folder, requests),
    includeFailureFor: (folder, request) => includes.failureFor(folder, request),
    variablesCoverageFor: (folder) => coverage.coverageFor(folder),
  };
}

/** After the palette command created a token: keep it in SecretStorage, then offer to save DOCKER_AUTH_CONFIG in GitLab. */
async function handOver(
  folder: vscode.WorkspaceFolder,
  created: CreatedRegistryToken,
  credentials: CredentialStore,
  save: (folder: vscode.WorkspaceFolder, json: string) => Promise<void>,
  log: vscode.LogOutputChannel,
): Promise<void> {
  let json: string;
  try {
    await credentials.store({ ...created, kind: 'created-in-gitlab' }, 'workspace');
    json = (await credentials.combinedAuthConfig([created.registry])).json;
  } catch (error) {
    // Without a keyring the token cannot be kept: it can still go straight into the CI/CD variable now.
    log.warn(`Storing the new token failed: ${error instanceof Error ? error.message : String(error)}`);
    json = buildAuthConfig([{ registry: created.registry, username: created.username, secret: created.secret }]);
  }
  const saveInGitLab = vscode.l10n.t('Save DOCKER_AUTH_CONFIG in GitLab…');
  const wizard = vscode.l10n.t('Open the Wizard');
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Created a token for {0} (user {1}{2}).',
      created.registry,
      created.username,
      created.expiresAt ? vscode.l10n.t(', expires {0}', created.expiresAt) : '',
    ),
    saveInGitLab,
    wizard,
  );
  if (choice === saveInGitLab) await save(folder, json);
  if (choice === wizard) await vscode.commands.executeCommand(COMMAND_CONFIGURE_CREDENTIALS, { registry: created.registry, folder: folder.uri.toString() });
}

/** Runs `task`; a failure is logged and shown, and resolves false. */
async function reportFailure(log: vscode.LogOutputChannel, what: string, task: () => Promise<boolean>): Promise<boolean> {
  try {
    return await task();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.warn(`${what}: ${message}`);
    void vscode.window.showErrorMessage(`${what}: ${message}`);
    return false;
  }
}
