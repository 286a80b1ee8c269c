/**
 * JSON with positions, read as Go's encoding/json reads it (the runner's and Docker's reader of DOCKER_AUTH_CONFIG).
 */
import { LineIndex } from '../lineIndex';
import type { AuthConfigProblem } from './types';

// ───────────────────────────── JSON with positions ─────────────────────────────
// Go's encoding/json semantics matter (case-insensitive fields, first value only), and so do offsets: JSON.parse gives neither.

export type JsonNode =
  | { readonly kind: 'object'; readonly start: number; readonly end: number; readonly members: readonly JsonMember[] }
  | { readonly kind: 'array'; readonly start: number; readonly end: number; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly start: number; readonly end: number; readonly value: string }
  | { readonly kind: 'number' | 'boolean' | 'null'; readonly start: number; readonly end: number; readonly raw: string };

export interface JsonMember {
  readonly key: string;
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly value: JsonNode;
}

export class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
    /** Object keys leading to where the error is, to explain a line break inside an `auth` value. */
    readonly keyPath: readonly string[],
  ) {
    super(reason);
  }
}

const punctuation = new Set(['{', '}', '[', ']', ':', ',', '"']);

export class JsonReader {
  private position = 0;
  private readonly keyPath: string[] = [];
  private depth = 0;

  constructor(private readonly text: string) {}

  /** Reads the first JSON value, as Go's `json.Decoder.Decode` does; `end` is where it stops. */
  readFirstValue(): { value: JsonNode | null; end: number } {
    this.skipWhitespace();
    if (this.position >= this.text.length) return { value: null, end: this.position };
    const value = this.readValue();
    return { value, end: this.position };
  }

  private fail(reason: string, offset = this.position): never {
    throw new JsonSyntaxError(offset, reason, [...this.keyPath]);
  }

  private unexpected(): never {
    if (this.position >= this.text.length) this.fail('unexpected end of text (a closing bracket or quote is missing)');
    const char = this.text[this.position]!;
    this.fail(punctuation.has(char) ? `unexpected '${char}'` : 'unexpected character');
  }

  private skipWhitespace(): void {
    while (this.position < this.text.length && ' \t\n\r'.includes(this.text[this.position]!)) this.position++;
  }

  private readValue(): JsonNode {
    // A real config nests 3 levels; refusing absurd depth keeps the recursion within any stack (Go allows 10000).
    if (++this.depth > 500) this.fail('nesting deeper than 500 levels');
    try {
      return this.readValueAt();
    } finally {
      this.depth--;
    }
  }

  private readValueAt(): JsonNode {
    this.skipWhitespace();
    const char = this.text[this.position];
    if (char === '{') return this.readObject();
    if (char === '[') return this.readArray();
    if (char === '"') return this.readString();
    const start = this.position;
    const literal = /^(?:true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)/.exec(this.text.slice(start, start + 400));
    if (!literal) this.unexpected();
    this.position += literal[0].length;
    const raw = literal[0];
    const kind = raw === 'null' ? 'null' : raw === 'true' || raw === 'false' ? 'boolean' : 'number';
    return { kind, start, end: this.position, raw };
  }

  private readObject(): JsonNode {
    const start = this.position;
    const members = this.readItems('}', () => this.readMember());
    return { kind: 'object', start, end: this.position, members };
  }

  private readMember(): JsonMember {
    this.skipWhitespace();
    if (this.text[this.position] !== '"') this.unexpected();
    const key = this.readString();
    this.skipWhitespace();
    if (this.text[this.position] !== ':') this.unexpected();
    this.position++;
    this.keyPath.push(key.value);
    const value = this.readValue();
    this.keyPath.pop();
    return { key: key.value, keyStart: key.start, keyEnd: key.end, value };
  }

  private readArray(): JsonNode {
    const start = this.position;
    const items = this.readItems(']', () => this.readValue());
    return { kind: 'array', start, end: this.position, items };
  }

  /** From an opening bracket to its `close`: none, or items separated by commas. */
  private readItems<T>(close: '}' | ']', readItem: () => T): T[] {
    this.position++;
    const items: T[] = [];
    this.skipWhitespace();
    if (this.text[this.position] === close) {
      this.position++;
      return items;
    }
    for (;;) {
      items.push(readItem());
      this.skipWhitespace();
      const next = this.text[this.position];
      if (next !== ',' && next !== close) this.unexpected();
      this.position++;
      if (next === close) return items;
    }
  }

  private readString(): { kind: 'string'; start: number; end: number; value: string } {
    const start = this.position++;
    let value = '';
    for (;;) {
      if (this.position >= this.text.length) this.fail("a string is not closed (missing '\"')", start);
      const char = this.text[this.position]!;
      const code = char.charCodeAt(0);
      if (char === '"') {
        this.position++;
        return { kind: 'string', start, end: this.position, value };
      }
      if (code < 0x20) {
        this.fail(char === '\n' || char === '\r' ? 'a line break inside a string' : 'a control character inside a string');
      }
      if (char !== '\\') {
        value += char;
        this.position++;
        continue;
      }
      const escape = this.text[this.position + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (escape !== undefined && escape in simple) {
        value += simple[escape];
        this.position += 2;
      } else if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.position + 2, this.position + 6))) {
        value += String.fromCharCode(parseInt(this.text.slice(this.position + 2, this.position + 6), 16));
        this.position += 6;
      } else {
        this.fail('an invalid escape sequence inside a string');
      }
    }
  }
}

/** Members whose name matches `field` as Go's encoding/json does (case-insensitively), in document order. */
export function membersFolded(node: JsonNode & { kind: 'object' }, field: string): JsonMember[] {
  const folded = field.toLowerCase();
  return node.members.filter((member) => member.key.toLowerCase() === folded);
}

export function describeJsonError(
  text: string,
  error: JsonSyntaxError,
  what: string,
  consequence = ' The runner ignores every credential in it.',
): AuthConfigProblem {
  const position = new LineIndex(text).positionAt(error.offset);
  const insideAuth = error.keyPath.length > 0 && error.keyPath[error.keyPath.length - 1]!.toLowerCase() === 'auth';
  const hint =
    insideAuth && error.reason.startsWith('a line break')
      ? ' The "auth" value is wrapped over several lines (GNU base64 wraps at 76 columns): encode it with `base64 -w 0` or `openssl base64 -A`.'
      : '';
  const [top, entry, field] = error.keyPath;
  const inEntry = top?.toLowerCase() === 'auths' && entry !== undefined;
  return {
    entry: inEntry ? entry : null,
    field: inEntry ? (field ?? null) : null,
    message: `${what} is not valid JSON: ${error.reason} at line ${position.line + 1}, column ${position.character + 1}.${hint}${consequence}`,
    offset: error.offset,
    length: 1,
    severity: 'error',
  };
}

export function articleFor(kind: JsonNode['kind']): string {
  return { object: 'an object', array: 'an array', string: 'a string', number: 'a number', boolean: 'a boolean', null: 'null' }[kind];
}
