/**
 * `extends:` as GitLab applies it after includes: parents (a string or a list) are merged in order, a later parent
 * winning over an earlier one and the job winning over all, with a deep merge of hashes (arrays and scalars replaced).
 * Each top-level key is extended once and memoized, so large pipelines stay linear.
 */
import type { SourceSpan } from '../types';
import { deepMerge, deepMergeInto, entryValue, mapWithEntryVia, type CiMap, type CiValue } from './ciValue';
import type { ResolveContext } from './context';
import type { ReadClosure, ReadTracker } from './jobReuse';

interface ParentName {
  readonly name: string;
  readonly span: SourceSpan;
}

function parentNames(value: CiValue | undefined): ParentName[] {
  if (!value) return [];
  const items = value.kind === 'seq' ? value.items : [value];
  const names: ParentName[] = [];
  for (const item of items) {
    if (item.kind === 'scalar' && item.value !== null && item.value !== '') names.push({ name: String(item.value), span: item.span });
  }
  return names;
}

export class ExtendsResolver {
  private readonly extended = new Map<string, CiMap>();
  private readonly missingParent = new Map<string, boolean>();
  /** Levels of inheritance above each resolved entry, so a memoized parent still counts toward the depth limit. */
  private readonly height = new Map<string, number>();
  /** True once a resolution came near the depth limit, where reused jobs may not match a fresh build. */
  nearDepthLimit = false;
  /** The keys each memoized entry read, so a later use counts them as read too. */
  private readonly reads = new Map<string, ReadClosure>();

  /**
   * @param config the merged top-level configuration
   * @param mayBeElsewhere true when some include could not be read: a missing parent may be defined there
   */
  constructor(
    private readonly config: CiMap,
    private readonly ctx: ResolveContext,
    private readonly mayBeElsewhere: boolean,
    private readonly tracker?: ReadTracker,
  ) {}

  /** The top-level entry `name` after `extends`, or undefined when it is absent or not a hash. */
  resolve(name: string): CiMap | undefined {
    return this.resolveWithin(name, [name]);
  }

  /** True when `name` or one of its ancestors names an `extends` parent that does not exist. */
  hasMissingParent(name: string): boolean {
    this.resolve(name);
    return this.missingParent.get(name) ?? false;
  }

  private resolveWithin(name: string, chain: readonly string[]): CiMap | undefined {
    const memo = this.extended.get(name);
    if (memo) {
      const closure = this.reads.get(name);
      if (closure) this.tracker?.include(closure);
      return memo;
    }
    if (!this.tracker) return this.resolveFresh(name, chain);
    this.tracker.enter();
    const result = this.resolveFresh(name, chain);
    const closure = this.tracker.exit();
    if (result) this.reads.set(name, closure);
    // Near the depth limit the memoized result depends on which job resolved the entry first.
    if (chain.length + (this.height.get(name) ?? 0) + 2 > this.ctx.limits.maxExtendsDepth) this.nearDepthLimit = true;
    return result;
  }

  private resolveFresh(name: string, chain: readonly string[]): CiMap | undefined {
    this.tracker?.read(name);
    const own = entryValue(this.config, name);
    if (own?.kind !== 'map') return undefined;
    const parents = parentNames(entryValue(own, 'extends'));
    if (parents.length === 0) {
      this.height.set(name, 0);
      this.extended.set(name, own);
      return own;
    }
    let base: CiValue | undefined;
    let missing = false;
    let height = 0;
    for (const parent of parents) {
      if (chain.includes(parent.name)) {
        this.ctx.report(
          'extends-cycle',
          'error',
          `Circular extends: '${name}' extends '${parent.name}', which extends '${name}' again`,
          parent.span,
          {
            job: name,
            parent: parent.name,
            chain: [...chain, parent.name],
          },
          [],
          'GitLab rejects a pipeline whose extends chain loops.',
        );
        continue;
      }
      const tooDeep = (): void =>
        this.ctx.report(
          'extends-too-deep',
          'error',
          `'${name}' extends '${parent.name}' beyond ${this.ctx.limits.maxExtendsDepth} levels of inheritance (GitLab's limit).`,
          parent.span,
          {
            job: name,
            parent: parent.name,
          },
        );
      if (chain.length > this.ctx.limits.maxExtendsDepth) {
        tooDeep();
        continue;
      }
      const parentMap = this.resolveWithin(parent.name, [...chain, parent.name]);
      if (!parentMap) {
        missing = true;
        this.reportMissing(name, parent);
        continue;
      }
      const parentHeight = this.height.get(parent.name) ?? 0;
      if (chain.length + parentHeight > this.ctx.limits.maxExtendsDepth) {
        tooDeep();
        continue;
      }
      height = Math.max(height, parentHeight + 1);
      if (this.missingParent.get(parent.name)) missing = true;
      const inherited = mapWithEntryVia(parentMap, { kind: 'extends', name: parent.name, span: parent.span });
      base = base ? deepMerge(base, inherited) : inherited;
    }
    const result = (base ? deepMergeInto(base, own) : own) as CiMap;
    this.extended.set(name, result);
    this.missingParent.set(name, missing);
    this.height.set(name, height);
    return result;
  }

  private reportMissing(name: string, parent: ParentName): void {
    if (this.mayBeElsewhere) {
      // An include we could not read may define it: say so instead of calling it an error.
      this.ctx.report(
        'extends-missing',
        'information',
        `'${name}' extends '${parent.name}', not defined in the files read`,
        parent.span,
        { job: name, parent: parent.name, mayBeInUnresolvedInclude: true },
        [],
        'It may come from an include that could not be read.',
      );
      return;
    }
    this.ctx.report('extends-missing', 'error', `'${name}' extends '${parent.name}', which is not defined.`, parent.span, {
      job: name,
      parent: parent.name,
      mayBeInUnresolvedInclude: false,
    });
  }
}
