/**
 * GitLab instance URLs and resource ids. A token is bound to one instance origin: everything here
 * exists so that it is only ever sent there.
 */
import { trimTrailing } from '../text';

export interface GitLabInstance {
  /** `https://gitlab.example.com` or `https://example.com/gitlab` (relative URL root kept), no trailing slash. */
  readonly baseUrl: string;
  /** `scheme://host[:port]`: what a token is bound to. */
  readonly origin: string;
  /** `host[:port]` for messages. */
  readonly host: string;
  /** `https://…/api/v4`. */
  readonly apiUrl: string;
}

export type InstanceUrlResult = { readonly ok: true; readonly instance: GitLabInstance } | { readonly ok: false; readonly problem: string };

/**
 * Reads what a user typed as an instance URL. `gitlab.example.com` means https. Plain http is allowed only
 * for a loopback address (local test servers); credentials, queries and fragments are refused.
 */
export function parseInstanceUrl(input: string): InstanceUrlResult {
  const trimmed = input.trim();
  if (!trimmed) return { ok: false, problem: 'Enter the URL of your GitLab instance, e.g. https://gitlab.example.com.' };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, problem: `"${trimmed}" is not a URL.` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, problem: 'Use an https:// URL.' };
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return { ok: false, problem: 'Use https:// — a token is never sent over plain http except to a loopback address (127.0.0.1).' };
  }
  if (url.username || url.password) return { ok: false, problem: 'Leave credentials out of the URL; the token is asked for next.' };
  if (url.search || url.hash) return { ok: false, problem: 'Leave the query and fragment out of the instance URL.' };
  const path = trimTrailing(url.pathname, '/').replace(/\/api\/v4$/, '');
  const baseUrl = `${url.origin}${path}`;
  return { ok: true, instance: { baseUrl, origin: url.origin, host: url.host, apiUrl: `${baseUrl}/api/v4` } };
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The `:id` of a project or group given its full path: `group/sub/app` → `group%2Fsub%2Fapp`. Numeric ids pass through. */
export function resourceId(pathOrId: string | number): string {
  return encodeURIComponent(String(pathOrId));
}

/** Ancestor groups of a namespace, closest first: `a/b/c` → `a/b/c`, `a/b`, `a`. */
export function namespaceChain(namespacePath: string): string[] {
  const parts = namespacePath.split('/').filter(Boolean);
  const chain: string[] = [];
  for (let i = parts.length; i > 0; i--) chain.push(parts.slice(0, i).join('/'));
  return chain;
}

/** The namespace part of a project path: `a/b/app` → `a/b`. */
export function namespaceOfProject(projectPath: string): string {
  const index = projectPath.lastIndexOf('/');
  return index > 0 ? projectPath.slice(0, index) : '';
}

/** Same instance, as far as sending a token goes: identical origin. */
export function sameOrigin(url: string, instance: GitLabInstance): boolean {
  try {
    return new URL(url).origin === instance.origin;
  } catch {
    return false;
  }
}
