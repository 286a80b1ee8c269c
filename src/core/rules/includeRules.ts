/** unresolved-include: an include that cannot be read offline, so part of the pipeline is unknown. */
import type { Finding } from '../types';
import type { Rule } from './context';

const WHERE: Readonly<Record<string, string>> = {
  project: 'a file of another project',
  template: 'a GitLab CI template',
  remote: 'a remote URL',
  component: 'a CI/CD component',
  local: 'a local file',
};

export const includeRules: Rule = {
  codes: ['unresolved-include'],
  check(context) {
    return context.pipeline.unresolvedIncludes.map((include): Finding => ({
      code: 'unresolved-include',
      severity: 'information',
      message: `Cannot read include: ${include.kind} "${include.location}" here`,
      detail:
        `It is ${WHERE[include.kind] ?? include.kind}, so what it defines is unknown here: images of jobs that may come from it are ` +
        'not reported as missing credentials. Connecting to GitLab lets project, template and component includes be read.',
      range: include.span,
      related: [],
      data: { kind: include.kind, location: include.location },
    }));
  },
};
