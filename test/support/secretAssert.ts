import * as assert from 'node:assert/strict';

/** Text with every `"auth": "…"` value hidden, for messages about DOCKER_AUTH_CONFIG values. */
export function hideAuthValues(text: string | undefined): string {
  if (text === undefined) return 'nothing';
  return `${text.replace(/("auth"\s*:\s*")[^"]*"/g, '$1<hidden>"')} (${text.length} characters)`;
}

/**
 * Asserts two texts that hold credentials are equal without printing them: node's assert shows both sides on a
 * mismatch, which would put a token or an `auth` value into the test output.
 */
export function assertSameSecretText(actual: string | undefined, expected: string, what: string): void {
  if (actual === expected) return;
  assert.fail(`${what}: expected ${hideAuthValues(expected)}, got ${hideAuthValues(actual)}`);
}
