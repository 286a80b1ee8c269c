/** Per-run isolation shared by code-server and test-electron: a private workspace copy and fresh user settings. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fromRepo } from './paths';

/** Settings every test starts from: no Restricted Mode (the extension would not run), no welcome page or tips. */
export const defaultSettings: Readonly<Record<string, unknown>> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
  'chat.disableAIFeatures': true,
};

export interface WorkspaceCopy {
  /** The copied folder (or the copied folder holding the `.code-workspace` file). */
  readonly workspaceDir: string;
  /** What VS Code opens: `workspaceDir`, or the `.code-workspace` file inside it. */
  readonly workspacePath: string;
}

/** Tests may edit files: each run opens a private copy under `root`, never the fixture in the repository. */
export function copyWorkspace(workspace: string, root: string): WorkspaceCopy {
  const source = fromRepo(workspace);
  if (!fs.existsSync(source)) throw new Error(`workspace fixture not found: ${source}`);
  const isWorkspaceFile = source.endsWith('.code-workspace');
  const sourceDir = isWorkspaceFile ? path.dirname(source) : source;
  const workspaceDir = path.join(root, 'workspace', path.basename(sourceDir));
  fs.cpSync(sourceDir, workspaceDir, { recursive: true });
  return {
    workspaceDir,
    workspacePath: isWorkspaceFile ? path.join(workspaceDir, path.basename(source)) : workspaceDir,
  };
}

/** Writes `<userDataDir>/User/settings.json`: the defaults with `settings` on top. */
export function writeUserSettings(userDataDir: string, settings: Readonly<Record<string, unknown>> = {}): void {
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...defaultSettings, ...settings }, null, 2));
}
