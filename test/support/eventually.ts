/**
 * The one wait for state that raises no event (the clipboard, a log file on disk, another window's view): polls
 * `probe` until it returns something other than `undefined`, `null` or `false`, and returns that. Tests wait on state,
 * never for a fixed time; prefer an event (onDidChangeDiagnostics, a locator's waitFor) where there is one.
 */
export async function eventually<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
