import type { Logger } from 'pino';
import type { Signal } from '../component/signal.js';
import { createRateLimitedLogger, type RateLimitOptions } from './ratelog.js';
import type { SelfTelemetry } from './selftelemetry.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** A drop: what was lost, why (a stable code from errors/codes.ts), and where. */
export interface Drop {
  readonly signal: Signal;
  /** The reason: a stable error code (TG_...). Counted as tollgate_dropped_items{reason}. */
  readonly code: string;
  readonly items: number;
  /** The error behind it, if any: logged under pino's `err`, so its stack is kept. */
  readonly err?: unknown;
  /** More fields for the log line (topic, offset, status, ...). */
  readonly fields?: Record<string, unknown>;
  /** Rate-limit key; default `drop:<code>`. */
  readonly key?: string;
  /** Default error. */
  readonly level?: Level;
}

/**
 * The one way components report drops and failures:
 * - drop(): counts the items under the stable code (tollgate_dropped_items) and logs it;
 * - problem(): logs a failure that loses nothing (a retry, a refusal the sender is told about).
 * Both log through the rate limiter (per key, a few lines per interval, then how many were held
 * back), never once per request, and put the error under pino's `err` (type, message, stack and
 * its own fields such as a ConsumerError's code).
 */
export interface Reporter {
  drop(d: Drop, msg: string): void;
  problem(level: Level, key: string, err: unknown, fields: Record<string, unknown>, msg: string): void;
}

export interface ReporterSettings {
  /** Component ID (`type[/name]`). */
  readonly id: string;
  readonly logger: Logger;
  readonly telemetry: SelfTelemetry;
}

export function createReporter(set: ReporterSettings, opts: RateLimitOptions | number = 10_000): Reporter {
  const log = createRateLimitedLogger(set.logger, opts);
  const withErr = (fields: Record<string, unknown>, err: unknown) => (err === undefined ? fields : { ...fields, err });
  return {
    drop(d, msg) {
      set.telemetry.dropped(set.id, d.signal, d.code, d.items);
      log.log(d.level ?? 'error', d.key ?? `drop:${d.code}`, withErr({ signal: d.signal, code: d.code, items: d.items, ...d.fields }, d.err), msg);
    },
    problem(level, key, err, fields, msg) {
      log.log(level, key, withErr(fields, err), msg);
    },
  };
}
