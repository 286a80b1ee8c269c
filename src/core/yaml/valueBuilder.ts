/**
 * What both YAML readers (the reference reader in reader.ts and the fast parser in fastReader.ts) share: scalars
 * resolved with yaml's own YAML 1.1 tags and Psych's booleans, and maps built the way Psych does (`<<` merge keys, last
 * duplicate key wins) while counting expanded size and alias budget.
 */
import { Document, isScalar, type CollectionTag, type Scalar, type ScalarTag, type Tags } from 'yaml';
import type { SourceSpan } from '../types';
import type { CiEntry, CiMap, CiValue } from '../pipeline/ciValue';
import { withVia } from '../pipeline/ciValue';

export const REFERENCE_TAG = '!reference';

// Registered so a valid `!reference [...]` is neither a warning nor resolved by the yaml package itself.
const GITLAB_TAGS: Tags = [{ tag: REFERENCE_TAG, collection: 'seq', default: false, resolve: (seq) => seq }];

export const YAML_OPTIONS = {
  version: '1.1', // GitLab reads YAML with Psych (YAML 1.1): `<<` merge keys, sexagesimal numbers...
  customTags: GITLAB_TAGS,
  uniqueKeys: false, // Psych keeps the last duplicate key
} as const;

// yaml's YAML 1.1 schema, whose tags resolve scalars exactly as its Composer would.
const SCHEMA_DOCUMENT = new Document(null, YAML_OPTIONS);
const SCHEMA_TAGS = SCHEMA_DOCUMENT.schema.tags as ReadonlyArray<ScalarTag | CollectionTag>;
// Psych (GitLab's YAML reader) takes yes/true/on and no/false/off as booleans, but `y`, `Y`, `n` and `N` as strings,
// where YAML 1.1 (and yaml's 1.1 schema) has them booleans: a job or variable named `y` keeps its name.
const PSYCH_BOOLEANS = { true: /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/, false: /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/ };
const PLAIN_TAGS = SCHEMA_TAGS.filter((tag): tag is ScalarTag => tag.default === true && !tag.collection && tag.test !== undefined).map((tag): ScalarTag =>
  tag.tag === 'tag:yaml.org,2002:bool' ? { ...tag, test: tag.test!.test('y') ? PSYCH_BOOLEANS.true : PSYCH_BOOLEANS.false } : tag,
);
const STRING_TAG = SCHEMA_TAGS.find((tag) => tag.tag === 'tag:yaml.org,2002:str') as ScalarTag;
const TAG_OPTIONS = SCHEMA_DOCUMENT.options;

/**
 * First characters a non-empty plain scalar must start with for any YAML 1.1 tag but `str` to match it
 * (`~`, null/bool words, numbers, `.inf`, `e5`, dates): every other plain scalar is a string without a regex test.
 */
const MAY_RESOLVE = /^[~nNyYtToOfFeE0-9+\-.]/;

/** A plain (untagged, unquoted) scalar's value, as yaml's Composer resolves it with the YAML 1.1 schema. */
export function resolvePlain(source: string, onError: () => void): unknown {
  const tag = source.length > 0 && !MAY_RESOLVE.test(source) ? STRING_TAG : (PLAIN_TAGS.find((candidate) => candidate.test!.test(source)) ?? STRING_TAG);
  return resolveWithTag(tag, source, onError);
}

/** A composed scalar's value, but a plain untagged `y`, `Y`, `n` or `N` is a string (a boolean in YAML 1.1, not in Psych). */
export function psychScalarValue(node: Scalar): unknown {
  const value = node.value;
  return typeof value === 'boolean' && node.type === 'PLAIN' && !node.tag && node.source?.length === 1 ? node.source : value;
}

/** `tag.resolve(source)` unwrapped from a yaml Scalar; the source itself when the tag cannot resolve it. */
function resolveWithTag(tag: ScalarTag, source: string, onError: () => void): unknown {
  if (tag === STRING_TAG) return source;
  try {
    const resolved: unknown = tag.resolve(source, onError, TAG_OPTIONS);
    return isScalar(resolved) ? resolved.value : resolved;
  } catch {
    onError();
    return source;
  }
}

