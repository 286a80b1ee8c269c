/**
 * `include: … rules:` decided as GitLab's External::Rules does (lib/gitlab/ci/config/external/rules.rb): the first rule
 * whose clauses all hold decides (`when: never` excludes, anything else includes); no matching rule excludes.
 * `if:` is GitLab's expression language (ruleExpression.ts) over the variables known for certain here; `exists:` is
 * Rules::Rule::Clause::Exists over the project's files; `changes:`, an `exists:` in another project, and a variable
 * not known here leave the decision open: a *maybe*, treated like an include that cannot be read.
 */
import { entryValue, scalarText, type CiValue } from './ciValue';
import { compilePathGlob } from './pathGlob';
import { evaluateRuleExpression } from './ruleExpression';

export type IncludeOutcome = 'included' | 'excluded' | 'maybe';

export interface IncludeConditionDecision {
  readonly outcome: IncludeOutcome;
  /** Why, for the hover: "rule 1 `if: $CI_COMMIT_BRANCH == "main"` matches". */
  readonly reason: string;
}

/**
 * What the clauses of one rule can see. Include rules are evaluated with GitLab's `config_variables` only
 * (lib/gitlab/ci/variables/builder.rb: project and pipeline predefined variables, instance, group and project CI/CD
 * variables, pipeline and schedule variables), never with the YAML's `variables:` — docs/ci/yaml/includes.md "Use
 * variables with include": "You cannot use variables defined in jobs, or in a global `variables` section".
 */
export interface RuleEnvironment {
  /** Variables whose values are certain (CLI `--var`, GitLab's visible variables, knowable predefined ones); never YAML ones. */
  readonly variables: Readonly<Record<string, string>>;
  /** Names the including file sets in its `variables:`: not seen by the rules, named in the reason so nobody expects them to be. */
  readonly yamlVariables?: ReadonlySet<string>;
  /** The project's files (project-relative), or undefined when they are not this project's (an included project). */
  readonly files: () => readonly string[] | undefined;
}

type Truth = { readonly kind: 'known'; readonly holds: boolean } | { readonly kind: 'unknown'; readonly why: string };

/** Rules::Rule::Clause::Exists: patterned comparisons past this count are assumed to match. */
const MAX_PATTERN_COMPARISONS = 10_000;
const MAX_RULES = 100;
const VARIABLE = /\$(?:\{(\w+)\}|(\w+))/g;

/**
 * `$NAME` and `${NAME}` replaced by the known values, as GitLab expands include locations and `exists:` globs
 * (ExpandVariables.expand_existing); `unknown` names the first variable left as written.
 */
export function expandKnownVariables(text: string, variables: Readonly<Record<string, string>>): { text: string; unknown?: string } {
  let unknown: string | undefined;
  const expanded = text.replace(VARIABLE, (match, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    if (Object.hasOwn(variables, name)) return variables[name]!;
    unknown ??= name;
    return match;
  });
  return unknown === undefined ? { text: expanded } : { text: expanded, unknown };
}

export function decideIncludeRules(rules: CiValue, environment: RuleEnvironment): IncludeConditionDecision {
  if (rules.kind !== 'seq') return { outcome: 'maybe', reason: '`rules:` is not a list GitLab accepts' };
  // Every outcome some value of the unknowns could give, with the first reason for it.
  const possible = new Map<'included' | 'excluded', string>();
  const open: string[] = [];
  let decided = false;
  let index = 0;
  for (const rule of rules.items) {
    if (++index > MAX_RULES) return { outcome: 'maybe', reason: `more than ${MAX_RULES} rules` };
    const label = `rule ${index}${describeRule(rule)}`;
    const whenValue = rule.kind === 'map' ? entryValue(rule, 'when') : undefined;
    const excludes = whenValue?.kind === 'scalar' && whenValue.value === 'never';
    const outcome = excludes ? 'excluded' : 'included';
    const truth = ruleMatches(rule, environment);
    if (truth.kind === 'known' && !truth.holds) continue;
    const verdict = `${label} ${truth.kind === 'known' ? 'matches' : 'may match'}${excludes ? ' with `when: never`' : ''}`;
    if (!possible.has(outcome)) possible.set(outcome, verdict);
    if (truth.kind === 'known') {
      decided = true;
      break;
    }
    open.push(`${label} ${truth.why}`);
  }
  if (!decided && !possible.has('excluded')) possible.set('excluded', 'no rule matches');
  if (possible.size === 1) {
    const [outcome, reason] = [...possible][0]!;
    return { outcome, reason: open.length > 0 && outcome === 'excluded' && reason !== 'no rule matches' ? `${reason}, or no rule matches` : reason };
  }
  return { outcome: 'maybe', reason: open.join('; ') };
}

