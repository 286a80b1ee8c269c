import * as fs from 'node:fs';
import { main } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/io';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `gitlab-ci-auth <argv>` in-process with captured output, a working directory, optional stdin, and optionally
 * files served from memory instead of the disk (a missing one fails like the disk would).
 */
export async function runCli(
  argv: readonly string[],
  options: { cwd: string; stdin?: string; files?: Readonly<Record<string, string>>; env?: Readonly<Record<string, string>> },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readStdin: async () => options.stdin ?? '',
    readFile: (file) => {
      if (!options.files) return fs.readFileSync(file, 'utf8');
      const text = options.files[file];
      if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${file}'`);
      return text;
    },
    cwd: () => options.cwd,
    env: (name) => options.env?.[name],
  };
  const code = await main([...argv], io);
  return { code, stdout, stderr };
}
