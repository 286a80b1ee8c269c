/**
 * GitLab REST failures as values with a reason. Messages are written for the user and never carry a token:
 * they are built from the status, the request's method and path, and GitLab's own error text.
 */
import { truncateText } from '../text';

export type GitLabErrorReason =
  /** 401: the token is missing, expired, revoked or unknown. */
  | 'unauthorized'
  /** 403 `insufficient_scope`: the token is valid but lacks a scope (named in `requiredScope`). */
  | 'insufficient-scope'
  /** 403 with a message: the user's role is too low. */
  | 'forbidden'
  /** 404: wrong path, or no access (GitLab hides private projects behind 404). */
  | 'not-found'
  /** 400: GitLab refused the request's content; `detail` holds its validation text. */
  | 'validation'
  /** 429 that could not be waited out within the retry budget. */
  | 'rate-limited'
  /** 5xx after the bounded retries. */
  | 'server-error'
  /** No HTTP answer at all: DNS, refused connection, TLS, timeout. */
  | 'network'
  /** GitLab answered with a redirect; it is not followed so a token never reaches another host. */
  | 'redirect'
  /** A 2xx whose body is not what the endpoint documents. */
  | 'bad-response';

export interface GitLabErrorDetails {
  readonly status?: number;
  /** GitLab's own error text (validation message, error_description), when it gave one. */
  readonly detail?: string;
  /** For `insufficient-scope`: the scope the token needs. */
  readonly requiredScope?: string;
  /** For `rate-limited`: the wait GitLab asked for. */
  readonly retryAfterSeconds?: number;
}

export class GitLabApiError extends Error {
  override readonly name = 'GitLabApiError';
  readonly status: number | undefined;
  readonly detail: string | undefined;
  readonly requiredScope: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly reason: GitLabErrorReason,
    message: string,
    details: GitLabErrorDetails = {},
  ) {
    super(message);
    this.status = details.status;
    this.detail = details.detail;
    this.requiredScope = details.requiredScope;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }

  /** True when `error` is a GitLabApiError (of `reason`, when given). */
  static is(error: unknown, reason?: GitLabErrorReason): error is GitLabApiError {
    return error instanceof GitLabApiError && (reason === undefined || error.reason === reason);
  }
}

/** What the failed request was, for the message: `GET /projects/:id/variables` and the instance host. */
export interface RequestDescription {
  readonly method: string;
  /** The API path without query, e.g. `/projects/group%2Fapp/variables`. */
  readonly path: string;
  /** `host[:port]` of the instance. */
  readonly host: string;
}

/**
 * Turns a non-2xx GitLab answer into a GitLabApiError whose message says what to do.
 * `body` is the raw response text (JSON or plain text such as `Retry later`).
 */
