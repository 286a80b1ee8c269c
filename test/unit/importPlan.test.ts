/** Importing credentials never swaps a stored one silently (issue 13, item 5). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planImport, replacementQuestion } from '../../src/core/wizard/importPlan';

describe('import plan', () => {
  const existing = [
    { key: 'registry.example.com', username: 'me', scope: 'global' as const },
    { key: 'ghcr.io', username: 'me-too', scope: 'workspace' as const },
  ];

  it('stores only keys that have no credential yet; every other one is a conflict needing its own confirmation', () => {
    const plan = planImport(
      [
        { key: 'registry.example.com', registry: 'registry.example.com', username: 'attacker' },
        { key: 'ghcr.io', registry: 'ghcr.io', username: 'me-too' },
        { key: 'new.example.com:5000', registry: 'new.example.com:5000', username: 'ci' },
      ],
      existing,
    );
    assert.deepEqual(
      plan.fresh.map((entry) => entry.key),
      ['new.example.com:5000'],
    );
    assert.deepEqual(
      plan.conflicts.map((conflict) => conflict.candidate.key),
      ['registry.example.com', 'ghcr.io'],
      'same username is still a token swap',
    );
  });

  it('asks with both usernames and says what "no" keeps', () => {
    const [conflict] = planImport([{ key: 'registry.example.com', registry: 'registry.example.com', username: 'attacker' }], existing).conflicts;
    const question = replacementQuestion(conflict!);
    assert.match(question, /user "me"/);
    assert.match(question, /user "attacker"/);
    assert.match(question, /Keeping yours leaves it untouched/);
  });
});
