/**
 * What importing a DOCKER_AUTH_CONFIG would do to the credentials already stored: an entry for a registry key that
 * already has a credential (in either scope) would replace or shadow it, so it is never stored without the user's
 * explicit confirmation, which names both usernames. A hostile file cannot swap the user's credential for its own.
 */

export interface ImportCandidate {
  readonly key: string;
  readonly registry: string;
  /** Empty for a credential-helper entry. */
  readonly username: string;
}

export interface ExistingCredential {
  readonly key: string;
  readonly username: string;
  readonly scope: 'global' | 'workspace';
}

export interface ImportConflict {
  readonly candidate: ImportCandidate;
  readonly existing: readonly ExistingCredential[];
}

export interface ImportPlan {
  /** Keys with no credential stored yet: stored once the user has picked the scope. */
  readonly fresh: readonly ImportCandidate[];
  /** Keys that already have one: each needs its own confirmation. */
  readonly conflicts: readonly ImportConflict[];
}

export function planImport(candidates: readonly ImportCandidate[], existing: readonly ExistingCredential[]): ImportPlan {
  const fresh: ImportCandidate[] = [];
  const conflicts: ImportConflict[] = [];
  for (const candidate of candidates) {
    const same = existing.filter((credential) => credential.key === candidate.key);
    if (same.length === 0) fresh.push(candidate);
    else conflicts.push({ candidate, existing: same });
  }
  return { fresh, conflicts };
}

/** The question asked before a replacement: both usernames, and which is kept when the user says no. */
export function replacementQuestion(conflict: ImportConflict): string {
  const stored = conflict.existing.map((credential) => userLabel(credential.username)).join(', ');
  return (
    `You already have a credential for ${conflict.candidate.key} (${stored}). Replace it with the one being imported ` +
    `(${userLabel(conflict.candidate.username)})? Keeping yours leaves it untouched and skips the imported one.`
  );
}

function userLabel(username: string): string {
  return username === '' ? 'a credential helper' : `user "${username}"`;
}
