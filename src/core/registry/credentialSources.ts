/** The credential sources the runner can see, as registry keys. */
import type { ParsedAuthConfig } from '../auth/types';
import type { CredentialKey, CredentialSource, CredentialSourceKind } from '../types';
import { compareByteOrder } from './credentialLookup';
import { registryKeyPath } from './imageRef';

/**
 * The registry keys a parsed config gives the runner, as one credential source. `auths` and `credHelpers` keys are merged
 * per raw key with `credHelpers` winning (the runner's `maps.Copy` order); `credsStore` marks coverage as unknown.
 */
export function credentialSourceFromAuthConfig(parsed: ParsedAuthConfig, kind: CredentialSourceKind, label: string): CredentialSource {
  const byKey = new Map<string, CredentialKey>();
  for (const entry of parsed.auths) byKey.set(entry.key, { key: entry.key, path: registryKeyPath(entry.key), via: 'auths', label });
  for (const helper of parsed.credHelpers) byKey.set(helper.key, { key: helper.key, path: registryKeyPath(helper.key), via: 'credHelpers', label });
  const keys = [...byKey.values()].sort((a, b) => compareByteOrder(a.key, b.key));
  return parsed.credsStore === null ? { kind, keys } : { kind, keys, credsStore: parsed.credsStore };
}

/**
 * The credentials GitLab itself puts in the job payload: the job token for the GitLab container registry (`$CI_REGISTRY`)
 * and for the dependency proxy (`$CI_DEPENDENCY_PROXY_SERVER`, always `host:port`), each only when the variable is set.
 */
export function jobPayloadSource(vars: { readonly CI_REGISTRY?: string; readonly CI_DEPENDENCY_PROXY_SERVER?: string }): CredentialSource {
  const urls = [vars.CI_REGISTRY, vars.CI_DEPENDENCY_PROXY_SERVER].filter((url): url is string => Boolean(url));
  const keys: CredentialKey[] = [...new Set(urls)].map((url) => ({ key: url, path: registryKeyPath(url), via: 'job-token', label: 'job token' }));
  return { kind: 'job-payload', keys };
}

/**
 * Registry keys the runner covers on its own (its host's `~/.docker/config.json`, a credential helper, `config.toml`
 * `environment`), as the `runnerCoveredRegistries` setting lists them. Matched like `auths` keys.
 */
export function runnerConfigSource(keys: readonly string[], label = 'runner setting'): CredentialSource {
  return { kind: 'runner-config', keys: keys.map((key) => ({ key, path: registryKeyPath(key), via: 'auths', label })) };
}
