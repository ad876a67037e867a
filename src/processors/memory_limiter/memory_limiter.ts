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
import { getHeapStatistics } from 'node:v8';
import { readRss, totalMemory } from '../../memory/limits.js';

const MIB = 1024 * 1024;

/** A request re-reads memory when the last reading is older than this (see memory.ts for the cost). */
export const REQUEST_CHECK_MS = 100;

/** Seams for tests and embedding: where memory readings, time and GC come from. */
export interface MemoryLimiterOptions {
  /**
   * Bytes that can be reclaimed by refusing data: what the limiter decides on
   * (default: V8 heap in use + memory outside the heap that V8 knows of
   * (Buffers), or the bytes the data path accounts for (queues, requests in
   * flight) when that is more).
   */
  readMemory?: () => number;
  /** Resident set size, the last guard (default: process.memoryUsage.rss). */
  readRss?: () => number;
  /** V8 heap in use and its limit; past 90% of the limit data is refused (default: v8.getHeapStatistics). */
  readHeap?: () => { used: number; limit: number };
  /** Bytes the process may use, for the *_percentage keys (default: machine or cgroup limit). */
  totalMemory?: () => number;
  /** Monotonic milliseconds (default: performance.now). */
  now?: () => number;
  /** Forces a full garbage collection (default: global.gc, present with `node --expose-gc`). */
  gc?: (() => void) | undefined;
  /** Oldest reading a request may rely on, in ms (default 100). */
  requestCheckMs?: number;
}

/** Share of V8's heap limit past which data is refused whatever the limits say (V8 aborts the process at its limit). */
export const HEAP_GUARD = 0.9;

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
    // Neither limit set: 80% of what the process may use, spike 20% of that (config/default.yaml's values).
    const pct = cfg.limit_percentage > 0 ? cfg.limit_percentage : 80;
    const t = total();
    hard = Math.floor((t * pct) / 100);
    spike = Math.floor((t * (cfg.limit_percentage > 0 ? cfg.spike_limit_percentage : 0)) / 100);
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
  private readonly readRss: () => number;
  private readonly readHeap: () => { used: number; limit: number };
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
  /** Accounted bytes (queues, requests in flight) at the last reading. */
  private accountedAtRead = 0;
  private refusing = false;
  private unregister: (() => void) | undefined;
  /** The refusal, made once per reading rather than once per refused request. */
  private error: ConsumerError | undefined;

  constructor(
    private readonly set: CreateSettings,
    cfg: MemoryLimiterConfig,
    private readonly signal: S,
    private readonly next: SignalConsumer<S>,
    opts: MemoryLimiterOptions = {},
  ) {
    const accounting = set.telemetry.memory;
    this.readHeap =
      opts.readHeap ??
      (() => {
        const h = getHeapStatistics();
        return { used: h.used_heap_size, limit: h.heap_size_limit };
      });
    this.read =
      opts.readMemory ??
      (() => {
        // 0.5 µs (memory.ts): cheap enough for every request past the 100 ms staleness.
        const h = getHeapStatistics();
        return h.used_heap_size + Math.max(h.external_memory, accounting.total);
      });
    // A test that gives readMemory alone decides on it alone.
    this.readRss = opts.readRss ?? (opts.readMemory ? () => 0 : readRss);
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
    const self = this;
    // While this limiter refuses, receivers refuse new requests at the door, before reading them.
    this.unregister = this.set.telemetry.admission.addGate({
      id: this.set.id,
      get limited() {
        return self.refusing;
      },
    });
    this.check(true);
    this.timer = setInterval(() => this.check(true), this.checkMs);
    this.timer.unref();
  }

  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.unregister?.();
    this.unregister = undefined;
  }

  consume(data: SignalData[S], ctx: RequestContext): Promise<void> {
    if (this.now() - this.lastCheck >= this.requestCheckMs) this.check(false);
    else if (!this.refusing) {
      // Between readings, what the queues and requests in flight took on since the last one counts at once.
      const grown = this.set.telemetry.memory.total - this.accountedAtRead;
      if (grown > 0 && this.usage + grown > this.limits.soft) this.decide(this.usage + grown, 0, 0);
    }
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
    let rss = this.readRss();
    const t = this.now();
    if (periodic && (usage > this.limits.soft || rss > this.limits.hard)) {
      const minGap = usage > this.limits.hard || rss > this.limits.hard ? this.minGcHardMs : this.minGcSoftMs;
      if (this.gc && t - this.lastGc >= minGap) {
        this.gc();
        this.lastGc = this.now();
        const before = usage;
        usage = this.read();
        rss = this.readRss();
        this.logger.info({ before_mib: mib(before), after_mib: mib(usage), rss_mib: mib(rss) }, 'memory above limit: forced garbage collection');
      } else if (!this.gc && usage > this.limits.hard && !this.gcMissingLogged) {
        this.gcMissingLogged = true;
        this.logger.warn('memory above the hard limit and forced GC is unavailable (start node with --expose-gc to enable it)');
      }
    }
    this.usage = usage;
    this.accountedAtRead = this.set.telemetry.memory.total;
    this.lastCheck = t;
    const heap = this.readHeap();
    this.decide(usage, rss, heap.used > HEAP_GUARD * heap.limit ? heap.used : 0, heap.limit);
  }

  /**
   * Refuses or accepts from now on. Reclaimable bytes decide against the soft
   * limit; the resident set size is the last guard, against the hard limit;
   * V8's heap must stay under 90% of its own limit.
   */
  private decide(usage: number, rss: number, heapOver: number, heapLimit = 0): void {
    const why = usage > this.limits.soft ? 'soft' : rss > this.limits.hard ? 'rss' : heapOver > 0 ? 'heap' : undefined;
    const refuse = why !== undefined;
    if (refuse !== this.refusing) {
      const fields = {
        usage_mib: mib(usage),
        rss_mib: mib(rss),
        soft_limit_mib: mib(this.limits.soft),
        hard_limit_mib: mib(this.limits.hard),
        ...(why ? { reason: why } : {}),
      };
      if (refuse) this.logger.warn(fields, 'memory usage above the limits: refusing data');
      else this.logger.info(fields, 'memory usage back within limits: accepting data');
      this.refusing = refuse;
    }
    if (why === 'soft') {
      this.error = retryableError(
        ErrorCode.MEMORY_LIMIT,
        `data refused due to high memory usage: ${mib(usage)} MiB in use, soft limit ${mib(this.limits.soft)} MiB (processor ${this.set.id})`,
      );
    } else if (why === 'rss') {
      this.error = retryableError(
        ErrorCode.MEMORY_LIMIT,
        `data refused due to high memory usage: resident set ${mib(rss)} MiB, limit ${mib(this.limits.hard)} MiB (processor ${this.set.id})`,
      );
    } else if (why === 'heap') {
      this.error = retryableError(
        ErrorCode.MEMORY_LIMIT,
        `data refused due to high memory usage: V8 heap ${mib(heapOver)} MiB, over 90% of its ${mib(heapLimit)} MiB limit (processor ${this.set.id})`,
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
