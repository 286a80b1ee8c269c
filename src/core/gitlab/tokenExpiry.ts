/** When tokens expire, and which ones to warn about. GitLab tokens expire at midnight UTC on their `expires_at` date. */

/** A token whose expiry is tracked: the GitLab connection's token or a registry token created through it. */
export interface TrackedToken {
  /** "personal access token for gitlab.example.com", "deploy token ci-pull (group/app)". Never the token. */
  readonly description: string;
  /** `YYYY-MM-DD` or an ISO date-time. */
  readonly expiresAt: string;
}

export interface ExpiryWarning {
  readonly token: TrackedToken;
  /** Whole days left (0 = expires today, negative = expired). */
  readonly daysLeft: number;
  readonly message: string;
}

/** Warn this many days ahead. */
export const expiryWarningDays = 7;

/** Whole days from `now` until the token stops working; undefined for an unreadable date. */
export function daysUntilExpiry(expiresAt: string, now: Date): number | undefined {
  const end = /^\d{4}-\d{2}-\d{2}$/.test(expiresAt) ? Date.parse(`${expiresAt}T00:00:00Z`) : Date.parse(expiresAt);
  if (Number.isNaN(end)) return undefined;
  return Math.floor((end - now.getTime()) / 86_400_000);
}

/** The tokens that expire within {@link expiryWarningDays} days or already did, soonest first. */
export function expiryWarnings(tokens: readonly TrackedToken[], now: Date): ExpiryWarning[] {
  const warnings: ExpiryWarning[] = [];
  for (const token of tokens) {
    const daysLeft = daysUntilExpiry(token.expiresAt, now);
    if (daysLeft === undefined || daysLeft >= expiryWarningDays) continue;
    const when =
      daysLeft < 0 ? `expired on ${token.expiresAt.slice(0, 10)}` : daysLeft === 0 ? 'expires today' : `expires in ${daysLeft} day${daysLeft === 1 ? '' : 's'}`;
    warnings.push({ token, daysLeft, message: `The ${token.description} ${when}.` });
  }
  return warnings.sort((a, b) => a.daysLeft - b.daysLeft);
}

/** `YYYY-MM-DD` of `now` plus `days` (UTC), as GitLab's `expires_at` takes it. */
export function dateInDays(now: Date, days: number): string {
  return new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}
