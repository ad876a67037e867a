import type { Logger } from 'pino';

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * A logger that writes at most one line per key per interval, so a failing
 * destination logs once every few seconds instead of once per request. The
 * next line written for a key says how many were held back (`suppressed`).
 */
export interface RateLimitedLogger {
  log(level: Level, key: string, obj: Record<string, unknown>, msg: string): void;
}

export function createRateLimitedLogger(logger: Logger, intervalMs = 10_000, now: () => number = Date.now): RateLimitedLogger {
  const last = new Map<string, { at: number; suppressed: number }>();
  return {
    log(level, key, obj, msg) {
      if (!logger.isLevelEnabled(level)) return;
      const t = now();
      const s = last.get(key);
      if (s && t - s.at < intervalMs) {
        s.suppressed++;
        return;
      }
      const suppressed = s?.suppressed ?? 0;
      last.set(key, { at: t, suppressed: 0 });
      logger[level](suppressed > 0 ? { ...obj, suppressed } : obj, msg);
    },
  };
}
