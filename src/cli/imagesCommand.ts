import { CliIo, UsageError } from './io';

export async function runImages(_args: string[], _io: CliIo): Promise<number> {
  throw new UsageError('not implemented yet');
}
