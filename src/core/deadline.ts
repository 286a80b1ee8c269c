/**
 * The wall-clock budget of one check (issue 13): whatever makes a check slow, the long loops (includes, files, YAML
 * tokens and nodes, jobs, rules) call `check()`, which stops the check once the budget has passed.
 */
export class Deadline {
  private readonly endsAt: number;

  /** `now` is a monotonic clock in milliseconds (tests pass a fake one). */
  constructor(
    readonly budgetMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.endsAt = now() + budgetMs;
  }

  get expired(): boolean {
    return this.now() > this.endsAt;
  }

  /** Throws `CheckStopped` once the budget has passed. */
  check(): void {
    if (this.expired) throw new CheckStopped(this.budgetMs);
  }
}

/** Thrown through the check's loops when its deadline passes; the check's entry point turns it into a finding. */
export class CheckStopped extends Error {
  constructor(readonly budgetMs: number) {
    super(stoppedMessage(budgetMs));
  }
}

/** The `limit-exceeded` message on the root file of a stopped check. */
export function stoppedMessage(budgetMs: number): string {
  const seconds = Number((budgetMs / 1000).toFixed(3));
  return `This check took longer than ${seconds} s and was stopped; its findings are not shown, so this pipeline is not known to be fine. Raise gitlabCiAuth.checkTimeBudgetMs (CLI: --time-budget-ms) if it is this large.`;
}
