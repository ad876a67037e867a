import type { Counter, Gauge } from 'prom-client';
import type { Component } from '../../component/component.js';
import { EMPTY_CONTEXT, type RequestContext } from '../../component/context.js';
import { MUTATES, type SignalConsumer } from '../../component/consumer.js';
import type { CreateSettings } from '../../component/factory.js';
import { isPromMetrics, type Signal, type SignalData } from '../../component/signal.js';
import { parseDuration } from '../../config/types.js';
import { ErrorCode } from '../../errors/codes.js';
import { permanentError } from '../../errors/consumererror.js';
import { countItems } from '../../pdata/count.js';
import type { BatchConfig } from './config.js';
import { createReporter, type Reporter } from '../../telemetry/report.js';
import { opsFor, type BatchOps } from './split.js';

/**
 * One consume() call waiting for the batches that carry its items.
 * It resolves when every part was accepted downstream and rejects with the
 * first downstream error: the caller (the receiver) then answers with that
 * error, so the client retries instead of the data being lost here.
 */
class Waiter<T> {
  /** Batches holding part of this data that have not answered yet. */
  parts = 0;
  /** Items of this call not yet placed in a batch. */
  items: number;
  settled = false;
  resolve!: () => void;
  reject!: (err: unknown) => void;
  readonly promise: Promise<void>;

