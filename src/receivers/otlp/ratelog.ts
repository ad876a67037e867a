import type { Logger } from 'pino';

/**
 * Logs refusals without letting a misbehaving client flood the log: per
 * reason, at most `burst` lines per window; the lines held back are counted
 * and reported with the next line that gets through.
 */
export class RateLimitedLog {
  private readonly windows = new Map<string, { start: number; logged: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly burst = 10,
    private readonly windowMs = 10_000,
  ) {}

  warn(reason: string, fields: Record<string, unknown>, msg: string): void {
    const now = Date.now();
    let w = this.windows.get(reason);
    if (!w || now - w.start >= this.windowMs) {
      const suppressed = w?.suppressed ?? 0;
      w = { start: now, logged: 0, suppressed: 0 };
      this.windows.set(reason, w);
      if (suppressed > 0) fields = { ...fields, suppressed };
    }
    if (w.logged >= this.burst) {
      w.suppressed++;
      return;
    }
    w.logged++;
    this.logger.warn({ code: reason, ...fields }, msg);
  }
}
