/**
 * The GitLab REST transport over an injected `fetch`: request building, bounded retries, pagination,
 * error mapping. It never follows a redirect and never logs anything but method, path and status.
 */
import { errorFromResponse, GitLabApiError, networkError, type RequestDescription } from './errors';
import { sameOrigin, type GitLabInstance } from './instance';
import { utf8Length, utf8OfChunks } from '../text';

/** What the client needs of a response: the subset of the WHATWG `Response` it reads. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  /** The body as a stream (fetch's `Response` has it): read up to a limit, then cancelled. */
  readonly body?: ReadableStream<Uint8Array> | null;
}

/** Largest answer read from GitLab or from a remote include's server; the rest of a bigger one is never read. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** The body as text, or undefined when it is larger than `maxBytes` (the stream is cancelled there, not read to its end). */
export async function readTextCapped(response: HttpResponse, maxBytes = MAX_RESPONSE_BYTES): Promise<string | undefined> {
  if (!response.body) {
    const text = await response.text();
    return utf8Length(text) > maxBytes ? undefined : text;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) return undefined;
      chunks.push(value);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return utf8OfChunks(chunks);
}

export interface HttpRequestInit {
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** Always 'manual': a redirect is followed by hand, and only within one origin, or not at all. */
  readonly redirect: 'manual';
  readonly signal?: AbortSignal;
}

/** `globalThis.fetch` fits; tests pass a fake or point the instance at a loopback server. */
export type FetchLike = (url: string, init: HttpRequestInit) => Promise<HttpResponse>;

/** How the token is presented: `PRIVATE-TOKEN` for personal/project/group access tokens, Bearer for OAuth sessions. */
export type GitLabCredential = { readonly kind: 'private-token' | 'oauth'; readonly token: string };

export type QueryValue = string | number | boolean | undefined;

export interface GitLabRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API path after `/api/v4`, ids already encoded: `/projects/group%2Fapp/variables`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** Sent as JSON. */
  readonly body?: unknown;
}

export interface GitLabClientOptions {
  readonly instance: GitLabInstance;
  readonly credential: GitLabCredential;
  readonly fetch: FetchLike;
  /** Receives `GET /projects/…/variables 200` lines; nothing else. */
  readonly log?: (line: string) => void;
  /** Injected for tests; defaults to setTimeout. */
  readonly sleep?: (milliseconds: number) => Promise<void>;
  /** Total attempts for idempotent requests on 5xx, network failures and 429. Default 3. */
  readonly maxAttempts?: number;
  /** A 429 asking to wait longer than this is reported instead of waited out. Default 20 s. */
  readonly maxRetryAfterSeconds?: number;
  readonly timeoutMilliseconds?: number;
}

export interface GitLabResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly text: string;
}

const maxPages = 50;

export class GitLabClient {
  readonly instance: GitLabInstance;
  private readonly options: GitLabClientOptions;

  constructor(options: GitLabClientOptions) {
    this.instance = options.instance;
    this.options = options;
  }