  constructor(
    public data: T,
    items: number,
  ) {
    this.items = items;
    this.promise = new Promise<void>((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
  }

  ok(): void {
    this.parts--;
    if (!this.settled && this.parts === 0 && this.items === 0) {
      this.settled = true;
      this.resolve();
    }
  }

  fail(err: unknown): void {
    this.parts--;
    if (this.settled) return;
    this.settled = true;
    this.reject(err);
  }
}

/** Items waiting to be sent with one context (one metadata-value combination). */
class Shard<T> {
  readonly pending: Waiter<T>[] = [];
  items = 0;
  timer: NodeJS.Timeout | undefined;
  constructor(
    readonly key: string,
    readonly ctx: RequestContext,
    readonly ops: BatchOps<T>,
  ) {}
}

export interface BatchTelemetry {
  sizeTrigger: { inc(): void };
  timeoutTrigger: { inc(): void };
  cardinality: { set(v: number): void };
}

/**
 * The batch processor: gathers items into batches of `send_batch_size`, sent
 * at the latest after `timeout`, never larger than `send_batch_max_size`,
 * separately per value combination of `metadata_keys` (and per tenant, so one
 * tenant's data never travels under another's name).
 *
 * Unlike a fire-and-forget batcher it keeps backpressure: each consume()
 * settles only when downstream has answered for all of its items.
 */
export class BatchProcessor<S extends Signal> implements Component, SignalConsumer<S> {
  // Batches are built from the caller's objects and split in place.
  readonly capabilities = MUTATES;
  private readonly sendBatchSize: number;
  private readonly maxSize: number;
  private readonly timeoutMs: number;
  private readonly metadataKeys: string[];
  private readonly cardinalityLimit: number;
  private readonly shards = new Map<string, Shard<SignalData[S]>>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly report: Reporter;
  private readonly tel: BatchTelemetry;
  private stopped = false;

  constructor(
    set: CreateSettings,
    cfg: BatchConfig,
    private readonly signal: S,
    private readonly next: SignalConsumer<S>,
  ) {
    this.sendBatchSize = cfg.send_batch_size;
    this.maxSize = cfg.send_batch_max_size;
    this.timeoutMs = parseDuration(cfg.timeout);
    this.metadataKeys = cfg.metadata_keys.map((k) => k.toLowerCase());
    this.cardinalityLimit = cfg.metadata_cardinality_limit;
    this.report = createReporter(set);
    this.tel = batchTelemetry(set);
  }

  async start(): Promise<void> {}

  consume(data: SignalData[S], ctx: RequestContext): Promise<void> {
    const items = countItems(this.signal, data);
    // Nothing to batch (empty request, or metrics without points): pass it on as is.
    if (items === 0 || this.stopped) return this.next.consume(data, ctx);
    const shard = this.shardFor(data, ctx);
    if (!shard) return Promise.reject(this.cardinalityError(items));
    const w = new Waiter(data, items);
    shard.pending.push(w);
    shard.items += items;
    if (this.timeoutMs === 0) {
      this.flush(shard);
    } else if (this.sendBatchSize > 0 && shard.items >= this.sendBatchSize) {
      while (shard.items >= this.sendBatchSize) {
        this.send(shard);
        this.tel.sizeTrigger.inc();
      }
      if (shard.items > 0) this.armTimer(shard, true);
      else this.release(shard);
    } else if (!shard.timer) {
      this.armTimer(shard, false);
    }
    return w.promise;
  }

  /** Sends what is pending, then waits for every batch in flight to be answered. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const shard of [...this.shards.values()]) this.flush(shard);
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private shardFor(data: SignalData[S], ctx: RequestContext): Shard<SignalData[S]> | undefined {
    const prom = this.signal === 'metrics' && isPromMetrics(data);
    let key = prom ? 'p' : 'o';
    if (ctx.tenant !== undefined) key += `\u0001${ctx.tenant}`;
    const keys = this.metadataKeys;
    for (let i = 0; i < keys.length; i++) {
      const v = ctx.metadata?.[keys[i]!];
      key += v ? `\u0001${v.join('\u0000')}` : '\u0001';
    }
    let shard = this.shards.get(key);
    if (shard) return shard;
    if (keys.length > 0 && this.cardinalityLimit > 0 && this.shards.size >= this.cardinalityLimit) return undefined;
    shard = new Shard(key, this.contextFor(ctx), opsFor(this.signal, prom));
    this.shards.set(key, shard);
    this.tel.cardinality.set(this.shards.size);
    return shard;
  }

  /** What downstream sees beside a batch: the tenant and the batching metadata keys only. */
  private contextFor(ctx: RequestContext): RequestContext {
    let metadata: Record<string, readonly string[]> | undefined;
    for (const k of this.metadataKeys) {
      const v = ctx.metadata?.[k];
      if (v && v.length > 0) (metadata ??= {})[k] = [...v];
    }
    if (!metadata && ctx.tenant === undefined) return EMPTY_CONTEXT;
    return {
      ...(metadata ? { metadata } : {}),
      ...(ctx.tenant !== undefined ? { tenant: ctx.tenant } : {}),
    };
  }

  private cardinalityError(items: number) {
    const msg = `too many batcher metadata-value combinations (metadata_cardinality_limit ${this.cardinalityLimit})`;
    const err = permanentError(ErrorCode.BATCH_CARDINALITY, msg);
    this.report.drop({ signal: this.signal, code: ErrorCode.BATCH_CARDINALITY, items, err, level: 'warn' }, msg);
    return err;
  }

  private armTimer(shard: Shard<SignalData[S]>, restart: boolean): void {
    if (shard.timer) {
      if (restart) shard.timer.refresh();
      return;
    }
    shard.timer = setTimeout(() => {
      shard.timer = undefined;
      this.tel.timeoutTrigger.inc();
      this.flush(shard);
    }, this.timeoutMs);
  }

  /** Sends everything pending in the shard (in batches of at most send_batch_max_size). */
  private flush(shard: Shard<SignalData[S]>): void {
    while (shard.items > 0) this.send(shard);
    this.release(shard);
  }

  /** An empty shard stops its timer; shards of metadata combinations are forgotten until used again. */
  private release(shard: Shard<SignalData[S]>): void {
    if (shard.timer) {
      clearTimeout(shard.timer);
      shard.timer = undefined;
    }
    if (shard.items === 0 && this.metadataKeys.length > 0) {
      this.shards.delete(shard.key);
      this.tel.cardinality.set(this.shards.size);
    }
  }

  /** Builds one batch from the front of the shard and hands it downstream. */
  private send(shard: Shard<SignalData[S]>): void {
    let room = this.maxSize > 0 ? this.maxSize : shard.items;
    const parts: SignalData[S][] = [];
    const waiters: Waiter<SignalData[S]>[] = [];
    const pending = shard.pending;
    let used = 0;
    while (room > 0 && used < pending.length) {
      const w = pending[used]!;
      w.parts++;
      waiters.push(w);
      if (w.items <= room) {
        parts.push(w.data);
        room -= w.items;
        shard.items -= w.items;
        w.items = 0;
        used++;
      } else {
        parts.push(shard.ops.take(w.data, room));
        w.items -= room;
        shard.items -= room;
        room = 0;
      }
    }
    if (used > 0) pending.splice(0, used);
    const batch = shard.ops.merge(parts);
    let p: Promise<void>;
    try {
      p = this.next.consume(batch, shard.ctx);
    } catch (err) {
      p = Promise.reject(err);
    }
    const done: Promise<void> = p.then(
      () => {
        for (const w of waiters) w.ok();
      },
      (err: unknown) => {
        for (const w of waiters) w.fail(err);
      },
    ).finally(() => this.inflight.delete(done));
    this.inflight.add(done);
  }
}

function batchTelemetry(set: CreateSettings): BatchTelemetry {
  const labels = { processor: set.id };
  const t = set.telemetry;
  const size: Counter<string> = t.counter(
    'otelcol_processor_batch_batch_size_trigger_send',
    'Number of times the batch was sent due to a size trigger.',
    ['processor'],
  );
  const timeout: Counter<string> = t.counter(
    'otelcol_processor_batch_timeout_trigger_send',
    'Number of times the batch was sent due to a timeout trigger.',
    ['processor'],
  );
  const card: Gauge<string> = t.gauge(
    'otelcol_processor_batch_metadata_cardinality',
    'Number of distinct metadata value combinations being processed.',
    ['processor'],
  );
  const s = size.labels(labels);
  const to = timeout.labels(labels);
  const c = card.labels(labels);
  return { sizeTrigger: { inc: () => s.inc() }, timeoutTrigger: { inc: () => to.inc() }, cardinality: { set: (v) => c.set(v) } };
}
