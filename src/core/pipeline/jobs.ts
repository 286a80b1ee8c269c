/**
 * From the merged, extended configuration to the jobs that will run: which top-level keys are jobs, and each job's
 * image, services, variables, matrix and script lines after `default:`, deprecated globals and `inherit:`.
 */
import type { Provenance, ResolvedJob, SourceSpan, TracedString, TracedVariable } from '../types';
import { entryValue, joinVia, scalarText, withVia, type CiMap, type CiValue } from './ciValue';
import type { ResolveContext } from './context';
import { describeRule } from './includeConditions';
import type { ExtendsResolver } from './extends';
import type { JobMemo, ReadClosure, ReadTracker } from './jobReuse';
import type { ReferenceResolver } from './references';

/** Top-level keys GitLab reserves; every other non-hidden key holding a hash is a job (`pages` included). */
export const RESERVED_TOP_LEVEL_KEYS: ReadonlySet<string> = new Set([
  'image',
  'services',
  'before_script',
  'after_script',
  'variables',
  'cache',
  'default',
  'include',
  'stages',
  'types',
  'workflow',
  'spec',
]);

function isNull(value: CiValue | undefined): boolean {
  return !value || (value.kind === 'scalar' && value.value === null);
}

/** Deprecated top-level keys a job still takes when neither it nor `default:` sets them. */
const DEPRECATED_GLOBAL_KEYS = new Set(['image', 'services', 'before_script', 'after_script', 'cache']);

export interface JobBuildInputs {
  readonly config: CiMap;
  readonly extendsResolver: ExtendsResolver;
  readonly references: ReferenceResolver;
  readonly ctx: ResolveContext;
  readonly mergeOrder: ReadonlyMap<string, number>;
  readonly lastUnresolvedOrder: number;
  /** Jobs of the previous check to reuse where their inputs did not change, with the tracker of what each build reads. */
  readonly reuse?: { readonly memo: JobMemo; readonly tracker: ReadTracker; readonly shared: string };
}

type Inheritance = { readonly all: boolean; readonly only?: ReadonlySet<string> };

const INHERIT_ALL: Inheritance = { all: true };
const INHERIT_NONE: Inheritance = { all: false };
const NO_VARIABLES: ReadonlyMap<string, TracedVariable> = new Map();

function traced(value: CiValue | undefined): TracedString | undefined {
  if (value?.kind !== 'scalar' || value.value === null) return undefined;
  return { value: scalarText(value), span: value.span, via: value.via };
}

/** A flattened script line as a traced string (what `traced(withVia(item, steps))` gives, without the copy). */
function tracedLine(item: CiValue, steps: readonly Provenance[], into: TracedString[]): void {
  if (item.kind !== 'scalar' || item.value === null) return;
  into.push({ value: scalarText(item), span: item.span, via: joinVia(steps, item.via) });
}

export class JobBuilder {
  private readonly defaults: CiMap | undefined;
  private readonly globalVariables: ReadonlyMap<string, TracedVariable>;
  /** The variables of every job that inherits all global variables and sets none: one record they share. */
  private inheritedOnly: Readonly<Record<string, TracedVariable>> | undefined;
  private readonly fallbacks = new Map<string, CiValue | undefined>();
  private readonly fallbackReads = new Map<string, ReadClosure>();

  constructor(private readonly inputs: JobBuildInputs) {
    inputs.reuse?.tracker.enter();
    const defaults = this.deref(entryValue(inputs.config, 'default'));
    this.defaults = defaults?.kind === 'map' ? defaults : undefined;
    this.globalVariables = this.variablesOf(this.deref(entryValue(inputs.config, 'variables')));
    const closure = inputs.reuse?.tracker.exit();
    // What every job reads: the reserved keys, and whatever `default:` and `variables:` refer to.
    if (closure) inputs.reuse!.memo.begin(inputs.config, inputs.reuse!.shared, [...RESERVED_TOP_LEVEL_KEYS, ...closure.names]);
  }

  /**
   * GitLab refuses a configuration that sets an inheritable key both at the top level and in `default:`
   * (lib/gitlab/ci/config/entry/default.rb `overwrite_entry`: "image is defined in top-level and `default:` entry"),
   * checked on the merged configuration. Reported here instead of silently picking one.
   */
  reportDefaultConflicts(): void {
    if (!this.defaults) return;
    for (const key of DEPRECATED_GLOBAL_KEYS) {
      const topLevel = this.inputs.config.entries.get(key);
      const inDefault = this.defaults.entries.get(key);
      if (!topLevel || !inDefault || isNull(this.deref(topLevel.value)) || isNull(this.deref(inDefault.value))) continue;
      this.inputs.ctx.report(
        'default-conflict',
        'error',
        `${key} is defined in top-level and \`default:\` entry`,
        topLevel.keySpan,
        { key },
        [{ span: inDefault.keySpan, message: `default: ${key}` }],
        `GitLab rejects this configuration. Keep only \`default: ${key}:\`.`,
      );
    }
  }

