/**
 * Runs the pull check's requests (see pullCheck.ts): each distinct target once, at most four at a time, through
 * `probeImagePull`. Kept apart from the plan so that what only the command needs stays out of the activation bundle.
 */
import type { CredentialResolver, PullCredential, PullPlanEntry, PullResult, PullTarget } from './pullCheck';
import { probeImagePull, type VerifyResult } from './verify';

export interface PullCheckOptions {
  /** Budget per request. */
  readonly requestTimeoutMs: number;
  /** At most this many pulls are checked at once (default 4). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
  /** Called after each target is done, with how many are done. */
  readonly onProgress?: (done: number, total: number) => void;
  readonly now?: () => number;
}

const DEFAULT_CONCURRENCY = 4;
/**
 * The budget of one image: a pull takes at most four requests besides redirects (/v2/ ping, token or Basic login, a
 * repository's own challenge, manifest HEAD).
 */
const REQUESTS_PER_PULL = 4;

/**
 * Checks each distinct target once (targets are deduplicated by key), at most `concurrency` at a time. Returns a result
 * for every key, skipped ones included. Cancelling stops starting new pulls; those not done are left out of the result.
 */
export async function runPullChecks(
  entries: readonly PullPlanEntry[],
  resolve: CredentialResolver,
  options: PullCheckOptions,
): Promise<Map<string, PullResult>> {
  const now = options.now ?? Date.now;
  const results = new Map<string, PullResult>();
  const targets = new Map<string, PullTarget>();
  for (const entry of entries) {
    if ('skipped' in entry) results.set(entry.key, { outcome: 'skipped', message: entry.skipped, checkedAt: now() });
    else if (!targets.has(entry.target.key)) targets.set(entry.target.key, entry.target);
  }
  const queue = [...targets.values()];
  let done = 0;
  const worker = async (): Promise<void> => {
    for (let target = queue.shift(); target && !options.signal?.aborted; target = queue.shift()) {
      const result = await checkTarget(target, resolve, options, now);
      if (options.signal?.aborted && result.detail === 'cancelled') return;
      results.set(target.key, result);
      options.onProgress?.(++done, targets.size);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, queue.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

async function checkTarget(target: PullTarget, resolve: CredentialResolver, options: PullCheckOptions, now: () => number): Promise<PullResult> {
  let credential: PullCredential | undefined;
  if (target.match) {
    const resolved = resolve(target.match);
    if ('unavailable' in resolved) return { outcome: 'skipped', message: resolved.unavailable, checkedAt: now() };
    credential = resolved;
  }
  let verified: VerifyResult;
  try {
    verified = await probeImagePull(
      { registry: target.registry, repository: target.repository, reference: target.reference, ...(credential ? { credential } : {}) },
      {
        timeoutMs: options.requestTimeoutMs * REQUESTS_PER_PULL,
        requestTimeoutMs: options.requestTimeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      },
    );
  } catch (error) {
    return { outcome: 'skipped', message: error instanceof Error ? error.message : String(error), checkedAt: now() };
  }
  const result = { ...pullResultOf(verified, target, credential !== undefined), checkedAt: now() };
  return credential ? { ...result, credentialKey: target.match!.key } : result;
}

/** The registry's answer in the pull check's words. */
function pullResultOf(verified: VerifyResult, target: PullTarget, withCredential: boolean): Omit<PullResult, 'checkedAt'> {
  const detail = verified.detail === undefined ? {} : { detail: verified.detail };
  const who = withCredential ? `the credential for ${target.match!.key}` : 'an anonymous pull (no credential matches)';
  switch (verified.status) {
    case 'valid':
    case 'no-auth-required':
      return { outcome: 'found', message: `The manifest of ${target.image} exists and ${who} may pull it.`, ...detail };
    case 'not-found':
      return { outcome: 'not-found', message: `${target.image} was not found on ${target.registry}: the tag or digest does not exist there.`, ...detail };
    case 'no-pull-access':
      return {
        outcome: 'denied',
        message: withCredential
          ? `Pull denied: the credential for ${target.match!.key} is valid but may not pull ${target.repository} (or it does not exist).`
          : `Pull denied: ${target.registry} does not let ${target.repository} be pulled without a credential. ${verified.message}`,
        ...detail,
      };
    case 'wrong-credentials':
      return {
        outcome: 'rejected',
        message: `${target.registry} rejected the credential for ${target.match?.key ?? target.registry} (wrong username or token, or expired).`,
        ...detail,
      };
    case 'unreachable':
      return { outcome: 'unreachable', message: `${target.registry} could not be checked: ${verified.message}`, ...detail };
  }
}
