import type { Component } from '../../component/component.js';
import type { RequestContext } from '../../component/context.js';
import { MUTATES, READS_ONLY, type MetricsConsumer, type TracesConsumer } from '../../component/consumer.js';
import type { CreateSettings, Processor } from '../../component/factory.js';
import type { MetricsData } from '../../component/signal.js';
import { parseDuration } from '../../config/types.js';
import { asConsumerError } from '../../errors/consumererror.js';
import { createRateLimitedLogger, type RateLimitedLogger } from '../../telemetry/ratelog.js';
import { createReporter, type Reporter } from '../../telemetry/report.js';
import {
  InstrumentationScope,
  Long,
  Resource,
  type IResourceSpans,
  type IScopeSpans,
  type ISpan,
  type Int64,
  type Traces,
} from '../../pdata/proto.js';
import { findAttr, getNumber, ownAttrs, setAttr } from '../../genai/attrs.js';
import { COST, GENAI, isLlmSpan } from '../../genai/conventions.js';
import { loadPriceFile, mergePriceTables, PriceTable, type PriceTableSpec } from '../../genai/prices.js';
import { nanosDiff } from '../../genai/time.js';
import type { GpucostConfig } from './config.js';
import { inventoryFor, type GpuInventory } from './inventory.js';
import { ReplicaResolver, type Priced, type ReplicaPrice } from './replica.js';
import { SharedBook, type ReplicaUsage } from './sharedbook.js';
import { exclusiveCost, type CostInterval } from './sweep.js';
import { GpucostTelemetry } from './telemetry.js';

const KINDS: Readonly<Record<string, number>> = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };

/** Where a held span goes back to: copies of its resource and scope, made when it was held. */
interface HeldSpan {
  span: ISpan;
  rs: IResourceSpans;
  ss: IScopeSpans;
  price: Priced;
}

export function buildPriceTable(cfg: GpucostConfig): PriceTable {
  return new PriceTable(mergePriceTables(loadPriceFile(cfg.prices_file), cfg.prices as Partial<PriceTableSpec> | undefined));
}

function inventoryOf(set: CreateSettings, cfg: GpucostConfig): GpuInventory {
  return inventoryFor(set.telemetry, set.id, {
    metricPrefix: cfg.dcgm.metric_prefix,
    maxEntries: cfg.dcgm.max_entries,
    ttlMs: parseDuration(cfg.dcgm.ttl),
  });
}

/**
 * The `gpucost` processor on traces: prices every LLM request span by the GPU
 * time it used (see sweep.ts for the models) and writes gen_ai.usage.cost,
 * the cost model and the price used. A span whose GPU or price is unknown is
 * marked unpriced and counted, never given a cost of $0.
 */
