/**
 * `gitlab-ci-auth build --registry HOST --username USER --password-stdin [--merge FILE]`: prints a minified
 * DOCKER_AUTH_CONFIG. The token comes from stdin only, so it never lands in shell history or process listings,
 * and no message ever repeats it.
 */
import { buildAuthConfig, mergeAuthConfig } from '../core/auth/build';
import { CliIo, UsageError, parseArgs } from './io';

export async function runBuild(args: string[], io: CliIo): Promise<number> {
  const { positionals, values, booleans } = parseArgs(args, { values: ['registry', 'username', 'merge'], booleans: ['password-stdin'] });
  // Never echo a stray argument: it may well be the token.
  if (positionals.length > 0) throw new UsageError('build takes no positional arguments; pass the token on stdin with --password-stdin');
  const registry = values.get('registry');
  const username = values.get('username');
  if (registry === undefined) throw new UsageError('--registry HOST is required, e.g. --registry registry.example.com:5050');
  if (username === undefined) throw new UsageError('--username USER is required');
  if (!booleans.has('password-stdin')) {
    throw new UsageError('--password-stdin is required: the token is read from stdin, e.g. printf \'%s\' "$TOKEN" | gitlab-ci-auth build ... --password-stdin');
  }
  const mergePath = values.get('merge');
  let existing: string | undefined;
  if (mergePath !== undefined) {
    try {
      existing = io.readFile(mergePath);
    } catch (error) {
      throw new UsageError(`cannot read --merge ${mergePath}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // One trailing newline is what `echo` or a here-string adds; anything else is part of the input and gets validated.
  const secret = (await io.readStdin()).replace(/\r?\n$/, '');
  const entry = { registry, username, secret };
  const text = existing === undefined ? buildAuthConfig([entry]) : mergeAuthConfig(existing, [entry]);
  io.stdout(`${text}\n`);
  return 0;
}
