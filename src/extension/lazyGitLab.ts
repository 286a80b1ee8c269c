/**
 * The GitLab connection as activation sees it: a stand-in that requires the real one (`registerGitLab`) only once
 * GitLab is in use. Most users never connect, so their activation never runs the modules of the GitLab client, the
 * variable coverage, the include fetcher or the CI Lint report (esbuild keeps a `require` of a bundled module lazy).
 *
 * It loads when a connection (or a token created through GitLab, for its expiry warning) is stored at activation or
 * appears later (another window connecting shares globalState and SecretStorage), when a GitLab command runs, or when
 * the wizard saves to GitLab or creates a token there. Until then it knows nothing: no coverage, no fetched includes.
 */
import * as vscode from 'vscode';
import { COMMAND_COMPARE_WITH_CI_LINT, COMMAND_CONNECT_GITLAB, COMMAND_CREATE_REGISTRY_TOKEN, COMMAND_REFRESH_GITLAB } from './commandIds';
import type { CredentialStore } from './credentialStore';
import type * as GitLab from './gitlab/gitlab';
import type { GitLabConnection } from './gitlab/gitlab';
import { TOKEN_SECRET_PREFIX, hasStoredConnection, hasStoredGitLabState } from './gitlab/storageKeys';
import { registerOnFirstUse } from './lazyCommands';
import type { Platform } from './platform';

/** Every command `registerGitLab` registers. */
const GITLAB_COMMANDS = [COMMAND_CONNECT_GITLAB, COMMAND_REFRESH_GITLAB, COMMAND_CREATE_REGISTRY_TOKEN, COMMAND_COMPARE_WITH_CI_LINT];

/** Runs the GitLab modules on first call; later calls return the same instance. */
function loadGitLab(): typeof GitLab {
  return require('./gitlab/gitlab') as typeof GitLab;
}

/** The GitLab connection for diagnostics, hovers and the wizard; loads the implementation when GitLab is in use. */
export function registerGitLabOnDemand(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  credentials: CredentialStore,
  platform: Platform,
): GitLabConnection {
  let loaded: GitLabConnection | undefined;
  const changed = new vscode.EventEmitter<void>();
  const fireChanged = () => changed.fire();
  const load = registerOnFirstUse(context, GITLAB_COMMANDS, () => {
    loaded = loadGitLab().registerGitLab(context, log, credentials, platform);
    context.subscriptions.push(loaded.onDidChange(fireChanged));
    // What the diagnostics computed without GitLab is stale now.
    fireChanged();
  });
  let loadFailed = false;
  /** Loads in the background paths (activation, diagnostics): a failure to load is logged once, never thrown into a check. */
  const tryLoad = (): GitLabConnection | undefined => {
    if (loaded || loadFailed) return loaded;
    try {
      load();
    } catch (error) {
      loadFailed = true;
      log.error(`GitLab support could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
    }
    return loaded;
  };
  const implementation = (): GitLabConnection => {
    load();
    if (!loaded) throw new Error(vscode.l10n.t('GitLab support could not be loaded (see the GitLab CI Auth log); reinstalling the extension may help.'));
    return loaded;
  };
  /** The implementation when it is loaded or a connection is stored (another window may have stored one since). */
  const ifConnected = (): GitLabConnection | undefined => loaded ?? (hasStoredConnection(context.globalState) ? tryLoad() : undefined);

  context.subscriptions.push(
    changed,
    context.secrets.onDidChange((event) => {
      if (!loaded && event.key.startsWith(TOKEN_SECRET_PREFIX)) tryLoad();
    }),
  );
  if (hasStoredGitLabState(context.globalState)) tryLoad();

  return {
    onDidChange: changed.event,
    sourcesFor: (folder) => ifConnected()?.sourcesFor(folder) ?? [],
    externalIncludesFor: (folder) => loaded?.externalIncludesFor(folder),
    requestIncludes: (folder, requests) => ifConnected()?.requestIncludes(folder, requests),
    includeFailureFor: (folder, request) => loaded?.includeFailureFor(folder, request),
    variablesCoverageFor: (folder) => loaded?.variablesCoverageFor(folder),
    saveDockerAuthConfig: (folder, authConfigJson, options) => implementation().saveDockerAuthConfig!(folder, authConfigJson, options),
    createRegistryToken: (folder) => implementation().createRegistryToken!(folder),
    currentDockerAuthConfig: async (folder) => ifConnected()?.currentDockerAuthConfig?.(folder),
  };
}
