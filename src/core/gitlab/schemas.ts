/**
 * The shapes of the GitLab answers this project reads, as documented (doc/api/*.md, lib/api/entities).
 * Only the fields used are declared; unknown fields are dropped.
 */
import { z } from 'zod';

export const tokenSelfSchema = z.object({
  id: z.number(),
  name: z.string(),
  scopes: z.array(z.string()),
  active: z.boolean().optional(),
  revoked: z.boolean().optional(),
  expires_at: z.string().nullable().optional(),
  user_id: z.number().optional(),
});
export type TokenSelf = z.infer<typeof tokenSelfSchema>;

export const userSchema = z.object({ id: z.number(), username: z.string() });
export type GitLabUser = z.infer<typeof userSchema>;

export const projectSchema = z.object({
  id: z.number(),
  path_with_namespace: z.string(),
  web_url: z.string().optional(),
  default_branch: z.string().nullable().optional(),
  namespace: z.object({ kind: z.string(), full_path: z.string() }),
});
export type GitLabProject = z.infer<typeof projectSchema>;

export const variableSchema = z.object({
  key: z.string(),
  /** `null` for hidden variables. */
  value: z.string().nullable(),
  variable_type: z.enum(['env_var', 'file']).catch('env_var'),
  protected: z.boolean().optional().default(false),
  masked: z.boolean().optional().default(false),
  hidden: z.boolean().optional().default(false),
  raw: z.boolean().optional().default(false),
  /** Absent on instance variables and on tiers without scopes: `*`. */
  environment_scope: z.string().optional().default('*'),
  description: z.string().nullable().optional(),
});
export type GitLabVariable = z.infer<typeof variableSchema>;

export const deployTokenSchema = z.object({
  id: z.number(),
  name: z.string(),
  username: z.string(),
  expires_at: z.string().nullable().optional(),
  token: z.string(),
  scopes: z.array(z.string()),
});
export type CreatedDeployToken = z.infer<typeof deployTokenSchema>;

export const accessTokenSchema = z.object({
  id: z.number(),
  name: z.string(),
  user_id: z.number(),
  expires_at: z.string().nullable().optional(),
  token: z.string(),
  scopes: z.array(z.string()),
  access_level: z.number().optional(),
});
export type CreatedAccessToken = z.infer<typeof accessTokenSchema>;

export const ciTemplateSchema = z.object({ name: z.string(), content: z.string() });

export const ciLintSchema = z.object({
  valid: z.boolean(),
  errors: z.array(z.string()).default([]),
  warnings: z.array(z.string()).default([]),
  merged_yaml: z.string().nullable().optional(),
});
export type CiLintResult = z.infer<typeof ciLintSchema>;
