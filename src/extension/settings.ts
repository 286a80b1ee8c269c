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
    const { settings, problems } = parseSettings((key) =>
      key === ADDITIONAL_PUBLIC ? allLevels(configuration.inspect<unknown>(key)) : configuration.get(key),
    );
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

const ADDITIONAL_PUBLIC = 'additionalPublicRegistries';

/** The entries of a list setting at every level, added up (a non-list level is handed on for the schema to reject). */
function allLevels(inspected: { globalValue?: unknown; workspaceValue?: unknown; workspaceFolderValue?: unknown } | undefined): unknown {
  const levels = [inspected?.globalValue, inspected?.workspaceValue, inspected?.workspaceFolderValue].filter((value) => value !== undefined);
  const bad = levels.find((value) => !Array.isArray(value));
  if (bad !== undefined) return bad;
  return levels.length === 0 ? undefined : levels.flatMap((value) => value as unknown[]);
}

/**
 * *Treat as public*: adds just this registry to `gitlabCiAuth.additionalPublicRegistries` in the settings the user
 * picks (workspace or user), says what changed, and offers Undo. `publicRegistries` and its defaults are left alone.
 */
export async function treatAsPublic(folder: vscode.Uri, registry: string): Promise<boolean> {
  const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION, folder);
  const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  type Choice = vscode.QuickPickItem & { target: vscode.ConfigurationTarget; where: string };
  const workspaceTarget = multiRoot ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Workspace;
  const items: Choice[] = [
    {
      label: vscode.l10n.t('This project'),
      description: vscode.l10n.t('workspace settings (.vscode/settings.json)'),
      target: workspaceTarget,
      where: vscode.l10n.t('the workspace settings (.vscode/settings.json)'),
    },
    {
      label: vscode.l10n.t('All my projects'),
      description: vscode.l10n.t('user settings'),
      target: vscode.ConfigurationTarget.Global,
      where: vscode.l10n.t('your user settings'),
    },
  ];
  const choice = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Treat {0} as public', registry),
    placeHolder: vscode.l10n.t('Its images are pulled without credentials. Where should this apply?'),
  });
  if (!choice) return false;
  const current = levelValue(configuration.inspect<unknown>(ADDITIONAL_PUBLIC), choice.target);
  if (!current.includes(registry)) await configuration.update(ADDITIONAL_PUBLIC, [...current, registry], choice.target);
  const undo = vscode.l10n.t('Undo');
  const answer = await vscode.window.showInformationMessage(
    vscode.l10n.t(
      '{0} is treated as public: added to gitlabCiAuth.additionalPublicRegistries in {1}. Its images are no longer reported.',
      registry,
      choice.where,
    ),
    undo,
  );
  if (answer === undo) {
    const now = levelValue(configuration.inspect<unknown>(ADDITIONAL_PUBLIC), choice.target).filter((entry) => entry !== registry);
    await configuration.update(ADDITIONAL_PUBLIC, now.length > 0 ? now : undefined, choice.target);
  }
  return true;
}

function levelValue(
  inspected: { globalValue?: unknown; workspaceValue?: unknown; workspaceFolderValue?: unknown } | undefined,
  target: vscode.ConfigurationTarget,
): string[] {
  const value =
    target === vscode.ConfigurationTarget.Global
      ? inspected?.globalValue
      : target === vscode.ConfigurationTarget.Workspace
        ? inspected?.workspaceValue
        : inspected?.workspaceFolderValue;
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}
