/**
 * GitLab's `rules: if:` expression language, evaluated over the variables known here. Follows
 * lib/gitlab/ci/pipeline/expression/{lexer,parser,statement}.rb and lexeme/*.rb: values are `"…"`/`'…'` strings,
 * `$NAME` variables (nil when unset), `null`, `true`/`false` and `/re/flags` patterns; operators `==`, `!=`, `=~`, `!~`
 * (tightest), then `&&`, then `||`, left to right, with parentheses. The statement is true when its value is
 * `present?` in Ruby's sense (not nil, false, nor a blank string); a syntax or regex error makes it false.
 *
 * A variable not in `known` might be a CI/CD variable or one set at run time: whatever depends on it is `unknown`,
 * never guessed. Patterns run in re2js (linear time, RE2 syntax as GitLab's UntrustedRegexp); one re2js rejects is
 * undecidable here. Bounded: GitLab's 100 tokens, and the statement's length.
 */
import { RE2JS } from 're2js';

export type ExpressionValue = string | boolean | null;

/** The statement's truth, or why it cannot be known here. */
export type ExpressionResult =
  { readonly kind: 'known'; readonly truthful: boolean } | { readonly kind: 'unknown'; readonly variables: readonly string[]; readonly reason?: string };

/** GitLab's lexer stops at 100 tokens (Lexer::MAX_TOKENS): longer statements are syntax errors there. */
const MAX_TOKENS = 100;
const MAX_STATEMENT_LENGTH = 4_096;

type Token =
  | { readonly type: 'value'; readonly value: Operand }
  | { readonly type: 'operator'; readonly op: '==' | '!=' | '=~' | '!~' | '&&' | '||' }
  | { readonly type: 'open' }
  | { readonly type: 'close' };

type Operand =
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'null' }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'pattern'; readonly source: string; readonly flags: string };

/** What an operand or operator gives: a Ruby value, a compiled pattern, or unknown (with the variables it waits on). */
type Evaluated =
  | { readonly kind: 'value'; readonly value: ExpressionValue }
  | { readonly kind: 'pattern'; readonly source: string; readonly flags: string }
  | { readonly kind: 'unknown'; readonly variables: readonly string[]; readonly reason?: string; readonly boolean?: true };

class ExpressionError extends Error {}

const PRECEDENCE = { '==': 10, '!=': 10, '=~': 10, '!~': 10, '&&': 11, '||': 12 } as const;

