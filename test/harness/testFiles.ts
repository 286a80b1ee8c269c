/**
 * Finds test files and reads their header comments. A file's leading `// @key value` lines say where it runs:
 *
 *   // @workspace test/fixtures/workspaces/smoke          folder, or a .code-workspace file for multi-root
 *   // @settings {"gitlabCiAuth.severity": {"missing-credentials": "error"}}     user settings (JSON)
 *   // @env GITLAB_URL=http://127.0.0.1:5000                 environment of code-server (repeatable)
 *   // @timeout 300                                          seconds for the whole file (default 120)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './paths';

export const defaultWorkspace = 'test/fixtures/workspaces/smoke';
const defaultTimeoutSeconds = 120;

export interface TestFile {
  /** e.g. test/integration/activation.test.ts */
  readonly source: string;
  /** The compiled file under out/. */
  readonly compiled: string;
  readonly workspace: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
}

/** Test files in `folder` (repository-relative) whose names end with `suffix`, sorted, with their headers. */
export function findTestFiles(folder: string, suffix: string): TestFile[] {
  const dir = path.join(repoRoot, folder);
  if (!fs.existsSync(dir)) return [];
  return (
    fs
      .readdirSync(dir)
      // `npm test -- --file <text>` (run-all sets TEST_FILE_FILTER): only the files whose name contains the text.
      .filter((name) => name.endsWith(suffix) && name.includes(process.env.TEST_FILE_FILTER ?? ''))
      .sort()
      .map((name) => readTestFile(path.join(folder, name)))
  );
}

export function readTestFile(source: string): TestFile {
  const text = fs.readFileSync(path.join(repoRoot, source), 'utf8');
  let workspace = defaultWorkspace;
  let settings: Record<string, unknown> = {};
  const env: Record<string, string> = {};
  let timeoutSeconds = defaultTimeoutSeconds;
  for (const line of text.split('\n')) {
    const header = /^\s*\/\/\s*@(workspace|settings|env|timeout)\s+(\S.*)$/.exec(line.trimEnd());
    if (!header) {
      if (/^\s*(\/\/.*|\/\*.*|\*.*)?$/.test(line)) continue; // other comments and blank lines
      break; // headers live above the first line of code
    }
    const [, key, value] = header as unknown as [string, string, string];
    if (key === 'workspace') workspace = value;
    else if (key === 'timeout') timeoutSeconds = Number(value);
    else if (key === 'env') {
      const eq = value.indexOf('=');
      if (eq <= 0) throw new Error(`${source}: "// @env ${value}" must be KEY=VALUE`);
      env[value.slice(0, eq)] = value.slice(eq + 1);
    } else {
      try {
        settings = { ...settings, ...(JSON.parse(value) as Record<string, unknown>) };
      } catch (error) {
        throw new Error(`${source}: "// @settings" is not JSON: ${(error as Error).message}`);
      }
    }
  }
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new Error(`${source}: bad @timeout`);
  if (!fs.existsSync(path.join(repoRoot, workspace))) {
    throw new Error(`${source}: @workspace ${workspace} does not exist`);
  }
  const compiled = path.join(repoRoot, 'out', source.replace(/\.ts$/, '.js'));
  return { source, compiled, workspace, settings, env, timeoutSeconds };
}

/** Files that can share one code-server: same workspace, settings and environment. */
export function groupByEnvironment(files: readonly TestFile[]): TestFile[][] {
  const groups = new Map<string, TestFile[]>();
  for (const file of files) {
    const key = JSON.stringify([file.workspace, file.settings, file.env]);
    groups.set(key, [...(groups.get(key) ?? []), file]);
  }
  return [...groups.values()];
}
