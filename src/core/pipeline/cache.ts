/**
 * What one check can hand to the next: parsed and converted files by path and text. Re-checking after an edit then
 * parses and converts only the files whose text changed; every other file's values (and the problems its parse and
 * conversion reported, and the alias budget it took) are reused, so the result is the one a fresh check gives.
 */
import type { Finding } from '../types';
import type { CiReference, CiValue } from './ciValue';
import { ResolveContext } from './context';
import { JobMemo } from './jobReuse';
import type { ResolveLimits } from './options';
import { readPipelineFile, type ParsedFile } from '../yaml/reader';

interface CachedConversion {
  readonly limits: string;
  readonly content: CiValue | undefined;
  readonly references: readonly CiReference[];
  readonly problems: readonly Finding[];
  /** Alias, merge-key and !reference expansions the conversion took from the pipeline's budget. */
  readonly spent: number;
}

interface CachedParse {
  readonly text: string;
  /** The limits a parse depends on (size, and the nesting depth past which it stops). */
  readonly limits: string;
  readonly parsed: ParsedFile;
  readonly problems: readonly Finding[];
  conversion?: CachedConversion;
}

/** Converts a document against `ctx`, passing each `!reference` written in it to `onReference`. */
export type Conversion = (ctx: ResolveContext, onReference: (reference: CiReference) => void) => CiValue | undefined;

/** Parsed files kept between `resolvePipeline` calls on the same project. Holds one version per path, at most `maxFiles` paths. */
export class ResolveCache {
  private readonly entries = new Map<string, CachedParse>();
  private readonly jobMemos = new Map<string, JobMemo>();

  constructor(private readonly maxFiles = 1_000) {}

  /** The parse of `text` as `path`, its problems reported to `ctx` exactly as a fresh parse would report them. */
  parse(path: string, text: string, ctx: ResolveContext): ParsedFile {
    let entry = this.entries.get(path);
    if (!entry || entry.text !== text || entry.limits !== parseLimits(ctx.limits)) {
      entry = this.fresh(path, text, ctx);
      this.entries.delete(path);
      this.entries.set(path, entry);
      if (this.entries.size > this.maxFiles) this.entries.delete(this.entries.keys().next().value!);
    }
    ctx.replay(entry.problems);
    return entry.parsed;
  }

  /**
   * The converted content of a file without a `spec:` header (so without inputs), as `convert` gives it for `ctx`.
   * Converted once per text; later uses replay its problems and references and take the same alias budget. When the
   * budget left is too small for that, the conversion runs for real, since it would then stop part-way.
   */
  convert(path: string, text: string, ctx: ResolveContext, convert: Conversion, onReference: (reference: CiReference) => void): CiValue | undefined {
    const entry = this.entries.get(path);
    if (!entry || entry.text !== text) return convert(ctx, onReference);
    const limits = `${ctx.limits.maxYamlDepth}\u0000${ctx.limits.maxExpandedValues}\u0000${ctx.limits.maxAliasExpansions}`;
    if (entry.conversion?.limits !== limits) {
      const scratch = new ResolveContext(ctx.limits, ctx.deadline);
      const references: CiReference[] = [];
      const content = convert(scratch, (reference) => void references.push(reference));
      entry.conversion = { limits, content, references, problems: scratch.problems, spent: ctx.limits.maxAliasExpansions - scratch.expansionsRemaining };
    }
    const conversion = entry.conversion;
    if (conversion.spent > ctx.expansionsRemaining) return convert(ctx, onReference);
    if (conversion.spent > 0) ctx.spend(conversion.spent, { file: path, start: 0, end: 0 });
    ctx.replay(conversion.problems);
    for (const reference of conversion.references) onReference(reference);
    return conversion.content;
  }

  /** The jobs of the previous check rooted at `rootFile`, to reuse where their inputs did not change. */
  jobMemo(rootFile: string): JobMemo {
    let memo = this.jobMemos.get(rootFile);
    if (!memo) {
      memo = new JobMemo();
      this.jobMemos.set(rootFile, memo);
      if (this.jobMemos.size > 16) this.jobMemos.delete(this.jobMemos.keys().next().value!);
    }
    return memo;
  }

  private fresh(path: string, text: string, ctx: ResolveContext): CachedParse {
    // A scratch context records what the parse reports, to be replayed on every later use (a parse the deadline
    // stopped throws, so it is never kept).
    const scratch = new ResolveContext(ctx.limits, ctx.deadline);
    return { text, limits: parseLimits(ctx.limits), parsed: readPipelineFile(path, text, scratch), problems: scratch.problems };
  }
}

function parseLimits(limits: ResolveLimits): string {
  return `${limits.maxFileSize}\u0000${limits.maxYamlDepth}`;
}

/** A cache to pass as `ResolveOptions.cache` to every check of one project (one per workspace folder). */
export function createResolveCache(): ResolveCache {
  return new ResolveCache();
}
