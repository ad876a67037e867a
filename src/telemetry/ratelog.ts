import type { Logger } from 'pino';

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * A logger for recurring problems: per key, at most `burst` lines per
 * interval, so a failing destination or a misbehaving client logs a few lines
 * every few seconds instead of one per request or per sample. The next line
 * written for a key says how many were held back (`suppressed`).
 */
export interface RateLimitedLogger {
  log(level: Level, key: string, obj: Record<string, unknown>, msg: string): void;
}

export interface RateLimitOptions {
  intervalMs?: number;
  /** Lines per key per interval (default 1). */
  burst?: number;
  now?: () => number;
  /** Keys remembered at most; past it the memory is cleared (keys can come from client input). */
  maxKeys?: number;
}

export function createRateLimitedLogger(logger: Logger, opts: RateLimitOptions | number = {}): RateLimitedLogger {
  const o = typeof opts === 'number' ? { intervalMs: opts } : opts;
  const intervalMs = o.intervalMs ?? 10_000;
  const burst = o.burst ?? 1;
  const now = o.now ?? Date.now;
  const maxKeys = o.maxKeys ?? 1000;
  const windows = new Map<string, { start: number; logged: number; suppressed: number }>();
  return {
    log(level, key, obj, msg) {
      if (!logger.isLevelEnabled(level)) return;
      const t = now();
      let w = windows.get(key);
      let suppressed = 0;
      if (!w || t - w.start >= intervalMs) {
        suppressed = w?.suppressed ?? 0;
        if (!w && windows.size >= maxKeys) windows.clear();
        w = { start: t, logged: 0, suppressed: 0 };
        windows.set(key, w);
      }
      if (w.logged >= burst) {
        w.suppressed++;
        return;
      }
      w.logged++;
      logger[level](suppressed > 0 ? { ...obj, suppressed } : obj, msg);
    },
  };
}
