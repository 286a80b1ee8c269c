/**
 * `!reference [key, subkey...]`: GitLab resolves the tags after `extends`, against the extended configuration,
 * following nested references up to 10 levels. Lookups are memoized by path.
 */
import type { Provenance } from '../types';
import { entryValue, withVia, type CiReference, type CiValue } from './ciValue';
import type { ResolveContext } from './context';
import type { ExtendsResolver } from './extends';
import type { ReadClosure, ReadTracker } from './jobReuse';

type Lookup = { readonly value: CiValue } | { readonly error: string };

const NO_STEPS: readonly Provenance[] = [];

export class ReferenceResolver {
  private readonly lookups = new Map<string, Lookup>();
  private readonly active = new Set<string>();
  private readonly reads = new Map<string, ReadClosure>();
  /** True once lookups nested deep enough that a memoized result may depend on where it was first asked for. */
  nearDepthLimit = false;

  constructor(
    private readonly extendsResolver: ExtendsResolver,
    private readonly topLevel: (key: string) => CiValue | undefined,
    private readonly ctx: ResolveContext,
    /** Some include could not be read: a missing key may be defined there. */
    private readonly mayBeElsewhere: boolean,
    private readonly tracker?: ReadTracker,
  ) {}

  /** The value itself, or, for a `!reference`, what it points to (with a `reference` provenance step); undefined if unresolvable. */
  deref(value: CiValue | undefined): CiValue | undefined {
    if (value?.kind !== 'reference') return value;
    const found = this.lookup(value);
    if ('error' in found) {
      if (this.mayBeElsewhere) {
        this.ctx.report(
          'reference-unresolved',
          'information',
          found.error,
          value.span,
          { path: [...value.path], mayBeInUnresolvedInclude: true },
          [],
          'It may come from an include that could not be read.',
        );
      } else {
        this.ctx.report('reference-unresolved', 'error', found.error, value.span, { path: [...value.path], mayBeInUnresolvedInclude: false });
      }
      return undefined;
    }
    const step: Provenance = { kind: 'reference', name: value.path.join('.'), span: value.span };
    return withVia(found.value, [...value.via, step]);
  }

  /** A sequence with its `!reference` items resolved and nested sequences flattened, as GitLab does for scripts. */
  flatten(value: CiValue | undefined): CiValue[] {
    const out: CiValue[] = [];
    this.flattenEach(value, (item, via) => void out.push(withVia(item, via)));
    return out;
  }

  /**
   * `flatten` item by item: each item comes with the steps to add outermost to its own `via` (what `flatten` adds with
   * `withVia`), so a caller that keeps only part of an item copies nothing.
   */
  flattenEach(value: CiValue | undefined, visit: (item: CiValue, via: readonly Provenance[]) => void, depth = 0): void {
    const resolved = this.deref(value);
    if (!resolved) return;
    if (resolved.kind !== 'seq') return visit(resolved, NO_STEPS);
    if (!this.ctx.spend(resolved.items.length, resolved.span)) return;
    for (const item of resolved.items) {
      // Only a reference or a nested sequence needs more than the steps passed along.
      if (item.kind === 'scalar' || item.kind === 'map') {
        visit(item, resolved.via);
        continue;
      }
      const inner = this.deref(withVia(item, resolved.via));
      if (!inner) continue;
      if (inner.kind === 'seq' && depth < this.ctx.limits.maxReferenceDepth) this.flattenEach(inner, visit, depth + 1);
      else visit(inner, NO_STEPS);
    }
  }

  /** Reports every reference that cannot be resolved (GitLab rejects the pipeline for any of them). */
  checkAll(references: readonly CiReference[]): void {
    for (const reference of references) this.deref(reference);
  }

  private lookup(reference: CiReference): Lookup {
    const key = reference.path.join('\u0000');
    const memo = this.lookups.get(key);
    if (memo) {
      const closure = this.reads.get(key);
      if (closure) this.tracker?.include(closure);
      return memo;
    }
    const written = `!reference [${reference.path.join(', ')}]`;
    if (this.active.size >= Math.min(2, this.ctx.limits.maxReferenceDepth - 1)) this.nearDepthLimit = true;
    if (this.active.has(key) || this.active.size >= this.ctx.limits.maxReferenceDepth) {
      return { error: `${written} is nested more than ${this.ctx.limits.maxReferenceDepth} levels deep or refers to itself.` };
    }
    this.active.add(key);
    this.tracker?.enter();
    const result = this.walk(reference, written);
    const closure = this.tracker?.exit();
    this.active.delete(key);
    this.lookups.set(key, result);
    if (closure) this.reads.set(key, closure);
    return result;
  }

  private walk(reference: CiReference, written: string): Lookup {
    const [first, ...rest] = reference.path;
    if (first === undefined || first === '') return { error: `${written} names no key.` };
    this.tracker?.read(first);
    let current: CiValue | undefined = this.extendsResolver.resolve(first) ?? this.topLevel(first);
    if (!current) return { error: `${written}: '${first}' is not defined.` };
    let walked = first;
    for (const key of rest) {
      const container: CiValue | undefined = this.derefQuiet(current);
      // Psych reads `!reference [.x, 0]` with an integer, which indexes a sequence.
      current =
        container?.kind === 'map'
          ? entryValue(container, key)
          : container?.kind === 'seq' && /^\d+$/.test(key)
            ? container.items[Number(key)] && withVia(container.items[Number(key)]!, container.via)
            : undefined;
      if (!current) return { error: `${written}: '${walked}' has no key '${key}'.` };
      walked += `.${key}`;
    }
    const target = this.derefQuiet(current);
    return target ? { value: target } : { error: `${written}: '${walked}' is an unresolvable !reference.` };
  }

  // Nested reference inside a lookup: its own problem is reported where it is written.
  private derefQuiet(value: CiValue): CiValue | undefined {
    return value.kind === 'reference' ? this.deref(value) : value;
  }
}
