/** base64 as Go's `base64.StdEncoding` reads and writes it, for the `auth` values of DOCKER_AUTH_CONFIG. */
import { trimBoth } from '../text';

const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function encodeBase64(text: string): string {
  return encodeBase64Bytes(new TextEncoder().encode(text));
}

/** Standard padded base64 of bytes (what Node's `Buffer#toString('base64')` gives), without Node's `Buffer`. */
export function encodeBase64Bytes(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1], bytes[i + 2]];
    out += base64Alphabet[a >> 2]! + base64Alphabet[((a & 3) << 4) | ((b ?? 0) >> 4)]!;
    out += b === undefined ? '=' : base64Alphabet[((b & 15) << 2) | ((c ?? 0) >> 6)]!;
    out += c === undefined ? '=' : base64Alphabet[c & 63]!;
  }
  return out;
}

/** The UTF-8 text of base64url (or standard base64), padding optional, as Node's `Buffer.from(x, 'base64url')` reads it; throws on other characters. */
export function decodeBase64UrlText(encoded: string): string {
  const standard = encoded.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(standard + '='.repeat((4 - (standard.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}

/** Go `base64.StdEncoding.DecodeString`: `\r`/`\n` skipped, padding required. Returns the reason on failure. */
function decodeBase64(encoded: string): { bytes: Uint8Array } | { reason: string } {
  const compact = encoded.replace(/[\r\n]/g, '');
  if (/[ \t]/.test(compact)) return { reason: 'it contains spaces or tabs' };
  if (/[-_]/.test(compact) && /^[A-Za-z0-9\-_]*=*$/.test(compact)) {
    return { reason: 'it is URL-safe base64 (uses "-" or "_"); standard base64 is required' };
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return { reason: 'it contains characters that are not base64' };
  if (compact.length % 4 !== 0) return { reason: 'its length is not a multiple of 4 (the "=" padding is missing or it was cut)' };
  const bytes: number[] = [];
  for (let i = 0; i < compact.length; i += 4) {
    const quad = compact.slice(i, i + 4);
    const values = [...quad].map((char) => (char === '=' ? -1 : base64Alphabet.indexOf(char)));
    if (values[0]! < 0 || values[1]! < 0 || (values[2]! < 0 && values[3]! >= 0)) return { reason: 'its "=" padding is misplaced' };
    if (values[3]! < 0 && i + 4 < compact.length) return { reason: 'its "=" padding is misplaced' };
    bytes.push((values[0]! << 2) | (values[1]! >> 4));
    if (values[2]! >= 0) bytes.push(((values[1]! & 15) << 4) | (values[2]! >> 2));
    if (values[3]! >= 0) bytes.push(((values[2]! & 3) << 6) | values[3]!);
  }
  return { bytes: Uint8Array.from(bytes) };
}

/** An `auth` value read as Docker and the runner read it, or what stops that. */
export type DecodedAuth =
  | { readonly ok: true; readonly username: string; readonly secret: string; readonly utf8: boolean }
  | { readonly ok: false; readonly problem: 'base64'; readonly reason: string }
  | { readonly ok: false; readonly problem: 'no-user'; readonly hasColon: boolean };

/**
 * Decodes an `auths` entry's `auth` (Go `base64.StdEncoding`, `\r`/`\n` skipped) into `user:secret`, split at the first
 * `:`, the secret's NUL padding trimmed as Docker's `decodeAuth` does. `utf8` is false when the bytes are not UTF-8
 * (the runner sends them as they are; text made from them is then approximate).
 */
export function decodeAuthValue(value: string): DecodedAuth {
  const decoded = decodeBase64(value);
  if ('reason' in decoded) return { ok: false, problem: 'base64', reason: decoded.reason };
  let text: string;
  let utf8 = true;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(decoded.bytes);
  } catch {
    text = new TextDecoder().decode(decoded.bytes);
    utf8 = false;
  }
  const colon = text.indexOf(':');
  if (colon <= 0) return { ok: false, problem: 'no-user', hasColon: colon === 0 };
  return { ok: true, username: text.slice(0, colon), secret: trimBoth(text.slice(colon + 1), '\0'), utf8 };
}
