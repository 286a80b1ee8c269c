/**
 * The pull check: for each distinct image of a resolved pipeline, with the credential the runner would use for it, ask
 * the registry whether the pull would succeed (`probeImagePull`: the /v2/ challenge, then one manifest HEAD; nothing is
 * downloaded). The shells (command, CLI) decide which secret stands behind a matching key; results come back into
 * `checkPipeline` through `CheckOptions.pullResults` and become findings on each image's line.
 */
import { probeImagePull, type VerifyResult } from './registryVerify';
import type { ImageEvaluation } from './rules/context';
import type { CredentialMatch, FindingCode } from './types';

/** What a pull would do. `skipped`: not checked, with the reason (a run-time name, a credential only the runner has). */
export type PullOutcome = 'found' | 'not-found' | 'denied' | 'rejected' | 'unreachable' | 'skipped';

export interface PullResult {
  readonly outcome: PullOutcome;
  /** One user-facing sentence; never a secret. */
  readonly message: string;
  /** HTTP-level detail (status, registry error code); never a secret. */
  readonly detail?: string;
  /** `Date.now()` when it was checked. */
  readonly checkedAt: number;
  /** The key whose credential was sent; undefined for an anonymous pull (or when skipped). */
  readonly credentialKey?: string;
}

/** The rule code each failing outcome is reported with. */
export const PULL_FINDING_CODES: Readonly<Partial<Record<PullOutcome, FindingCode>>> = {
  'not-found': 'image-not-found',
  denied: 'pull-denied',
  rejected: 'credential-rejected',
  unreachable: 'registry-unreachable',
};

export interface PullCredential {
  readonly username: string;
  readonly secret: string;
}

/**
 * The secret behind a matching key, as the shell knows it: a credential, or the reason it cannot be had here (a hidden
 * GitLab variable, the runner's own config). Never called for anonymous pulls.
 */
export type CredentialResolver = (match: CredentialMatch) => PullCredential | { readonly unavailable: string };

/** One distinct pull: an image name with the credential key (or none) the runner would use for it. */
export interface PullTarget {
  /** Identifies the pull for caching; holds no secret: the expanded name, the matching key and its label. */
  readonly key: string;
  /** The expanded image name. */
  readonly image: string;
  readonly registry: string;
  readonly repository: string;
  /** Tag or digest (a digest wins, as Docker pulls by digest when both are given). */
  readonly reference: string;
  readonly match: CredentialMatch | null;
}

/** Why an image is not checked, or the pull it needs. */
export type PullPlanEntry = { readonly target: PullTarget } | { readonly key: string; readonly skipped: string };

/** The key a plan entry's result is kept under. */
export function pullKeyOf(entry: PullPlanEntry): string {
  return 'target' in entry ? entry.target.key : entry.key;
}

/** The pull an evaluated image needs, or why it is not checked. Depends on the evaluation alone (no secret). */
export function pullPlanOf(evaluation: ImageEvaluation): PullPlanEntry {
  const { docker, expanded, match, status } = evaluation;
  const name = expanded ?? evaluation.image.value.trim();
  const key = `${name}\u0000${match?.key ?? ''}\u0000${match?.label ?? ''}\u0000${status}`;
  if (expanded === null || evaluation.unknownVariables.length > 0) {
    const variables = evaluation.unknownVariables.map((variable) => `$${variable}`).join(', ');
    return { key, skipped: `The name depends on ${variables || 'a variable'}, known only when the job runs.` };
  }
  if (!docker.valid || !docker.registry || !docker.repository) return { key, skipped: 'Docker would reject this image name.' };
  switch (status) {
    case 'job-token':
      return { key, skipped: 'The job token covers this; only the runner has it.' };
    case 'coverage-unknown':
      return { key, skipped: 'A credential source whose contents are not known here (a credential store) may cover it.' };
    case 'may-come-from-include':
      return { key, skipped: 'An include that cannot be read here may change this image.' };
    case 'ignored':
      return { key, skipped: 'The registry is ignored by the settings.' };
    case 'invalid':
    case 'registry-unknown':
      return { key, skipped: 'Docker would reject this image name.' };
    case 'covered':
      if (match?.source === 'runner-config') return { key, skipped: `Covered by the runner's own configuration (${match.label}), which only the runner can use.` };
      break;
    case 'public':
    case 'uncovered':
      break;
  }
  const reference = docker.digest ?? docker.tag ?? 'latest';
  return { target: { key, image: name, registry: docker.registry, repository: docker.repository, reference, match: status === 'covered' ? match : null } };
}

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
/** A pull needs at most four requests (ping, challenge, token, manifest): the whole budget of one target. */
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
      return { outcome: 'rejected', message: `${target.registry} rejected the credential for ${target.match?.key ?? target.registry} (wrong username or token, or expired).`, ...detail };
    case 'unreachable':
      return { outcome: 'unreachable', message: `${target.registry} could not be checked: ${verified.message}`, ...detail };
  }
}

/** "2 minutes ago" for a hover. */
export function describeAge(checkedAt: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - checkedAt) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.round(minutes / 60);
  return `${hours} hour${hours === 1 ? '' : 's'} ago`;
}
