/**
 * The GitLab endpoints this project uses, typed and validated. Each method is one documented call
 * (doc/api/*.md); the transport, retries and error mapping live in GitLabClient.
 */
import type * as z from '../zod';
import type { GitLabClient } from './client';
import { GitLabApiError } from './errors';
import { resourceId } from './instance';
import {
  accessTokenSchema,
  ciLintSchema,
  ciTemplateSchema,
  deployTokenSchema,
  projectSchema,
  tokenSelfSchema,
  userSchema,
  variableSchema,
  type CiLintResult,
  type CreatedAccessToken,
  type CreatedDeployToken,
  type GitLabProject,
  type GitLabUser,
  type GitLabVariable,
  type TokenSelf,
} from './schemas';

/** Where a CI/CD variable lives: a project or a group, by full path. */
export interface VariableOwner {
  readonly level: 'project' | 'group';
  readonly path: string;
}

/** The writable fields of a CI/CD variable (doc/api/project_level_variables.md). */
export interface VariableFields {
  readonly value: string;
  readonly variable_type: 'env_var' | 'file';
  readonly protected: boolean;
  readonly masked: boolean;
  readonly raw: boolean;
  readonly environment_scope: string;
  readonly description?: string;
}

export interface DeployTokenRequest {
  readonly name: string;
  readonly scopes: readonly string[];
  /** ISO 8601; omitted = never expires (deploy tokens allow that). */
  readonly expires_at?: string;
  readonly username?: string;
}

export interface AccessTokenRequest {
  readonly name: string;
  readonly scopes: readonly string[];
  /** 20 Reporter for pull-only. */
  readonly access_level: number;
  /** `YYYY-MM-DD`, at most 365 days ahead. */
  readonly expires_at: string;
}

export class GitLabApi {
  constructor(readonly client: GitLabClient) {}

  /** `GET /personal_access_tokens/self`: works with any scope; refuses OAuth, job and deploy tokens with 400. */
  async tokenSelf(): Promise<TokenSelf> {
    return parse(tokenSelfSchema, await this.client.json({ method: 'GET', path: '/personal_access_tokens/self' }), 'token information');
  }

  /** `GET /user`. */
  async currentUser(): Promise<GitLabUser> {
    return parse(userSchema, await this.client.json({ method: 'GET', path: '/user' }), 'user');
  }

  /** `GET /users/:id`: a bot user's name (project access tokens). */
  async user(id: number): Promise<GitLabUser> {
    return parse(userSchema, await this.client.json({ method: 'GET', path: `/users/${id}` }), 'user');
  }

  /** `GET /projects/:id`. */
  async project(projectPath: string): Promise<GitLabProject> {
    return parse(projectSchema, await this.client.json({ method: 'GET', path: `/projects/${resourceId(projectPath)}` }), 'project');
  }

  /** Every CI/CD variable of a project or group (paginated). */
  async variables(owner: VariableOwner): Promise<GitLabVariable[]> {
    const items = await this.client.all({ path: variablesPath(owner) });
    return items.map((item) => parse(variableSchema, item, 'CI/CD variable'));
  }

  /** One variable by key and environment scope; `undefined` when GitLab says `404 Variable Not Found`. */
  async variable(owner: VariableOwner, key: string, environmentScope: string): Promise<GitLabVariable | undefined> {
    try {
      const body = await this.client.json({
        method: 'GET',
        path: `${variablesPath(owner)}/${encodeURIComponent(key)}`,
        query: scopeFilter(environmentScope),
      });
      return parse(variableSchema, body, 'CI/CD variable');
    } catch (error) {
      // A 404 for the project itself must stay an error; only the variable's absence means "create it".
      if (GitLabApiError.is(error, 'not-found') && /variable/i.test(error.detail ?? '')) return undefined;
      throw error;
    }
  }

  /** `POST …/variables`. */
  async createVariable(owner: VariableOwner, key: string, fields: VariableFields): Promise<GitLabVariable> {
    const body = await this.client.json({ method: 'POST', path: variablesPath(owner), body: { key, ...fieldsFor(fields) } });
    return parse(variableSchema, body, 'CI/CD variable');
  }

  /** `PUT …/variables/:key?filter[environment_scope]=…`. */
  async updateVariable(owner: VariableOwner, key: string, environmentScope: string, fields: VariableFields): Promise<GitLabVariable> {
    const body = await this.client.json({
      method: 'PUT',
      path: `${variablesPath(owner)}/${encodeURIComponent(key)}`,
      query: scopeFilter(environmentScope),
      body: fieldsFor(fields),
    });
    return parse(variableSchema, body, 'CI/CD variable');
  }

  /** `POST /projects/:id/deploy_tokens` (Maintainer; every tier). */
  async createDeployToken(projectPath: string, request: DeployTokenRequest): Promise<CreatedDeployToken> {
    const body = await this.client.json({ method: 'POST', path: `/projects/${resourceId(projectPath)}/deploy_tokens`, body: request });
    return parse(deployTokenSchema, body, 'deploy token');
  }

  /** `POST /projects/:id/access_tokens` (Maintainer; Premium on GitLab.com). */
  async createProjectAccessToken(projectPath: string, request: AccessTokenRequest): Promise<CreatedAccessToken> {
    const body = await this.client.json({ method: 'POST', path: `/projects/${resourceId(projectPath)}/access_tokens`, body: request });
    return parse(accessTokenSchema, body, 'project access token');
  }

  /** `GET /projects/:id/repository/files/:path/raw?ref=`: the file's text. `ref` omitted = default branch. */
  async rawFile(projectPath: string, filePath: string, ref?: string): Promise<string> {
    const response = await this.client.send({
      method: 'GET',
      path: `/projects/${resourceId(projectPath)}/repository/files/${encodeURIComponent(filePath.replace(/^\/+/, ''))}/raw`,
      query: { ref },
    });
    return response.text;
  }

  /** `GET /templates/gitlab_ci_ymls/:key`: an instance CI template's content. */
  async ciTemplate(key: string): Promise<string> {
    const body = await this.client.json({ method: 'GET', path: `/templates/gitlab_ci_ymls/${encodeURIComponent(key)}` });
    return parse(ciTemplateSchema, body, 'CI template').content;
  }

  /** `POST /projects/:id/ci/lint` with `content`: the server's view of the pipeline, `merged_yaml` included. */
  async ciLint(projectPath: string, content: string): Promise<CiLintResult> {
    const body = await this.client.json({ method: 'POST', path: `/projects/${resourceId(projectPath)}/ci/lint`, body: { content } });
    return parse(ciLintSchema, body, 'CI Lint result');
  }
}

function variablesPath(owner: VariableOwner): string {
  return `/${owner.level === 'project' ? 'projects' : 'groups'}/${resourceId(owner.path)}/variables`;
}

// `filter[environment_scope]` needs Premium; `*` is what Free tiers have, and sending it there is harmless.
function scopeFilter(environmentScope: string): Record<string, string> {
  return { 'filter[environment_scope]': environmentScope };
}

function fieldsFor(fields: VariableFields): Record<string, unknown> {
  const { description, ...rest } = fields;
  return description === undefined ? { ...rest } : { ...rest, description };
}

function parse<T extends z.ZodMiniType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new GitLabApiError('bad-response', `GitLab's answer is not a valid ${what}.`);
}
