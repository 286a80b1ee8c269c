/**
 * What the project's and its groups' CI/CD variables say about DOCKER_AUTH_CONFIG. The runner receives one string
 * (runner-auth-rules.md §2.1: no merge), picked by GitLab's variable precedence: project, then the closest group,
 * then the instance; among the variables of one level, the environment scope that matches the job's environment.
 */
import { credentialSourceFromAuthConfig } from '../registry/credentialSources';
import { parseAuthConfig } from '../auth/parse';
import type { CredentialSource } from '../types';
import type { CollectedVariable } from '../registry/imageVariables';
import type { GitLabApi, VariableOwner } from './api';
import { GitLabApiError } from './errors';
import { namespaceChain } from './instance';
import type { GitLabVariable } from './schemas';

export const dockerAuthConfigKey = 'DOCKER_AUTH_CONFIG';

/** The variables read at one level, or why they could not be read. */
export type LevelVariables =
  | { readonly owner: VariableOwner; readonly readable: true; readonly variables: readonly GitLabVariable[] }
  | { readonly owner: VariableOwner; readonly readable: false; readonly reason: string };

export type AuthConfigVariableState =
  /** Parsed: `source` holds its registry keys. */
  | { readonly kind: 'valid'; readonly source: CredentialSource; readonly registries: readonly string[] }
  /** Hidden: GitLab returns no value. It is set; what it covers is unknown. */
  | { readonly kind: 'hidden' }
  /** Not usable: the runner drops the whole variable (it logs a warning and uses no credential from it). */
  | { readonly kind: 'broken'; readonly problems: readonly string[] };

/** One DOCKER_AUTH_CONFIG variable found in GitLab. Never carries the value. */
export interface AuthConfigVariable {
  readonly owner: VariableOwner;
  readonly environmentScope: string;
  readonly protected: boolean;
  readonly masked: boolean;
  readonly raw: boolean;
  readonly variableType: 'env_var' | 'file';
  /** `project variable DOCKER_AUTH_CONFIG (group/app)`, with the scope when it is not `*`. */
  readonly label: string;
  readonly state: AuthConfigVariableState;
}

export interface VariablesCoverage {
  /** Every DOCKER_AUTH_CONFIG found, closest level first. */
  readonly variables: readonly AuthConfigVariable[];
  /** The one a job without `environment:` receives (scope `*` at the closest level), if any is known. */
  readonly effective: AuthConfigVariable | undefined;
  /**
   * What the diagnostics may count on: the effective variable's keys; a hidden one gives a source whose coverage is
   * unknown (`credsStore` set to its label); a broken one gives nothing, as on the runner.
   */
  readonly sources: readonly CredentialSource[];
  /** Levels whose variables could not be read: a DOCKER_AUTH_CONFIG there is possible but unknown. */
  readonly unknownLevels: readonly { readonly owner: VariableOwner; readonly reason: string }[];
  /** Plain-language facts for the log and hovers: shadowed variables, scoped ones, protected ones, instance level. */
  readonly notes: readonly string[];
  /** Every readable variable as a job without `environment:` gets it, for expanding image names (`ciCdVariablesOf`). */
  readonly ciCdVariables: readonly CollectedVariable[];
}

/**
 * The project's and its groups' variables in GitLab's precedence order, lowest first (lib/gitlab/ci/variables/builder.rb:
 * group variables, the closest group last, then project variables), for a job without `environment:` (scope `*`).
 * Only a visible, unprotected, unmasked env_var value is used as such: a hidden or masked one is set but unknown here
 * (nothing of it is ever shown), a protected one reaches only protected refs, a file one is a path at run time.
 * DOCKER_AUTH_CONFIG is left out: it is a credential source, and its value must not travel with the variables.
 */
export function ciCdVariablesOf(levels: readonly LevelVariables[]): CollectedVariable[] {
  const collected: CollectedVariable[] = [];
  for (const level of [...levels].reverse()) {
    if (!level.readable) continue;
    for (const variable of level.variables) {
      // DOCKER_AUTH_CONFIG is judged as a credential source (`sources`); its value is never kept here.
      if (variable.environment_scope !== '*' || variable.key === dockerAuthConfigKey) continue;
      const usable = variable.value !== null && !variable.hidden && !variable.masked && !variable.protected && variable.variable_type === 'env_var';
      const value = usable ? variable.value : null;
      collected.push(variable.raw && value !== null ? { key: variable.key, value, raw: true } : { key: variable.key, value });
    }
  }
  return collected;
}

/** `project variable DOCKER_AUTH_CONFIG (group/app)` / `group variable DOCKER_AUTH_CONFIG (group), scope production`. */
export function variableLabel(owner: VariableOwner, environmentScope = '*'): string {
  const base = `${owner.level} variable ${dockerAuthConfigKey} (${owner.path})`;
  return environmentScope === '*' ? base : `${base}, scope ${environmentScope}`;
}

/**
 * Reads DOCKER_AUTH_CONFIG from the variables of each level (project first, then groups closest first) and decides
 * which one a job without an environment receives and what it covers.
 */
