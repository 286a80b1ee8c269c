import type { FindingCode, Severity } from '../types';

/**
 * Every rule code with its default severity: the runtime form of `FindingCode`.
 * Typed as a full record so adding a code to `FindingCode` without a default here is a compile error.
 * Each code also needs its page, `docs/rules/<code>.md` (starting `# <code>`); a unit test checks it.
 */
export const DEFAULT_SEVERITIES: Readonly<Record<FindingCode, Severity>> = {
  'yaml-syntax': 'error',
  'missing-credentials': 'warning',
  'credential-not-in-gitlab': 'information',
  'registry-unknown': 'information',
  'invalid-image-reference': 'error',
  'unresolved-include': 'information',
  'include-not-found': 'error',
  'extends-missing': 'error',
  'extends-cycle': 'error',
  'extends-too-deep': 'error',
  'reference-unresolved': 'error',
  'input-missing': 'error',
  'invalid-auth-config': 'error',
  'committed-credentials': 'error',
  'key-near-miss': 'warning',
  'file-variable-echo': 'warning',
  'kaniko-missing-config': 'warning',
  'auth-config-shadows-job-token': 'information',
  'limit-exceeded': 'warning',
  'image-not-found': 'error',
  'pull-denied': 'error',
  'credential-rejected': 'error',
  'registry-unreachable': 'warning',
  'default-conflict': 'error',
};

export const FINDING_CODES = Object.keys(DEFAULT_SEVERITIES) as readonly FindingCode[];

/** True when `value` is one of the rule codes. */
export function isFindingCode(value: string): value is FindingCode {
  return Object.prototype.hasOwnProperty.call(DEFAULT_SEVERITIES, value);
}
