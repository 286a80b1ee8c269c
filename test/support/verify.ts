/** Verifies registry credentials in a test, checking the one rule every outcome obeys: the secret is never in the result. */
import assert from 'node:assert/strict';
import { verifyRegistryCredentials, type VerifyRequest, type VerifyResult } from '../../src/core/registry/verify';
import { basicAuthorization } from './registry';
import { hideSecrets } from './secretAssert';

const TIMEOUT_MS = 5_000;

/** Verifies and checks the one rule every outcome obeys: the secret (or its Basic form) is never in the result. */
export async function verify(request: VerifyRequest, options: Partial<Parameters<typeof verifyRegistryCredentials>[1]> = {}): Promise<VerifyResult> {
  const result = await verifyRegistryCredentials(request, { timeoutMs: TIMEOUT_MS, ...options });
  const text = JSON.stringify(result);
  const basicValue = basicAuthorization(request.username, request.secret).slice(6);
  const shown = hideSecrets(text, [request.secret, basicValue]);
  assert.ok(!text.includes(request.secret), `secret leaked into ${shown}`);
  assert.ok(!text.includes(basicValue), `Basic value leaked into ${shown}`);
  assert.equal(typeof result.message, 'string');
  assert.ok(result.message.length > 0);
  return result;
}