  /** Top-level `variables:` after include merge. */
  globals(): Readonly<Record<string, TracedVariable>> {
    return Object.fromEntries(this.globalVariables);
  }

  /** Every job in top-level order. */
  jobs(): ResolvedJob[] {
    const jobs: ResolvedJob[] = [];
    const reuse = this.inputs.reuse;
    const { config, ctx } = this.inputs;
    // `workflow: rules:` that can only end in `when: never`: GitLab creates no pipeline, so no job pulls anything.
    const workflow = this.deref(entryValue(config, 'workflow'));
    if (workflow?.kind === 'map' && this.rulesNeverRun(entryValue(workflow, 'rules'))) {
      reuse?.memo.end();
      return jobs;
    }
    for (const [name, entry] of config.entries) {
      if (name.startsWith('.') || RESERVED_TOP_LEVEL_KEYS.has(name)) continue;
      ctx.checkTime();
      if (!reuse) {
        const built = this.job(name, entry.keySpan);
        if (built) jobs.push(built);
        continue;
      }
      const reused = reuse.memo.reuse(config, name, entry.keySpan, ctx);
      if (reused) {
        jobs.push(reused);
        continue;
      }
      const before = ctx.expansionsRemaining;
      reuse.tracker.enter();
      const built = this.job(name, entry.keySpan);
      const closure = reuse.tracker.exit();
      if (built) reuse.memo.remember(config, name, entry.keySpan, built, closure, before - ctx.expansionsRemaining, ctx.expansionsRemaining);
      if (built) jobs.push(built);
    }
    reuse?.memo.end();
    return jobs;
  }

  private job(name: string, span: SourceSpan): ResolvedJob | undefined {
    this.inputs.reuse?.tracker.read(name);
    const raw = this.deref(entryValue(this.inputs.config, name));
    if (raw?.kind !== 'map') return undefined;
    const job = this.inputs.extendsResolver.resolve(name) ?? raw;
    if (this.rulesNeverRun(entryValue(job, 'rules'))) return undefined;
    const built = this.build(name, span, raw, job);
    const runsWhen = this.runsWhen(entryValue(job, 'rules'));
    return runsWhen ? { ...built, runsWhen } : built;
  }

