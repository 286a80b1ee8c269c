/** Seeded property runs for the fuzz tests: `FUZZ_SEED=<n>` replays a run, `FUZZ_RUNS=<n>` scales the number of cases (default 100,000 over the fuzz files). */
import assert from 'node:assert/strict';
import fc from 'fast-check';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_123);
const SCALE = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) / 100_000 : 1;

/** This property's share of the 100,000 default cases, scaled by `FUZZ_RUNS` (at least one). */
export function runs(share: number): number {
  return Math.max(1, Math.round(share * SCALE));
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
    assert.fail(`property failed (replay: FUZZ_SEED=${SEED}; property seed ${seed}, path ${details.counterexamplePath})\ncounterexample: ${shown}\n${cause.slice(0, 1200)}`);
  };
}
