/** The pull check's results (`CheckOptions.pullResults`) as findings on each image that would fail to pull. */
import { PULL_FINDING_CODES, pullPlanOf } from '../registry/pullCheck';
import type { Finding } from '../types';
import { DEFAULT_SEVERITIES } from './codes';
import { provenanceRelated, spanKey, type Rule } from './context';

export const pullRules: Rule = {
  codes: ['image-not-found', 'pull-denied', 'credential-rejected', 'registry-unreachable'],
  check(context) {
    const resultOf = context.options.pullResults;
    if (!resultOf) return [];
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const evaluation of context.evaluations) {
      const plan = pullPlanOf(evaluation);
      if (!('target' in plan)) continue;
      const result = resultOf(plan.target.key);
      const code = result && PULL_FINDING_CODES[result.outcome];
      if (!result || !code || !context.isEnabled(code)) continue;
      const id = `${spanKey(evaluation.image.span)}\u0000${plan.target.key}`;
      if (seen.has(id)) continue;
      seen.add(id);
      findings.push({
        code,
        severity: DEFAULT_SEVERITIES[code],
        message: result.message,
        ...(result.detail === undefined ? {} : { detail: result.detail }),
        range: evaluation.image.span,
        related: provenanceRelated([evaluation.image]),
        data: { image: plan.target.image, registry: plan.target.registry, outcome: result.outcome },
      });
    }
    return findings;
  },
};
