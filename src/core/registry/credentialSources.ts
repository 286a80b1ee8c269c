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
