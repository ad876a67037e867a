import type { Logger } from 'pino';
import type { Component } from '../../component/component.js';
import type { RequestContext } from '../../component/context.js';
import { READS_ONLY, type SignalConsumer } from '../../component/consumer.js';
import type { CreateSettings } from '../../component/factory.js';
import type { Signal, SignalData } from '../../component/signal.js';
import { parseDuration } from '../../config/types.js';
import { ErrorCode } from '../../errors/codes.js';
import { retryableError, type ConsumerError } from '../../errors/consumererror.js';
import { countItems } from '../../pdata/count.js';
import { ITEM_UNIT } from '../../telemetry/selftelemetry.js';
import type { MemoryLimiterConfig } from './config.js';
import { readRss, totalMemory } from './memory.js';

const MIB = 1024 * 1024;

/** A request re-reads memory when the last reading is older than this (see memory.ts for the cost). */
export const REQUEST_CHECK_MS = 100;

/** Seams for tests and embedding: where memory readings, time and GC come from. */
export interface MemoryLimiterOptions {
  /** Bytes in use now (default: resident set size). */
  readMemory?: () => number;
  /** Bytes the process may use, for the *_percentage keys (default: machine or cgroup limit). */
  totalMemory?: () => number;
  /** Monotonic milliseconds (default: performance.now). */
  now?: () => number;
  /** Forces a full garbage collection (default: global.gc, present with `node --expose-gc`). */
  gc?: (() => void) | undefined;
  /** Oldest reading a request may rely on, in ms (default 100). */
  requestCheckMs?: number;
}

export interface MemoryLimits {
  /** Bytes above which data is refused (limit - spike). */
  soft: number;
  /** Bytes above which a GC is forced as well. */
  hard: number;
}

/** Limits from the config, as the collector computes them (spike defaults to 20% of the limit). */
export function computeLimits(cfg: MemoryLimiterConfig, total: () => number): MemoryLimits {
  let hard: number;
  let spike: number;
  if (cfg.limit_mib > 0) {
    hard = cfg.limit_mib * MIB;
    spike = cfg.spike_limit_mib * MIB;
  } else {
    const t = total();
    hard = Math.floor((t * cfg.limit_percentage) / 100);
    spike = Math.floor((t * cfg.spike_limit_percentage) / 100);
  }
  if (spike === 0) spike = Math.floor(hard / 5);
  return { hard, soft: hard - spike };
}

/**
 * The memory_limiter processor. Above the soft limit it refuses data with a
 * retryable error (TG_MEMORY_LIMIT), so receivers answer 503 / UNAVAILABLE and
 * clients keep the data and retry; refused is not dropped. Above the hard
 * limit the periodic check also forces a GC, when Node exposes one
 * (`node --expose-gc`); without it, V8 collects on its own schedule.
 *
 * Memory is read every `check_interval` and, unlike the collector, also by a
 * request when the last reading is older than 100 ms, so a burst between two
 * checks is caught before it piles up.
 */
export class MemoryLimiter<S extends Signal> implements Component, SignalConsumer<S> {
  readonly capabilities = READS_ONLY;
  readonly limits: MemoryLimits;
  private readonly read: () => number;
  private readonly now: () => number;
  private readonly gc: (() => void) | undefined;
  private readonly checkMs: number;
  private readonly requestCheckMs: number;
  private readonly minGcSoftMs: number;
  private readonly minGcHardMs: number;
  private readonly logger: Logger;
  private readonly refused: { inc(n: number): void };
  private timer: NodeJS.Timeout | undefined;
  private lastCheck = Number.NEGATIVE_INFINITY;
  private lastGc = Number.NEGATIVE_INFINITY;
  private gcMissingLogged = false;
  private usage = 0;
  private refusing = false;
  /** The refusal, made once per reading rather than once per refused request. */
  private error: ConsumerError | undefined;

  constructor(
    private readonly set: CreateSettings,
    cfg: MemoryLimiterConfig,
    private readonly signal: S,
    private readonly next: SignalConsumer<S>,
    opts: MemoryLimiterOptions = {},
  ) {
    this.read = opts.readMemory ?? readRss;
    this.now = opts.now ?? (() => performance.now());
    this.gc = 'gc' in opts ? opts.gc : (globalThis as { gc?: () => void }).gc;
    this.checkMs = parseDuration(cfg.check_interval);
    this.requestCheckMs = opts.requestCheckMs ?? REQUEST_CHECK_MS;
    this.minGcSoftMs = parseDuration(cfg.min_gc_interval_when_soft_limited);
    this.minGcHardMs = parseDuration(cfg.min_gc_interval_when_hard_limited);
    this.limits = computeLimits(cfg, opts.totalMemory ?? totalMemory);
    this.logger = set.logger.child({ processor: set.id });
    const unit = ITEM_UNIT[signal];
    const counter = set.telemetry
      .counter(`otelcol_processor_refused_${unit}`, `Number of ${unit} that were rejected by the next component in the pipeline.`, ['processor'])
      .labels({ processor: set.id });
    this.refused = { inc: (n) => counter.inc(n) };
  }

  async start(): Promise<void> {
    if (this.timer) return;
    this.check(true);
    this.timer = setInterval(() => this.check(true), this.checkMs);
    this.timer.unref();
  }

  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  consume(data: SignalData[S], ctx: RequestContext): Promise<void> {
    if (this.now() - this.lastCheck >= this.requestCheckMs) this.check(false);
    if (this.refusing) {
      const n = countItems(this.signal, data);
      if (n > 0) this.refused.inc(n);
      return Promise.reject(this.error);
    }
    return this.next.consume(data, ctx);
  }

  /** Whether data is being refused now (as of the last reading). */
  get limited(): boolean {
    return this.refusing;
  }

  /**
   * Reads memory and decides. Only the periodic check forces GC (a full GC
   * can take a long time on a large heap; requests must not trigger one).
   */
  check(periodic: boolean): void {
    let usage = this.read();
    const t = this.now();
    if (periodic && usage > this.limits.soft) {
      const minGap = usage > this.limits.hard ? this.minGcHardMs : this.minGcSoftMs;
      if (this.gc && t - this.lastGc >= minGap) {
        this.gc();
        this.lastGc = this.now();
        const before = usage;
        usage = this.read();
        this.logger.info({ before_mib: mib(before), after_mib: mib(usage) }, 'memory above limit: forced garbage collection');
      } else if (!this.gc && usage > this.limits.hard && !this.gcMissingLogged) {
        this.gcMissingLogged = true;
        this.logger.warn('memory above the hard limit and forced GC is unavailable (start node with --expose-gc to enable it)');
      }
    }
    this.usage = usage;
    this.lastCheck = t;
    const refuse = usage > this.limits.soft;
    if (refuse !== this.refusing) {
      const fields = { usage_mib: mib(usage), soft_limit_mib: mib(this.limits.soft), hard_limit_mib: mib(this.limits.hard) };
      if (refuse) this.logger.warn(fields, 'memory usage above the soft limit: refusing data');
      else this.logger.info(fields, 'memory usage back within limits: accepting data');
      this.refusing = refuse;
    }
    if (refuse) {
      this.error = retryableError(
        ErrorCode.MEMORY_LIMIT,
        `data refused due to high memory usage: ${mib(usage)} MiB in use, soft limit ${mib(this.limits.soft)} MiB (processor ${this.set.id})`,
      );
    }
  }

  /** Bytes in use at the last reading. */
  get lastUsage(): number {
    return this.usage;
  }
}

function mib(bytes: number): number {
  return Math.round((bytes / MIB) * 10) / 10;
}
