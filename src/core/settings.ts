/**
 * The extension's settings as one typed, validated model. Mirrors package.json `contributes.configuration`
 * (a unit test keeps the two in step); the extension reads raw values and hands them to {@link parseSettings}.
 */
import * as z from './zod';
import { isFindingCode } from './rules/codes';
import type { FindingCode } from './types';
import { trimBoth, trimTrailing } from './text';

export const SEVERITY_LEVELS = ['error', 'warning', 'information', 'hint', 'off'] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];

/** Registries anyone may pull from without credentials; the same list as package.json's default. */
export const DEFAULT_PUBLIC_REGISTRY_SETTING: readonly string[] = [
  'docker.io',
  'quay.io',
  'ghcr.io',
  'gcr.io',
  'mcr.microsoft.com',
  'public.ecr.aws',
  'registry.k8s.io',
  'k8s.gcr.io',
  'registry.access.redhat.com',
  'nvcr.io',
  'docker.elastic.co',
];

/** A list of registry keys or globs: strings only; blanks dropped, duplicates removed, order kept. */
const stringList = z.pipe(
  z.array(z.string()),
  z.transform((list) => [...new Set(list.map((entry) => entry.trim()).filter((entry) => entry !== ''))]),
);

const projectRelativePath = z
  .pipe(
    z.string(),
    z.transform((path) =>
      path
        .trim()
        .replace(/\\/g, '/')
        .replace(/^(\.\/)+/, ''),
    ),
  )
  .check(
    z.refine((path) => path !== '' && !path.startsWith('/') && !/^[a-z]:/i.test(path), 'must be a path relative to the workspace folder'),
    z.refine((path) => !path.split('/').includes('..'), 'must stay inside the workspace folder'),
    z.refine((path) => !path.includes('@') && !path.includes('://'), 'a configuration in another project cannot be checked locally'),
  );

const optionalUrl = z
  .pipe(
    z.string(),
    z.transform((url) => trimTrailing(url.trim(), '/')),
  )
  .check(z.refine((url) => url === '' || /^https?:\/\/[^\s/]+/i.test(url), 'must be an http(s) URL such as https://gitlab.example.com'));

