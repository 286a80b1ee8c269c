/**
 * What the wizard knows about registries and credential kinds: presets, which kind of token each registry wants,
 * the username to use, the scope to grant and the page that creates it. Plain data, no I/O.
 */
import { isDockerHubHost } from '../registry/dockerHub';

/** The GitLab project the workspace belongs to (from settings or the `origin` remote). */
export interface GitLabProjectInfo {
  /** e.g. `https://gitlab.example.com` (no trailing slash). */
  readonly instanceUrl: string;
  /** The instance's container registry, `host[:port]` (`$CI_REGISTRY`). */
  readonly registry: string;
  /** e.g. `group/subgroup/project`. */
  readonly projectPath: string;
}

export type RegistryFamily = 'gitlab' | 'docker-hub' | 'ghcr' | 'quay' | 'harbor' | 'azure' | 'google' | 'ecr' | 'other';

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
  if (isDockerHubHost(host)) return 'docker-hub';
  if (host === 'ghcr.io') return 'ghcr';
  if (host === 'quay.io') return 'quay';
  if (host.endsWith('.azurecr.io')) return 'azure';
  if (host.endsWith('-docker.pkg.dev') || host === 'gcr.io' || host.endsWith('.gcr.io')) return 'google';
  if (host === 'registry.gitlab.com' || host.includes('gitlab')) return 'gitlab';
  if (host.includes('harbor')) return 'harbor';
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
  | 'docker-hub-token'
  | 'github-token'
  | 'robot-account'
  | 'azure-repository-token'
  | 'azure-service-principal'
  | 'google-service-account-key'
  | 'google-access-token'
  | 'registry-account';

/** What each kind is called in lists (Manage Registry Credentials): words, never the id. */
export function credentialKindLabel(kind: string, t: (message: string, ...args: string[]) => string): string {
  switch (kind) {
    case 'deploy-token':
      return t('GitLab deploy token');
    case 'project-access-token':
      return t('GitLab project access token');
    case 'group-access-token':
      return t('GitLab group access token');
    case 'personal-access-token':
      return t('GitLab personal access token');
    case 'job-token':
      return t('CI job token');
    case 'docker-hub-token':
      return t('Docker Hub access token');
    case 'github-token':
      return t('GitHub personal access token');
    case 'robot-account':
      return t('Robot account');
    case 'azure-repository-token':
      return t('Azure repository token');
    case 'azure-service-principal':
      return t('Azure service principal');
    case 'google-service-account-key':
      return t('Google service account key');
    case 'google-access-token':
      return t('Google access token');
    case 'created-in-gitlab':
      return t('Token created in GitLab');
    case 'imported':
      return t('Imported from a DOCKER_AUTH_CONFIG');
    case 'ecr-login':
      return t('AWS ECR credential helper');
    default:
      return t('Username and password or token');
  }
}

/** Guidance for one credential kind on one registry. */
export interface CredentialKindGuide {
  readonly kind: CredentialKindId;
  readonly label: string;
  /** The scope or permission to grant, and who the username is. */
  readonly detail: string;
  /** Shown above the username box: which username this kind takes. */
  readonly usernamePrompt: string;
  /** Shown in the empty username box, an example of this kind's username. */
  readonly usernamePlaceholder: string;
  /** Pre-filled username, when the kind has a fixed one (e.g. `_json_key`). */
  readonly usernameValue?: string;
  /** The page that creates this kind of token, when known. */
  readonly createUrl?: string;
}

type Localize = (message: string, ...args: string[]) => string;

/**
 * The credential kinds that fit a registry, the most fitting first: GitLab's kinds for a GitLab registry, the
 * registry's own kinds (access token, robot account, service account key…) elsewhere, username and password for
 * any other registry. AWS ECR has no kinds: the wizard offers its credential helper instead.
 */
