import type { Component } from '../../component/component.js';
import type { RequestContext } from '../../component/context.js';
import { MUTATES, READS_ONLY, type MetricsConsumer, type TracesConsumer } from '../../component/consumer.js';
import type { CreateSettings, Processor } from '../../component/factory.js';
import type { MetricsData, SignalData } from '../../component/signal.js';
import { ownOtlp } from '../../pdata/batch.js';
import { parseDuration } from '../../config/types.js';
import { asConsumerError } from '../../errors/consumererror.js';
import { createRateLimitedLogger, type RateLimitedLogger } from '../../telemetry/ratelog.js';
import { createReporter, type Reporter } from '../../telemetry/report.js';
import { InstrumentationScope, Long, Resource, type IResourceSpans, type IScopeSpans, type ISpan, type Int64, type Traces } from '../../pdata/proto.js';
import { firstString, getNumber, ownAttrs, removeAttr, type Attrs } from '../../genai/attrs.js';
import { COST, GENAI, isErrorSpan, isLlmSpan, spanKindCodes } from '../../genai/conventions.js';
import { loadPriceFile, mergePriceTables, PriceTable, type PriceTableSpec } from '../../genai/prices.js';
import { nanosDiff } from '../../genai/time.js';
import { loadTokenPriceFile, mergeTokenPriceTables, TokenPriceTable, tokenCost, type TokenPriceTableSpec } from '../../genai/tokenprices.js';
import type { GpucostConfig } from './config.js';
import { AdjustmentGroups, type AdjustmentGroup } from './groups.js';
import type { GpuSource } from './gpusource.js';
import { inventoryFor } from './inventory.js';
import { Ledger } from './ledger.js';
import { ReplicaResolver, type Priced, type ReplicaPrice } from './replica.js';
import { exclusiveCost, type CostInterval } from './sweep.js';
import { GpucostTelemetry } from './telemetry.js';
import { markReported, markUnpriced, writeAdjustment, writeGpuCost, writeTokenCost, type UnpricedReason } from './write.js';

/** Where a held span goes back to: copies of its resource and scope, made when it was held. */
interface HeldSpan {
  span: ISpan;
  rs: IResourceSpans;
  ss: HeldScope;
  price: Priced;
}

/** A copy of a held span's scope; released spans are gathered in its list. */
type HeldScope = IScopeSpans & { spans: ISpan[] };

export function buildPriceTable(cfg: GpucostConfig): PriceTable {
  return new PriceTable(mergePriceTables(loadPriceFile(cfg.prices_file), cfg.prices as Partial<PriceTableSpec> | undefined));
}

export function buildTokenPriceTable(cfg: GpucostConfig): TokenPriceTable {
  return new TokenPriceTable(mergeTokenPriceTables(loadTokenPriceFile(cfg.token_prices_file), cfg.token_prices as Partial<TokenPriceTableSpec> | undefined));
}

function gpuSourceOf(set: CreateSettings, cfg: GpucostConfig): GpuSource & ReturnType<typeof inventoryFor> {
  return inventoryFor(set.telemetry, set.id, {
    metricPrefix: cfg.dcgm.metric_prefix,
    maxEntries: cfg.dcgm.max_entries,
    ttlMs: parseDuration(cfg.dcgm.ttl),
  });
}

/**
 * The `gpucost` processor on traces: prices every LLM request span and
 * writes gen_ai.usage.cost with the method that priced it.
 *   gpu_exclusive / gpu_shared  the GPU time the request used on a replica
 *                                whose GPUs and price are known (sweep.ts,
 *                                ledger.ts);
 *   token_price                  its tokens at the API model's list prices
 *                                (CLIENT spans, and spans whose GPU is unknown);
 *   reported                     a non-zero cost the emitter wrote (OpenLIT),
 *                                kept unless overwrite_cost.
 * A span no method can price is marked unpriced with a reason and counted,
 * never given a cost of $0.
 */
