/** `gitlab-ci-auth image-ref IMAGE...`: how Docker and GitLab Runner read each reference, one JSON object per line. */
import { parseDockerReference, runnerLookupPath } from '../core/registry/imageRef';
import { CliIo, UsageError, parseArgs } from './io';

export async function runImageRef(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseArgs(args, {});
  if (positionals.length === 0) throw new UsageError('give at least one IMAGE, e.g. gitlab-ci-auth image-ref registry.example.com:5050/group/app:1.0');
  for (const image of positionals) {
    const reference = parseDockerReference(image);
    const line = {
      image,
      valid: reference.valid,
      registry: reference.registry,
      repository: reference.repository,
      tag: reference.tag,
      digest: reference.digest,
      lookupPath: runnerLookupPath(image),
    };
    io.stdout(`${JSON.stringify(line)}\n`);
  }
  return 0;
}