/** Lexemes tried in GitLab's order (Lexer::LEXEMES); each anchored at the scan position, none backtracks. */
function tokenize(statement: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (tokens.length <= MAX_TOKENS) {
    while (at < statement.length && /\s/.test(statement[at]!)) at++;
    if (at >= statement.length) return tokens;
    const rest = statement.slice(at, at + 3);
    const char = statement[at]!;
    if (char === '(') {
      tokens.push({ type: 'open' });
      at++;
    } else if (char === ')') {
      tokens.push({ type: 'close' });
      at++;
    } else if (char === '$' && /\w/.test(statement[at + 1] ?? '')) {
      let end = at + 1;
      while (end < statement.length && /\w/.test(statement[end]!)) end++;
      tokens.push({ type: 'value', value: { kind: 'variable', name: statement.slice(at + 1, end) } });
      at = end;
    } else if (char === '"' || char === "'") {
      const end = statement.indexOf(char, at + 1);
      if (end < 0) throw new ExpressionError('Unknown lexeme found!');
      tokens.push({ type: 'value', value: { kind: 'string', text: statement.slice(at + 1, end) } });
      at = end + 1;
    } else if (char === '/') {
      // Lexeme::Pattern: `/`, then characters (`\/` escapes a slash), up to a `/` not preceded by `\`, then flags.
      let end = at + 1;
      while (end < statement.length && !(statement[end] === '/' && statement[end - 1] !== '\\' && end > at + 1)) end++;
      if (end >= statement.length || end < at + 2) throw new ExpressionError('Unknown lexeme found!');
      let flagsEnd = end + 1;
      while (flagsEnd < statement.length && 'ismU'.includes(statement[flagsEnd]!)) flagsEnd++;
      const source = statement.slice(at + 1, end).replace(/\\\//g, '/');
      tokens.push({ type: 'value', value: { kind: 'pattern', source, flags: statement.slice(end + 1, flagsEnd) } });
      at = flagsEnd;
    } else if (statement.startsWith('null', at)) {
      tokens.push({ type: 'value', value: { kind: 'null' } });
      at += 4;
    } else if (statement.startsWith('true', at) || statement.startsWith('false', at)) {
      const value = statement.startsWith('true', at);
      tokens.push({ type: 'value', value: { kind: 'boolean', value } });
      at += value ? 4 : 5;
    } else {
      const op = (['==', '=~', '!=', '!~', '&&', '||'] as const).find((candidate) => rest.startsWith(candidate));
      if (!op) throw new ExpressionError('Unknown lexeme found!');
      tokens.push({ type: 'operator', op });
      at += 2;
    }
  }
  throw new ExpressionError('Too many tokens!');
}

type Node =
  | { readonly kind: 'operand'; readonly operand: Operand }
  | { readonly kind: 'binary'; readonly op: keyof typeof PRECEDENCE; readonly left: Node; readonly right: Node };

/** Shunting-yard to a tree, as Parser#tokens_rpn: an operator pops those binding at least as tight. */
function parse(tokens: readonly Token[]): Node {
  if (tokens.length === 0) throw new ExpressionError('empty');
  const output: Node[] = [];
  const operators: Token[] = [];
  const reduce = (): void => {
    const top = operators.pop();
    if (top?.type !== 'operator') throw new ExpressionError('Unprocessable token found in parse tree');
    const right = output.pop();
    const left = output.pop();
    if (!left || !right) throw new ExpressionError('missing operand');
    output.push({ kind: 'binary', op: top.op, left, right });
  };
  for (const token of tokens) {
    if (token.type === 'value') output.push({ kind: 'operand', operand: token.value });
    else if (token.type === 'open') operators.push(token);
    else if (token.type === 'close') {
      while (operators.at(-1)?.type === 'operator') reduce();
      if (operators.pop()?.type !== 'open') throw new ExpressionError('Unmatched parenthesis');
    } else {
      for (let top = operators.at(-1); top?.type === 'operator' && PRECEDENCE[top.op] <= PRECEDENCE[token.op]; top = operators.at(-1)) reduce();
      operators.push(token);
    }
  }
  while (operators.length > 0) reduce();
  if (output.length !== 1) throw new ExpressionError('Unreachable nodes in parse tree');
  return output[0]!;
}

/** Ruby's `present?`: not nil, not false, not a string of only whitespace. */
function present(value: ExpressionValue): boolean {
  if (value === null || value === false) return false;
  if (value === true) return true;
  return /\S/.test(value);
}

/** Ruby truthiness (what `&&` and `||` test): only nil and false are false. */
function rubyTruthy(value: ExpressionValue): boolean {
  return value !== null && value !== false;
}

function unknownOf(...parts: Evaluated[]): Evaluated {
  const variables = new Set<string>();
  let reason: string | undefined;
  for (const part of parts) {
    if (part.kind !== 'unknown') continue;
    part.variables.forEach((name) => variables.add(name));
    reason ??= part.reason;
  }
  return reason ? { kind: 'unknown', variables: [...variables], reason } : { kind: 'unknown', variables: [...variables] };
}

/** `/re/flags` as GitLab's UntrustedRegexp::RubySyntax: the flags become an inline `(?flags)` group of RE2. */
function regexMatches(pattern: { source: string; flags: string }, text: string): boolean | undefined {
  try {
    // `U` only swaps greediness, which cannot change whether there is a match.
    const flags = pattern.flags.replace(/U/g, '');
    return RE2JS.compile(flags ? `(?${flags})${pattern.source}` : pattern.source)
      .matcher(text)
      .find();
  } catch {
    return undefined;
  }
}

/**
 * A string used as a pattern (`$A =~ $B`, `$A =~ "text"`): Lexeme::Matches turns `/re/flags` text into a pattern
 * (spec: `$teststring =~ $pattern1`); other text matches as itself (spec: `$teststring =~ "abcde"`), which is only
 * certain here when it holds no regex syntax.
 */
function asPattern(value: Evaluated): Evaluated {
  if (value.kind !== 'value' || typeof value.value !== 'string') return value;
  const match = /^\/(.*)\/([ismU]*)$/s.exec(value.value);
  if (match) return { kind: 'pattern', source: match[1]!, flags: match[2]! };
  if (/[\\^$.|?*+()[\]{}]/.test(value.value)) return { kind: 'unknown', variables: [], reason: 'a text with regex syntax used as a pattern' };
  return { kind: 'pattern', source: value.value, flags: '' };
}

function evaluate(node: Node, known: KnownVariables): Evaluated {
  if (node.kind === 'operand') {
    const operand = node.operand;
    switch (operand.kind) {
      case 'string':
        return { kind: 'value', value: operand.text };
      case 'null':
        return { kind: 'value', value: null };
      case 'boolean':
        return { kind: 'value', value: operand.value };
      case 'pattern':
        return { kind: 'pattern', source: operand.source, flags: operand.flags };
      case 'variable':
        return Object.hasOwn(known, operand.name) ? { kind: 'value', value: known[operand.name] ?? null } : { kind: 'unknown', variables: [operand.name] };
    }
  }
  const left = evaluate(node.left, known);
  switch (node.op) {
    case '&&': {
      // Ruby `a && b`: a when a is nil/false, else b.
      if (left.kind === 'value' && !rubyTruthy(left.value)) return left;
      const right = evaluate(node.right, known);
      if (left.kind === 'value' || left.kind === 'pattern') return right;
      // Either way the result is not present when b is not: a if a is falsy, else b.
      if (right.kind === 'value' && !present(right.value)) return { kind: 'value', value: false };
      return unknownOf(left, right);
    }
    case '||': {
      if (left.kind === 'pattern') return left;
      if (left.kind === 'value') return rubyTruthy(left.value) ? left : evaluate(node.right, known);
      const right = evaluate(node.right, known);
      // An unknown comparison is true (present) or false (then b): present either way when b is.
      if (left.boolean && right.kind === 'value' && present(right.value)) return { kind: 'value', value: true };
      return unknownOf(left, right);
    }
    case '==':
    case '!=': {
      const right = evaluate(node.right, known);
      if (left.kind === 'unknown' || right.kind === 'unknown') return { ...unknownOf(left, right), boolean: true } as Evaluated;
      if (left.kind === 'pattern' || right.kind === 'pattern') return { kind: 'unknown', variables: [], reason: 'a comparison with a pattern' };
      const equal = left.value === right.value;
      return { kind: 'value', value: node.op === '==' ? equal : !equal };
    }
    case '=~':
    case '!~': {
      const right = asPattern(evaluate(node.right, known));
      // Lexeme::Matches: false when the right side is nil; Lexeme::NotMatches: true.
      if (right.kind === 'value' && !rubyTruthy(right.value)) return { kind: 'value', value: node.op === '!~' };
      if (left.kind === 'unknown' || right.kind === 'unknown') return { ...unknownOf(left, right), boolean: true } as Evaluated;
      if (right.kind !== 'pattern' || left.kind === 'pattern')
        return { kind: 'unknown', variables: [], reason: 'a match against something that is not a pattern' };
      const matched = regexMatches(right, left.value === null ? '' : String(left.value));
      if (matched === undefined) return { kind: 'unknown', variables: [], reason: `the pattern /${right.source}/ is not supported here` };
      return { kind: 'value', value: node.op === '=~' ? matched : !matched };
    }
  }
}

/** Variables whose values are certain here; null for one known to be unset (a variable missing here is unknown). */
export type KnownVariables = Readonly<Record<string, string | null>>;

/** Whether `rules: if: <statement>` holds, given the variables whose values are certain. */
export function evaluateRuleExpression(statement: string, known: KnownVariables): ExpressionResult {
  if (statement.length > MAX_STATEMENT_LENGTH) return { kind: 'unknown', variables: [], reason: 'the expression is too long to evaluate here' };
  let result: Evaluated;
  try {
    result = evaluate(parse(tokenize(statement)), known);
  } catch (error) {
    // Statement#truthful? rescues every ExpressionError as false; a deep tree (RangeError) is not decided.
    if (error instanceof ExpressionError) return { kind: 'known', truthful: false };
    return { kind: 'unknown', variables: [], reason: 'the expression is too complex to evaluate here' };
  }
  if (result.kind === 'unknown')
    return result.reason ? { kind: 'unknown', variables: result.variables, reason: result.reason } : { kind: 'unknown', variables: result.variables };
  // A bare pattern is a Regexp object: present.
  return { kind: 'known', truthful: result.kind === 'pattern' ? true : present(result.value) };
}
