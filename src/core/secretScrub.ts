/**
 * Removing a secret from text a server sent back. A registry or token service may echo what it was sent, escaped
 * (JSON, URL encoding), re-encoded (base64 at any alignment) or cut short: every such echo becomes `[redacted]`.
 */
import { encodeBase64Bytes } from './auth/base64';
import { trimTrailing } from './text';

const REDACTED = '[redacted]';
/** A word of server text sharing this many characters with a secret's rendering is taken for a piece of it. */
const MIN_FRAGMENT = 6;
/** Words are what lies between these: a cut echo ends at a quote, a bracket, an ellipsis or a space. */
const WORD_SEPARATORS = /[\s"'<>()[\]{},;…]+/;

/** Every way `secret` may come back: as is, JSON-escaped, URL-encoded, and base64 (standard and URL-safe) at each alignment. */
export function secretEchoForms(secret: string): string[] {
  const forms = new Set<string>();
  const add = (form: string): void => {
    if (form.length >= 3) forms.add(form);
  };
  for (const text of [secret, JSON.stringify(secret).slice(1, -1)]) {
    add(text);
    add(encodeURIComponent(text));
    add(encodeURIComponent(text).replace(/%20/g, '+'));
  }
  const bytes = new TextEncoder().encode(secret);
  for (let skip = 0; skip < 3; skip++) {
    const part = bytes.subarray(skip);
    const whole = encodeBase64Bytes(part);
    const aligned = encodeBase64Bytes(part.subarray(0, part.length - (part.length % 3)));
    for (const encoded of [whole, trimTrailing(whole, '='), aligned]) {
      add(encoded);
      add(encoded.replace(/\+/g, '-').replace(/\//g, '_'));
      add(encodeURIComponent(encoded));
    }
  }
  return [...forms];
}

/** `text` without any echo of `secrets` (see `secretEchoForms`), whole or cut short to a piece of 6 characters or more. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  // Longest first: a whole Basic value goes as one, not as the secret's base64 inside it plus the rest.
  const forms = secrets
    .filter((secret) => secret.length >= 3)
    .flatMap(secretEchoForms)
    .sort((a, b) => b.length - a.length);
  if (forms.length === 0) return text;
  let scrubbed = text;
  for (const form of forms) scrubbed = scrubbed.split(form).join(REDACTED);
  return scrubbed
    .split(new RegExp(`(${WORD_SEPARATORS.source})`))
    .map((word, index) => (index % 2 === 0 && holdsFragment(word, forms) ? REDACTED : word))
    .join('');
}

/** True when `word` is a piece of a form, or begins with a form's end or ends with a form's start, 6 characters or more. */
function holdsFragment(word: string, forms: readonly string[]): boolean {
  if (word.length < MIN_FRAGMENT) return false;
  for (const form of forms) {
    if (form.length < MIN_FRAGMENT) continue;
    if (form.includes(word)) return true;
    // The word's tail starting where the form starts, or its head ending where the form ends.
    for (let at = word.indexOf(form[0]!); at >= 0 && word.length - at >= MIN_FRAGMENT; at = word.indexOf(form[0]!, at + 1)) {
      if (form.startsWith(word.slice(at))) return true;
    }
    const last = form[form.length - 1]!;
    for (let end = word.lastIndexOf(last); end + 1 >= MIN_FRAGMENT; end = word.lastIndexOf(last, end - 1)) {
      if (form.endsWith(word.slice(0, end + 1))) return true;
      if (end === 0) break;
    }
  }
  return false;
}
