/**
 * Small text helpers for text from repositories and servers: linear, no regular expression that can backtrack.
 */

/** `text` without the runs of `char` at its end (`/\/+$/` backtracks quadratically on `///…x`). */
export function trimTrailing(text: string, char: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === char) end--;
  return text.slice(0, end);
}

/** `text` without the runs of `char` at both ends. */
export function trimBoth(text: string, char: string): string {
  let start = 0;
  while (start < text.length && text[start] === char) start++;
  return trimTrailing(text.slice(start), char);
}

/** `text` up to (not including) the first of `chars`, or all of it. */
export function beforeFirst(text: string, chars: string): string {
  for (let i = 0; i < text.length; i++) if (chars.includes(text[i]!)) return text.slice(0, i);
  return text;
}

/**
 * `text` made safe inside Markdown (a hover): every character Markdown or HTML could read as syntax is
 * backslash-escaped, and line breaks become spaces, so repository content shows as text and never as a link,
 * image, code span or HTML.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/[\\`*_{}[\]()<>#+\-.!|~&"'$:]/g, '\\$&');
}

/** `text` cut to at most `max` characters, with `…` when cut (server texts before they reach a notification). */
export function truncateText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * `value` as a Markdown inline code span that it cannot leave: the fence is one backtick longer than the longest run
 * of backticks inside (CommonMark), padded when the value starts or ends with one; line breaks become spaces.
 */
export function markdownCode(value: string): string {
  const flat = value.replace(/[\r\n\u2028\u2029]/g, ' ');
  let longest = 0;
  let run = 0;
  for (const char of flat) {
    run = char === '`' ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || (flat.startsWith(' ') && flat.endsWith(' ') && flat.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** The UTF-8 text of `chunks` joined, cut at `maxBytes` (Node's `Buffer.concat(chunks).subarray(0, maxBytes).toString()`, without `Buffer`). */
export function utf8OfChunks(chunks: readonly Uint8Array[], maxBytes = Infinity): string {
  const decoder = new TextDecoder();
  let text = '';
  let left = maxBytes;
  for (const chunk of chunks) {
    if (left <= 0) break;
    const part = chunk.byteLength > left ? chunk.subarray(0, left) : chunk;
    left -= part.byteLength;
    text += decoder.decode(part, { stream: true });
  }
  return text + decoder.decode();
}

/** The length of `text` in UTF-8 bytes. */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}