  /**
   * The rules that can let a job with `rules:` run (those not `when: never`), at most 5; undefined when the first rule
   * has no clause and runs it (it always runs). Which one applies is decided when the pipeline is created.
   */
  private runsWhen(rules: CiValue | undefined): readonly string[] | undefined {
    const list = this.deref(rules);
    if (list?.kind !== 'seq') return undefined;
    const runs: string[] = [];
    let index = 0;
    for (const rule of this.inputs.references.flatten(list)) {
      index++;
      const map = rule.kind === 'map' ? rule : undefined;
      const when = map ? this.deref(entryValue(map, 'when')) : undefined;
      const whenText = when?.kind === 'scalar' && when.value !== null ? scalarText(when) : 'on_success';
      if (whenText === 'never') continue;
      const clauses = map ? ['if', 'exists', 'changes'].filter((key) => map.entries.has(key)) : [];
      if (clauses.length === 0 && runs.length === 0 && index === 1) return undefined;
      runs.push(`rule ${index}${describeRule(rule)}${whenText === 'on_success' || whenText === 'always' ? '' : ` (\`when: ${whenText}\`)`}`);
      if (runs.length === 5) break;
    }
    return runs.length > 0 ? runs : undefined;
  }

  /**
   * True when `rules:` is a non-empty list whose every rule says `when: never`: whichever rule matches (or none),
   * GitLab does not add the job (lib/gitlab/ci/build/rules.rb: no match is `never` too).
   */
  private rulesNeverRun(rules: CiValue | undefined): boolean {
    const list = this.deref(rules);
    if (list?.kind !== 'seq') return false;
    let count = 0;
    for (const rule of this.inputs.references.flatten(list)) {
      count++;
      const when = rule.kind === 'map' ? this.deref(entryValue(rule, 'when')) : undefined;
      if (when?.kind !== 'scalar' || when.value !== 'never') return false;
    }
    return count > 0;
  }

  private build(name: string, span: SourceSpan, raw: CiMap, job: CiMap): ResolvedJob {
    const isTrigger = job.entries.has('trigger');
    const inherit = this.deref(entryValue(job, 'inherit'));
    const inheritDefault = this.inheritance(inherit, 'default');
    const inheritVariables = this.inheritance(inherit, 'variables');
    const imageValue = isTrigger ? undefined : this.inherited(job, 'image', inheritDefault);
    const image = imageValue ? this.imageName(imageValue) : undefined;
    const services = isTrigger ? [] : this.services(this.inherited(job, 'services', inheritDefault));

    const own = this.variablesOf(this.deref(entryValue(job, 'variables')));
    let variables: Readonly<Record<string, TracedVariable>>;
    if (own.size === 0 && inheritVariables.all) variables = this.inheritedOnly ??= this.variableRecord(inheritVariables, own);
    else variables = this.variableRecord(inheritVariables, own);

    const scriptLines: TracedString[] = [];
    const addLine = (item: CiValue, steps: readonly Provenance[]): void => tracedLine(item, steps, scriptLines);
    const references = this.inputs.references;
    references.flattenEach(this.inherited(job, 'before_script', inheritDefault), addLine);
    references.flattenEach(entryValue(job, 'script'), addLine);
    references.flattenEach(this.inherited(job, 'after_script', inheritDefault), addLine);

    return {
      name,
      span,
      image: image ?? null,
      services,
      variables,
      matrix: this.matrix(job),
      scriptLines,
      isTrigger,
      mayDependOnUnresolvedInclude: this.mayDependOnUnresolvedInclude(name, raw, 'image'),
      servicesMayDependOnUnresolvedInclude: this.mayDependOnUnresolvedInclude(name, raw, 'services'),
    };
  }

  /** The global variables the job inherits, then its own; built in place, a job's own value overwriting a global one where it stands. */
  private variableRecord(inheritance: Inheritance, own: ReadonlyMap<string, TracedVariable>): Record<string, TracedVariable> {
    const variables: Record<string, TracedVariable> = {};
    const setVariable = (value: TracedString, key: string): void => {
      if (key === '__proto__') Object.defineProperty(variables, key, { value, enumerable: true, writable: true, configurable: true });
      else variables[key] = value;
    };
    if (inheritance.all) this.globalVariables.forEach(setVariable);
    else this.globalVariables.forEach((value, key) => allows(inheritance, key) && setVariable(value, key));
    own.forEach(setVariable);
    return variables;
  }

  private deref(value: CiValue | undefined): CiValue | undefined {
    return this.inputs.references.deref(value);
  }

  /** The job's own key, else `default:`'s, else the deprecated top-level one (when `inherit:default` allows). */
  private inherited(job: CiMap, key: string, inheritDefault: Inheritance): CiValue | undefined {
    const own = this.deref(entryValue(job, key));
    if (own && !(own.kind === 'scalar' && own.value === null)) return own;
    if (!allows(inheritDefault, key)) return undefined;
    const tracker = this.inputs.reuse?.tracker;
    if (!this.fallbacks.has(key)) {
      tracker?.enter();
      this.fallbacks.set(key, this.fallback(key));
      if (tracker) this.fallbackReads.set(key, tracker.exit());
    } else {
      const closure = this.fallbackReads.get(key);
      if (closure) tracker?.include(closure);
    }
    return this.fallbacks.get(key);
  }

  /** What a job that does not set `key` gets: `default:`'s, else the deprecated top-level one; the same for every job. */
  private fallback(key: string): CiValue | undefined {
    const fromDefault =
      this.defaults &&
      this.fromBlock(this.defaults, key, { kind: 'default', name: 'default', span: this.defaults.entries.get(key)?.keySpan ?? this.defaults.span });
    if (fromDefault) return fromDefault;
    if (!DEPRECATED_GLOBAL_KEYS.has(key)) return undefined;
    const keySpan = this.inputs.config.entries.get(key)?.keySpan;
    return keySpan && this.fromBlock(this.inputs.config, key, { kind: 'top-level', name: key, span: keySpan });
  }

  private fromBlock(block: CiMap, key: string, step: Provenance): CiValue | undefined {
    const value = this.deref(entryValue(block, key));
    if (!value || (value.kind === 'scalar' && value.value === null)) return undefined;
    return withVia(value, [step]);
  }

  /** `inherit: default:` / `inherit: variables:` — true, false, or a list of the names to keep. */
  private inheritance(inherit: CiValue | undefined, key: 'default' | 'variables'): Inheritance {
    const setting = inherit?.kind === 'map' ? this.deref(entryValue(inherit, key)) : undefined;
    if (setting?.kind === 'scalar' && setting.value === false) return INHERIT_NONE;
    if (setting?.kind === 'seq') {
      const names = setting.items.flatMap((item) => (item.kind === 'scalar' && item.value !== null ? [scalarText(item)] : []));
      return { all: false, only: new Set(names) };
    }
    return INHERIT_ALL;
  }

  /** `image: name` or `image: {name: ...}`. */
  private imageName(value: CiValue): TracedString | undefined {
    if (value.kind === 'map') return traced(this.deref(entryValue(value, 'name')));
    return traced(value);
  }

  private services(value: CiValue | undefined): TracedString[] {
    const services: TracedString[] = [];
    for (const item of this.inputs.references.flatten(value)) {
      const name = item.kind === 'map' ? traced(this.deref(entryValue(item, 'name'))) : traced(item);
      if (name && name.value !== '') services.push(name);
    }
    return services;
  }

  /** `variables:` entries: a plain value or `{value:, description:}`. */
  private variablesOf(value: CiValue | undefined): ReadonlyMap<string, TracedVariable> {
    if (value?.kind !== 'map' || value.entries.size === 0) return NO_VARIABLES;
    const variables = new Map<string, TracedVariable>();
    for (const [key, { value: written }] of value.entries) {
      if (written.kind === 'scalar') {
        // The common case, read without copying the value to carry the map's `via`.
        variables.set(key, { value: scalarText(written), span: written.span, via: joinVia(value.via, written.via) });
        continue;
      }
      const entry = this.deref(withVia(written, value.via));
      const scalar = entry?.kind === 'map' ? this.deref(entryValue(entry, 'value')) : entry;
      if (scalar?.kind !== 'scalar') continue;
      // `expand: false` makes the variable raw (Entry::Variable ComplexVariable; GitLab validates it as a boolean).
      const expand = entry?.kind === 'map' ? this.deref(entryValue(entry, 'expand')) : undefined;
      const raw = expand?.kind === 'scalar' && expand.value === false;
      variables.set(
        key,
        raw ? { value: scalarText(scalar), span: scalar.span, via: scalar.via, raw } : { value: scalarText(scalar), span: scalar.span, via: scalar.via },
      );
    }
    return variables;
  }

  /** `parallel: matrix:` — every combination of each entry's values, in order, bounded. */
  private matrix(job: CiMap): Record<string, string>[] {
    const parallel = this.deref(entryValue(job, 'parallel'));
    const matrix = parallel?.kind === 'map' ? this.deref(entryValue(parallel, 'matrix')) : undefined;
    if (matrix?.kind !== 'seq') return [];
    const combinations: Record<string, string>[] = [];
    const limit = this.inputs.ctx.limits.maxMatrixCombinations;
    const rows: CiValue[] = [];
    // Only the values count here (no provenance): items are read without their `via`.
    this.inputs.references.flattenEach(matrix, (row) => void rows.push(row));
    for (const row of rows) {
      if (row.kind !== 'map') continue;
      let partial: Record<string, string>[] = [{}];
      for (const [key, entry] of row.entries) {
        const values: string[] = [];
        this.inputs.references.flattenEach(entry.value, (item) => {
          if (item.kind === 'scalar') values.push(scalarText(item));
        });
        partial = partial.flatMap((combination) => values.map((value) => ({ ...combination, [key]: value })));
        if (combinations.length + partial.length > limit) break;
      }
      if (combinations.length + partial.length > limit) {
        this.inputs.ctx.report(
          'limit-exceeded',
          'warning',
          `parallel: matrix gives more than ${limit} jobs (GitLab's limit); the rest are ignored.`,
          matrix.span,
        );
        combinations.push(...partial.slice(0, limit - combinations.length));
        break;
      }
      combinations.push(...partial);
    }
    return combinations;
  }

  /**
   * Conservative: the image (or the services) may come from, or be overridden by, an include we could not read unless
   * the job sets that key itself in a file merged after every unresolved include; a missing `extends` parent also
   * counts. `image:` and `services:` are judged alike, each on its own (a top-level or `default:` value can be
   * replaced by an include's `default:`).
   */
  private mayDependOnUnresolvedInclude(name: string, raw: CiMap, key: 'image' | 'services'): boolean {
    if (this.inputs.lastUnresolvedOrder < 0) return false;
    if (this.inputs.extendsResolver.hasMissingParent(name)) return true;
    const own = raw.entries.get(key);
    if (!own) return true;
    const order = this.inputs.mergeOrder.get(own.keySpan.file) ?? -1;
    return order < this.inputs.lastUnresolvedOrder;
  }
}

function allows(inheritance: Inheritance, key: string): boolean {
  return inheritance.all || (inheritance.only?.has(key) ?? false);
}
