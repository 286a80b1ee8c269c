/**
 * "Configure Registry Credentials…": runs the core wizard on QuickPick/InputBox and implements its services
 * (missing registries from our diagnostics, verification under a cancellable progress, SecretStorage, outputs).
 * Also registers the credential commands (manage, import, copy).
 */
import * as vscode from 'vscode';
import type { CreatedToken, MissingRegistry, WizardArgs, WizardServices } from '../../core/wizard/credentialWizard';
import { runCredentialWizard, type DeliveryRequest } from '../../core/wizard/credentialWizard';
import { parseDockerReference } from '../../core/registry/imageRef';
import type { GitLabProjectInfo } from '../../core/wizard/registryGuide';
import { COMMAND_CONFIGURE_CREDENTIALS } from '../commandIds';
import { describeContents, registerCredentialCommands } from '../credentialCommands';
import { KeyringUnavailableError, type CredentialStore } from '../credentialStore';
import { configureArgsFor } from '../codeActions';
import type { DiagnosticsService } from '../diagnostics';
import { projectAuthConfig, storedKeysUsedIn } from '../projectAuthConfig';
import type { SaidInGitLab } from '../saidInGitLab';
import type { GitLabConnection } from '../gitlab/gitlab';
import type { Platform, ProjectContexts } from '../platform';
import { hasStoredConnection } from '../gitlab/storageKeys';
import { SettingsReader } from '../settings';
import { AuthConfigPreview, configStepTargets, copyWithAutoClear, credentialsWithSecrets, type ConfigStepTarget } from './outputs';
import { QuickInputPrompter } from './quickInputPrompter';
import { verifyWithProgress } from './verify';

/** The optional helpers the GitLab connection offers when it is connected with a suitable token. */
interface GitLabHelpers {
  saveDockerAuthConfig?(folder: vscode.WorkspaceFolder, authConfigJson: string, options?: { readonly connectNow?: boolean }): Promise<void>;
  createRegistryToken?(folder: vscode.WorkspaceFolder): Promise<CreatedToken | undefined>;
}

/** How many of our diagnostics are read for step 1's list of registries; enough for it. */
const MAX_DIAGNOSTICS_SCANNED = 40;

export function registerWizard(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  credentials: CredentialStore,
  gitlab: GitLabConnection,
  diagnostics: Pick<DiagnosticsService, 'checkFolder' | 'published'>,
  said: SaidInGitLab,
  platform: Platform,
): void {
  const preview = new AuthConfigPreview();
  const settings = new SettingsReader(log);
  const deps: WizardDependencies = {
    log,
    credentials,
    preview,
    settings,
    connection: gitlab,
    platform,
    diagnostics,
    isGitLabConnected: () => hasStoredConnection(context.globalState),
  };
  context.subscriptions.push(preview);

  const configure = async (args?: WizardArgs): Promise<boolean> => {
    try {
      const services = await wizardServices(deps, args?.folder);
      const outcome = await runCredentialWizard(new QuickInputPrompter(), services, await withPipelineTag(deps.diagnostics, args ?? {}));
      return outcome.status === 'done';
    } catch (error) {
      log.error(vscode.l10n.t('The credential wizard stopped: {0}', error instanceof Error ? error.name : typeof error));
      void vscode.window.showErrorMessage(vscode.l10n.t('The credential wizard stopped unexpectedly; see the GitLab CI Auth output.'));
      return false;
    }
  };

  context.subscriptions.push(vscode.commands.registerCommand(COMMAND_CONFIGURE_CREDENTIALS, (args?: WizardArgs) => configure(args)));
  registerCredentialCommands(context, log, credentials, {
    preview,
    settings,
    configure: () => configure(),
    project: { diagnostics, connection: gitlab },
    said,
    log,
  });
}

/** The parts of the extension the wizard works with; tests build them around a failing SecretStorage. */
export interface WizardDependencies {
  readonly log: vscode.LogOutputChannel;
  readonly credentials: CredentialStore;
  readonly preview: AuthConfigPreview;
  readonly settings: SettingsReader;
  readonly connection: GitLabConnection;
  readonly platform: Platform;
  /** Step 1 reads the registries the pipelines use without credentials from the published diagnostics; the checked
   * pipelines say which stored credentials they use. */
  readonly diagnostics: Pick<DiagnosticsService, 'checkFolder' | 'published'>;
  /** Whether a GitLab connection is stored (saving to GitLab then needs no connecting first). */
  readonly isGitLabConnected?: () => boolean;
}

