/**
 * Resolves once `cond()` holds, checking every `everyMs`. The deadline only
 * turns a hang into a failure that says what was awaited; it is not an assertion on speed.
 */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, deadlineMs = 30_000, everyMs = 25): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`still waiting for ${what} after ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
