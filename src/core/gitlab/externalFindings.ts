/**
 * Findings inside fetched include files (`include: project/template/remote/component`) point into files the editor
 * does not have. They are shown on the project's own `include:` entry that brought the file in, naming the file and
 * line; related locations are kept only where they are project files.
 */
import { compareFindings } from '../check';
import { cachedIn } from '../memo';
import { LineIndex } from '../lineIndex';
import { resolvePipeline, type ResolveOptions } from '../pipeline';
import { suppressionChecker } from '../rules/suppression';
import type { Finding, FindingCode, Pipeline, ProjectFiles, SourceSpan, TracedString } from '../types';

export interface ExternalFindingsInput {
  readonly pipeline: Pipeline;
  readonly findings: readonly Finding[];
  /** True for a path naming a fetched include file rather than a project file. */
  readonly isExternal: (path: string) => boolean;
  /**
   * Sites of the external files a project file includes directly (see `directIncludeSites`); asked for only when a
   * finding's file left no trace in any job (e.g. it only holds a YAML error).
   */
  readonly directSites?: () => ReadonlyMap<string, SourceSpan>;
}

/**
 * The findings as a user can see them: one in an external file moves to the project-file `include:` entry through
 * which that file entered the pipeline (its message prefixed with the file and line, its `data` keeping what quick
 * fixes read plus `includedFile`); related locations in external files are dropped. A `# gitlab-ci-auth-ignore`
 * comment on that `include:` entry silences what it moved there. Order: by file, offset, code.
 */
export function placeExternalFindings(input: ExternalFindingsInput): Finding[] {
  const { pipeline, isExternal } = input;
  const texts = new Map(pipeline.files.map((file) => [file.path, file.text]));
  let sites: ReadonlyMap<string, SourceSpan> | undefined;
  let direct: ReadonlyMap<string, SourceSpan> | undefined;
  const siteOf = (path: string): SourceSpan => {
    sites ??= externalIncludeSites(pipeline, isExternal);
    const traced = sites.get(path);
    if (traced) return traced;
    direct ??= input.directSites?.() ?? new Map();
    // Last resort: the top of the entry file, so the finding is still seen.
    return direct.get(path) ?? { file: pipeline.rootFile, start: 0, end: 0 };
  };
  const checkers = new Map<string, (offset: number, code: FindingCode) => boolean>();
  const lineIndexes = new Map<string, LineIndex>();
  const lineOf = (path: string, offset: number): number | undefined => {
    const text = texts.get(path);
    if (text === undefined) return undefined;
    return cachedIn(lineIndexes, path, () => new LineIndex(text)).positionAt(offset).line + 1;
  };

  const placed: Finding[] = [];
  for (const finding of input.findings) {
    const related = finding.related.filter((location) => !isExternal(location.span.file));
    if (!isExternal(finding.range.file)) {
      placed.push(related.length === finding.related.length ? finding : { ...finding, related });
      continue;
    }
    const site = siteOf(finding.range.file);
    const siteText = texts.get(site.file);
    if (siteText !== undefined && isSuppressedAt(siteText, site, finding, checkers)) continue;
    const line = lineOf(finding.range.file, finding.range.start);
    const where = line === undefined ? finding.range.file : `${finding.range.file}, line ${line}`;
    placed.push({
      ...finding,
      // The fact first, then where in the included file it is (the diagnostic sits on the include line).
      message: `${finding.message}, in ${where}`,
      range: site,
      // The include step of the value's trace is the site itself: no need to point at it twice.
      related: related.filter((location) => !sameSpan(location.span, site)),
      data: { ...finding.data, includedFile: finding.range.file, ...(line === undefined ? {} : { includedLine: line }) },
    });
  }
  return placed.sort(compareFindings);
}

/**
 * For each external file that left a trace (a job, image, variable or script line), the project-file span of the
 * `include:` entry through which it entered: an external file included by another one is followed up to the
 * project file that started the chain.
 */
export function externalIncludeSites(pipeline: Pipeline, isExternal: (path: string) => boolean): Map<string, SourceSpan> {
  // Which include entry brought each file in; that entry may itself sit in an external file.
  const includedAt = new Map<string, SourceSpan>();
  for (const traced of tracedValues(pipeline)) {
    for (const step of traced.via) {
      if (step.kind === 'include' && isExternal(step.name) && !includedAt.has(step.name)) includedAt.set(step.name, step.span);
    }
  }
  const sites = new Map<string, SourceSpan>();
  for (const path of includedAt.keys()) {
    let span = includedAt.get(path);
    // Bounded by the number of files: include cycles are cut by the resolver, but never trust that here.
    for (let hops = 0; span && isExternal(span.file) && hops <= includedAt.size; hops++) span = includedAt.get(span.file);
    if (span && !isExternal(span.file)) sites.set(path, span);
  }
  return sites;
}

/**
 * The `include:` entries through which project files include external files directly: the pipeline is resolved
 * again with every external file withheld, so each becomes an unresolved include at its entry. Costs one more
 * resolution; `placeExternalFindings` asks for it only when traces do not suffice.
 */
export function directIncludeSites(rootFile: string, files: ProjectFiles, options: ResolveOptions): Map<string, SourceSpan> {
  const external = options.externalIncludes;
  const sites = new Map<string, SourceSpan>();
  if (!external) return sites;
  const withheld = resolvePipeline(rootFile, files, { ...options, externalIncludes: { read: () => undefined } });
  for (const include of withheld.unresolvedIncludes) {
    const path = include.request && external.read(include.request)?.path;
    if (path && !sites.has(path)) sites.set(path, include.span);
  }
  return sites;
}

function* tracedValues(pipeline: Pipeline): Iterable<TracedString> {
  yield* Object.values(pipeline.globalVariables);
  for (const job of pipeline.jobs) {
    if (job.image) yield job.image;
    yield* job.services;
    yield* Object.values(job.variables);
    yield* job.scriptLines;
  }
}

function isSuppressedAt(text: string, site: SourceSpan, finding: Finding, checkers: Map<string, (offset: number, code: FindingCode) => boolean>): boolean {
  return cachedIn(checkers, site.file, () => suppressionChecker(text))(site.start, finding.code);
}

function sameSpan(a: SourceSpan, b: SourceSpan): boolean {
  return a.file === b.file && a.start === b.start && a.end === b.end;
}
