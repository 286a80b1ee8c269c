/**
 * Includes that live outside the project (`include: project/template/remote/component`), fetched ahead of time
 * and then served synchronously to `resolvePipeline`. A token goes only to the connected instance; remote URLs are
 * fetched anonymously over https and templates missing from the instance come from GitLab's public source.
 */
import type { ExternalIncludeRequest, ExternalIncludes } from '../pipeline/options';
import type { GitLabApi } from './api';
import { MAX_RESPONSE_BYTES, readTextCapped, type FetchLike } from './client';
import { GitLabApiError } from './errors';

/** Same-origin redirects followed for one remote include. */
const MAX_REDIRECTS = 5;

/** Why an include could not be fetched; shown in the log and in the unresolved-include hover. */
export interface IncludeFetchFailure {
  readonly request: ExternalIncludeRequest;
  readonly message: string;
}

export interface IncludeFetcherOptions {
  /** The connected project's API; undefined when not connected (only remote and public templates then). */
  readonly api: GitLabApi | undefined;
  /** `host[:port]` of the connected instance, to recognise `$CI_SERVER_FQDN/…` components. */
  readonly instanceHost: string | undefined;
  /** Anonymous fetch for public URLs: never given a token. */
  readonly fetchPublic: FetchLike;
  readonly maxBytes?: number;
}

type CacheEntry = { readonly ok: true; readonly path: string; readonly text: string } | { readonly ok: false; readonly message: string };

/** Where GitLab keeps its CI templates; used when the instance's templates API has no such key (nested `Jobs/…` names). */
const publicTemplateBase = 'https://gitlab.com/gitlab-org/gitlab/-/raw/master/lib/gitlab/ci/templates/';

/**
 * Cache of external include files, keyed by the full request (so by ref). `read` never blocks: it answers from
 * what `prefetch` stored. A failed fetch is remembered too, until `clear`, so re-running diagnostics never loops.
 */
export class ExternalIncludeCache implements ExternalIncludes {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly defaultBranches = new Map<string, Promise<string | undefined>>();

  constructor(private readonly options: IncludeFetcherOptions) {}

  read(request: ExternalIncludeRequest): { path: string; text: string } | undefined {
    const entry = this.entries.get(cacheKey(request));
    return entry?.ok ? { path: entry.path, text: entry.text } : undefined;
  }

