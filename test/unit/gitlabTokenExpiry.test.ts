import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { dateInDays, daysUntilExpiry, expiryWarnings } from '../../src/core/gitlab/tokenExpiry';

describe('token expiry warnings', () => {
  const now = new Date('2025-06-10T15:00:00Z');

  it('counts whole days to midnight UTC of the expiry date', () => {
    assert.equal(daysUntilExpiry('2025-06-11', now), 0);
    assert.equal(daysUntilExpiry('2025-06-17', now), 6);
    assert.equal(daysUntilExpiry('2025-06-10', now), -1);
    assert.equal(daysUntilExpiry('2025-06-12T00:00:00.000Z', now), 1);
    assert.equal(daysUntilExpiry('soon', now), undefined);
  });

  it('warns for tokens expiring within 7 days or expired, soonest first, and not for later ones', () => {
    const warnings = expiryWarnings(
      [
        { description: 'deploy token ci-pull (group/app)', expiresAt: '2025-06-15' },
        { description: 'personal access token for gitlab.example.com', expiresAt: '2025-06-01' },
        { description: 'project access token later (group/app)', expiresAt: '2025-06-18' },
      ],
      now,
    );
    assert.deepEqual(
      warnings.map((warning) => warning.message),
      ['The personal access token for gitlab.example.com expired on 2025-06-01.', 'The deploy token ci-pull (group/app) expires in 4 days.'],
    );
  });

  it('computes expires_at dates N days ahead', () => {
    assert.equal(dateInDays(now, 90), '2025-09-08');
  });
});
