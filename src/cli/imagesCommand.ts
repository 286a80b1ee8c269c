/**
 * `gitlab-ci-auth images FILE [--project-dir DIR] [--var NAME=VALUE]...`: every job's image and services as GitLab
 * hands them to the runner (after include, extends, default, !reference and inputs; before `$VAR` expansion).
 * `--var` values are used to expand variables in `include:` locations, the only place GitLab expands them before the runner.
 */
import * as path from 'node:path';
import { resolvePipeline } from '../core/pipeline';
import { createDiskProjectFiles } from '../core/pipeline/diskFiles';
import type { Pipeline } from '../core/types';
import { CliIo, UsageError, parseArgs, parseVariableFlags } from './io';

/** The JSON document the command prints. */
export interface ImagesReport {
  readonly jobs: Record<string, { readonly image: string | null; readonly services: readonly string[] }>;
  readonly unresolvedIncludes: readonly string[];
  /** `include:` entries with `rules:` (only when there are some): included, excluded (not merged) or maybe, and why. */
  readonly includeRules?: readonly { readonly file: string; readonly line: number; readonly outcome: string; readonly reason: string }[];
}

/** Problems in the given file that make the output meaningless: it could not be parsed, or was too large or an alias bomb. */
const FATAL_CODES = new Set(['yaml-syntax', 'limit-exceeded']);

export function imagesReport(pipeline: Pipeline): ImagesReport {
  const jobs: Record<string, { image: string | null; services: string[] }> = {};
  for (const job of pipeline.jobs) {
    jobs[job.name] = { image: job.image?.value ?? null, services: job.services.map((service) => service.value) };
  }
  const unresolvedIncludes = pipeline.unresolvedIncludes.map((include) => include.location);
  const decisions = pipeline.includeDecisions ?? [];
  if (decisions.length === 0) return { jobs, unresolvedIncludes };
  const lineOf = (file: string, offset: number): number => {
    const text = pipeline.files.find((candidate) => candidate.path === file)?.text ?? '';
    let line = 1;
    for (let at = text.indexOf('\n'); at >= 0 && at < offset; at = text.indexOf('\n', at + 1)) line++;
    return line;
  };
  const includeRules = decisions.map(({ span, outcome, reason }) => ({ file: span.file, line: lineOf(span.file, span.start), outcome, reason }));
  return { jobs, unresolvedIncludes, includeRules };
}

export async function runImages(args: string[], io: CliIo): Promise<number> {
  const { positionals, values, repeated } = parseArgs(args, { values: ['project-dir'], repeated: ['var'] });
  if (positionals.length !== 1) throw new UsageError('expects exactly one FILE (see --help)');
  const variables = parseVariableFlags(repeated.get('var') ?? []);
  const file = path.resolve(io.cwd(), positionals[0]!);
  const projectDir = path.resolve(io.cwd(), values.get('project-dir') ?? path.dirname(file));
  const relative = path.relative(projectDir, file).split(path.sep).join('/');
  if (relative.startsWith('..') || path.isAbsolute(relative)) throw new UsageError(`${positionals[0]} is not inside the project directory ${projectDir}`);

  const pipeline = resolvePipeline(relative, createDiskProjectFiles(projectDir), { variables });
  if (pipeline.files.length === 0) {
    io.stderr(`gitlab-ci-auth images: cannot read ${positionals[0]}\n`);
    return 2;
  }
  const fatal = pipeline.problems.find((problem) => FATAL_CODES.has(problem.code) && problem.range.file === relative && problem.severity === 'error');
  if (fatal) {
    io.stderr(`gitlab-ci-auth images: ${relative}: ${fatal.message}\n`);
    return 2;
  }
  io.stdout(`${JSON.stringify(imagesReport(pipeline), null, 2)}\n`);
  return 0;
}