/** `` `if: …` `` or `` `exists: …` ``, for messages: the rule's first clause as written. */
export function describeRule(rule: CiValue): string {
  if (rule.kind !== 'map') return '';
  for (const key of ['if', 'exists', 'changes']) {
    const value = entryValue(rule, key);
    if (!value) continue;
    const text =
      value.kind === 'scalar'
        ? scalarText(value)
        : value.kind === 'seq'
          ? value.items.map((item) => (item.kind === 'scalar' ? scalarText(item) : '…')).join(', ')
          : '…';
    const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
    return ` \`${key}: ${shown.replace(/`/g, "'")}\``;
  }
  return '';
}

/** Rules::Rule#matches?: every clause holds; unknown when none is false and some is unknown. */
function ruleMatches(rule: CiValue, environment: RuleEnvironment): Truth {
  if (rule.kind !== 'map') return { kind: 'unknown', why: 'is not a hash' };
  let unknown: Truth | undefined;
  for (const [key, { value }] of rule.entries) {
    let truth: Truth;
    if (key === 'if') truth = ifClause(value, environment);
    else if (key === 'exists') truth = existsClause(value, environment);
    else if (key === 'changes') truth = { kind: 'unknown', why: 'depends on `changes:`, known only when the pipeline runs' };
    else continue;
    if (truth.kind === 'known' && !truth.holds) return truth;
    if (truth.kind === 'unknown') unknown ??= truth;
  }
  return unknown ?? { kind: 'known', holds: true };
}

function ifClause(value: CiValue, environment: RuleEnvironment): Truth {
  if (value.kind !== 'scalar' || typeof value.value !== 'string') return { kind: 'unknown', why: 'has an `if:` that is not a string' };
  const result = evaluateRuleExpression(value.value, environment.variables);
  if (result.kind === 'known') return { kind: 'known', holds: result.truthful };
  if (result.reason) return { kind: 'unknown', why: `cannot be decided here: ${result.reason}` };
  const fromYaml = result.variables.filter((name) => environment.yamlVariables?.has(name));
  if (fromYaml.length > 0) {
    const names = fromYaml.map((name) => `\`${name}\``).join(', ');
    return {
      kind: 'unknown',
      why: `depends on ${result.variables.join(', ')}: ${names} in \`variables:\` is not seen by include rules (GitLab evaluates them with CI/CD and predefined variables only), so only a CI/CD variable of that name counts`,
    };
  }
  return { kind: 'unknown', why: `depends on ${result.variables.join(', ')}, known only at run time` };
}

function existsClause(value: CiValue, environment: RuleEnvironment): Truth {
  let globsValue: CiValue | undefined = value;
  if (value.kind === 'map') {
    // `exists: {paths:, project:, ref:}`: another project's files are not read here.
    if (entryValue(value, 'project')) return { kind: 'unknown', why: "checks another project's files" };
    globsValue = entryValue(value, 'paths');
  }
  const items = globsValue?.kind === 'seq' ? globsValue.items : globsValue ? [globsValue] : [];
  const globs: string[] = [];
  for (const item of items) {
    if (item.kind !== 'scalar' || item.value === null) return { kind: 'unknown', why: 'has an `exists:` entry that is not a string' };
    // ExpandVariables.expand_existing: known variables expand, others stay as written, so an unknown one is open here.
    const glob = expandKnownVariables(scalarText(item), environment.variables);
    if (glob.unknown) return { kind: 'unknown', why: `depends on ${glob.unknown}, known only at run time` };
    globs.push(glob.text);
  }
  const files = environment.files();
  if (!files) return { kind: 'unknown', why: 'checks files of a project that is not read here' };
  // Exact, extension and patterned globs, as Clause::Exists sorts them; patterned comparisons share one budget.
  let comparisons = 0;
  for (const glob of globs) {
    if (!/[*?[{]/.test(glob)) {
      if (files.includes(glob)) return { kind: 'known', holds: true };
      continue;
    }
    const extension = glob.startsWith('**/*') ? glob.slice(4) : glob;
    if (extension.startsWith('.') && !extension.includes('/') && !/[*?[{]/.test(extension)) {
      if (files.some((file) => file.endsWith(extension))) return { kind: 'known', holds: true };
      continue;
    }
    const matcher = compilePathGlob(glob);
    if (!matcher) return { kind: 'unknown', why: 'has an `exists:` pattern too long to match here' };
    for (const file of files) {
      if (++comparisons > MAX_PATTERN_COMPARISONS || matcher.matches(file)) return { kind: 'known', holds: true };
    }
  }
  return { kind: 'known', holds: false };
}
