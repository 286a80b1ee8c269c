/**
 * The GitLab context of a working copy (instance, registry, project) and the predefined CI/CD variables
 * the runner would see, derived from the `origin` remote and the user's settings. Nothing here reaches the network.
 */
import { beforeFirst, trimBoth, trimTrailing } from '../text';

export interface GitLabContext {
  /** `https://host[:port][/relative-root]`, no trailing slash. */
  readonly instanceUrl: string;
  /** The instance host, lowercase, without port. */
  readonly serverHost: string;
  /** `group/subgroup/project`, as written in the remote or the setting (case kept). */
  readonly projectPath: string;
  /** The predefined variables that matter for image names and credentials (`CI_REGISTRY`, `CI_DEPENDENCY_PROXY_SERVER`...). */
  readonly predefinedVariables: Record<string, string>;
}

export interface GitLabContextSettings {
  /** `https://gitlab.example.com`, overrides what the remote says. */
  readonly instanceUrl?: string;
  /** `host[:port]` of the container registry (`$CI_REGISTRY`). */
  readonly registryHost?: string;
  /** `group/subgroup/project`, overrides the remote's path. */
  readonly projectPath?: string;
}

interface ParsedRemote {
  readonly host: string;
  /** Web scheme and port: only https/http remotes tell them; ssh remotes use the default https port. */
  readonly scheme: 'https' | 'http';
  readonly port: number | null;
  readonly path: string;
}

const GITLAB_COM = 'gitlab.com';
/** gitlab.com's SSH-over-443 host serves the same projects. */
const SSH_ALIASES: Readonly<Record<string, string>> = { 'altssh.gitlab.com': GITLAB_COM };

/**
 * Builds the GitLab context from a git remote URL (ssh `git@host:group/proj.git`, `ssh://git@host:2222/group/proj.git`,
 * or `https://[user[:password]@]host[:port]/group/proj[.git]`) and the user's settings, which win over the remote.
 * Credentials in a URL are never kept. Returns null when neither the remote nor the settings give a host and a project path.
 */