export function coverageFromVariables(levels: readonly LevelVariables[]): VariablesCoverage {
  const variables: AuthConfigVariable[] = [];
  const unknownLevels: { owner: VariableOwner; reason: string }[] = [];
  const notes: string[] = [];
  let effective: AuthConfigVariable | undefined;
  let unknownCloserLevel: VariableOwner | undefined;

  for (const level of levels) {
    if (!level.readable) {
      unknownLevels.push({ owner: level.owner, reason: level.reason });
      if (!effective) unknownCloserLevel ??= level.owner;
      continue;
    }
    const found = level.variables
      .filter((variable) => variable.key === dockerAuthConfigKey)
      .map((variable) => describeVariable(level.owner, variable))
      .sort((a, b) => scopeOrder(a.environmentScope) - scopeOrder(b.environmentScope) || a.environmentScope.localeCompare(b.environmentScope));
    for (const variable of found) {
      variables.push(variable);
      if (variable.environmentScope === '*') {
        if (!effective) effective = variable;
        else notes.push(`${variable.label} is not used: ${effective.label} takes precedence (GitLab passes one DOCKER_AUTH_CONFIG, no merge).`);
      } else {
        notes.push(`${variable.label} replaces the ${'`*`'} value for jobs whose environment matches "${variable.environmentScope}"${summary(variable)}.`);
      }
    }
  }

  if (effective && unknownCloserLevel) {
    notes.push(`${variableLabel(unknownCloserLevel)} could not be read; if it exists it replaces ${effective.label}.`);
  }
  if (effective?.protected) {
    notes.push(`${effective.label} is protected: pipelines on unprotected branches do not get it.`);
  }
  if (effective && !effective.raw && effective.state.kind !== 'hidden') {
    notes.push(`${effective.label} is expanded (not raw): a "$" in it is read as a variable reference.`);
  }
  notes.push('Instance-level CI/CD variables cannot be read without admin rights: a DOCKER_AUTH_CONFIG there is unknown.');

  // With a closer level unreadable, the variable read may not be the one the runner gets: not said to be GitLab's.
  return { variables, effective, sources: sourcesOf(effective, !unknownCloserLevel), unknownLevels, notes, ciCdVariables: ciCdVariablesOf(levels) };
}

/**
 * Reads the project's variables and every ancestor group's (closest first) and computes the coverage.
 * A level the token may not read (403, or 404 for a group it cannot see) becomes "unknown"; a failure on the
 * project itself (401, 404, network...) rejects with a GitLabApiError.
 */
export async function readVariablesCoverage(api: GitLabApi, projectPath: string): Promise<VariablesCoverage> {
  const project = await api.project(projectPath);
  const owners: VariableOwner[] = [{ level: 'project', path: project.path_with_namespace }];
  if (project.namespace.kind === 'group') owners.push(...namespaceChain(project.namespace.full_path).map((path) => ({ level: 'group' as const, path })));
  const levels: LevelVariables[] = [];
  for (const owner of owners) {
    try {
      levels.push({ owner, readable: true, variables: await api.variables(owner) });
    } catch (error) {
      if (!GitLabApiError.is(error, 'forbidden') && !GitLabApiError.is(error, 'not-found')) throw error;
      const role = owner.level === 'project' ? 'Maintainer' : 'Owner';
      levels.push({ owner, readable: false, reason: `reading ${owner.level} variables needs the ${role} role` });
    }
  }
  return coverageFromVariables(levels);
}

function describeVariable(owner: VariableOwner, variable: GitLabVariable): AuthConfigVariable {
  const label = variableLabel(owner, variable.environment_scope);
  return {
    owner,
    environmentScope: variable.environment_scope,
    protected: variable.protected,
    masked: variable.masked,
    raw: variable.raw,
    variableType: variable.variable_type,
    label,
    state: stateOf(variable.value, label),
  };
}

function stateOf(value: string | null, label: string): AuthConfigVariableState {
  if (value === null) return { kind: 'hidden' };
  const parsed = parseAuthConfig(value);
  if (!parsed.ok) return { kind: 'broken', problems: parsed.problems.map((problem) => problem.message) };
  const source = credentialSourceFromAuthConfig(parsed.config, 'DOCKER_AUTH_CONFIG', label);
  return { kind: 'valid', source, registries: source.keys.map((key) => key.key) };
}

function sourcesOf(effective: AuthConfigVariable | undefined, known: boolean): CredentialSource[] {
  if (!effective) return [];
  switch (effective.state.kind) {
    case 'valid':
      // Read from GitLab: the runner gets exactly these keys, so what it lacks is known to be missing.
      return [known ? { ...effective.state.source, origin: 'gitlab-variable', label: effective.label } : effective.state.source];
    case 'hidden':
      return [{ kind: 'DOCKER_AUTH_CONFIG', keys: [], credsStore: `hidden ${effective.label}`, origin: 'gitlab-variable', label: effective.label }];
    case 'broken':
      return [];
  }
}

function summary(variable: AuthConfigVariable): string {
  switch (variable.state.kind) {
    case 'valid':
      return variable.state.registries.length ? ` (covers ${variable.state.registries.join(', ')})` : ' (covers no registry)';
    case 'hidden':
      return ' (hidden: contents unknown)';
    case 'broken':
      return ' (broken: the runner ignores it)';
  }
}

function scopeOrder(scope: string): number {
  return scope === '*' ? 0 : 1;
}
