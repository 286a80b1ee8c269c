/**
 * The contract between the integration driver (outside VS Code) and the suite loader (inside the extension host):
 * environment variables in, one JSON event per line out.
 */

/** Environment variables the driver sets on code-server (or test-electron) for the suite loader. */
export const suiteEnv = {
  /** Absolute path of the compiled suite loader (out/test/integration/suite/index.js). */
  entry: 'GITLAB_CI_AUTH_TEST_ENTRY',
  /** JSON array of absolute paths of compiled test files to run. */
  files: 'GITLAB_CI_AUTH_TEST_FILES',
  /** Optional mocha grep (a plain substring of the full test title). */
  grep: 'GITLAB_CI_AUTH_TEST_GREP',
  /** Optional path of the JSON-lines event file the driver reads. */
  results: 'GITLAB_CI_AUTH_TEST_RESULTS',
} as const;

export type SuiteEvent =
  | { readonly event: 'start'; readonly total: number; readonly vscodeVersion: string }
  | { readonly event: 'test'; readonly title: string }
  | { readonly event: 'pass'; readonly title: string; readonly durationMs: number }
  | { readonly event: 'fail'; readonly title: string; readonly error: string }
  | { readonly event: 'end'; readonly passed: number; readonly failed: number }
  /** The loader itself failed (e.g. a test file threw while loading). */
  | { readonly event: 'crash'; readonly error: string };