export function gitlabContextFromRemote(remoteUrl: string, settings: GitLabContextSettings): GitLabContext | null {
  const remote = parseRemote(remoteUrl.trim());
  const instance = settings.instanceUrl?.trim() ? parseInstanceUrl(settings.instanceUrl.trim()) : null;
  const host = instance?.host ?? remote?.host;
  if (!host) return null;
  const scheme = instance?.scheme ?? remote?.scheme ?? 'https';
  const port = instance ? instance.port : (remote?.port ?? null);
  const root = instance?.root ?? '';
  const projectPath = cleanProjectPath(settings.projectPath?.trim() || stripRoot(remote?.path ?? '', root));
  if (!projectPath || !projectPath.includes('/')) return null;

  const defaultPort = scheme === 'https' ? 443 : 80;
  const effectivePort = port ?? defaultPort;
  const hostWithOptionalPort = effectivePort === defaultPort ? host : `${host}:${effectivePort}`;
  const instanceUrl = `${scheme}://${hostWithOptionalPort}${root}`;
  const registry = trimTrailing(settings.registryHost?.trim().replace(/^https?:\/\//i, '') ?? '', '/').toLowerCase() || defaultRegistryHost(host);
  const segments = projectPath.split('/');
  const namespace = segments.slice(0, -1).join('/');
  // GitLab's host_with_port always carries the port (e.g. gitlab.com:443): the dependency proxy job credential uses it.
  const hostWithPort = `${host}:${effectivePort}`;
  const dependencyProxy = (group: string) => `${hostWithPort}/${group.toLowerCase()}/dependency_proxy/containers`;

  return {
    instanceUrl,
    serverHost: host,
    projectPath,
    predefinedVariables: {
      CI_SERVER_HOST: host,
      CI_SERVER_PORT: String(effectivePort),
      CI_SERVER_PROTOCOL: scheme,
      CI_SERVER_FQDN: hostWithOptionalPort,
      CI_SERVER_URL: instanceUrl,
      CI_REGISTRY: registry,
      CI_REGISTRY_IMAGE: `${registry}/${projectPath.toLowerCase()}`,
      CI_PROJECT_PATH: projectPath,
      CI_PROJECT_NAMESPACE: namespace,
      CI_PROJECT_ROOT_NAMESPACE: segments[0]!,
      CI_PROJECT_NAME: segments[segments.length - 1]!,
      CI_PROJECT_URL: `${instanceUrl}/${projectPath}`,
      CI_DEPENDENCY_PROXY_SERVER: hostWithPort,
      CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX: dependencyProxy(segments[0]!),
      CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX: dependencyProxy(namespace),
    },
  };
}

function defaultRegistryHost(host: string): string {
  return host === GITLAB_COM ? 'registry.gitlab.com' : `registry.${host}`;
}

function parseRemote(url: string): ParsedRemote | null {
  if (!url) return null;
  const withScheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(url);
  if (withScheme) {
    const scheme = withScheme[1]!.toLowerCase();
    const rest = withScheme[2]!;
    const slash = rest.indexOf('/');
    if (slash <= 0) return null;
    const authority = rest.slice(0, slash);
    // Drop any user info (a token in an https remote must never be kept).
    const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
    const parsed = splitHostPort(hostPort);
    if (!parsed) return null;
    const path = rest.slice(slash + 1);
    if (scheme === 'https' || scheme === 'http') return { host: parsed.host, scheme, port: parsed.port, path };
    if (scheme === 'ssh' || scheme === 'git' || scheme === 'git+ssh' || scheme === 'ssh+git') {
      // The ssh port says nothing about the web port.
      return { host: SSH_ALIASES[parsed.host] ?? parsed.host, scheme: 'https', port: null, path };
    }
    return null;
  }
  // scp-like syntax: [user@]host:path (a colon before any slash).
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/\/)(.+)$/.exec(url);
  if (scp) {
    const host = scp[1]!.toLowerCase();
    if (!isHostName(host)) return null;
    return { host: SSH_ALIASES[host] ?? host, scheme: 'https', port: null, path: scp[2]! };
  }
  return null;
}

function parseInstanceUrl(url: string): { host: string; scheme: 'https' | 'http'; port: number | null; root: string } | null {
  const match = /^(?:(https?):\/\/)?(?:[^@/]*@)?([^/?#]+)([^?#]*)/i.exec(url);
  if (!match) return null;
  const hostPort = splitHostPort(match[2]!);
  if (!hostPort) return null;
  const scheme = (match[1]?.toLowerCase() ?? 'https') as 'https' | 'http';
  const root = trimTrailing(match[3]!, '/');
  return { host: hostPort.host, scheme, port: hostPort.port, root };
}

function splitHostPort(hostPort: string): { host: string; port: number | null } | null {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(hostPort);
  if (!match) return null;
  const host = match[1]!.toLowerCase();
  if (!isHostName(host)) return null;
  return { host, port: match[2] ? Number(match[2]) : null };
}

function isHostName(host: string): boolean {
  return /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)$/i.test(host);
}

function stripRoot(path: string, root: string): string {
  const clean = path.replace(/^\/+/, '');
  const prefix = root.replace(/^\/+/, '');
  return prefix && clean.startsWith(prefix + '/') ? clean.slice(prefix.length + 1) : clean;
}

function cleanProjectPath(path: string): string {
  return trimTrailing(trimBoth(beforeFirst(path, '?#'), '/').replace(/\.git$/i, ''), '/');
}

/**
 * An https remote URL saying what the URI of a folder opened by GitLab Workflow's remote file system says
 * (`gitlab-remote://<instance host>/<label>?project=<group/project>&ref=<ref>`); undefined for other URIs, numeric
 * project ids and instances under a relative URL.
 */
export function remoteUrlOfFolderUri(uri: {
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
  readonly query: string;
}): string | undefined {
  if (uri.scheme !== 'gitlab-remote') return undefined;
  const project = new URLSearchParams(uri.query).get('project')?.trim();
  if (!project || /^\d+$/.test(project) || !project.includes('/')) return undefined;
  // `/<label>`: an instance at the domain root, the folder at the repository's root. (Under a relative URL the instance
  // path cannot be told from the label's position alone: the settings say it there.)
  if (uri.path.split('/').filter((segment) => segment !== '').length !== 1) return undefined;
  return `https://${uri.authority}/${project}.git`;
}
