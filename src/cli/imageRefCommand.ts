import { CliIo, UsageError } from './io';

export async function runImageRef(_args: string[], _io: CliIo): Promise<number> {
  throw new UsageError('not implemented yet');
}