  /** Requests not fetched yet (neither stored nor failed). */
  missing(requests: readonly ExternalIncludeRequest[]): ExternalIncludeRequest[] {
    const seen = new Set<string>();
    return requests.filter((request) => {
      const key = cacheKey(request);
      if (this.entries.has(key) || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  /** Fetches every request not in the cache yet; resolves with how many arrived and what failed. */
  async prefetch(requests: readonly ExternalIncludeRequest[]): Promise<{ fetched: number; failures: IncludeFetchFailure[] }> {
    const failures: IncludeFetchFailure[] = [];
    let fetched = 0;
    for (const request of this.missing(requests)) {
      const entry = await this.fetchOne(request);
      this.entries.set(cacheKey(request), entry);
      if (entry.ok) fetched++;
      else failures.push({ request, message: entry.message });
    }
    return { fetched, failures };
  }

  /** The failure recorded for a request, if its fetch failed. */
  failureFor(request: ExternalIncludeRequest): string | undefined {
    const entry = this.entries.get(cacheKey(request));
    return entry && !entry.ok ? entry.message : undefined;
  }

  clear(): void {
    this.entries.clear();
    this.defaultBranches.clear();
  }

  private async fetchOne(request: ExternalIncludeRequest): Promise<CacheEntry> {
    try {
      switch (request.kind) {
        case 'project':
          return await this.fetchProjectFile(request.project, request.file, request.ref);
        case 'component':
          return await this.fetchComponent(request.component);
        case 'template':
          return await this.fetchTemplate(request.template);
        case 'remote':
          return await this.fetchRemote(request.url);
      }
    } catch (error) {
      return { ok: false, message: GitLabApiError.is(error) ? error.message : 'The include could not be fetched.' };
    }
  }

  private async fetchProjectFile(project: string | undefined, file: string | undefined, ref: string | undefined): Promise<CacheEntry> {
    if (!project || !file) return { ok: false, message: 'include:project needs a project and a file.' };
    const api = this.options.api;
    if (!api) return notConnected();
    const effectiveRef = ref ?? (await this.defaultBranch(api, project));
    const text = await api.rawFile(project, file, effectiveRef);
    return this.sized({ ok: true, path: `gitlab:${project}@${effectiveRef ?? 'HEAD'}/${file.replace(/^\/+/, '')}`, text });
  }

  /** `host/group/project/name@version`: `templates/name.yml` or `templates/name/template.yml` at that version. */
  private async fetchComponent(address: string | undefined): Promise<CacheEntry> {
    const parsed = address ? parseComponentAddress(address) : undefined;
    if (!parsed) return { ok: false, message: `"${address ?? ''}" is not a component address (host/project/name@version).` };
    if (!this.options.api || !this.options.instanceHost) return notConnected();
    if (parsed.host.toLowerCase() !== this.options.instanceHost.toLowerCase()) {
      return { ok: false, message: `The component is on ${parsed.host}, not on the connected instance ${this.options.instanceHost}.` };
    }
    if (parsed.version === '~latest' || /^\d+(\.\d+)?$/.test(parsed.version)) {
      return { ok: false, message: `Component version "${parsed.version}" is resolved by GitLab from releases; pin an exact version to check it locally.` };
    }
    for (const file of [`templates/${parsed.name}.yml`, `templates/${parsed.name}/template.yml`]) {
      try {
        const text = await this.options.api.rawFile(parsed.project, file, parsed.version);
        return this.sized({ ok: true, path: `gitlab:${parsed.project}@${parsed.version}/${file}`, text });
      } catch (error) {
        if (!GitLabApiError.is(error, 'not-found') || !/file/i.test(error.detail ?? '')) throw error;
      }
    }
    return { ok: false, message: `Component ${parsed.name} has no template in ${parsed.project}@${parsed.version}.` };
  }

  private async fetchTemplate(name: string | undefined): Promise<CacheEntry> {
    if (!name) return { ok: false, message: 'include:template needs a template name.' };
    const key = name.replace(/\.gitlab-ci\.yml$/, '');
    if (this.options.api && !key.includes('/')) {
      try {
        return this.sized({ ok: true, path: `template:${name}`, text: await this.options.api.ciTemplate(key) });
      } catch (error) {
        if (!GitLabApiError.is(error, 'not-found')) throw error;
      }
    }
    const url = `${publicTemplateBase}${name.split('/').map(encodeURIComponent).join('/')}`;
    const fetched = await this.fetchPublicText(url);
    return fetched.ok ? this.sized({ ok: true, path: `template:${name}`, text: fetched.text }) : fetched;
  }

  private async fetchRemote(url: string | undefined): Promise<CacheEntry> {
    if (!url) return { ok: false, message: 'include:remote needs a URL.' };
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { ok: false, message: `"${url}" is not a URL.` };
    }
    if (parsed.protocol !== 'https:') return { ok: false, message: 'Only https remote includes are fetched.' };
    if (parsed.username || parsed.password) return { ok: false, message: 'A remote include with credentials in its URL is not fetched.' };
    const fetched = await this.fetchPublicText(parsed.toString());
    return fetched.ok ? this.sized({ ok: true, path: parsed.toString(), text: fetched.text }) : fetched;
  }

  /**
   * GET without any credential: a remote include must be public for GitLab too. A redirect is followed only within
   * the URL's own origin (same scheme, host and port): never to another host (a request into the user's network)
   * nor down to http. The body is read up to MAX_RESPONSE_BYTES and no further.
   */
  private async fetchPublicText(url: string): Promise<CacheEntry> {
    const signal = AbortSignal.timeout(15_000);
    let current = new URL(url);
    for (let redirects = 0; ; redirects++) {
      let response;
      try {
        response = await this.options.fetchPublic(current.toString(), {
          method: 'GET',
          headers: { Accept: 'text/plain, application/x-yaml, */*' },
          redirect: 'manual',
          signal,
        });
      } catch {
        return { ok: false, message: `Could not reach ${current.host}.` };
      }
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel().catch(() => undefined);
        const location = response.headers.get('location');
        const next = location ? urlOrNull(location, current) : null;
        if (!next || redirects >= MAX_REDIRECTS) return { ok: false, message: `${current.host} redirected ${url} and the redirect was not followed.` };
        if (next.origin !== current.origin) {
          return {
            ok: false,
            message: `${current.host} redirected ${url} to ${next.protocol}//${next.host}: a redirect to another host or scheme is not followed.`,
          };
        }
        current = next;
        continue;
      }
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => undefined);
        return { ok: false, message: `${current.host} answered ${response.status} for ${url}.` };
      }
      const text = await readTextCapped(response).catch(() => null);
      if (text === null) return { ok: false, message: `Could not read ${url}.` };
      if (text === undefined) return { ok: false, message: `${url} is larger than ${MAX_RESPONSE_BYTES} bytes; it was not read.` };
      return { ok: true, path: url, text };
    }
  }

  private defaultBranch(api: GitLabApi, project: string): Promise<string | undefined> {
    let branch = this.defaultBranches.get(project);
    if (!branch) {
      branch = api.project(project).then((info) => info.default_branch ?? undefined);
      this.defaultBranches.set(project, branch);
    }
    return branch;
  }

  private sized(entry: CacheEntry & { ok: true }): CacheEntry {
    const limit = this.options.maxBytes ?? 2 * 1024 * 1024;
    return entry.text.length > limit ? { ok: false, message: `${entry.path} is larger than ${limit} bytes.` } : entry;
  }
}

function urlOrNull(location: string, base: URL): URL | null {
  try {
    return new URL(location, base);
  } catch {
    return null;
  }
}

/** Splits `host/group/project/name@version`. */
export function parseComponentAddress(address: string): { host: string; project: string; name: string; version: string } | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0) return undefined;
  const version = address.slice(at + 1);
  const segments = address.slice(0, at).split('/').filter(Boolean);
  if (segments.length < 4 || !version) return undefined;
  return { host: segments[0]!, project: segments.slice(1, -1).join('/'), name: segments[segments.length - 1]!, version };
}

function notConnected(): CacheEntry {
  return { ok: false, message: 'Not connected to GitLab: run "GitLab CI Auth: Connect to GitLab…" to resolve this include.' };
}

function cacheKey(request: ExternalIncludeRequest): string {
  return JSON.stringify([
    request.kind,
    request.project ?? '',
    request.ref ?? '',
    request.file ?? '',
    request.template ?? '',
    request.url ?? '',
    request.component ?? '',
  ]);
}