export function isPrimitive(value: unknown): value is string | number | boolean | null {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** A converted key and value; `merge` when the key is a plain `<<`. */
export interface PairValue {
  readonly key: CiValue;
  readonly value: CiValue | undefined;
  readonly merge: boolean;
}

/**
 * Builds the maps and sequences of one document: remembers each value's expanded size (aliases counted in full, as
 * GitLab's size check sees them) and takes merge-key expansions from the alias budget through `spend`.
 */
export class ValueBuilder {
  private readonly expandedSize = new WeakMap<CiValue, number>();
  /** False once `spend` refused: later aliases and merges are left out. */
  budgetLeft = true;

  constructor(
    private readonly file: string,
    private readonly spend: (amount: number, where: SourceSpan) => boolean,
  ) {}

  sized<T extends CiValue>(value: T, size: number): T {
    this.expandedSize.set(value, size);
    return value;
  }

  sizeOf(value: CiValue | undefined): number {
    return value ? (this.expandedSize.get(value) ?? 1) : 0;
  }

  /** Takes `amount` from the budget; false (from then on) once it is spent. */
  take(amount: number, where: SourceSpan): boolean {
    if (!this.budgetLeft) return false;
    this.budgetLeft = this.spend(amount, where);
    return this.budgetLeft;
  }

  nullAt(span: SourceSpan): CiValue {
    return { kind: 'scalar', value: null, span, via: [] };
  }

  /** An alias of `value` written at `span`. */
  alias(value: CiValue, name: string, span: SourceSpan): CiValue {
    return this.sized(withVia(value, [{ kind: 'anchor', name: `*${name}`, span }]), this.sizeOf(value));
  }

  seq(items: CiValue[], start: number, end: number): CiValue {
    let size = 1;
    for (const item of items) size += this.sizeOf(item);
    return this.sized({ kind: 'seq', items, span: { file: this.file, start, end }, via: [] }, size);
  }

  map(pairs: readonly PairValue[], span: SourceSpan): CiValue {
    const entries = new Map<string, CiEntry>();
    for (const pair of pairs) this.addPair(entries, pair, span);
    let size = 1;
    for (const entry of entries.values()) size += 1 + this.sizeOf(entry.value);
    return this.sized({ kind: 'map', entries, span, via: [] }, size);
  }

  private addPair(entries: Map<string, CiEntry>, pair: PairValue, mapSpan: SourceSpan): void {
    if (pair.merge) {
      const sources = mergeSources(pair.value);
      if (sources) {
        this.mergeInto(entries, sources, mapSpan);
        return;
      }
    }
    if (pair.key.kind !== 'scalar') return;
    const key = pair.key.value === null ? '' : String(pair.key.value);
    // Psych: a later duplicate key wins (in the first one's place)
    entries.set(key, { keySpan: pair.key.span, value: pair.value ?? this.nullAt(pair.key.span) });
  }

  // Psych's order: `merge!` of the sources (earlier source wins among them) over the keys seen so far.
  private mergeInto(entries: Map<string, CiEntry>, sources: CiMap[], where: SourceSpan): void {
    const merged = new Map<string, CiEntry>();
    for (const source of sources) {
      if (!this.take(source.entries.size, where)) return;
      for (const [key, entry] of source.entries) {
        if (!merged.has(key)) merged.set(key, { keySpan: entry.keySpan, value: withVia(entry.value, source.via) });
      }
    }
    for (const [key, entry] of merged) entries.set(key, entry);
  }
}

// `<<: *a` or `<<: [*a, *b]`: the maps to merge, or undefined when the value is not mergeable (kept as a key).
function mergeSources(value: CiValue | undefined): CiMap[] | undefined {
  if (!value) return undefined;
  if (value.kind === 'map') return [value];
  if (value.kind === 'seq' && value.items.every((item) => item.kind === 'map')) {
    return value.items.map((item) => withVia(item, value.via) as CiMap);
  }
  return undefined;
}
