/**
 * Seeded property runs for the fuzz and differential tests. The case counts below are the full ones (100,000 over the
 * fuzz files), which the `fuzz` tier runs (`npm test -- --only fuzz`, part of `npm test` and `.ci/run`). The unit
 * tier runs a twentieth of them so it stays fast. `FUZZ_RUNS=<n>` sets the total, `FUZZ_SEED=<n>` replays a run.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_123);
/** The full count; the unit tier's default is a twentieth of it. */
export const FULL_FUZZ_RUNS = 100_000;
const SCALE = Number(process.env.FUZZ_RUNS ?? FULL_FUZZ_RUNS / 20) / FULL_FUZZ_RUNS;

/** This property's share of the 100,000 full cases, scaled by `FUZZ_RUNS` (at least one). */
export function runs(share: number): number {
  return Math.max(1, Math.round(share * SCALE));
}

/** A differential test's count of rounds, files or seeds: `full` in the fuzz tier, scaled down but at least `minimum`. */
export function scaled(full: number, minimum: number): number {
  return Math.max(minimum, Math.round(full * SCALE));
}

/**
 * A `holds(property, numRuns)` for one test file: each property gets its own seed (`seedOffset` keeps files apart);
 * on failure it says how to replay the run and shows a shortened counterexample and its cause.
 */
export function propertyRunner(seedOffset: number): <T>(property: fc.IPropertyWithHooks<T> | fc.IProperty<T>, numRuns: number) => void {
  let propertyIndex = 0;
  return (property, numRuns) => {
    const seed = SEED + seedOffset + propertyIndex++;
    const details = fc.check(property, { seed, numRuns, endOnFailure: true });
    if (!details.failed) return;
    const example = JSON.stringify(details.counterexample) ?? String(details.counterexample);
    const shown = example.length > 600 ? `${example.slice(0, 600)}… (${example.length} characters)` : example;
    const cause = details.errorInstance instanceof Error ? (details.errorInstance.stack ?? details.errorInstance.message) : String(details.errorInstance);
    assert.fail(
      `property failed (replay: FUZZ_SEED=${SEED}; property seed ${seed}, path ${details.counterexamplePath})\ncounterexample: ${shown}\n${cause.slice(0, 1200)}`,
    );
  };
}

/** Hostile generators: inputs shaped to make a super-linear algorithm blow up, sized by the caller. */
export const hostile = {
  /** `**a**a…**b`: `stars` double stars, none of which can match `'a'.repeat(n)` at the end (no `b`). */
  manyStarGlob: (stars: number): string => `${Array.from({ length: stars }, () => '**').join('a')}b`,
  /** One shell line of `count` `cp` words with no target: what made the docker-config copy pattern quadratic. */
  longCopyLine: (count: number): string => `cp ${Array.from({ length: count }, () => 'cp').join(' ')} x`,
  /** Values that break out of a Markdown code span or inject a link, an image or HTML. */
  markdownValues: [
    'a`b',
    '``` [x](https://evil.example) ```',
    '`![img](https://evil.example/p.png)`',
    '<img src=x onerror=alert(1)>',
    '[click](command:gitlabCiAuth.importAuthConfig?%7B%22text%22%3A%22x%22%7D)',
    'line\n\n# heading\n---',
    '*bold* _it_ ~~s~~ \\` | table |',
  ] as readonly string[],
};

/** Runs `work` and fails when it takes longer than `ms` (a bound per case, measured after the case returns). */
export function withinMs<T>(ms: number, label: string, work: () => T): T {
  const started = performance.now();
  const result = work();
  const took = performance.now() - started;
  assert.ok(took < ms, `${label}: took ${took.toFixed(0)} ms (limit ${ms} ms)`);
  return result;
}
