/**
 * The pipeline as a tree of values that remember where they were written and how they travelled
 * (anchor, `extends`, include...). Values are immutable and shared: an alias reuses the anchored value,
 * so a file is converted once whatever the number of aliases.
 */
import type { Provenance, SourceSpan } from '../types';

interface CiBase {
  readonly span: SourceSpan;
  /** Outermost first. A reader accumulates `via` along the path it navigates. */
  readonly via: readonly Provenance[];
}

export interface CiScalar extends CiBase {
  readonly kind: 'scalar';
  readonly value: string | number | boolean | null;
}

export interface CiEntry {
  readonly keySpan: SourceSpan;
  readonly value: CiValue;
}

export interface CiMap extends CiBase {
  readonly kind: 'map';
  readonly entries: ReadonlyMap<string, CiEntry>;
}

export interface CiSeq extends CiBase {
  readonly kind: 'seq';
  readonly items: readonly CiValue[];
}

/** A `!reference [key, subkey...]` tag, resolved after include and extends, as GitLab does. */
export interface CiReference extends CiBase {
  readonly kind: 'reference';
  readonly path: readonly string[];
}

export type CiValue = CiScalar | CiMap | CiSeq | CiReference;

/** The same value reached through one more step (added outermost). */
export function withVia(value: CiValue, steps: readonly Provenance[]): CiValue {
  if (steps.length === 0) return value;
  const via = joinVia(steps, value.via);
  // Built field by field rather than spread: one object shape per kind keeps this hot path monomorphic.
  switch (value.kind) {
    case 'scalar':
      return { kind: 'scalar', value: value.value, span: value.span, via };
    case 'map':
      return { kind: 'map', entries: value.entries, span: value.span, via };
    case 'seq':
      return { kind: 'seq', items: value.items, span: value.span, via };
    case 'reference':
      return { kind: 'reference', path: value.path, span: value.span, via };
  }
}

/** The `via` of a value with `via` reached through `steps` (outermost first); an empty side shares the other's array. */
export function joinVia(steps: readonly Provenance[], via: readonly Provenance[]): readonly Provenance[] {
  return steps.length === 0 ? via : via.length === 0 ? steps : [...steps, ...via];
}

export function emptyMap(span: SourceSpan): CiMap {
  return { kind: 'map', entries: new Map(), span, via: [] };
}

/** The entry's value with the map's own `via` pushed down onto it, so the map can be dropped. */
export function entryValue(map: CiMap, key: string): CiValue | undefined {
  const entry = map.entries.get(key);
  return entry && withVia(entry.value, map.via);
}

/**
 * GitLab's deep merge (ActiveSupport `deep_merge`): hashes merge key by key, anything else in `override` replaces.
 * Key order is the base's, new keys appended.
 */
export function deepMerge(base: CiValue, override: CiValue): CiValue {
  if (base.kind !== 'map' || override.kind !== 'map') return override;
  // Entries that need no new provenance are shared, not copied.
  let entries: Map<string, CiEntry>;
  if (base.via.length === 0) {
    entries = new Map(base.entries);
  } else {
    entries = new Map();
    for (const [key, entry] of base.entries) entries.set(key, { keySpan: entry.keySpan, value: withVia(entry.value, base.via) });
  }
  mergeEntries(entries, override);
  return { kind: 'map', entries, span: override.span, via: [] };
}

/**
 * `deepMerge(base, override)` for a `base` map just built here and used nowhere else: its entries map is taken over
 * instead of copied.
 */
export function deepMergeInto(base: CiValue, override: CiValue): CiValue {
  if (base.kind !== 'map' || override.kind !== 'map' || base.via.length > 0 || !(base.entries instanceof Map)) return deepMerge(base, override);
  const entries = base.entries as Map<string, CiEntry>;
  mergeEntries(entries, override);
  return { kind: 'map', entries, span: override.span, via: [] };
}

/** Deep-merges `override`'s entries into `entries` (mutated), `override` winning, its `via` pushed down. */
export function mergeEntries(entries: Map<string, CiEntry>, override: CiMap): void {
  const overrideVia = override.via.length > 0;
  for (const [key, entry] of override.entries) {
    const existing = entries.get(key);
    if (!existing && !overrideVia) {
      entries.set(key, entry);
      continue;
    }
    const value = withVia(entry.value, override.via);
    entries.set(key, { keySpan: entry.keySpan, value: existing ? deepMerge(existing.value, value) : value });
  }
}

/** A map whose top-level entries all carry one more provenance step. */
export function mapWithEntryVia(map: CiMap, step: Provenance): CiMap {
  const entries = new Map<string, CiEntry>();
  // One steps array shared by every entry: the step outermost, then the map's own.
  const steps = map.via.length === 0 ? [step] : [step, ...map.via];
  for (const [key, entry] of map.entries) entries.set(key, { keySpan: entry.keySpan, value: withVia(entry.value, steps) });
  return { kind: 'map', entries, span: map.span, via: [] };
}

/** A scalar as GitLab turns it into a string (Ruby `to_s`): null is empty. */
export function scalarText(value: CiScalar): string {
  return value.value === null ? '' : String(value.value);
}
