/**
 * Loopback GitLab API test server: a node:http server on 127.0.0.1 that implements the GitLab REST endpoints
 * this project uses, with the error shapes documented at docs.gitlab.com/api/rest/troubleshooting/ and
 * docs.gitlab.com/api/project_level_variables/
 * (401 invalid_token, 403 insufficient_scope / role, 404 "… Not Found", 400 validation, 429 Retry-After, 5xx),
 * pagination headers, hidden variables (value null), masked-value rules and environment scopes.
 * Every token it knows is an obviously fake test value.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Role = 'reporter' | 'developer' | 'maintainer' | 'owner';

export interface FakeToken {
  readonly scopes: readonly string[];
  /** `YYYY-MM-DD`; a past date makes every call 401 "Token is expired". */
  readonly expiresAt?: string | null;
  readonly revoked?: boolean;
  readonly userId?: number;
  /** OAuth tokens are refused by /personal_access_tokens/self, as on GitLab. */
  readonly oauth?: boolean;
}

export interface FakeVariable {
  key: string;
  value: string | null;
  variable_type: 'env_var' | 'file';
  protected: boolean;
  masked: boolean;
  hidden: boolean;
  raw: boolean;
  environment_scope: string;
  description?: string | null;
}

export interface RecordedRequest {
  readonly method: string;
  /** Path after `/api/v4`, still URL-encoded as sent. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
}

export interface ForcedResponse {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

interface Rule {
  readonly method: string;
  readonly path: RegExp;
  readonly response: ForcedResponse;
  remaining: number;
}

const maskedExpandedRegex = /^[a-zA-Z0-9_+=/@:.~-]{8,}$/;
const maskedRawRegex = /^\S{8,}$/;

export class FakeGitLab {
  readonly requests: RecordedRequest[] = [];
  readonly tokens = new Map<string, FakeToken>();
  readonly users = new Map<number, string>([[1, 'alice']]);
  /** Project path → namespace kind (`group` or `user`). */
  readonly projects = new Map<string, { id: number; namespaceKind: 'group' | 'user'; defaultBranch: string }>();
  /** `project:<path>` / `group:<path>` → role of the (single) test user. No entry = no access. */
  readonly roles = new Map<string, Role>();
  readonly variables = new Map<string, FakeVariable[]>();
  /** `project path` → `ref` → file path → text. */
  readonly files = new Map<string, Map<string, Map<string, string>>>();
  readonly templates = new Map<string, string>();
  /** Premium features: environment scopes on variables, project access tokens on GitLab.com. */
  premium = true;
  /** GitLab.com leaves out some pagination headers: then only `Link` tells the next page. */
  omitPageHeaders = false;
  /** CI Lint answer for the next lint calls. */
  lintResult: { valid: boolean; errors: string[]; warnings: string[]; merged_yaml: string } = {
    valid: true,
    errors: [],
    warnings: [],
    merged_yaml: '',
  };
  private readonly rules: Rule[] = [];
  private nextTokenId = 100;
  private server: http.Server | undefined;
  private port = 0;

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Starts serving the `gitlab` workspace fixture's projects (`group/app`, where the token's user is a maintainer, and
   * `group/shared-ci`, a reporter) and accepts `apiToken`.
   */
  async startWithFixtureProjects(apiToken: string): Promise<this> {
    await this.start();
    this.tokens.set(apiToken, { scopes: ['api'], expiresAt: '2099-12-31' });
    this.addProject('group/app', 'maintainer');
    this.addProject('group/shared-ci', 'reporter');
    return this;
  }

  /** The user settings that point the extension at this server for project `group/app`. */
  settingsForApp(): Record<string, unknown> {
    return {
      'gitlabCiAuth.gitlab.instanceUrl': this.baseUrl,
      'gitlabCiAuth.gitlab.projectPath': 'group/app',
      'gitlabCiAuth.gitlab.registryHost': 'registry.gitlab.test',
    };
  }

  /** Starts listening on a free loopback port. */
  async start(): Promise<this> {
    this.server = http.createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  addProject(path: string, role: Role | undefined, namespaceKind: 'group' | 'user' = 'group'): void {
    this.projects.set(path, { id: this.projects.size + 1, namespaceKind, defaultBranch: 'main' });
    if (role) this.roles.set(`project:${path}`, role);
  }

  addVariable(owner: string, variable: Partial<FakeVariable> & { key: string; value: string | null }): void {
    const list = this.variables.get(owner) ?? [];
    list.push({
      variable_type: 'env_var',
      protected: false,
      masked: false,
      hidden: false,
      raw: false,
      environment_scope: '*',
      ...variable,
    });
    this.variables.set(owner, list);
  }

  addFile(project: string, ref: string, path: string, text: string): void {
    const refs = this.files.get(project) ?? new Map<string, Map<string, string>>();
    const files = refs.get(ref) ?? new Map<string, string>();
    files.set(path, text);
    refs.set(ref, files);
    this.files.set(project, refs);
  }

  /** The next `times` requests matching method and path get `response` instead of the normal answer. */
  failNext(method: string, path: RegExp, response: ForcedResponse, times = 1): void {
    this.rules.push({ method, path, response, remaining: times });
  }

  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((request) => request.method === method && path.test(request.path));
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(request);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const method = request.method ?? 'GET';
    const path = url.pathname.replace(/^\/api\/v4/, '');
    this.requests.push({ method, path: rawPath(request.url ?? '/').replace(/^\/api\/v4/, ''), query: url.searchParams, headers: request.headers, body });

    const rule = this.rules.find((candidate) => candidate.method === method && candidate.path.test(path) && candidate.remaining > 0);
    if (rule) {
      rule.remaining--;
      response.writeHead(rule.response.status, { 'Content-Type': 'application/json', ...rule.response.headers });
      response.end(rule.response.body);
      return;
    }
    const answer = this.route(method, path, url.searchParams, request.headers, body, rawPath(request.url ?? '/'));
    response.writeHead(answer.status, { 'Content-Type': answer.contentType ?? 'application/json', ...answer.headers });
    response.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
  }

  private route(method: string, path: string, query: URLSearchParams, headers: http.IncomingHttpHeaders, body: unknown, rawUrlPath: string): Answer {
    const token = tokenFrom(headers);
    const known = token ? this.tokens.get(token) : undefined;
    if (!token) return json(401, { message: '401 Unauthorized' });
    if (!known) return invalidToken('Bad Access Token.');
    if (known.revoked) return invalidToken('Token was revoked. You have to re-authorize from the user.');
    if (known.expiresAt && known.expiresAt < new Date().toISOString().slice(0, 10)) {
      return invalidToken('Token is expired. You can either do re-authorization or token refresh.');
    }
    const write = method !== 'GET';
    const canRead = known.scopes.includes('api') || known.scopes.includes('read_api');
    const scopeError = (needed: string): Answer =>
      json(403, { error: 'insufficient_scope', error_description: 'The request requires higher privileges than provided by the access token.', scope: needed });

    if (method === 'GET' && path === '/personal_access_tokens/self') {
      if (known.oauth) return json(400, { message: '400 Bad request - This endpoint requires token type to be a personal access token' });
      return json(200, {
        id: 4,
        name: 'Test Token',
        revoked: false,
        created_at: '2025-01-01T00:00:00.000Z',
        scopes: known.scopes,
        user_id: known.userId ?? 1,
        active: true,
        expires_at: known.expiresAt ?? null,
      });
    }
    if (write ? !known.scopes.includes('api') : !canRead) return scopeError(write ? 'api' : 'read_api');

    if (method === 'GET' && path === '/user') return json(200, { id: known.userId ?? 1, username: this.users.get(known.userId ?? 1) ?? 'alice' });
    let match = /^\/users\/(\d+)$/.exec(path);
    if (method === 'GET' && match) {
      const name = this.users.get(Number(match[1]));
      return name ? json(200, { id: Number(match[1]), username: name }) : json(404, { message: '404 User Not Found' });
    }

    match = /^\/templates\/gitlab_ci_ymls\/([^/]+)$/.exec(rawPath(rawUrlPath).replace(/^\/api\/v4/, ''));
    if (method === 'GET' && match) {
      const key = decodeURIComponent(match[1]!);
      const content = this.templates.get(key);
      return content === undefined ? json(404, { message: '404 Template Not Found' }) : json(200, { name: key, content });
    }

    // Resource paths: the id segment is URL-encoded (`group%2Fapp`), so match on the raw path.
    const resource = /^\/(projects|groups)\/([^/]+)(\/.*)?$/.exec(rawPath(rawUrlPath).replace(/^\/api\/v4/, ''));
    if (!resource) return json(404, { message: '404 Not Found' });
    const kind = resource[1] === 'projects' ? 'project' : 'group';
    const resourcePath = decodeURIComponent(resource[2]!);
    const rest = resource[3] ?? '';
    const role = this.roles.get(`${kind}:${resourcePath}`) ?? this.inheritedRole(resourcePath);
    const notFound = json(404, { message: kind === 'project' ? '404 Project Not Found' : '404 Group Not Found' });
    if (kind === 'project' && !this.projects.has(resourcePath)) return notFound;
    if (!role) return notFound;
    const atLeast = (needed: Role): boolean => roleRank[role] >= roleRank[needed];
    const forbidden = json(403, { message: '403 Forbidden' });

    if (kind === 'project' && rest === '' && method === 'GET') {
      const project = this.projects.get(resourcePath)!;
      const namespace = resourcePath.slice(0, resourcePath.lastIndexOf('/'));
      return json(200, {
        id: project.id,
        path_with_namespace: resourcePath,
        web_url: `${this.baseUrl}/${resourcePath}`,
        default_branch: project.defaultBranch,
        namespace: { kind: project.namespaceKind, full_path: namespace },
      });
    }

    if (rest === '/variables' || rest.startsWith('/variables/')) {
      if (!atLeast(kind === 'project' ? 'maintainer' : 'owner')) return forbidden;
      return this.variablesRoute(`${kind}:${resourcePath}`, method, rest, query, body, rawPath(rawUrlPath));
    }

    if (kind === 'project' && rest === '/deploy_tokens' && method === 'POST') {
      if (!atLeast('maintainer')) return forbidden;
      const request = body as { name?: string; scopes?: string[]; expires_at?: string; username?: string };
      if (!request?.name) return json(400, { error: 'name is missing' });
      if (!request.scopes?.length) return json(400, { error: 'scopes is missing' });
      const id = this.nextTokenId++;
      return json(201, {
        id,
        name: request.name,
        username: request.username ?? `gitlab+deploy-token-${id}`,
        expires_at: request.expires_at ?? null,
        token: `FAKE-deploy-token-${id}`,
        revoked: false,
        expired: false,
        scopes: request.scopes,
      });
    }
    if (kind === 'project' && rest === '/access_tokens' && method === 'POST') {
      if (!atLeast('maintainer')) return forbidden;
      if (!this.premium) return json(400, { message: '400 Bad request - Project access token creation is disabled in this group.' });
      const request = body as { name?: string; scopes?: string[]; expires_at?: string; access_level?: number };
      if (!request?.name) return json(400, { error: 'name is missing' });
      if (!request.expires_at) return json(400, { error: 'expires_at is missing' });
      const id = this.nextTokenId++;
      const userId = 1000 + id;
      this.users.set(userId, `project_${this.projects.get(resourcePath)!.id}_bot_${id}`);
      return json(201, {
        id,
        name: request.name,
        revoked: false,
        scopes: request.scopes ?? [],
        user_id: userId,
        active: true,
        expires_at: request.expires_at,
        access_level: request.access_level ?? 40,
        token: `FAKE-glpat-project-${id}`,
      });
    }

    const file = /^\/repository\/files\/([^/]+)\/raw$/.exec(rest);
    if (kind === 'project' && file && method === 'GET') {
      if (!atLeast('reporter')) return forbidden;
      const filePath = decodeURIComponent(file[1]!);
      const ref = query.get('ref') ?? this.projects.get(resourcePath)!.defaultBranch;
      const text = this.files.get(resourcePath)?.get(ref)?.get(filePath);
      return text === undefined ? json(404, { message: '404 File Not Found' }) : { status: 200, body: text, contentType: 'text/plain' };
    }

    if (kind === 'project' && rest === '/ci/lint' && method === 'POST') {
      if (!atLeast('developer')) return forbidden;
      if (typeof (body as { content?: unknown })?.content !== 'string') return json(400, { error: 'content is missing' });
      return json(200, { ...this.lintResult, includes: [] });
    }
    return json(404, { message: '404 Not Found' });
  }

  private variablesRoute(owner: string, method: string, rest: string, query: URLSearchParams, body: unknown, requestPath: string): Answer {
    const list = this.variables.get(owner) ?? [];
    this.variables.set(owner, list);
    const scopeFilter = query.get('filter[environment_scope]');
    if (rest === '/variables' && method === 'GET') return this.page(list.map(publicVariable), query, requestPath);
    if (rest === '/variables' && method === 'POST') {
      const fields = body as Partial<FakeVariable> & { masked_and_hidden?: boolean };
      if (!fields?.key) return json(400, { error: 'key is missing' });
      if (typeof fields.value !== 'string') return json(400, { error: 'value is missing' });
      const scope = this.premium ? (fields.environment_scope ?? '*') : '*';
      if (list.some((variable) => variable.key === fields.key && variable.environment_scope === scope)) {
        return json(400, { message: { key: [`(${fields.key}) has already been taken`] } });
      }
      const variable: FakeVariable = {
        key: fields.key,
        value: fields.value,
        variable_type: fields.variable_type ?? 'env_var',
        protected: fields.protected ?? false,
        masked: fields.masked_and_hidden ? true : (fields.masked ?? false),
        hidden: fields.masked_and_hidden ?? false,
        raw: fields.raw ?? false,
        environment_scope: scope,
        description: fields.description ?? null,
      };
      const invalid = maskProblem(variable);
      if (invalid) return invalid;
      list.push(variable);
      return json(201, publicVariable(variable));
    }
    const keyMatch = /^\/variables\/([^/]+)$/.exec(rest);
    if (!keyMatch) return json(404, { message: '404 Not Found' });
    const key = decodeURIComponent(keyMatch[1]!);
    const candidates = list.filter((variable) => variable.key === key && (scopeFilter === null || variable.environment_scope === scopeFilter));
    if (candidates.length > 1) {
      return json(400, { message: "There are multiple variables with provided parameters. Please use 'filter[environment_scope]'." });
    }
    const existing = candidates[0];
    if (!existing) return json(404, { message: '404 Variable Not Found' });
    if (method === 'GET') return json(200, publicVariable(existing));
    if (method === 'PUT') {
      const fields = body as Partial<FakeVariable> & { masked_and_hidden?: unknown };
      if (fields?.masked_and_hidden !== undefined) return json(400, { error: 'masked_and_hidden does not have a valid value' });
      const updated: FakeVariable = { ...existing, ...pickDefined(fields) };
      const invalid = maskProblem(updated);
      if (invalid) return invalid;
      Object.assign(existing, updated);
      return json(200, publicVariable(existing));
    }
    if (method === 'DELETE') {
      list.splice(list.indexOf(existing), 1);
      return { status: 204, body: '' };
    }
    return json(405, { message: '405 Method Not Allowed' });
  }

  private page(items: unknown[], query: URLSearchParams, requestPath: string): Answer {
    const perPage = Math.min(100, Number(query.get('per_page') ?? 20));
    const page = Number(query.get('page') ?? 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const totalPages = Math.max(1, Math.ceil(items.length / perPage));
    const headers: Record<string, string> = {};
    if (!this.omitPageHeaders) {
      headers['x-page'] = String(page);
      headers['x-per-page'] = String(perPage);
      headers['x-next-page'] = page < totalPages ? String(page + 1) : '';
      headers['x-total'] = String(items.length);
      headers['x-total-pages'] = String(totalPages);
    }
    if (page < totalPages) {
      const next = new URLSearchParams(query);
      next.set('page', String(page + 1));
      headers['link'] = `<${this.baseUrl}${requestPath}?${next.toString()}>; rel="next"`;
    }
    return { status: 200, body: slice, headers };
  }

  private inheritedRole(path: string): Role | undefined {
    // Membership of a group gives the same role on its subgroups and projects.
    const parts = path.split('/');
    for (let i = parts.length - 1; i > 0; i--) {
      const role = this.roles.get(`group:${parts.slice(0, i).join('/')}`);
      if (role) return role;
    }
    return undefined;
  }
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
  readonly contentType?: string;
}