  /** The full URL of a request (no token in it: the token travels in a header). */
  urlFor(request: Pick<GitLabRequest, 'path' | 'query'>): string {
    const url = new URL(`${this.instance.apiUrl}${request.path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  /** Sends one request; resolves with a 2xx answer or rejects with a GitLabApiError. */
  async send(request: GitLabRequest): Promise<GitLabResponse> {
    return this.sendTo(this.urlFor(request), request);
  }

  /** Sends a request and parses the JSON answer (`undefined` for 204). */
  async json(request: GitLabRequest): Promise<unknown> {
    const response = await this.send(request);
    if (response.status === 204 || response.text === '') return undefined;
    try {
      return JSON.parse(response.text) as unknown;
    } catch {
      throw new GitLabApiError('bad-response', `GitLab answered ${request.method} ${request.path} with something that is not JSON.`, {
        status: response.status,
      });
    }
  }

  /**
   * Every item of a paginated list (per_page=100), following `x-next-page`, or `Link: rel="next"` when the
   * page headers are missing (GitLab.com omits some). A next link to another origin is refused.
   */
  async all(request: Omit<GitLabRequest, 'method' | 'body'>): Promise<unknown[]> {
    const items: unknown[] = [];
    let url = this.urlFor({ path: request.path, query: { per_page: 100, ...request.query } });
    for (let page = 1; page <= maxPages; page++) {
      const response = await this.sendTo(url, { method: 'GET', path: request.path });
      const body = parseJsonArray(response.text, request.path);
      items.push(...body);
      const next = nextPageUrl(response, url);
      if (!next) return items;
      if (!sameOrigin(next, this.instance)) {
        throw new GitLabApiError('bad-response', `GitLab's next-page link for ${request.path} points to another host; not followed.`);
      }
      url = next;
    }
    return items;
  }

  private async sendTo(url: string, request: Pick<GitLabRequest, 'method' | 'path' | 'body'>): Promise<GitLabResponse> {
    const description: RequestDescription = { method: request.method, path: request.path, host: this.instance.host };
    // A POST may have created something before failing: never repeat it.
    const idempotent = request.method !== 'POST';
    const maxAttempts = idempotent ? Math.max(1, this.options.maxAttempts ?? 3) : 1;
    const sleep = this.options.sleep ?? defaultSleep;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.options.credential.kind === 'oauth') headers['Authorization'] = `Bearer ${this.options.credential.token}`;
    else headers['PRIVATE-TOKEN'] = this.options.credential.token;
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';

    for (let attempt = 1; ; attempt++) {
      let response: HttpResponse;
      try {
        response = await this.options.fetch(url, {
          method: request.method,
          headers,
          ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
          redirect: 'manual',
          signal: AbortSignal.timeout(this.options.timeoutMilliseconds ?? 30_000),
        });
      } catch (cause) {
        this.options.log?.(`${request.method} ${request.path} failed: no answer`);
        if (attempt < maxAttempts) {
          await sleep(backoffMilliseconds(attempt));
          continue;
        }
        throw networkError(description, cause);
      }
      this.options.log?.(`${request.method} ${request.path} ${response.status}`);
      const text = await readTextCapped(response);
      if (text === undefined) {
        throw new GitLabApiError(
          'bad-response',
          `GitLab's answer to ${request.method} ${request.path} is larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MB; it was not read.`,
          {
            status: response.status,
          },
        );
      }
      if (response.status >= 200 && response.status < 300) return { status: response.status, headers: response.headers, text };

      if (response.status === 429) {
        const retryAfter = retryAfterSeconds(response.headers);
        const limit = this.options.maxRetryAfterSeconds ?? 20;
        if (attempt < maxAttempts && (retryAfter ?? 1) <= limit) {
          await sleep((retryAfter ?? 1) * 1000);
          continue;
        }
        throw errorFromResponse(description, response.status, text, retryAfter);
      }
      if (response.status >= 500 && attempt < maxAttempts) {
        await sleep(backoffMilliseconds(attempt));
        continue;
      }
      throw errorFromResponse(description, response.status, text);
    }
  }
}

/** `Retry-After` as seconds (delta or HTTP date), or `RateLimit-Reset` (unix time) as a fallback. */
export function retryAfterSeconds(headers: { get(name: string): string | null }, now = Date.now()): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (value) {
    if (/^\d+$/.test(value)) return Number(value);
    const date = Date.parse(value);
    if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - now) / 1000));
  }
  const reset = headers.get('ratelimit-reset')?.trim();
  if (reset && /^\d+$/.test(reset)) return Math.max(0, Number(reset) - Math.floor(now / 1000));
  return undefined;
}

function nextPageUrl(response: GitLabResponse, currentUrl: string): string | undefined {
  const nextPage = response.headers.get('x-next-page')?.trim();
  if (nextPage) {
    const url = new URL(currentUrl);
    url.searchParams.set('page', nextPage);
    return url.toString();
  }
  const link = response.headers.get('link');
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^<>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match) return match[1];
  }
  return undefined;
}

function parseJsonArray(text: string, path: string): unknown[] {
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value)) return value;
  } catch {
    // fall through to the error below
  }
  throw new GitLabApiError('bad-response', `GitLab answered GET ${path} with something that is not a JSON list.`);
}

function backoffMilliseconds(attempt: number): number {
  return Math.min(4000, 500 * 2 ** (attempt - 1));
}

function defaultSleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
