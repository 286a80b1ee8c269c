/**
 * Compares the images and services of the local pipeline resolution with GitLab's own (`merged_yaml` from CI Lint),
 * so a user can see where the local resolution differs from what the server will run.
 */
import { parse } from 'yaml';
import { RESERVED_TOP_LEVEL_KEYS } from '../pipeline';
import type { Pipeline } from '../types';

/** A job's images as one side sees them. */
export interface JobImages {
  readonly image: string | null;
  readonly services: readonly string[];
}

export interface JobImageDifference {
  readonly job: string;
  readonly kind: 'only-on-server' | 'only-local' | 'image' | 'services';
  readonly local?: JobImages;
  readonly server?: JobImages;
}

/**
 * The jobs of a CI Lint `merged_yaml` with their image and services names (as written, before variable expansion).
 * Old GitLab versions emit Ruby-symbol keys such as `:build:`; both forms are read.
 */
export function jobImagesFromMergedYaml(mergedYaml: string): Map<string, JobImages> {
  const jobs = new Map<string, JobImages>();
  const root: unknown = parse(mergedYaml, { uniqueKeys: false, customTags: [{ tag: '!reference', collection: 'seq', resolve: (value) => value }] });
  if (!isRecord(root)) return jobs;
  for (const [rawName, definition] of Object.entries(root)) {
    const name = symbolKey(rawName);
    if (RESERVED_TOP_LEVEL_KEYS.has(name) || name.startsWith('.') || !isRecord(definition)) continue;
    const job = normaliseKeys(definition);
    if ('trigger' in job) continue;
    jobs.set(name, {
      image: imageName(job['image']),
      services: Array.isArray(job['services']) ? job['services'].map(imageName).filter((s): s is string => s !== null) : [],
    });
  }
  return jobs;
}

/** The jobs of the local resolution in the same shape. */
export function jobImagesFromPipeline(pipeline: Pipeline): Map<string, JobImages> {
  const jobs = new Map<string, JobImages>();
  for (const job of pipeline.jobs) {
    if (job.isTrigger) continue;
    jobs.set(job.name, { image: job.image?.value ?? null, services: job.services.map((service) => service.value) });
  }
  return jobs;
}

/** Every job whose image or services differ between the two sides, sorted by job name. */
export function compareJobImages(local: ReadonlyMap<string, JobImages>, server: ReadonlyMap<string, JobImages>): JobImageDifference[] {
  const differences: JobImageDifference[] = [];
  const names = [...new Set([...local.keys(), ...server.keys()])].sort();
  for (const job of names) {
    const mine = local.get(job);
    const theirs = server.get(job);
    if (!mine) differences.push({ job, kind: 'only-on-server', server: theirs! });
    else if (!theirs) differences.push({ job, kind: 'only-local', local: mine });
    else if (mine.image !== theirs.image) differences.push({ job, kind: 'image', local: mine, server: theirs });
    else if (mine.services.join('\n') !== theirs.services.join('\n')) differences.push({ job, kind: 'services', local: mine, server: theirs });
  }
  return differences;
}

/** A readable Markdown report of the comparison. */
export function formatComparison(rootFile: string, jobCount: number, differences: readonly JobImageDifference[], lintErrors: readonly string[]): string {
  const lines = [`# Local resolution vs GitLab CI Lint: ${rootFile}`, ''];
  if (lintErrors.length) {
    lines.push('GitLab says the configuration is invalid:', ...lintErrors.map((error) => `- ${error}`), '');
  }
  if (!differences.length) {
    lines.push(`The ${jobCount} jobs have the same images and services on both sides.`);
    return lines.join('\n') + '\n';
  }
  lines.push(`${differences.length} of ${jobCount} jobs differ:`, '');
  const describe = (images: JobImages | undefined) =>
    images ? `image \`${images.image ?? '(none)'}\`${images.services.length ? `, services ${images.services.map((s) => `\`${s}\``).join(', ')}` : ''}` : '';
  for (const difference of differences) {
    switch (difference.kind) {
      case 'only-on-server':
        lines.push(`- **${difference.job}**: only in GitLab's resolution (${describe(difference.server)}); an include may not resolve locally.`);
        break;
      case 'only-local':
        lines.push(`- **${difference.job}**: only in the local resolution (${describe(difference.local)}).`);
        break;
      default:
        lines.push(
          `- **${difference.job}**: ${difference.kind} differs`,
          `  - local: ${describe(difference.local)}`,
          `  - GitLab: ${describe(difference.server)}`,
        );
    }
  }
  return lines.join('\n') + '\n';
}

function imageName(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (isRecord(value)) {
    const name = normaliseKeys(value)['name'];
    return typeof name === 'string' ? name : null;
  }
  return null;
}

function symbolKey(key: string): string {
  return key.length > 1 && key.startsWith(':') ? key.slice(1).replace(/:$/, '') : key;
}

function normaliseKeys(record: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) result[symbolKey(key)] = value;
  return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
