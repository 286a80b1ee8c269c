/**
 * Saves a DOCKER_AUTH_CONFIG as a CI/CD variable: the user picks project or group, scope and protection; the new
 * entries are merged into the current value and a modal lists the registries added, changed and kept before saving.
 */
import * as vscode from 'vscode';
import type { VariableOwner } from '../../core/gitlab/api';
import { planAuthConfigWrite, writeVariable, type AuthConfigWritePlan } from '../../core/gitlab/authConfigWrite';
import { namespaceChain, namespaceOfProject } from '../../core/gitlab/instance';
import { dockerAuthConfigKey, variableLabel } from '../../core/gitlab/variablesCoverage';
import type { FolderAccess } from './connections';

type WritableAccess = FolderAccess & { ok: true };

/**
 * Asks where and how to save, shows the merge, and upserts. Resolves when saved or cancelled (nothing is saved then);
 * rejects with a user-readable Error when GitLab refuses.
 */
export async function saveDockerAuthConfigInteractively(access: WritableAccess, authConfigJson: string, log: vscode.LogOutputChannel): Promise<boolean> {
  const projectPath = access.context.projectPath;
  const owners: VariableOwner[] = [
    { level: 'project', path: projectPath },
    ...namespaceChain(namespaceOfProject(projectPath)).map((path) => ({ level: 'group' as const, path })),
  ];
  const ownerPick = await vscode.window.showQuickPick(
    owners.map((owner) => ({
      label: owner.level === 'project' ? vscode.l10n.t('Project {0}', owner.path) : vscode.l10n.t('Group {0}', owner.path),
      description: owner.level === 'project' ? vscode.l10n.t('needs the Maintainer role') : vscode.l10n.t('every project in the group; needs the Owner role'),
      owner,
    })),
    { title: vscode.l10n.t('Save DOCKER_AUTH_CONFIG (1/3): where'), ignoreFocusOut: true },
  );
  if (!ownerPick) return false;
  const owner = ownerPick.owner;

  const scope = await vscode.window.showInputBox({
    title: vscode.l10n.t('Save DOCKER_AUTH_CONFIG (2/3): environment scope'),
    prompt: vscode.l10n.t('* for every job. Another scope (Premium) applies only to jobs whose environment matches it.'),
    value: '*',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() === '' ? vscode.l10n.t('Enter * or an environment name or pattern.') : undefined),
  });
  if (scope === undefined) return false;
  const environmentScope = scope.trim();

  const unprotected = vscode.l10n.t('Every branch and tag');
  const protectedOnly = vscode.l10n.t('Protected branches and tags only');
  const protection = await vscode.window.showQuickPick(
    [
      { label: unprotected, description: vscode.l10n.t('feature-branch pipelines can pull too'), protect: false },
      { label: protectedOnly, description: vscode.l10n.t('pipelines on other branches cannot pull these images'), protect: true },
    ],
    { title: vscode.l10n.t('Save DOCKER_AUTH_CONFIG (3/3): which pipelines get it'), ignoreFocusOut: true },
  );
  if (!protection) return false;

  const existing = await access.api.variable(owner, dockerAuthConfigKey, environmentScope);
  const plan = planAuthConfigWrite(existing === undefined ? undefined : existing.value, authConfigJson);
  const label = variableLabel(owner, environmentScope);
  const confirm = plan.replacesUnreadable ? vscode.l10n.t('Replace') : vscode.l10n.t('Save');
  const choice = await vscode.window.showWarningMessage(
    existing ? vscode.l10n.t('Update the {0}?', label) : vscode.l10n.t('Create the {0}?', label),
    { modal: true, detail: planDetail(plan, protection.protect, existing?.hidden ?? false) },
    confirm,
  );
  if (choice !== confirm) return false;

  const outcome = await writeVariable(
    access.api,
    owner,
    dockerAuthConfigKey,
    { value: plan.value, variable_type: 'env_var', raw: true, masked: plan.maskable, protected: protection.protect, environment_scope: environmentScope },
    existing,
  );
  log.info(`${outcome.action} ${label} (registries: ${[...plan.added, ...plan.changed, ...plan.kept].join(', ')}; masked ${outcome.masked})`);
  const done = outcome.action === 'created' ? vscode.l10n.t('Created the {0}.', label) : vscode.l10n.t('Updated the {0}.', label);
  const unmasked =
    plan.maskable && !outcome.masked
      ? ' ' + vscode.l10n.t('This GitLab version cannot mask a JSON value: it was saved unmasked, so keep job logs from printing it.')
      : '';
  void vscode.window.showInformationMessage(done + unmasked);
  return true;
}

/** The modal's detail: registries only, never a value. */
function planDetail(plan: AuthConfigWritePlan, isProtected: boolean, hidden: boolean): string {
  const list = (items: readonly string[]) => (items.length ? items.join(', ') : vscode.l10n.t('none'));
  const lines = [vscode.l10n.t('Added: {0}', list(plan.added)), vscode.l10n.t('Changed: {0}', list(plan.changed)), vscode.l10n.t('Kept: {0}', list(plan.kept))];
  if (plan.existing === 'hidden')
    lines.push('', vscode.l10n.t('The current value is hidden: GitLab does not show it, so its entries cannot be kept. Saving replaces them all.'));
  if (plan.existing === 'broken') {
    lines.push(
      '',
      vscode.l10n.t('The current value is not a valid DOCKER_AUTH_CONFIG, so the runner ignores it ({0}). Saving replaces it.', plan.existingProblem ?? ''),
    );
  }
  lines.push(
    '',
    vscode.l10n.t(
      'Type: variable; expansion off (raw); {0}; {1}.',
      plan.maskable || hidden ? vscode.l10n.t('masked') : vscode.l10n.t('not masked'),
      isProtected ? vscode.l10n.t('protected') : vscode.l10n.t('not protected'),
    ),
  );
  return lines.join('\n');
}
