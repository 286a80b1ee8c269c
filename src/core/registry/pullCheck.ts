/**
 * The pull check: for each distinct image of a resolved pipeline, with the credential the runner would use for it, ask
 * the registry whether the pull would succeed (`runPullChecks` in pullCheckRun.ts: the /v2/ challenge, then one manifest
 * HEAD; nothing is downloaded). This file is the part without network: which pull each image needs, the results, and
 * their codes. The shells (command, CLI) decide which secret stands behind a matching key; results come back into
 * `checkPipeline` through `CheckOptions.pullResults` and become findings on each image's line.
 */
import type { ImageEvaluation } from '../rules/context';
import type { CredentialMatch, FindingCode } from '../types';

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
  const { docker, expanded, status } = evaluation;
  // Known only in VS Code: checked with the stored credential, the one GitLab's variable should hold (the
  // credential-not-in-gitlab finding already says GitLab is not known to have it).
  const match = status === 'stored-only' ? evaluation.storedMatch : evaluation.match;
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
    case 'coverage-unknown': {
      // A hidden GitLab variable is a source whose `credsStore` is its label; so is a config's own credsStore.
      const unknown = evaluation.sources.flatMap((source) => (source.credsStore ? [source.credsStore] : []));
      const what = unknown.length > 0 ? unknown.join(', ') : 'a credential source';
      return { key, skipped: `It may be covered by ${what}, whose contents are not known here; only the runner can use it.` };
    }
    case 'may-come-from-include':
      return { key, skipped: 'An include that cannot be read here may change this image.' };
    case 'ignored':
      return { key, skipped: 'The registry is ignored by the settings.' };
    case 'invalid':
    case 'registry-unknown':
      return { key, skipped: 'Docker would reject this image name.' };
    case 'covered':
      if (match?.source === 'runner-config')
        return { key, skipped: `Covered by the runner's own configuration (${match.label}), which only the runner can use.` };
      break;
    case 'public':
    case 'uncovered':
    case 'stored-only':
      break;
  }
  const reference = docker.digest ?? docker.tag ?? 'latest';
  return {
    target: {
      key,
      image: name,
      registry: docker.registry,
      repository: docker.repository,
      reference,
      match: status === 'covered' || status === 'stored-only' ? match : null,
    },
  };
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