const optionalHost = z
  .pipe(
    z.string(),
    z.transform((host) => trimTrailing(host.trim().replace(/^https?:\/\//i, ''), '/')),
  )
  .check(z.refine((host) => host === '' || /^[^\s/]+$/.test(host), 'must be host[:port], without a path'));

const optionalProjectPath = z.pipe(
  z.string(),
  z.transform((path) => trimBoth(path.trim(), '/').replace(/\.git$/, '')),
);

const severityLevel = z.enum(SEVERITY_LEVELS);

/** The default wall-clock budget of one check (extension and CLI), in milliseconds: 2 s on a 2-core machine. */
export const DEFAULT_CHECK_TIME_BUDGET_MS = 2_000;

/**
 * Each setting: its key under `gitlabCiAuth.`, schema and default. Validated one by one so that one bad value
 * falls back to its default without discarding the others.
 */
const SETTING_SCHEMAS = {
  enable: { schema: z.boolean(), fallback: true },
  publicRegistries: { schema: stringList, fallback: [...DEFAULT_PUBLIC_REGISTRY_SETTING] },
  additionalPublicRegistries: { schema: stringList, fallback: [] as string[] },
  runnerCoveredRegistries: { schema: stringList, fallback: [] as string[] },
  ciConfigPath: { schema: projectRelativePath, fallback: '.gitlab-ci.yml' },
  extraFiles: { schema: stringList, fallback: [] as string[] },
  severity: { schema: z.record(z.string(), z.unknown()), fallback: {} as Record<string, unknown> },
  ignoredRegistries: { schema: stringList, fallback: [] as string[] },
  'gitlab.instanceUrl': { schema: optionalUrl, fallback: '' },
  'gitlab.registryHost': { schema: optionalHost, fallback: '' },
  'gitlab.projectPath': { schema: optionalProjectPath, fallback: '' },
  clipboardClearSeconds: { schema: z.number().check(z.gte(0)), fallback: 60 },
  verifyTimeoutSeconds: { schema: z.number().check(z.gte(1)), fallback: 15 },
  pullCheckCacheMinutes: { schema: z.number().check(z.gte(0)), fallback: 10 },
  checkTimeBudgetMs: { schema: z.number().check(z.gte(10), z.lte(60_000)), fallback: DEFAULT_CHECK_TIME_BUDGET_MS },
} as const;

export type SettingKey = keyof typeof SETTING_SCHEMAS;

/** The section every key lives under in VS Code's configuration. */
export const SETTINGS_SECTION = 'gitlabCiAuth';

/** Every setting key, relative to {@link SETTINGS_SECTION}. */
export const SETTING_KEYS = Object.keys(SETTING_SCHEMAS) as SettingKey[];

export interface Settings {
  readonly enable: boolean;
  readonly publicRegistries: readonly string[];
  /** Public too, on top of `publicRegistries` (what *Treat as public* adds); user, workspace and folder values add up. */
  readonly additionalPublicRegistries: readonly string[];
  readonly runnerCoveredRegistries: readonly string[];
  readonly ciConfigPath: string;
  readonly extraFiles: readonly string[];
  /** Only known codes; 'off' hides the code's findings. */
  readonly severity: Readonly<Partial<Record<FindingCode, SeverityLevel>>>;
  readonly ignoredRegistries: readonly string[];
  readonly gitlab: { readonly instanceUrl: string; readonly registryHost: string; readonly projectPath: string };
  readonly clipboardClearSeconds: number;
  readonly verifyTimeoutSeconds: number;
  /** How long the pull check's results are kept (and shown) before the registry is asked again. */
  readonly pullCheckCacheMinutes: number;
  /** Wall-clock budget of one check of a folder: past it the check stops and reports `limit-exceeded`. */
  readonly checkTimeBudgetMs: number;
}

/** A setting whose value was unusable and fell back to its default. Never carries the value itself. */
export interface SettingsProblem {
  readonly key: string;
  readonly message: string;
}

function parseOne<K extends SettingKey>(key: K, raw: unknown, problems: SettingsProblem[]): z.output<(typeof SETTING_SCHEMAS)[K]['schema']> {
  const { schema, fallback } = SETTING_SCHEMAS[key];
  if (raw === undefined || raw === null) return fallback as never;
  const result = (schema as z.ZodMiniType).safeParse(raw);
  if (result.success) return result.data as never;
  problems.push({ key: `${SETTINGS_SECTION}.${key}`, message: result.error.issues.map((issue) => issue.message).join('; ') });
  return fallback as never;
}

function parseSeverities(raw: Record<string, unknown>, problems: SettingsProblem[]): Partial<Record<FindingCode, SeverityLevel>> {
  const severities: Partial<Record<FindingCode, SeverityLevel>> = {};
  for (const [code, level] of Object.entries(raw)) {
    const key = `${SETTINGS_SECTION}.severity`;
    if (!isFindingCode(code)) {
      problems.push({ key, message: `unknown rule code '${code}'` });
      continue;
    }
    const parsed = severityLevel.safeParse(level);
    if (parsed.success) severities[code] = parsed.data;
    else problems.push({ key, message: `'${code}' must be one of ${SEVERITY_LEVELS.join(', ')}` });
  }
  return severities;
}

/**
 * Validates raw setting values (as VS Code returns them: `undefined` when unset) into {@link Settings}.
 * A value that does not fit its schema falls back to its default and is reported in `problems`.
 * @param read returns the raw value of a key relative to `gitlabCiAuth.`, e.g. `read('gitlab.instanceUrl')`.
 */
export function parseSettings(read: (key: SettingKey) => unknown): { settings: Settings; problems: SettingsProblem[] } {
  const problems: SettingsProblem[] = [];
  const setting = <K extends SettingKey>(key: K) => parseOne(key, read(key), problems);
  const settings: Settings = {
    enable: setting('enable'),
    publicRegistries: setting('publicRegistries'),
    additionalPublicRegistries: setting('additionalPublicRegistries'),
    runnerCoveredRegistries: setting('runnerCoveredRegistries'),
    ciConfigPath: setting('ciConfigPath'),
    extraFiles: setting('extraFiles'),
    severity: parseSeverities(setting('severity'), problems),
    ignoredRegistries: setting('ignoredRegistries'),
    gitlab: {
      instanceUrl: setting('gitlab.instanceUrl'),
      registryHost: setting('gitlab.registryHost'),
      projectPath: setting('gitlab.projectPath'),
    },
    clipboardClearSeconds: setting('clipboardClearSeconds'),
    verifyTimeoutSeconds: setting('verifyTimeoutSeconds'),
    pullCheckCacheMinutes: setting('pullCheckCacheMinutes'),
    checkTimeBudgetMs: setting('checkTimeBudgetMs'),
  };
  return { settings, problems };
}

/** The defaults, as VS Code would report them for an untouched configuration. */
export function defaultSettings(): Settings {
  return parseSettings(() => undefined).settings;
}