export function credentialKindsFor(registry: string, t: Localize, project?: GitLabProjectInfo): CredentialKindGuide[] {
  const family = registryFamily(registry, project);
  switch (family) {
    case 'gitlab':
      return gitlabKinds(t, project);
    case 'docker-hub':
      return [
        {
          kind: 'docker-hub-token',
          label: t('Docker Hub personal access token'),
          detail: t('Scope Read-only (public repositories need none). Username: your Docker ID, not your e-mail.'),
          usernamePrompt: t('Your Docker ID (the username, not the e-mail address)'),
          usernamePlaceholder: 'my-docker-id',
          createUrl: 'https://app.docker.com/settings/personal-access-tokens',
        },
      ];
    case 'ghcr':
      return [
        {
          kind: 'github-token',
          label: t('GitHub personal access token (classic)'),
          detail: t('Scope read:packages; fine-grained tokens do not work with ghcr.io. Username: your GitHub username.'),
          usernamePrompt: t('Your GitHub username'),
          usernamePlaceholder: 'octocat',
          createUrl: 'https://github.com/settings/tokens/new?scopes=read:packages&description=gitlab-ci-registry-pull',
        },
      ];
    case 'quay':
      return [
        robotAccount(
          t,
          t('Quay robot account'),
          t('Read permission on the repositories (Organization > Robot Accounts). Username: organization+robotname.'),
          'myorg+ci_pull',
          'https://quay.io/organization/',
        ),
        otherAccount(t),
      ];
    case 'harbor':
      return [harborRobot(t), otherAccount(t)];
    case 'azure':
      return [
        {
          kind: 'azure-repository-token',
          label: t('Repository-scoped token'),
          detail: t('A token with the _repositories_pull scope map (Repository permissions > Tokens). Username: the token name.'),
          usernamePrompt: t('The token name'),
          usernamePlaceholder: 'ci-pull',
        },
        {
          kind: 'azure-service-principal',
          label: t('Service principal'),
          detail: t('Role AcrPull on the registry. Username: the application (client) ID; password: a client secret.'),
          usernamePrompt: t('The application (client) ID'),
          usernamePlaceholder: '00000000-0000-0000-0000-000000000000',
        },
      ];
    case 'google':
      return [
        {
          kind: 'google-service-account-key',
          label: t('Service account key (_json_key_base64)'),
          detail: t('Role Artifact Registry Reader. Username _json_key_base64; token: the key file in base64 on one line (base64 -w 0 key.json).'),
          usernamePrompt: t('Keep _json_key_base64 for a base64-encoded key file'),
          usernamePlaceholder: '_json_key_base64',
          usernameValue: '_json_key_base64',
          createUrl: 'https://console.cloud.google.com/iam-admin/serviceaccounts',
        },
        {
          kind: 'google-service-account-key',
          label: t('Service account key (_json_key)'),
          detail: t("Role Artifact Registry Reader. Username _json_key; token: the key file's JSON, pasted on one line."),
          usernamePrompt: t("Keep _json_key for the key file's JSON"),
          usernamePlaceholder: '_json_key',
          usernameValue: '_json_key',
          createUrl: 'https://console.cloud.google.com/iam-admin/serviceaccounts',
        },
        {
          kind: 'google-access-token',
          label: t('Access token (oauth2accesstoken)'),
          detail: t('Username oauth2accesstoken; token from gcloud auth print-access-token. It expires after one hour: for trying out only.'),
          usernamePrompt: t('Keep oauth2accesstoken'),
          usernamePlaceholder: 'oauth2accesstoken',
          usernameValue: 'oauth2accesstoken',
        },
      ];
    case 'ecr':
    case 'other':
      return [otherAccount(t), harborRobot(t)];
  }
}

function gitlabKinds(t: Localize, project?: GitLabProjectInfo): CredentialKindGuide[] {
  const base = project?.instanceUrl ?? 'https://gitlab.com';
  const projectUrl = project ? `${base}/${project.projectPath}` : undefined;
  const groupPath = project?.projectPath.includes('/') ? project.projectPath.slice(0, project.projectPath.lastIndexOf('/')) : undefined;
  return [
    {
      kind: 'deploy-token',
      label: t('Deploy token'),
      detail: t(
        "Scope read_registry (add write_registry to push). Works on every tier. Username: the deploy token's own username (gitlab+deploy-token-N unless you chose one).",
      ),
      usernamePrompt: t("The deploy token's username: it must match"),
      usernamePlaceholder: 'gitlab+deploy-token-42',
      ...(projectUrl ? { createUrl: `${projectUrl}/-/settings/repository#js-deploy-tokens` } : {}),
    },
    {
      kind: 'project-access-token',
      label: t('Project access token'),
      detail: t('Scope read_registry (write_registry to push), role Reporter or higher. Any non-empty username works, e.g. the token name.'),
      usernamePrompt: t('Any non-empty username works with an access token, e.g. the token name'),
      usernamePlaceholder: 'ci-registry-pull',
      ...(projectUrl ? { createUrl: `${projectUrl}/-/settings/access_tokens` } : {}),
    },
    {
      kind: 'group-access-token',
      label: t('Group access token'),
      detail: t('Scope read_registry (write_registry to push): pulls from every project of the group. Any non-empty username works, e.g. the token name.'),
      usernamePrompt: t('Any non-empty username works with an access token, e.g. the token name'),
      usernamePlaceholder: 'ci-registry-pull',
      ...(groupPath ? { createUrl: `${base}/groups/${groupPath}/-/settings/access_tokens` } : {}),
    },
    {
      kind: 'personal-access-token',
      label: t('Personal access token'),
      detail: t('Scope read_registry. Acts as you in every pipeline that uses it; prefer a deploy or access token. Username: your GitLab username.'),
      usernamePrompt: t('Your GitLab username (GitLab ignores it for access tokens, but it must not be empty)'),
      usernamePlaceholder: 'your-gitlab-username',
      createUrl: `${base}/-/user_settings/personal_access_tokens?name=ci-registry-pull&scopes=read_registry`,
    },
    {
      kind: 'job-token',
      label: t('CI job token (CI_REGISTRY_USER / CI_JOB_TOKEN)'),
      detail: t("Automatic for this instance's registry: nothing to store. Read the notes."),
      usernamePrompt: 'gitlab-ci-token',
      usernamePlaceholder: 'gitlab-ci-token',
    },
  ];
}

function robotAccount(t: Localize, label: string, detail: string, placeholder: string, createUrl?: string): CredentialKindGuide {
  return {
    kind: 'robot-account',
    label,
    detail,
    usernamePrompt: t("The robot account's full name"),
    usernamePlaceholder: placeholder,
    ...(createUrl ? { createUrl } : {}),
  };
}

function harborRobot(t: Localize): CredentialKindGuide {
  return robotAccount(
    t,
    t('Harbor robot account'),
    t('Pull permission on the project (Project > Robot Accounts). Username: the full robot name, robot$project+name.'),
    'robot$myproject+ci-pull',
  );
}

function otherAccount(t: Localize): CredentialKindGuide {
  return {
    kind: 'registry-account',
    label: t('Registry account (username and password or token)'),
    detail: t('A read-only (pull) account or token of this registry.'),
    usernamePrompt: t('The registry username'),
    usernamePlaceholder: 'ci-pull',
  };
}