const roleRank: Record<Role, number> = { reporter: 20, developer: 30, maintainer: 40, owner: 50 };

function json(status: number, body: unknown): Answer {
  return { status, body };
}

function invalidToken(description: string): Answer {
  return {
    status: 401,
    body: { error: 'invalid_token', error_description: description },
    headers: { 'WWW-Authenticate': `Bearer realm="The API",error="invalid_token",error_description="${description}"` },
  };
}

function publicVariable(variable: FakeVariable): FakeVariable {
  return { ...variable, value: variable.hidden ? null : variable.value };
}

function maskProblem(variable: FakeVariable): Answer | undefined {
  if (!variable.masked || variable.value === null) return undefined;
  const ok = variable.raw ? maskedRawRegex.test(variable.value) : maskedExpandedRegex.test(variable.value);
  return ok ? undefined : json(400, { message: { value: ['is invalid'] } });
}

function pickDefined(fields: Partial<FakeVariable> | undefined): Partial<FakeVariable> {
  const result: Partial<FakeVariable> = {};
  for (const [name, value] of Object.entries(fields ?? {})) {
    if (value !== undefined && name !== 'key' && name !== 'hidden') (result as Record<string, unknown>)[name] = value;
  }
  return result;
}

function tokenFrom(headers: http.IncomingHttpHeaders): string | undefined {
  const privateToken = headers['private-token'];
  if (typeof privateToken === 'string' && privateToken) return privateToken;
  const authorization = headers['authorization'];
  const bearer = typeof authorization === 'string' ? /^Bearer (.+)$/.exec(authorization) : null;
  return bearer?.[1];
}

function rawPath(url: string): string {
  const index = url.indexOf('?');
  return index === -1 ? url : url.slice(0, index);
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
