/**
 * The shapes of the GitLab answers this project reads, as documented (doc/api/*.md, lib/api/entities).
 * Only the fields used are declared; unknown fields are dropped.
 */
import * as z from '../zod';

export const tokenSelfSchema = z.object({
  id: z.number(),
  name: z.string(),
  scopes: z.array(z.string()),
  active: z.optional(z.boolean()),
  revoked: z.optional(z.boolean()),
  expires_at: z.optional(z.nullable(z.string())),
  user_id: z.optional(z.number()),
});
export type TokenSelf = z.infer<typeof tokenSelfSchema>;

export const userSchema = z.object({ id: z.number(), username: z.string() });
export type GitLabUser = z.infer<typeof userSchema>;

export const projectSchema = z.object({
  id: z.number(),
  path_with_namespace: z.string(),
  web_url: z.optional(z.string()),
  default_branch: z.optional(z.nullable(z.string())),
  namespace: z.object({ kind: z.string(), full_path: z.string() }),
});
export type GitLabProject = z.infer<typeof projectSchema>;

export const variableSchema = z.object({
  key: z.string(),
  /** `null` for hidden variables. */
  value: z.nullable(z.string()),
  /** GitLab's default type for anything else; not `z.catch`, whose zod/mini code bundles all of zod's utilities (~11 KB). */
  variable_type: z.pipe(
    z.optional(z.unknown()),
    z.transform((type): 'env_var' | 'file' => (type === 'file' ? 'file' : 'env_var')),
  ),
  protected: z._default(z.optional(z.boolean()), false),
  masked: z._default(z.optional(z.boolean()), false),
  hidden: z._default(z.optional(z.boolean()), false),
  raw: z._default(z.optional(z.boolean()), false),
  /** Absent on instance variables and on tiers without scopes: `*`. */
  environment_scope: z._default(z.optional(z.string()), '*'),
  description: z.optional(z.nullable(z.string())),
});
export type GitLabVariable = z.infer<typeof variableSchema>;

export const deployTokenSchema = z.object({
  id: z.number(),
  name: z.string(),
  username: z.string(),
  expires_at: z.optional(z.nullable(z.string())),
  token: z.string(),
  scopes: z.array(z.string()),
});
export type CreatedDeployToken = z.infer<typeof deployTokenSchema>;

export const accessTokenSchema = z.object({
  id: z.number(),
  name: z.string(),
  user_id: z.number(),
  expires_at: z.optional(z.nullable(z.string())),
  token: z.string(),
  scopes: z.array(z.string()),
  access_level: z.optional(z.number()),
});
export type CreatedAccessToken = z.infer<typeof accessTokenSchema>;

export const ciTemplateSchema = z.object({ name: z.string(), content: z.string() });

export const ciLintSchema = z.object({
  valid: z.boolean(),
  errors: z._default(z.array(z.string()), []),
  warnings: z._default(z.array(z.string()), []),
  merged_yaml: z.optional(z.nullable(z.string())),
});
export type CiLintResult = z.infer<typeof ciLintSchema>;