export class GpucostTraces implements Processor<'traces'>, Component {
  readonly capabilities = MUTATES;
  private readonly resolver: ReplicaResolver;
  private readonly kinds: ReadonlySet<number> | undefined;
  private readonly book: SharedBook<HeldSpan> | undefined;
  private readonly tel: GpucostTelemetry;
  private readonly rlog: RateLimitedLogger;
  private readonly report: Reporter;
  private base: Long | undefined;
  private timer: NodeJS.Timeout | undefined;
  private releasing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    set: CreateSettings,
    private readonly cfg: GpucostConfig,
    private readonly next: TracesConsumer,
    table: PriceTable = buildPriceTable(cfg),
  ) {
    const shared = cfg.cost_model === 'shared';
    this.resolver = new ReplicaResolver(cfg, table, inventoryOf(set, cfg), shared);
    this.kinds = cfg.span_kinds.length ? new Set(cfg.span_kinds.map((k) => KINDS[k]!)) : undefined;
    if (shared) this.book = new SharedBook(parseDuration(cfg.shared.settle_window), cfg.shared.max_pending_spans);
    this.tel = new GpucostTelemetry(set.telemetry, set.id);
    this.rlog = createRateLimitedLogger(set.logger);
    this.report = createReporter(set);
  }

  async start(): Promise<void> {
    if (!this.book || this.timer) return;
    this.timer = setInterval(() => this.tick(false), parseDuration(this.cfg.shared.tick));
    this.timer.unref();
  }

  /** Prices every held span with what is known and hands it on, then stops. */
  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.book && !this.stopped) {
      this.stopped = true;
      await this.tick(true);
    }
    this.stopped = true;
  }

  async consume(data: Traces, ctx: RequestContext): Promise<void> {
    const held = this.process(data, Date.now());
    if (held > 0 && this.book!.pendingCount > this.cfg.shared.max_pending_spans) void this.tick(false);
    if (held > 0 && !hasSpans(data)) return;
    return this.next.consume(data, ctx);
  }

  /** Prices the batch in place; returns the number of spans taken out to be held (shared model). */
  process(data: Traces, nowMs: number): number {
    let held = 0;
    for (const rs of data.resourceSpans ?? []) {
      let price: ReplicaPrice | undefined;
      let heldRs: IResourceSpans | undefined;
      for (const ss of rs.scopeSpans ?? []) {
        let keep: ISpan[] | undefined;
        let heldSs: IScopeSpans | undefined;
        const spans = ss.spans ?? [];
        for (let i = 0; i < spans.length; i++) {
          const span = spans[i]!;
          if (!this.wants(span)) {
            keep?.push(span);
            continue;
          }
          price ??= this.resolver.resolve(rs.resource, nowMs);
          const attrs = ownAttrs(span);
          if (!price.ok) {
            markUnpriced(attrs, price.reason, price.gpu, price.tier);
            this.tel.unpriced(price.reason);
            this.rlog.log('warn', `${price.reason}|${price.gpu ?? ''}`, { reason: price.reason, gpu: price.gpu, tier: price.tier }, 'LLM span left unpriced');
            keep?.push(span);
            continue;
          }
          const iv = this.interval(span);
          if (!this.book) {
            const cost = exclusiveCost(iv, price.c);
            writeCost(attrs, cost, 'exclusive', price, false);
            this.tel.priced('exclusive', price.gpu, cost);
            keep?.push(span);
            continue;
          }
          // Shared: take the span out of the batch until its settle window has passed.
          keep ??= spans.slice(0, i);
          heldRs ??= { resource: rs.resource ? Resource.decode(Resource.encode(rs.resource).finish()) : null, schemaUrl: rs.schemaUrl ?? '', scopeSpans: [] };
          heldSs ??= { scope: ss.scope ? InstrumentationScope.decode(InstrumentationScope.encode(ss.scope).finish()) : null, schemaUrl: ss.schemaUrl ?? '', spans: [] };
          const late = this.book.add(price.replica!, price.gpu, price.c, iv, { span, rs: heldRs, ss: heldSs, price }, nowMs);
          if (late) this.tel.late();
          held++;
        }
        if (keep) ss.spans = keep;
      }
    }
    if (this.book) this.tel.held(this.book.pendingCount);
    return held;
  }

  private wants(span: ISpan): boolean {
    if (this.kinds && !this.kinds.has(span.kind ?? 0)) return false;
    const attrs = span.attributes;
    if (!isLlmSpan(attrs)) return false;
    if (!this.cfg.overwrite_cost && findAttr(attrs, COST.cost)) return false;
    return true;
  }

  /** The span's interval in seconds from a fixed base, and its work rate (tokens/s). */
  private interval(span: ISpan): CostInterval {
    const s = span.startTimeUnixNano ?? 0;
    this.base ??= Long.fromValue(s as Int64 as Long | number);
    const start = nanosDiff(s, this.base) / 1e9;
    const end = nanosDiff(span.endTimeUnixNano ?? 0, this.base) / 1e9;
    const dur = end - start;
    const tokens = (getNumber(span.attributes, GENAI.inputTokens) ?? 0) + (getNumber(span.attributes, GENAI.outputTokens) ?? 0);
    return { start, end, w: dur > 0 && tokens > 0 ? tokens / dur : 0 };
  }

  private tick(all: boolean): Promise<void> {
    // One release at a time, in order, so a slow downstream does not reorder or duplicate.
    this.releasing = this.releasing.then(() => this.releaseDue(all));
    return this.releasing;
  }

  private async releaseDue(all: boolean): Promise<void> {
    const book = this.book!;
    const onUsage = (u: ReplicaUsage) => this.tel.usage(u);
    const released = book.release(Date.now(), all, onUsage);
    this.tel.held(book.pendingCount);
    if (released.length === 0) return;
    const out = new Map<IResourceSpans, Set<IScopeSpans>>();
    for (const r of released) {
      const h = r.payload;
      const attrs = ownAttrs(h.span);
      writeCost(attrs, r.cost, 'shared', h.price, r.late || r.early);
      this.tel.priced('shared', h.price.gpu, r.cost);
      if (r.early) this.tel.early();
      h.ss.spans!.push(h.span);
      let scopes = out.get(h.rs);
      if (!scopes) out.set(h.rs, (scopes = new Set()));
      scopes.add(h.ss);
    }
    const batch: Traces = { resourceSpans: [] };
    for (const [rs, scopes] of out) {
      batch.resourceSpans!.push({ resource: rs.resource, schemaUrl: rs.schemaUrl, scopeSpans: [...scopes].map((ss) => ({ ...ss, spans: ss.spans!.splice(0) })) });
    }
    try {
      await this.next.consume(batch, {});
    } catch (err) {
      const e = asConsumerError(err);
      this.report.drop({ signal: 'traces', code: e.code, items: released.length, err: e, key: 'release' }, 'downstream refused priced spans after the settle window; dropped');
    }
  }
}

