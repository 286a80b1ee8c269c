/** Shared helpers for the check/rules tests: an in-memory project and a `check(yaml)` that reads like a spec. */
import { checkProject } from '../../src/core/check';
import type { CheckOptions } from '../../src/core/check';
import { credentialSourceFromAuthConfig } from '../../src/core/registry/credentialSources';
import { parseAuthConfig } from '../../src/core/auth/parse';
import { localIncludeGlob } from '../../src/core/pipeline';
import type { CredentialSource, Finding, Pipeline, ProjectFiles } from '../../src/core/types';

/** An in-memory project: `files` maps a repository-relative path to its text; `glob` matches as a local include does. */
export function memoryFiles(files: Readonly<Record<string, string>>): ProjectFiles {
  return {
    read: (path) => (Object.hasOwn(files, path) ? files[path] : undefined),
    glob: (pattern) => {
      const matcher = localIncludeGlob(pattern);
      return Object.keys(files)
        .filter((path) => matcher.matches(path))
        .sort();
    },
  };
}

export const NO_CONTEXT: CheckOptions = {
  credentials: [],
  predefinedVariables: {},
  publicRegistries: ['docker.io', 'quay.io', 'ghcr.io', 'gcr.io'],
};

/** The predefined variables of a gitlab.com project `group/project`. */
export const GITLAB_COM = {
  CI_REGISTRY: 'registry.gitlab.com',
  CI_REGISTRY_IMAGE: 'registry.gitlab.com/group/project',
  CI_DEPENDENCY_PROXY_SERVER: 'gitlab.com:443',
  CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX: 'gitlab.com:443/group/dependency_proxy/containers',
};

/** A DOCKER_AUTH_CONFIG source (as the wizard or a CI/CD variable gives it) with these keys. */
export function authConfigSource(keys: readonly string[], kind: CredentialSource['kind'] = 'DOCKER_AUTH_CONFIG'): CredentialSource {
  const auths = Object.fromEntries(keys.map((key) => [key, { auth: 'ZmFrZS11c2VyOmZha2UtdG9rZW4=' }]));
  const parsed = parseAuthConfig(JSON.stringify({ auths }));
  if (!parsed.ok) throw new Error('test config did not parse');
  return credentialSourceFromAuthConfig(parsed.config, kind, 'test');
}

export interface Checked {
  readonly findings: Finding[];
  readonly pipeline: Pipeline;
  readonly text: string;
  /** Findings of one code. */
  of(code: Finding['code']): Finding[];
  /** The source text a finding underlines. */
  underlined(finding: Finding): string;
}

/** Checks `.gitlab-ci.yml` = `yaml` (plus extra files) with `options` over the defaults. */
export function check(yaml: string, options: Partial<CheckOptions> = {}, extraFiles: Record<string, string> = {}): Checked {
  const files = { '.gitlab-ci.yml': yaml, ...extraFiles };
  const { pipeline, findings } = checkProject('.gitlab-ci.yml', memoryFiles(files), { ...NO_CONTEXT, ...options });
  return {
    findings,
    pipeline,
    text: yaml,
    of: (code) => findings.filter((finding) => finding.code === code),
    underlined: (finding) => (files as Record<string, string>)[finding.range.file]!.slice(finding.range.start, finding.range.end),
  };
}
