import * as fs from 'node:fs';

/** What a CLI command may touch, injected so tests can run commands in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  readFile(path: string): string;
  cwd(): string;
  /** An environment variable (`DOCKER_AUTH_CONFIG` in a GitLab job); none when omitted. */
  env?(name: string): string | undefined;
}

/** A mistake in the command line: reported as one line, exit code 2. */
export class UsageError extends Error {}

export function nodeIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    readFile: (path) => fs.readFileSync(path, 'utf8'),
    cwd: () => process.cwd(),
    env: (name) => process.env[name],
  };
}

/** Parses `--flag value` / `--flag=value` / repeated flags / positionals. Unknown flags are a UsageError. */
export function parseArgs(
  args: readonly string[],
  spec: { values?: readonly string[]; repeated?: readonly string[]; booleans?: readonly string[] },
): { positionals: string[]; values: Map<string, string>; repeated: Map<string, string[]>; booleans: Set<string> } {
  const positionals: string[] = [];
  const values = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  const booleans = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (spec.booleans?.includes(flag)) {
      if (eq > 0) throw new UsageError(`--${flag} takes no value`);
      booleans.add(flag);
      continue;
    }
    const isValue = spec.values?.includes(flag);
    const isRepeated = spec.repeated?.includes(flag);
    if (!isValue && !isRepeated) throw new UsageError(`unknown option --${flag}`);
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw new UsageError(`--${flag} needs a value`);
    if (isRepeated) repeated.set(flag, [...(repeated.get(flag) ?? []), value]);
    else values.set(flag, value);
  }
  return { positionals, values, repeated, booleans };
}

/**
 * The parts of `--var` values that may be secrets: the whole value of a variable named like one (TOKEN, PASSWORD,
 * SECRET, AUTH, KEY, CREDENTIAL, PASS), and the password of a `user:password@` in any value. Findings are scrubbed of them.
 */
export function secretVariableValues(variables: Readonly<Record<string, string>>): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(variables)) {
    if (/TOKEN|PASSW|SECRET|AUTH|KEY|CREDENTIAL|PASS(?![A-Z])/i.test(name)) secrets.push(value);
    const at = value.indexOf('@');
    const userinfo = at > 0 ? value.slice(0, at).replace(/^[a-z][a-z0-9+.-]*:\/\//i, '') : '';
    const colon = userinfo.indexOf(':');
    if (colon >= 0 && !userinfo.includes('/')) secrets.push(userinfo.slice(colon + 1));
  }
  return secrets.filter((secret) => secret.length >= 3);
}

/**
 * Parses repeated `--var NAME=VALUE` flags. A malformed flag is not echoed: what the user typed
 * may be a CI/CD variable's secret value.
 */
export function parseVariableFlags(flags: readonly string[]): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new UsageError('--var takes NAME=VALUE; one --var has no NAME= before its value');
    variables[flag.slice(0, eq)] = flag.slice(eq + 1);
  }
  return variables;
}