function hasSpans(t: Traces): boolean {
  for (const rs of t.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) if ((ss.spans?.length ?? 0) > 0) return true;
  return false;
}

function writeCost(attrs: ReturnType<typeof ownAttrs>, cost: number, model: 'exclusive' | 'shared', p: Priced, partial: boolean): void {
  setAttr(attrs, COST.cost, { doubleValue: cost });
  setAttr(attrs, COST.model, { stringValue: model });
  setAttr(attrs, COST.pricePerGpuHour, { doubleValue: p.usdPerGpuHour });
  setAttr(attrs, COST.tier, { stringValue: p.tier });
  setAttr(attrs, COST.gpuModel, { stringValue: p.gpu });
  setAttr(attrs, COST.gpuCount, { intValue: p.count });
  if (partial) setAttr(attrs, COST.partial, { boolValue: true });
}

function markUnpriced(attrs: ReturnType<typeof ownAttrs>, reason: string, gpu: string | undefined, tier: string): void {
  setAttr(attrs, COST.unpriced, { boolValue: true });
  setAttr(attrs, COST.unpricedReason, { stringValue: reason });
  setAttr(attrs, COST.tier, { stringValue: tier });
  if (gpu !== undefined) setAttr(attrs, COST.gpuModel, { stringValue: gpu });
}

/**
 * The `gpucost` processor on metrics: learns which GPUs serve each host and
 * pod from DCGM exporter series (both metric shapes) and passes the batch on
 * unchanged. Its traces instance of the same ID reads what it learned.
 */
export class GpucostMetrics implements Processor<'metrics'>, Component {
  readonly capabilities = READS_ONLY;
  private readonly inventory: GpuInventory;

  constructor(
    set: CreateSettings,
    private readonly cfg: GpucostConfig,
    private readonly next: MetricsConsumer,
  ) {
    this.inventory = inventoryOf(set, cfg);
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  consume(data: MetricsData, ctx: RequestContext): Promise<void> {
    if (this.cfg.dcgm.enabled) this.inventory.observe(data);
    return this.next.consume(data, ctx);
  }
}
