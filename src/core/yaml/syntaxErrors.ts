/**
 * yaml's syntax errors in the words a pipeline author uses, at the place to fix. Never quotes the file: a broken
 * line may hold a token. Only GitLab CI keywords (a fixed list) are named.
 */
import type { YAMLError } from 'yaml';

/** Keys of GitLab CI job and top-level configuration: safe to name in a message because they come from this list. */
const CI_KEYWORDS: ReadonlySet<string> = new Set([
  'after_script',
  'allow_failure',
  'artifacts',
  'before_script',
  'cache',
  'coverage',
  'default',
  'dependencies',
  'environment',
  'except',
  'extends',
  'hooks',
  'id_tokens',
  'image',
  'include',
  'inherit',
  'interruptible',
  'needs',
  'only',
  'pages',
  'parallel',
  'release',
  'resource_group',
  'retry',
  'rules',
  'script',
  'secrets',
  'services',
  'spec',
  'stage',
  'stages',
  'tags',
  'timeout',
  'trigger',
  'variables',
  'when',
  'workflow',
  'name',
  'entrypoint',
  'alias',
  'command',
  'local',
  'project',
  'file',
  'ref',
  'remote',
  'template',
  'component',
  'inputs',
  'matrix',
  'key',
  'paths',
  'policy',
  'if',
  'changes',
  'exists',
  'expire_in',
  'reports',
  'docker',
  'pull_policy',
]);

export interface PlainSyntaxError {
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

/** The error's message and range in plain words; `text` is the file the error positions point into. */
export function plainSyntaxError(error: Pick<YAMLError, 'code' | 'message' | 'pos'>, text: string): PlainSyntaxError {
  const start = Math.min(error.pos[0], text.length);
  const end = Math.max(start, Math.min(error.pos[1], text.length));
  const lineEnd = text.indexOf('\n', start) === -1 ? text.length : text.indexOf('\n', start);
  const firstLine = { start, end: Math.max(start, Math.min(end, lineEnd)) };
  const at = (message: string, range: { start: number; end: number } = { start, end }): PlainSyntaxError => ({ message, ...range });
  switch (error.code) {
    case 'MULTILINE_IMPLICIT_KEY':
    case 'MISSING_CHAR': {
      if (error.code === 'MISSING_CHAR' && /quote/i.test(error.message))
        return at('Missing closing quote: a quoted value must end on its line or with the same quote character');
      if (error.code === 'MISSING_CHAR' && !/map values/.test(error.message)) return at(`YAML syntax error: ${yamlWording(error.message)}`);
      const written = text.slice(firstLine.start, firstLine.end).trim();
      const colon = written.indexOf(':');
      if (colon > 0 && written[colon + 1] !== ' ') {
        const key = written.slice(0, colon);
        return at(`Missing space after ${named(key, 'the key')}: write "key: value"`, firstLine);
      }
      if (written.startsWith('- ') || written === '-')
        return at('A list item ("- …") cannot follow a key on the same level: indent it under its key', firstLine);
      return at(`Missing ":" after ${named(written.split(/\s/)[0] ?? '', 'the key on this line')}`, firstLine);
    }
    case 'TAB_AS_INDENT':
      return at('Tab used for indentation: YAML allows only spaces');
    case 'DUPLICATE_KEY': {
      const key = /^[\w.-]+/.exec(text.slice(start, Math.min(text.length, start + 100)))?.[0] ?? '';
      return at(`${capitalized(named(key, 'this key'))} appears twice in the same mapping`);
    }
    case 'BAD_INDENT':
      return /flow/i.test(error.message)
        ? at('A "[" or "{" is not closed, or the lines inside it are not indented enough')
        : at('Wrong indentation: keys of one mapping must start at the same column');
    case 'BLOCK_AS_IMPLICIT_KEY':
      return at('Wrong indentation: a line below is indented more than the key it belongs to, or a value continues on a new line');
    case 'BAD_ALIAS':
    case 'UNEXPECTED_TOKEN':
    case 'BAD_SCALAR_START':
    default:
      return at(`YAML syntax error: ${yamlWording(error.message)}`);
  }
}

/** yaml's own first line, without the position and never the quoted text after a colon. */
function yamlWording(message: string): string {
  return message
    .split('\n')[0]!
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace(/: .*$/, '');
}

function named(key: string, otherwise: string): string {
  return CI_KEYWORDS.has(key) ? `\`${key}\`` : otherwise;
}

function capitalized(text: string): string {
  return text.startsWith('`') ? text : text.charAt(0).toUpperCase() + text.slice(1);
}

/** The plain errors of a parse, one per line: yaml often reports a cascade of errors for one mistake. */
export function plainSyntaxErrors(errors: readonly Pick<YAMLError, 'code' | 'message' | 'pos'>[], text: string): PlainSyntaxError[] {
  const lines = new Set<number>();
  const plain: PlainSyntaxError[] = [];
  for (const error of errors) {
    const found = plainSyntaxError(error, text);
    const line = text.lastIndexOf('\n', found.start - 1);
    if (lines.has(line)) continue;
    lines.add(line);
    plain.push(found);
  }
  return plain;
}
