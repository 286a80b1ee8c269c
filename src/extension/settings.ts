/** The one place the extension reads and writes its settings (validated by the schema in core/settings). */
import * as vscode from 'vscode';
import { SETTINGS_SECTION, parseSettings, type Settings } from '../core/settings';

export class SettingsReader {
  /** Problems already logged, so a bad value is reported once, not on every keystroke. */
  private readonly reported = new Set<string>();

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** The settings in effect for a resource (a workspace folder or a file); undefined scope = window level. */
  read(scope?: vscode.ConfigurationScope): Settings {
    const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
    const { settings, problems } = parseSettings((key) => configuration.get(key));
    for (const problem of problems) {
      const line = `${problem.key}: ${problem.message}`;
      if (this.reported.has(line)) continue;
      this.reported.add(line);
      this.log.warn(vscode.l10n.t('Setting {0} ignored, using its default: {1}', problem.key, problem.message));
    }
    return settings;
  }
}

/** True when a configuration change touches this extension's settings for the given folder. */
export function affectsSettings(event: vscode.ConfigurationChangeEvent, scope?: vscode.ConfigurationScope): boolean {
  return event.affectsConfiguration(SETTINGS_SECTION, scope);
}

/**
 * Adds a registry to `gitlabCiAuth.publicRegistries` of a workspace folder, starting from the value in effect there
 * so the defaults are kept.
 */
export async function addPublicRegistry(folder: vscode.Uri, registry: string): Promise<void> {
  const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION, folder);
  const current = configuration.get<unknown>('publicRegistries');
  const list = Array.isArray(current) ? current.filter((entry): entry is string => typeof entry === 'string') : [];
  if (list.includes(registry)) return;
  await configuration.update('publicRegistries', [...list, registry], vscode.ConfigurationTarget.WorkspaceFolder);
}