export function errorFromResponse(request: RequestDescription, status: number, body: string, retryAfterSeconds?: number): GitLabApiError {
  const json = parseJsonObject(body);
  const where = `${request.method} ${decodeForDisplay(request.path)} on ${request.host}`;
  // Server text is cut short before it reaches a notification.
  const gitlabText = cut(gitlabErrorText(json));

  if (status === 401) {
    const detail = typeof json?.['error_description'] === 'string' ? cut(json['error_description']) : gitlabText;
    const why = json?.['error'] === 'invalid_token' ? 'the token is expired, revoked or unknown' : 'the token was not accepted';
    return new GitLabApiError(
      'unauthorized',
      `GitLab refused ${where}: ${why}${detail ? ` (${detail})` : ''}. Run "GitLab CI Auth: Connect to GitLab…" with a new token.`,
      { status, ...(detail ? { detail } : {}) },
    );
  }
  if (status === 403 && json?.['error'] === 'insufficient_scope') {
    const scope = typeof json['scope'] === 'string' ? json['scope'] : 'api';
    return new GitLabApiError(
      'insufficient-scope',
      `The token lacks the scope needed for ${where}: create a token with the \`${scope}\` scope and connect again.`,
      { status, requiredScope: scope },
    );
  }
  if (status === 403) {
    return new GitLabApiError(
      'forbidden',
      `GitLab refused ${where} (${gitlabText ?? '403 Forbidden'}): your role is too low for this; it needs Maintainer on a project or Owner on a group.`,
      { status, ...(gitlabText ? { detail: gitlabText } : {}) },
    );
  }
  if (status === 404) {
    return new GitLabApiError(
      'not-found',
      `GitLab found nothing at ${where} (${gitlabText ?? '404 Not Found'}): check the project path, or the token cannot see it.`,
      { status, ...(gitlabText ? { detail: gitlabText } : {}) },
    );
  }
  if (status === 429) {
    const wait = retryAfterSeconds !== undefined ? ` Try again in ${retryAfterSeconds} s.` : ' Try again later.';
    return new GitLabApiError('rate-limited', `GitLab rate limit reached for ${where}.${wait}`, {
      status,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    });
  }
  if (status >= 500) {
    return new GitLabApiError('server-error', `GitLab had a server error (${status}) for ${where}. Try again later.`, { status });
  }
  if (status >= 300 && status < 400) {
    return new GitLabApiError(
      'redirect',
      `GitLab answered ${where} with a redirect (${status}); it was not followed so the token stays with ${request.host}. Check the instance URL (https, path prefix).`,
      { status },
    );
  }
  const detail = gitlabText ?? (cut(body.trim()) || `${status}`);
  return new GitLabApiError('validation', `GitLab rejected ${where}: ${detail}`, { status, detail });
}

/** The failure of a request that got no HTTP answer. `cause` is the fetch error; only its code or message is used. */
export function networkError(request: RequestDescription, cause: unknown): GitLabApiError {
  const code = causeCode(cause);
  return new GitLabApiError('network', `Could not reach GitLab at ${request.host} for ${request.method} ${decodeForDisplay(request.path)} (${code}).`);
}

/**
 * GitLab's error text in one line: `{"message":"404 Project Not Found"}`, `{"error":"key is missing"}`,
 * or model validation `{"message":{"value":["is invalid"]}}` → `value is invalid`.
 */
export function gitlabErrorText(json: Record<string, unknown> | undefined): string | undefined {
  if (!json) return undefined;
  const message = json['message'];
  if (typeof message === 'string') return message;
  if (message && typeof message === 'object' && !Array.isArray(message)) {
    const parts: string[] = [];
    for (const [field, problems] of Object.entries(message)) {
      const list = Array.isArray(problems) ? problems.map(String) : [String(problems)];
      // Model messages that start with "(" already name the value, e.g. "(DOCKER_AUTH_CONFIG) has already been taken".
      parts.push(...list.map((problem) => `${field} ${problem}`));
    }
    if (parts.length) return parts.join('; ');
  }
  if (Array.isArray(message)) return message.map(String).join('; ');
  const error = json['error'];
  if (typeof error === 'string') {
    const description = json['error_description'];
    return typeof description === 'string' ? `${error}: ${description}` : error;
  }
  return undefined;
}

function parseJsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function causeCode(cause: unknown): string {
  if (cause && typeof cause === 'object') {
    if ('name' in cause && (cause.name === 'TimeoutError' || cause.name === 'AbortError')) return 'timed out';
    const inner = 'cause' in cause ? cause.cause : undefined;
    if (inner && typeof inner === 'object' && 'code' in inner && typeof inner.code === 'string') return inner.code;
    if ('code' in cause && typeof cause.code === 'string') return cause.code;
  }
  return 'network error';
}

/** The most of a server's error text a message shows. */
const MAX_SERVER_TEXT = 200;

function cut<T extends string | undefined>(text: T): T {
  return (text === undefined ? text : truncateText(text.replace(/\s+/g, ' '), MAX_SERVER_TEXT)) as T;
}

/** `/projects/group%2Fapp/variables` reads better as `/projects/group/app/variables` in a message. */
function decodeForDisplay(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
