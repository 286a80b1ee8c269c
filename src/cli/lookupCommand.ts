/**
 * `gitlab-ci-auth lookup IMAGE [--auth-config FILE] [--runner-config FILE] [--job-credential KEY]...`:
 * which credential GitLab Runner would attach to IMAGE, as one JSON line. A broken config is dropped whole,
 * as the runner drops it, with the reason in `warnings`; a helper name with a path aborts the lookup (`error`).
 */
import { credentialSourceFromAuthConfig } from '../core/registry/credentialSources';
import { parseAuthConfig } from '../core/auth/parse';
import { lookupCredential, nearMisses } from '../core/registry/credentialLookup';
import { registryKeyPath, runnerLookupPath } from '../core/registry/imageRef';
import type { CredentialSource, CredentialSourceKind } from '../core/types';
import { CliIo, UsageError, parseArgs } from './io';

interface LookupLine {
  readonly image: string;
  readonly lookupPath: string;
  readonly match: { readonly key: string; readonly source: CredentialSourceKind; readonly path: string } | null;
  readonly warnings: readonly string[];
  readonly error: string | null;
}

/** The two config files the runner reads, in its precedence order. */
const configFlags: readonly { flag: string; kind: CredentialSourceKind; label: string }[] = [
  { flag: 'auth-config', kind: 'DOCKER_AUTH_CONFIG', label: 'DOCKER_AUTH_CONFIG' },
  { flag: 'runner-config', kind: 'runner-config', label: 'runner config' },
];

export async function runLookup(args: string[], io: CliIo): Promise<number> {
  const { positionals, values, repeated } = parseArgs(args, { values: configFlags.map(({ flag }) => flag), repeated: ['job-credential'] });
  if (positionals.length !== 1)
    throw new UsageError('give exactly one IMAGE, e.g. gitlab-ci-auth lookup registry.example.com/group/app:1.0 --auth-config auth.json');
  const image = positionals[0]!;
  const warnings: string[] = [];
  const errors: string[] = [];
  const sources: CredentialSource[] = [];

  for (const { flag, kind, label } of configFlags) {
    const file = values.get(flag);
    if (file === undefined) continue;
    let text: string;
    try {
      text = io.readFile(file);
    } catch (error) {
      throw new UsageError(`cannot read --${flag} ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = parseAuthConfig(text);
    if (parsed.ok) {
      sources.push(credentialSourceFromAuthConfig(parsed.config, kind, label));
      warnings.push(...parsed.warnings.map((warning) => `${label}: ${warning.message}`));
    } else if (parsed.abortsResolution) {
      errors.push(...parsed.problems.map((problem) => `${label}: ${problem.message}`));
    } else {
      warnings.push(`${label} is ignored by the runner: ${parsed.problems.map((problem) => problem.message).join(' ')}`);
    }
  }
  const jobKeys = repeated.get('job-credential') ?? [];
  if (jobKeys.length > 0) {
    sources.push({ kind: 'job-payload', keys: jobKeys.map((key) => ({ key, path: registryKeyPath(key), via: 'job-token', label: 'job token' })) });
  }

  let line: LookupLine;
  if (errors.length > 0) {
    line = {
      image,
      lookupPath: runnerLookupPath(image),
      match: null,
      warnings,
      error: `The runner aborts credential lookup, so the pull fails. ${errors.join(' ')}`,
    };
  } else {
    const result = lookupCredential(image, sources);
    if (result.match === null) {
      if (result.coverageUnknown) warnings.push('No key matches, but a credsStore may hold credentials for this registry: coverage unknown.');
      for (const miss of nearMisses(image, sources)) {
        warnings.push(`Key "${miss.key}" (${miss.source}) nearly matches (${miss.reason}); "${miss.suggestedKey}" would match.`);
      }
    }
    const match = result.match && { key: result.match.key, source: result.match.source, path: result.match.path };
    line = { image, lookupPath: result.lookupPath, match, warnings, error: null };
  }
  io.stdout(`${JSON.stringify(line)}\n`);
  return 0;
}
