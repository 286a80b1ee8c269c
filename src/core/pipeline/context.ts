/** State shared by every step of one `resolvePipeline` call: its limits, its work budget and the problems found. */
import type { Finding, FindingCode, RelatedLocation, Severity, SourceSpan } from '../types';
import type { Deadline } from '../deadline';
import type { ResolveLimits } from './options';

export class ResolveContext {
  readonly problems: Finding[] = [];
  private readonly reported = new Set<string>();
  private expansionsLeft: number;
  private expansionLimitReported = false;
  private calls = 0;

  /** `deadline` is the check's wall-clock budget: `checkTime()` stops the whole check (it throws) once it has passed. */
  constructor(
    readonly limits: ResolveLimits,
    readonly deadline?: Deadline,
  ) {
    this.expansionsLeft = limits.maxAliasExpansions;
  }

  /** Throws `CheckStopped` once the check's deadline has passed; called by the loops that grow with the input. */
  checkTime(): void {
    this.deadline?.check();
  }

  /** Records a problem once per code and place. */
  report(
    code: FindingCode,
    severity: Severity,
    message: string,
    range: SourceSpan,
    data?: Record<string, unknown>,
    related: readonly RelatedLocation[] = [],
    detail?: string,
  ): void {
    this.calls++;
    const key = `${code}\u0000${range.file}\u0000${range.start}\u0000${range.end}\u0000${message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.problems.push({ code, severity, message, ...(detail === undefined ? {} : { detail }), range, related, ...(data ? { data } : {}) });
  }

  /** Reports again, in order, problems a scratch context recorded (a cached parse or conversion). */
  replay(problems: readonly Finding[]): void {
    for (const problem of problems)
      this.report(
        problem.code,
        problem.severity,
        problem.message,
        problem.range,
        problem.data as Record<string, unknown> | undefined,
        problem.related,
        problem.detail,
      );
  }

  /** How many times `report` was called, duplicates included: whether a step reported anything at all. */
  get reportCalls(): number {
    return this.calls;
  }

  /** What is left of the alias/merge/reference budget (negative once it has run out). */
  get expansionsRemaining(): number {
    return this.expansionsLeft;
  }

  /** Takes `amount` from the alias/merge/reference budget; false (and one `limit-exceeded`) once it is spent. */
  spend(amount: number, where: SourceSpan): boolean {
    this.expansionsLeft -= amount;
    if (this.expansionsLeft >= 0) return true;
    if (!this.expansionLimitReported) {
      this.expansionLimitReported = true;
      this.report(
        'limit-exceeded',
        'error',
        `Too many alias, merge-key or !reference expansions (limit ${this.limits.maxAliasExpansions}): the rest of the pipeline is not expanded.`,
        where,
      );
    }
    return false;
  }
}