export class GpucostTraces implements Processor<'traces'>, Component {
  readonly capabilities = MUTATES;
  private readonly resolver: ReplicaResolver;
  private readonly kinds: ReadonlySet<number> | undefined;
  private readonly tokenKinds: ReadonlySet<number>;
  private readonly ledger: Ledger<HeldSpan, AdjustmentGroup> | undefined;
  private readonly groups: AdjustmentGroups;
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
    private readonly tokens: TokenPriceTable = buildTokenPriceTable(cfg),
    gpus: GpuSource = gpuSourceOf(set, cfg),
  ) {
    const shared = cfg.cost_model === 'shared';
    this.resolver = new ReplicaResolver(cfg, table, gpus, shared);
    this.kinds = cfg.span_kinds.length ? spanKindCodes(cfg.span_kinds) : undefined;
    this.tokenKinds = spanKindCodes(cfg.token_price_span_kinds);
    this.tel = new GpucostTelemetry(set.telemetry, set.id);
    this.groups = new AdjustmentGroups(cfg.adjustment_attributes);
    if (shared) {
      const s = cfg.shared;
      this.ledger = new Ledger(
        {
          minBound: parseDuration(s.settle_window) / 1000,
          learnWindow: parseDuration(s.learn_window) / 1000,
          maxHoldMs: parseDuration(s.max_hold),
          maxPending: s.max_pending_spans,
          correctionWindowMs: parseDuration(s.correction_window),
          maxRetained: s.max_retained_intervals,
        },
        (u) => this.tel.usage(u),
      );
    }
    this.rlog = createRateLimitedLogger(set.logger);
    this.report = createReporter(set);
  }

  async start(): Promise<void> {
    if (!this.ledger || this.timer) return;
    this.timer = setInterval(() => void this.tick(false), parseDuration(this.cfg.shared.tick));
    this.timer.unref();
  }

  /** Prices every held span with what is known and hands it on, then stops. */
  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.ledger && !this.stopped) {
      this.stopped = true;
      await this.tick(true);
    }
    this.stopped = true;
  }

  async consume(batch: SignalData['traces'], ctx: RequestContext): Promise<void> {
    const data = ownOtlp('traces', batch);
    const held = this.process(data, Date.now());
    if (held > 0 && this.ledger && this.ledger.pendingCount > this.cfg.shared.max_pending_spans) void this.tick(false);
    if (held > 0 && !hasSpans(data)) return;
    return this.next.consume(data, ctx);
  }

  /** Prices the batch in place; returns the number of spans taken out to be held (gpu_shared). */
  process(data: Traces, nowMs: number): number {
    let held = 0;
    for (const rs of data.resourceSpans ?? []) {
      let price: ReplicaPrice | undefined;
      let heldRs: IResourceSpans | undefined;
      for (const ss of rs.scopeSpans ?? []) {
        let keep: ISpan[] | undefined;
        let heldSs: HeldScope | undefined;
        const spans = ss.spans ?? [];
        for (let i = 0; i < spans.length; i++) {
          const span = spans[i];
          if (span === undefined) continue;
          if (!this.wants(span)) {
            keep?.push(span);
            continue;
          }
          const attrs = ownAttrs(span);
          const reported = getNumber(attrs, COST.cost);
          if (reported !== undefined && reported > 0 && !this.cfg.overwrite_cost) {
            markReported(attrs);
            this.tel.priced('reported', '', reported);
            keep?.push(span);
            continue;
          }
          // A reported 0 (OpenLIT's answer for a model missing from its list) or less is not a price.
          if (reported !== undefined) removeAttr(attrs, COST.cost);
          const zeroReported = reported !== undefined && reported <= 0;

          const failed = isErrorSpan(span.status?.code, attrs);
          if (this.tokenKinds.has(span.kind ?? 0)) {
            this.priceByTokens(attrs, failed, zeroReported ? 'reported_zero_cost' : undefined);
            keep?.push(span);
            continue;
          }
          price ??= this.resolver.resolve(rs.resource, nowMs);
          const iv = this.interval(span);
          const dur = iv.end - iv.start;
          const gpuFailure: UnpricedReason | undefined = !price.ok ? price.reason : dur < 0 ? 'negative_duration' : dur === 0 ? 'zero_duration' : undefined;
          if (gpuFailure !== undefined) {
            if (!this.cfg.token_price_fallback || !this.priceByTokens(attrs, failed, undefined, true)) {
              const reason = zeroReported ? 'reported_zero_cost' : gpuFailure;
              this.unpriced(attrs, reason, price.gpu, price.tier);
            }
            keep?.push(span);
            continue;
          }
          const p = price as Priced;
          if (!this.ledger) {
            const cost = exclusiveCost(iv, p.c);
            writeGpuCost(attrs, cost, 'gpu_exclusive', p);
            this.tel.priced('gpu_exclusive', p.gpu, cost);
            keep?.push(span);
            continue;
          }
          // gpu_shared: take the span out of the batch until its overlapping spans have arrived.
          keep ??= spans.slice(0, i);
          heldRs ??= { resource: rs.resource ? Resource.decode(Resource.encode(rs.resource).finish()) : null, schemaUrl: rs.schemaUrl ?? '', scopeSpans: [] };
          heldSs ??= {
            scope: ss.scope ? InstrumentationScope.decode(InstrumentationScope.encode(ss.scope).finish()) : null,
            schemaUrl: ss.schemaUrl ?? '',
            spans: [],
          };
          // The resolver names the replica of every priced span in shared mode.
          this.ledger.add(p.replica ?? '', p.gpu, p.c, iv, this.groups.of(attrs), { span, rs: heldRs, ss: heldSs, price: p }, nowMs);
          held++;
        }
        if (keep) ss.spans = keep;
      }
    }
    if (this.ledger) this.tel.held(this.ledger.pendingCount, this.ledger.retainedIntervals);
    return held;
  }

  private wants(span: ISpan): boolean {
    if (this.kinds && !this.kinds.has(span.kind ?? 0)) return false;
    return isLlmSpan(span.attributes);
  }

  /**
   * token_price. Returns whether the span was priced; when not, and not
   * `quiet`, marks it unpriced (with `reason`, else why tokens could not price it).
   */
  private priceByTokens(attrs: Attrs, failed: boolean, reason: UnpricedReason | undefined, quiet = false): boolean {
    const input = getNumber(attrs, GENAI.inputTokens);
    const output = getNumber(attrs, GENAI.outputTokens);
    const model = firstString(attrs, [GENAI.responseModel, GENAI.requestModel]);
    let why: UnpricedReason;
    // A call that failed without reporting usage (a 429, a timeout) was most likely not billed, but nothing says so.
    if (input === undefined && output === undefined) why = failed ? 'failed_without_usage' : 'unknown_tokens';
    else if (model === undefined) why = 'unknown_model_price';
    else {
      const hit = this.tokens.lookup(firstString(attrs, [GENAI.providerName]), model);
      if (hit.ok) {
        const cost = tokenCost(hit.price, {
          input: input ?? 0,
          output: output ?? 0,
          cacheRead: getNumber(attrs, GENAI.cacheReadInputTokens) ?? 0,
          cacheCreation: getNumber(attrs, GENAI.cacheCreationInputTokens) ?? 0,
          reasoning: getNumber(attrs, GENAI.reasoningOutputTokens) ?? 0,
        });
        writeTokenCost(attrs, cost, hit);
        this.tel.priced('token_price', '', cost);
        return true;
      }
      why = hit.reason;
    }
    if (!quiet) this.unpriced(attrs, reason ?? why, undefined, undefined);
    return false;
  }

  private unpriced(attrs: Attrs, reason: UnpricedReason, gpu: string | undefined, tier: string | undefined): void {
    markUnpriced(attrs, reason, gpu, tier);
    this.tel.unpriced(reason);
    this.rlog.log('warn', `${reason}|${gpu ?? ''}`, { reason, gpu, tier }, 'LLM span left unpriced');
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
    const ledger = this.ledger;
    if (!ledger) return;
    const released = ledger.release(Date.now(), all);
    this.tel.held(ledger.pendingCount, ledger.retainedIntervals);
    if (released.length === 0) return;
    const out = new Map<IResourceSpans, Set<HeldScope>>();
    for (const r of released) {
      const h = r.payload;
      const attrs = ownAttrs(h.span);
      writeGpuCost(attrs, r.cost, 'gpu_shared', h.price);
      this.tel.priced('gpu_shared', h.price.gpu, r.cost);
      if (r.late) {
        const total = writeAdjustment(attrs, r.credits, r.incomplete);
        this.tel.late(h.price.gpu, -total, r.incomplete);
      }
      if (r.early) {
        attrs.push({ key: COST.early, value: { boolValue: true } });
        this.tel.early();
      }
      h.ss.spans.push(h.span);
      let scopes = out.get(h.rs);
      if (!scopes) out.set(h.rs, (scopes = new Set()));
      scopes.add(h.ss);
    }
    const resourceSpans: IResourceSpans[] = [];
    for (const [rs, scopes] of out) {
      resourceSpans.push({ resource: rs.resource, schemaUrl: rs.schemaUrl, scopeSpans: [...scopes].map((ss) => ({ ...ss, spans: ss.spans.splice(0) })) });
    }
    const batch: Traces = { resourceSpans };
    try {
      await this.next.consume(batch, {});
    } catch (err) {
      const e = asConsumerError(err);
      this.report.drop(
        { signal: 'traces', code: e.code, items: released.length, err: e, key: 'release' },
        'downstream refused priced spans held for their overlapping spans; dropped',
      );
    }
  }
}

function hasSpans(t: Traces): boolean {
  for (const rs of t.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) if ((ss.spans?.length ?? 0) > 0) return true;
  return false;
}

/**
 * The `gpucost` processor on metrics: learns which GPUs serve each host and
 * pod from DCGM exporter series (both metric shapes) and passes the batch on
 * unchanged. Its traces instance of the same ID reads what it learned.
 */
export class GpucostMetrics implements Processor<'metrics'>, Component {
  readonly capabilities = READS_ONLY;
  private readonly inventory: ReturnType<typeof inventoryFor>;

  constructor(
    set: CreateSettings,
    private readonly cfg: GpucostConfig,
    private readonly next: MetricsConsumer,
  ) {
    this.inventory = gpuSourceOf(set, cfg);
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  consume(data: MetricsData, ctx: RequestContext): Promise<void> {
    if (this.cfg.dcgm.enabled) this.inventory.observe(data);
    return this.next.consume(data, ctx);
  }
}
