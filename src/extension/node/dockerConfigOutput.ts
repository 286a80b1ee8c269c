/**
 * The wizard's "Merge into ~/.docker/config.json" output: desktop only (it needs the local file system), so only the
 * Node platform (node/platform.ts) offers it and the browser bundle never holds this module.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { mergeIntoDockerConfigFile } from '../../core/auth/dockerConfigFile';
import type { WizardCredential } from '../../core/wizard/credentialWizard';

/** The one place the docker config directory is chosen; tests point it elsewhere with this variable. */
export function dockerConfigPath(): string {
  const dir = process.env.GITLAB_CI_AUTH_DOCKER_CONFIG_DIR || path.join(os.homedir(), '.docker');
  return path.join(dir, 'config.json');
}

/** Asks first, then merges the token entries into the docker config file; reports the backup and what overrides them. */
export async function mergeIntoDockerConfigWithConfirmation(credentials: readonly WizardCredential[], log: vscode.LogOutputChannel): Promise<boolean> {
  const file = dockerConfigPath();
  // Credential helper entries (ECR) configure the runner host, not a local login: only tokens are merged.
  const tokens = credentials.filter((credential) => credential.helper === undefined && credential.secret !== undefined);
  if (tokens.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Nothing to merge into {0}: the chosen entries use a credential helper.', file));
    return false;
  }
  const merge = vscode.l10n.t('Merge');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Merge {0} registry credential(s) into {1}?', tokens.length, file),
    {
      modal: true,
      detail: vscode.l10n.t(
        'Existing entries for other registries are kept. The previous file is copied to config.json.bak first (mode 0600), replacing any older backup, so only one old copy of your tokens is kept. The file stores the tokens in plain base64.',
      ),
    },
    merge,
  );
  if (answer !== merge) return false;
  try {
    const result = await mergeIntoDockerConfigFile(
      file,
      tokens.map((credential) => ({ registry: credential.registry, username: credential.username, secret: credential.secret! })),
    );
    log.info(vscode.l10n.t('Merged registry credentials into {0} (keys {1}).', file, result.keys.join(', ')));
    const done = result.created
      ? vscode.l10n.t('Created {0}.', file)
      : vscode.l10n.t('Merged into {0}; the previous file is at {1} (the only backup kept, mode 0600).', file, result.backupPath ?? '-');
    if (result.credsStore !== null) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t(
          '{0} But it sets credsStore "{1}", so docker reads credentials from that helper and ignores these entries; use docker login instead.',
          done,
          result.credsStore,
        ),
      );
    } else if (result.credHelperKeys.length > 0) {
      void vscode.window.showWarningMessage(vscode.l10n.t('{0} A credHelpers entry overrides {1} for docker.', done, result.credHelperKeys.join(', ')));
    } else {
      void vscode.window.showInformationMessage(done);
    }
    return true;
  } catch (error) {
    // DockerConfigFileError messages name the file and the reason, never its content.
    const reason = error instanceof Error ? error.message : String(error);
    log.error(vscode.l10n.t('Could not update {0}: {1}', file, reason));
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not update {0}: {1}', file, reason));
    return false;
  }
}