/** The wizard's services for the folder named by `folderArg` (else the active file's folder, else the first). */
export async function wizardServices(deps: WizardDependencies, folderArg?: string): Promise<WizardServices> {
  const folder = folderFor(folderArg);
  const project = folder ? projectInfo(deps.platform.projects, deps.settings, folder) : undefined;
  const targets = await configStepTargets();
  return createServices({ ...deps, connection: deps.connection as GitLabConnection & GitLabHelpers, folder, project, targets });
}

interface ServiceContext {
  readonly log: vscode.LogOutputChannel;
  readonly credentials: CredentialStore;
  readonly preview: AuthConfigPreview;
  readonly settings: SettingsReader;
  readonly connection: GitLabConnection & GitLabHelpers;
  readonly folder: vscode.WorkspaceFolder | undefined;
  readonly project: GitLabProjectInfo | undefined;
  readonly targets: readonly ConfigStepTarget[];
  readonly diagnostics: Pick<DiagnosticsService, 'checkFolder' | 'published'>;
  readonly isGitLabConnected?: () => boolean;
  readonly platform: Platform;
}

function createServices(ctx: ServiceContext): WizardServices {
  const { credentials, connection, folder } = ctx;
  const createToken = connection.createRegistryToken && folder ? () => connection.createRegistryToken!(folder) : undefined;
  return {
    t: vscode.l10n.t,
    ...(ctx.project ? { project: ctx.project } : {}),
    missingRegistries: () => missingRegistries(ctx.diagnostics),
    openLink: async (url) => {
      await vscode.env.openExternal(vscode.Uri.parse(url, true));
    },
    ...(createToken ? { createRegistryToken: createToken } : {}),
    verify: (request) => verifyWithProgress(request, ctx.settings.read().verifyTimeoutSeconds, ctx.log, ctx.platform.registryFetch),
    announce: (message) => void vscode.window.showInformationMessage(message),
    clipboardClearSeconds: ctx.settings.read().clipboardClearSeconds,
    gitlabConnected: ctx.isGitLabConnected?.() ?? false,
    canMergeDockerConfig: ctx.platform.mergeIntoDockerConfig !== undefined,
    store: async (credential, scope) => {
      try {
        await credentials.store(credential, scope);
        return { ok: true };
      } catch (error) {
        if (KeyringUnavailableError.is(error)) return { ok: false, reason: 'keyring-unavailable' };
        throw error;
      }
    },
    storedRegistries: () => credentials.list().map((entry) => entry.registry),
    usedRegistries: () => {
      const keys = storedKeysUsedIn(ctx.diagnostics, folder);
      return credentials.list().flatMap((entry) => (keys.includes(entry.key) ? [entry.registry] : []));
    },
    configStepJobs: () => ctx.targets.map((target) => target.label),
    canSaveToGitLab: connection.saveDockerAuthConfig !== undefined && folder !== undefined,
    deliver: (request) => deliver(ctx, request),
    showGuidance: async (message, detail) => {
      const openSettings = vscode.l10n.t('Open CI/CD settings');
      const choice = await vscode.window.showInformationMessage(message, { modal: true, detail }, ...(ctx.project ? [openSettings] : []));
      if (choice === openSettings && ctx.project) {
        await vscode.env.openExternal(
          vscode.Uri.parse(`${ctx.project.instanceUrl}/${ctx.project.projectPath}/-/settings/ci_cd#js-cicd-variables-settings`, true),
        );
      }
    },
  };
}

