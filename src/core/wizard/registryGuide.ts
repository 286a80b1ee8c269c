/**
 * What the wizard knows about registries and credential kinds: presets, which kind of token each registry wants,
 * the username to use, the scope to grant and the page that creates it. Plain data, no I/O.
 */

/** The GitLab project the workspace belongs to (from settings or the `origin` remote). */
export interface GitLabProjectInfo {
  /** e.g. `https://gitlab.example.com` (no trailing slash). */
  readonly instanceUrl: string;
  /** The instance's container registry, `host[:port]` (`$CI_REGISTRY`). */
  readonly registry: string;
  /** e.g. `group/subgroup/project`. */
  readonly projectPath: string;
}

export type RegistryFamily = 'gitlab' | 'docker-hub' | 'ghcr' | 'quay' | 'azure' | 'google' | 'ecr' | 'other';

/** ECR hosts: `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`. Their passwords expire after 12 hours. */
const ecrHost = /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/i;

/** The registry's host without port, lowercased. */
function hostOf(registry: string): string {
  const withoutPort = registry.startsWith('[') ? registry.slice(0, registry.indexOf(']') + 1) : registry.split(':')[0]!;
  return withoutPort.toLowerCase();
}

/** Which family a registry belongs to, to pick the right guidance. `project` is the workspace's GitLab project, if known. */
export function registryFamily(registry: string, project?: GitLabProjectInfo): RegistryFamily {
  const host = hostOf(registry);
  if (project && registry.toLowerCase() === project.registry.toLowerCase()) return 'gitlab';
  if (ecrHost.test(host)) return 'ecr';
  if (host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io') return 'docker-hub';
  if (host === 'ghcr.io') return 'ghcr';
  if (host === 'quay.io') return 'quay';
  if (host.endsWith('.azurecr.io')) return 'azure';
  if (host.endsWith('-docker.pkg.dev') || host === 'gcr.io' || host.endsWith('.gcr.io')) return 'google';
  if (host === 'registry.gitlab.com' || host.includes('gitlab')) return 'gitlab';
  return 'other';
}

/** True for AWS ECR, which gets a `credHelpers: ecr-login` entry instead of a static password. */
export function isEcrRegistry(registry: string): boolean {
  return ecrHost.test(hostOf(registry));
}

/** A registry offered in step 1. A `template` preset opens free entry with `value` pre-filled and the placeholder part selected. */
export interface RegistryPreset {
  readonly label: string;
  readonly description: string;
  readonly value: string;
  readonly template?: readonly [number, number];
}

/** Step 1 presets, in the order shown. Labels are already localized. */
export function registryPresets(t: (message: string, ...args: string[]) => string, project?: GitLabProjectInfo): RegistryPreset[] {
  const presets: RegistryPreset[] = [];
  if (project && project.registry !== 'registry.gitlab.com') {
    presets.push({ label: project.registry, description: t("This project's GitLab container registry ({0})", project.projectPath), value: project.registry });
  }
  presets.push(
    { label: 'registry.gitlab.com', description: t('GitLab.com container registry'), value: 'registry.gitlab.com' },
    { label: 'docker.io', description: t('Docker Hub (private repositories, or to avoid rate limits)'), value: 'docker.io' },
    { label: 'ghcr.io', description: t('GitHub Container Registry'), value: 'ghcr.io' },
    { label: 'quay.io', description: t('Quay.io'), value: 'quay.io' },
    templatePreset('<name>.azurecr.io', t('Azure Container Registry'), '<name>'),
    templatePreset('<location>-docker.pkg.dev', t('Google Artifact Registry'), '<location>'),
    templatePreset('<account>.dkr.ecr.<region>.amazonaws.com', t('AWS ECR (uses the ecr-login credential helper)'), '<account>'),
    templatePreset('<host>:<port>', t('Self-managed registry (host and port exactly as in image:)'), '<host>:<port>'),
  );
  return presets;
}

function templatePreset(value: string, description: string, placeholder: string): RegistryPreset {
  const start = value.indexOf(placeholder);
  return { label: value, description, value, template: [start, start + placeholder.length] };
}

export type CredentialKindId =
  | 'deploy-token'
  | 'project-access-token'
  | 'group-access-token'
  | 'personal-access-token'
  | 'job-token'
  | 'registry-account';

/** Guidance for one credential kind on one registry. */
export interface CredentialKindGuide {
  readonly kind: CredentialKindId;
  readonly label: string;
  /** The scope or permission to grant, and who the username is. */
  readonly detail: string;
  /** Shown in the username box. */
  readonly usernamePrompt: string;
  /** Pre-filled username, when one is conventional (e.g. `_json_key_base64`). */
  readonly usernameValue?: string;
  /** The page that creates this kind of token, when known. */
  readonly createUrl?: string;
}

/**
 * The credential kinds to offer for a registry, the most fitting first. GitLab kinds come first on a GitLab registry;
 * "registry account" (robot accounts, access tokens of other registries) first elsewhere.
 */
export function credentialKindsFor(
  registry: string,
  t: (message: string, ...args: string[]) => string,
  project?: GitLabProjectInfo,
): CredentialKindGuide[] {
  const family = registryFamily(registry, project);
  const base = project?.instanceUrl ?? 'https://gitlab.com';
  const projectUrl = project ? `${base}/${project.projectPath}` : undefined;
  const groupPath = project?.projectPath.includes('/') ? project.projectPath.slice(0, project.projectPath.lastIndexOf('/')) : undefined;

  const gitlab: CredentialKindGuide[] = [
    {
      kind: 'deploy-token',
      label: t('Deploy token'),
      detail: t('Scope read_registry (add write_registry to push). Works on every tier. Username: the deploy token\'s own username (gitlab+deploy-token-N unless you chose one).'),
      usernamePrompt: t("The deploy token's username: it must match, e.g. gitlab+deploy-token-42"),
      ...(projectUrl ? { createUrl: `${projectUrl}/-/settings/repository#js-deploy-tokens` } : {}),
    },
    {
      kind: 'project-access-token',
      label: t('Project access token'),
      detail: t('Scope read_registry (write_registry to push), role Reporter or higher. Any non-empty username works, e.g. the token name.'),
      usernamePrompt: t('Any non-empty username works with an access token, e.g. the token name'),
      ...(projectUrl ? { createUrl: `${projectUrl}/-/settings/access_tokens` } : {}),
    },
    {
      kind: 'group-access-token',
      label: t('Group access token'),
      detail: t('Scope read_registry (write_registry to push): pulls from every project of the group. Any non-empty username works, e.g. the token name.'),
      usernamePrompt: t('Any non-empty username works with an access token, e.g. the token name'),
      ...(groupPath ? { createUrl: `${base}/groups/${groupPath}/-/settings/access_tokens` } : {}),
    },
    {
      kind: 'personal-access-token',
      label: t('Personal access token'),
      detail: t('Scope read_registry. Acts as you in every pipeline that uses it; prefer a deploy or access token. Username: your GitLab username.'),
      usernamePrompt: t('Your GitLab username (GitLab ignores it for access tokens, but it must not be empty)'),
      createUrl: `${base}/-/user_settings/personal_access_tokens?name=ci-registry-pull&scopes=read_registry`,
    },
    {
      kind: 'job-token',
      label: t('CI job token (CI_REGISTRY_USER / CI_JOB_TOKEN)'),
      detail: t('Automatic for this instance\'s registry: nothing to store. Read the notes.'),
      usernamePrompt: 'gitlab-ci-token',
    },
  ];
  const account = registryAccountGuide(family, t);
  return family === 'gitlab' ? [...gitlab, account] : [account, ...gitlab];
}

function registryAccountGuide(family: RegistryFamily, t: (message: string, ...args: string[]) => string): CredentialKindGuide {
  const kind = 'registry-account' as const;
  switch (family) {
    case 'docker-hub':
      return { kind, label: t('Docker Hub access token'), detail: t('Your Docker ID and a personal access token with Read-only access.'), usernamePrompt: t('Your Docker ID'), createUrl: 'https://app.docker.com/settings/personal-access-tokens' };
    case 'ghcr':
      return { kind, label: t('GitHub classic personal access token'), detail: t('Your GitHub username and a classic token with read:packages (fine-grained tokens do not work with GHCR).'), usernamePrompt: t('Your GitHub username'), createUrl: 'https://github.com/settings/tokens/new?scopes=read:packages&description=gitlab-ci-registry-pull' };
    case 'quay':
      return { kind, label: t('Quay robot account'), detail: t('A robot account with Read permission on the repositories; username organization+robotname.'), usernamePrompt: t('The robot account name, e.g. myorg+ci_pull') };
    case 'azure':
      return { kind, label: t('Azure repository token or service principal'), detail: t('A repository-scoped token (username = token name) or a service principal (username = appId) with AcrPull.'), usernamePrompt: t('The token name or the service principal appId') };
    case 'google':
      return { kind, label: t('Google service account key'), detail: t('Username _json_key_base64 and, as the token, the base64 of a service account key with Artifact Registry Reader.'), usernamePrompt: t('Keep _json_key_base64 for a base64-encoded service account key'), usernameValue: '_json_key_base64' };
    default:
      return { kind, label: t('Registry account or robot account'), detail: t('A read-only (pull) account or token of this registry.'), usernamePrompt: t('The registry username') };
  }
}
