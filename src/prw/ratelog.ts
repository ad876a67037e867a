import type { Logger } from 'pino';

/**
 * Logs a recurring problem once per interval per key, with the number of
 * repeats it held back, so a misbehaving client or a target refusing every
 * batch cannot flood the log (one line per interval, not per sample).
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(key: string, fields: Record<string, unknown>, msg: string): void {
    this.log('warn', key, fields, msg);
  }

  error(key: string, fields: Record<string, unknown>, msg: string): void {
    this.log('error', key, fields, msg);
  }

  private log(level: 'warn' | 'error', key: string, fields: Record<string, unknown>, msg: string): void {
    const t = this.now();
    const e = this.last.get(key);
    if (e && t - e.at < this.intervalMs) {
      e.suppressed++;
      return;
    }
    const suppressed = e?.suppressed ?? 0;
    if (this.last.size > 1000 && !e) this.last.clear();
    this.last.set(key, { at: t, suppressed: 0 });
    this.logger[level](suppressed > 0 ? { ...fields, suppressed_since_last: suppressed } : fields, msg);
  }
}