async function deliver(ctx: ServiceContext, request: DeliveryRequest): Promise<void> {
  const extra = request.unstored ? [request.unstored] : [];
  // The whole value: the chosen stored credentials over what GitLab's variable already holds.
  let combined: Awaited<ReturnType<typeof projectAuthConfig>>;
  try {
    combined = await projectAuthConfig(
      { credentials: ctx.credentials, diagnostics: ctx.diagnostics, connection: ctx.connection },
      ctx.folder,
      request.registries,
      extra,
    );
  } catch (error) {
    // Without GitLab's current entries the value would be a subset: nothing is output rather than that.
    void vscode.window.showErrorMessage(vscode.l10n.t('Nothing was output: {0}', error instanceof Error ? error.message : String(error)));
    return;
  }
  if (combined.missingSecrets.length > 0) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        'Left out {0}: the token is missing from SecretStorage. Re-enter it under "Manage Registry Credentials".',
        combined.missingSecrets.map((entry) => entry.registry).join(', '),
      ),
    );
  }
  for (const action of request.actions) {
    switch (action) {
      case 'clipboard': {
        const seconds = ctx.settings.read().clipboardClearSeconds;
        await copyWithAutoClear(combined.json, seconds);
        const contents = vscode.l10n.t('It holds {0}.', describeContents(combined));
        void vscode.window.showInformationMessage(
          seconds > 0
            ? vscode.l10n.t('DOCKER_AUTH_CONFIG copied. {0} It contains your token: the clipboard is cleared in {1} s if it still holds it.', contents, seconds)
            : vscode.l10n.t('DOCKER_AUTH_CONFIG copied. {0} It contains your token.', contents),
        );
        break;
      }
      case 'preview':
        await ctx.preview.show(combined.json);
        break;
      case 'docker-config':
        await ctx.platform.mergeIntoDockerConfig?.(await credentialsWithSecrets(ctx.credentials, request.registries, extra), ctx.log);
        break;
      case 'config-step': {
        const target = ctx.targets.find((candidate) => candidate.label === request.configStepJob);
        if (target?.action.edit) await vscode.workspace.applyEdit(target.action.edit);
        break;
      }
      case 'gitlab-variable':
        if (ctx.folder && ctx.connection.saveDockerAuthConfig) {
          try {
            // Not connected, the user chose "Connect to GitLab and save…": connect, then go on saving this value.
            await ctx.connection.saveDockerAuthConfig(ctx.folder, combined.json, { connectNow: true });
          } catch (error) {
            void vscode.window.showErrorMessage(
              vscode.l10n.t('Could not save the CI/CD variable: {0}', error instanceof Error ? error.message : String(error)),
            );
          }
        }
        break;
    }
  }
}

/**
 * Registries our published `missing-credentials` diagnostics report, with what their "Configure credentials" quick fix
 * passes, read straight from the diagnostics service (no round trip through the code action provider).
 */
async function missingRegistries(diagnostics: Pick<DiagnosticsService, 'published'>): Promise<MissingRegistry[]> {
  const found = new Map<string, MissingRegistry>();
  for (const { uri, diagnostic, finding } of diagnostics.published('missing-credentials').slice(0, MAX_DIAGNOSTICS_SCANNED)) {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const args = configureArgsFor(finding, folder?.uri.toString() ?? '');
    if (!args || found.has(args.registry)) continue;
    const tag = args.repository ? await tagAt(uri, diagnostic.range, args.repository) : undefined;
    found.set(args.registry, {
      registry: args.registry,
      ...(args.repository ? { repository: args.repository } : {}),
      ...(tag !== undefined ? { tag } : {}),
      usedBy: `${vscode.workspace.asRelativePath(uri)}:${diagnostic.range.start.line + 1}`,
    });
  }
  return [...found.values()];
}

/**
 * The tag (or digest) of the image written at a diagnostic, when it is a literal reference to `repository`:
 * verification then probes the image the pipeline pulls rather than `latest`.
 */
async function tagAt(uri: vscode.Uri, range: vscode.Range, repository: string): Promise<string | undefined> {
  try {
    const written = (await vscode.workspace.openTextDocument(uri))
      .getText(range)
      .trim()
      .replace(/^(["'])(.*)\1$/, '$2');
    const reference = parseDockerReference(written);
    if (!reference.valid || reference.repository !== repository) return undefined;
    return reference.digest ?? reference.tag ?? undefined;
  } catch {
    return undefined;
  }
}

/** Quick fixes pass registry and repository; the tag comes from the pipeline's diagnostics when they name the same image. */
async function withPipelineTag(diagnostics: Pick<DiagnosticsService, 'published'>, args: WizardArgs): Promise<WizardArgs> {
  if (args.registry === undefined || args.repository === undefined || args.tag !== undefined) return args;
  const used = (await missingRegistries(diagnostics)).find((entry) => entry.registry === args.registry && entry.repository === args.repository);
  return used?.tag !== undefined ? { ...args, tag: used.tag } : args;
}

function folderFor(folderArg: string | undefined): vscode.WorkspaceFolder | undefined {
  if (folderArg) {
    const uri = /^[a-z][a-z0-9+.-]*:/i.test(folderArg) && !/^[a-z]:[\\/]/i.test(folderArg) ? vscode.Uri.parse(folderArg) : vscode.Uri.file(folderArg);
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (folder) return folder;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  return (active && vscode.workspace.getWorkspaceFolder(active)) || vscode.workspace.workspaceFolders?.[0];
}

function projectInfo(projects: ProjectContexts, settings: SettingsReader, folder: vscode.WorkspaceFolder): GitLabProjectInfo | undefined {
  const context = projects.contextFor(folder, settings.read(folder.uri));
  const registry = context?.predefinedVariables['CI_REGISTRY'];
  if (!context || !registry) return undefined;
  return { instanceUrl: context.instanceUrl, registry, projectPath: context.projectPath };
}
