import { CliIo, UsageError } from './io';

export async function runLookup(_args: string[], _io: CliIo): Promise<number> {
  throw new UsageError('not implemented yet');
}
