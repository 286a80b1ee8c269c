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

/** A token and every base64 rendering of it (any alignment, standard and URL-safe), as an `auth` value embeds it. */
export function secretForms(secret: string): string[] {
  const forms = [secret];
  for (let skip = 0; skip < 3; skip++) {
    const part = Buffer.from(secret).subarray(skip);
    const encoded = part.subarray(0, part.length - (part.length % 3)).toString('base64');
    forms.push(encoded, encoded.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/** `text` with every occurrence of `secrets` replaced by `<secret>`, for a failure message about a leak. */
export function hideSecrets(text: string, secrets: readonly string[]): string {
  return secrets.reduce((hidden, secret) => hidden.split(secret).join('<secret>'), text);
}
