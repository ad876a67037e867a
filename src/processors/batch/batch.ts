import type { Counter, Gauge } from 'prom-client';
import type { Component } from '../../component/component.js';
import type { RequestContext } from '../../component/context.js';
import { MUTATES, type SignalConsumer } from '../../component/consumer.js';
import type { CreateSettings } from '../../component/factory.js';
import { isPromMetrics, type Signal, type SignalData } from '../../component/signal.js';
import { parseDuration } from '../../config/types.js';
import { ErrorCode } from '../../errors/codes.js';
import { permanentError } from '../../errors/consumererror.js';
import { countItems } from '../../pdata/batch.js';
import { Batcher, batchContext } from '../../pipeline/batcher.js';
import type { BatchConfig } from './config.js';
import { createReporter, type Reporter } from '../../telemetry/report.js';

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
  // Batches are built from the caller's data and split (pdata/batch.ts): encoded
  // batches merge by joining entry lists and split at indexed boundaries.
  readonly capabilities = MUTATES;
  private readonly metadataKeys: string[];
  private readonly cardinalityLimit: number;
  private readonly batcher: Batcher<S>;
  private readonly report: Reporter;
  private readonly tel: BatchTelemetry;
  private stopped = false;

  constructor(
    set: CreateSettings,
    cfg: BatchConfig,
    private readonly signal: S,
    private readonly next: SignalConsumer<S>,
  ) {
    this.metadataKeys = cfg.metadata_keys.map((k) => k.toLowerCase());
    this.cardinalityLimit = cfg.metadata_cardinality_limit;
    this.report = createReporter(set);
    this.tel = batchTelemetry(set);
    this.batcher = new Batcher<S>({
      signal,
      unit: 'items',
      minSize: cfg.send_batch_size,
      maxSize: cfg.send_batch_max_size,
      timeoutMs: parseDuration(cfg.timeout),
      send: (batch, ctx) => this.next.consume(batch, ctx),
      // Shards of metadata combinations are forgotten once empty, until used again.
      onIdle: () => this.metadataKeys.length > 0,
      onShards: (n) => this.tel.cardinality.set(n),
      onTrigger: (why) => (why === 'size' ? this.tel.sizeTrigger.inc() : this.tel.timeoutTrigger.inc()),
    });
  }

  async start(): Promise<void> {}

  consume(data: SignalData[S], ctx: RequestContext): Promise<void> {
    const items = countItems(this.signal, data);
    // Nothing to batch (empty request, or metrics without points): pass it on as is.
    if (items === 0 || this.stopped) return this.next.consume(data, ctx);
    const key = this.shardKey(data, ctx);
    if (!this.batcher.has(key) && this.metadataKeys.length > 0 && this.cardinalityLimit > 0 && this.batcher.shardCount >= this.cardinalityLimit) {
      return Promise.reject(this.cardinalityError(items));
    }
    return this.batcher.add(key, () => this.contextFor(ctx), data, items);
  }

  /** Sends what is pending, then waits for every batch in flight to be answered. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.batcher.drain();
  }

  private shardKey(data: SignalData[S], ctx: RequestContext): string {
    // Remote-write and OTLP metrics never share a batch.
    let key = this.signal === 'metrics' && isPromMetrics(data) ? 'p' : 'o';
    if (ctx.tenant !== undefined) key += `\u0001${ctx.tenant}`;
    for (const k of this.metadataKeys) {
      const v = ctx.metadata?.[k];
      key += v ? `\u0001${v.join('\u0000')}` : '\u0001';
    }
    return key;
  }

  /** What downstream sees beside a batch: the tenant and the batching metadata keys only. */
  private contextFor(ctx: RequestContext): RequestContext {
    return batchContext(ctx, this.metadataKeys);
  }

  private cardinalityError(items: number) {
    const msg = `too many batcher metadata-value combinations (metadata_cardinality_limit ${this.cardinalityLimit})`;
    const err = permanentError(ErrorCode.BATCH_CARDINALITY, msg);
    this.report.drop({ signal: this.signal, code: ErrorCode.BATCH_CARDINALITY, items, err, level: 'warn' }, msg);
    return err;
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
