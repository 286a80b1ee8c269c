/**
 * Reusing resolved jobs across checks of one project. While a job is built, every top-level key it reads (itself, its
 * `extends` chain, `!reference` targets, through memoized lookups too) is recorded with a token of that key's value;
 * on the next check the job is reused when every token is the same, the keys every job reads (`default:`, globals,
 * top-level `variables:`) are the same, and replaying it gives the same problems (it reported none) and budget.
 */
import type { Provenance, ResolvedJob, SourceSpan } from '../types';
import type { CiMap, CiValue } from './ciValue';
import type { ResolveContext } from './context';

/** What a set of reads depended on: the keys read, and whether anything was reported meanwhile. */
export interface ReadClosure {
  readonly names: ReadonlySet<string>;
  readonly reported: boolean;
}

interface Frame {
  readonly names: Set<string>;
  readonly reportsAtStart: number;
  reported: boolean;
}

/** Records which top-level keys are read, per nested computation (a job, an extends resolution, a reference lookup). */
export class ReadTracker {
  private readonly frames: Frame[] = [];

  constructor(private readonly ctx: ResolveContext) {}

  enter(): void {
    this.frames.push({ names: new Set(), reportsAtStart: this.ctx.reportCalls, reported: false });
  }

  /** Ends the innermost computation; what it read counts for the enclosing one too. */
  exit(): ReadClosure {
    const frame = this.frames.pop()!;
    const closure = { names: frame.names, reported: frame.reported || this.ctx.reportCalls !== frame.reportsAtStart };
    this.include(closure);
    return closure;
  }

  read(name: string): void {
    this.frames[this.frames.length - 1]?.names.add(name);
  }

  /** A memoized computation's reads, as if it ran again here. */
  include(closure: ReadClosure): void {
    const frame = this.frames[this.frames.length - 1];
    if (!frame) return;
    for (const name of closure.names) frame.names.add(name);
    if (closure.reported) frame.reported = true;
  }
}

/**
 * A token that is the same on two checks only when the key's value is: a map's or sequence's contents (and its span)
 * are shared, not copied, when a file's conversion is reused, so their identity stands for the unchanged text; the
 * `via` chain is compared by value, and a scalar as a whole.
 */
interface Token {
  readonly contents: unknown;
  readonly span: unknown;
  readonly via: readonly Provenance[];
}

const ABSENT: Token = { contents: undefined, span: undefined, via: [] };

function tokenOf(config: CiMap, name: string): Token {
  const value: CiValue | undefined = config.entries.get(name)?.value;
  if (!value) return ABSENT;
  const via = config.via.length === 0 ? value.via : [...config.via, ...value.via];
  if (value.kind === 'map') return { contents: value.entries, span: value.span, via };
  if (value.kind === 'seq') return { contents: value.items, span: value.span, via };
  return { contents: JSON.stringify(value), span: undefined, via };
}

/** Whether `name`'s value in `config` still has the token `b` (without building a token for it). */
function stillSame(config: CiMap, name: string, b: Token): boolean {
  const value: CiValue | undefined = config.entries.get(name)?.value;
  if (!value) return b === ABSENT;
  if (config.via.length > 0 || value.kind !== 'map') return sameToken(tokenOf(config, name), b);
  return value.entries === b.contents && value.span === b.span && sameVia(value.via, b.via);
}

function sameToken(a: Token, b: Token): boolean {
  return a.contents === b.contents && a.span === b.span && sameVia(a.via, b.via);
}

function sameVia(a: readonly Provenance[], b: readonly Provenance[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && (x.kind !== y.kind || x.name !== y.name || x.span.file !== y.span.file || x.span.start !== y.span.start || x.span.end !== y.span.end))
      return false;
  }
  return true;
}

interface ReusableJob {
  readonly job: ResolvedJob;
  readonly keySpan: SourceSpan;
  readonly reads: readonly (readonly [string, Token])[];
  /** Expansions the build took from the budget. */
  readonly spent: number;
}

/** Resolved jobs of the previous check of one root file, and the shared inputs they were built from. */
export class JobMemo {
  private shared: string | undefined;
  private sharedTokens: readonly Token[] = [];
  private jobs = new Map<string, ReusableJob>();
  private next = new Map<string, ReusableJob>();
  /** Set when the current check reused jobs where a fresh build might differ (near a depth limit). */
  needsFreshBuild = false;
  /** Jobs reused by the current check. */
  reused = 0;

  /**
   * Starts a check. `shared` describes everything every job depends on (limits, merge order...); `sharedKeys` are
   * the top-level keys every job reads. Any change there and nothing is reused.
   */
  begin(config: CiMap, shared: string, sharedKeys: Iterable<string>): void {
    const tokens = [...sharedKeys].map((key) => tokenOf(config, key));
    const same = shared === this.shared && tokens.length === this.sharedTokens.length && tokens.every((token, i) => sameToken(token, this.sharedTokens[i]!));
    if (!same) this.jobs = new Map();
    this.reused = 0;
    this.shared = shared;
    this.sharedTokens = tokens;
    this.next = new Map();
  }

  /** The previous build of `name`, when it applies to this check (its budget is then taken from `ctx`). */
  reuse(config: CiMap, name: string, keySpan: SourceSpan, ctx: ResolveContext): ResolvedJob | undefined {
    const previous = this.jobs.get(name);
    if (!previous || !sameSpan(previous.keySpan, keySpan)) return undefined;
    for (const [read, token] of previous.reads) if (!stillSame(config, read, token)) return undefined;
    if (previous.spent > ctx.expansionsRemaining) return undefined;
    if (previous.spent > 0) ctx.spend(previous.spent, keySpan);
    this.next.set(name, previous);
    this.reused++;
    return previous.job;
  }

  /** Keeps a fresh build for the next check when it can be replayed: nothing reported, the budget never ran out. */
  remember(config: CiMap, name: string, keySpan: SourceSpan, job: ResolvedJob, closure: ReadClosure, spent: number, remaining: number): void {
    if (closure.reported || remaining < 0) return;
    const reads = [...closure.names].map((read) => [read, tokenOf(config, read)] as const);
    this.next.set(name, { job, keySpan, reads, spent });
  }

  /** Forgets every job (the next check builds all of them). */
  clear(): void {
    this.needsFreshBuild = false;
    this.shared = undefined;
    this.jobs = new Map();
    this.next = new Map();
  }

  /** Ends a check: only what this check built or reused is kept. */
  end(): void {
    this.jobs = this.next;
    this.next = new Map();
  }
}

function sameSpan(a: SourceSpan, b: SourceSpan): boolean {
  return a === b || (a.file === b.file && a.start === b.start && a.end === b.end);
}
