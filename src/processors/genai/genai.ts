import type { Component } from '../../component/component.js';
import type { RequestContext } from '../../component/context.js';
import { MUTATES, READS_ONLY, type MetricsConsumer, type TracesConsumer } from '../../component/consumer.js';
import type { CreateSettings, Processor } from '../../component/factory.js';
import type { MetricsData, SignalData } from '../../component/signal.js';
import { parseDuration } from '../../config/types.js';
import { ownOtlp } from '../../pdata/batch.js';
import type { ISpan, Traces } from '../../pdata/proto.js';
import { ownAttrs, setAttr } from '../../genai/attrs.js';
import { DERIVED, isLlmSpan, type Convention } from '../../genai/conventions.js';
import { idHex } from '../../genai/time.js';
import type { GenaiConfig } from './config.js';
import { engineModelsFor, type EngineModels } from './engines.js';
import { ModelIdentity, type Resolution, type ResourceModels } from './identity.js';
import { Normalizer } from './normalize.js';
import { Showback, type ShowbackDimension } from './showback.js';
import { deriveTimings, type ChildTimes } from './timings.js';

type ChildRole = keyof ChildTimes;

export function engineModelsOf(set: CreateSettings, cfg: GenaiConfig): EngineModels {
  const e = cfg.model_identity.engine_metrics;
  return engineModelsFor(set.telemetry, set.id, {
    metricPrefixes: e.metric_prefixes,
    modelLabels: e.model_labels,
    instanceLabels: e.instance_labels,
    maxInstances: e.max_instances,
    ttlMs: parseDuration(e.ttl),
  });
}

/**
 * The `genai` processor: rewrites LLM request spans to the current GenAI
 * semantic-convention names, names the model of spans that carry none
 * (identity.ts), resolves showback dimensions (showback.ts) and derives
 * latency figures (timings.ts). Spans that carry no GenAI attributes pass
 * untouched.
 */
export class GenaiProcessor implements Processor<'traces'>, Component {
  readonly capabilities = MUTATES;
  private readonly normalizer: Normalizer;
  private readonly identity: ModelIdentity | undefined;
  private readonly showback: Showback;
  private readonly childRole = new Map<string, ChildRole>();
  private readonly firstTokenEvents: ReadonlySet<string>;
  private readonly counts = new Map<Convention, number>();
  private readonly sources = new Map<Resolution, number>();

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: GenaiConfig,
    private readonly next: TracesConsumer,
  ) {
    this.normalizer = new Normalizer({ keepOriginal: cfg.keep_original_attributes });
    const mi = cfg.model_identity;
    if (cfg.fill_request_model) {
      this.identity = new ModelIdentity(
        {
          sources: mi.sources,
          spanAttributes: mi.span_attributes,
          resourceAttributes: mi.resource_attributes,
          instanceAttributes: mi.instance_attributes,
          staticModels: mi.static,
          unknownModel: mi.unknown_model,
        },
        mi.engine_metrics.enabled ? engineModelsOf(set, cfg) : undefined,
      );
    }
    const overflow = set.telemetry.counter(
      'tollgate_genai_showback_overflow_spans',
      'LLM spans whose showback dimension value was past max_values and was replaced by the overflow value, by dimension.',
      ['processor', 'dimension'],
    );
    this.showback = new Showback(
      { dimensions: cfg.showback.dimensions as ShowbackDimension[], maxValues: cfg.showback.max_values, overflowValue: cfg.showback.overflow_value },
      (dimension) => overflow.inc({ processor: set.id, dimension }),
    );
    if (cfg.derive_timings) {
      for (const n of cfg.queue_span_names) this.childRole.set(n, 'queue');
      for (const n of cfg.decode_span_names) this.childRole.set(n, 'decode');
      for (const n of cfg.prefill_span_names) this.childRole.set(n, 'prefill');
    }
    this.firstTokenEvents = new Set(cfg.derive_timings ? cfg.first_token_event_names : []);
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  consume(batch: SignalData['traces'], ctx: RequestContext): Promise<void> {
    const data = ownOtlp('traces', batch);
    this.process(data, ctx);
    return this.next.consume(data, ctx);
  }

  /** Normalizes every span of the batch in place. */
  process(data: Traces, ctx: RequestContext = {}, nowMs = Date.now()): void {
    const children = this.childRole.size > 0 ? this.collectChildren(data) : undefined;
    for (const rs of data.resourceSpans ?? []) {
      const cache: ResourceModels = {};
      const resource = rs.resource?.attributes;
      for (const ss of rs.scopeSpans ?? []) {
        for (const span of ss.spans ?? []) {
          if (!span.attributes || span.attributes.length === 0) continue;
          const attrs = ownAttrs(span);
          const conv = this.normalizer.normalize(attrs);
          if (conv === undefined || !isLlmSpan(attrs)) continue;
          this.counts.set(conv, (this.counts.get(conv) ?? 0) + 1);
          if (this.cfg.mark_convention) setAttr(attrs, DERIVED.convention, { stringValue: conv });
          if (this.identity) {
            const src = this.identity.resolve(attrs, resource, cache, nowMs);
            if (src !== undefined) this.sources.set(src, (this.sources.get(src) ?? 0) + 1);
          }
          if (this.showback.enabled) this.showback.apply(attrs, resource, ctx);
          if (this.cfg.derive_timings) this.timings(span, attrs, children);
        }
      }
    }
    this.flushCounts();
  }

  private timings(span: ISpan, attrs: ReturnType<typeof ownAttrs>, children: Map<string, ChildTimes> | undefined): void {
    const c = children && children.size > 0 ? children.get(idHex(span.spanId)) : undefined;
    deriveTimings(span, attrs, c, this.firstTokenEvents);
  }

  /** Child spans named as phases (prefill, decode, queue), by their parent's span id. */
  private collectChildren(data: Traces): Map<string, ChildTimes> {
    const out = new Map<string, ChildTimes>();
    for (const rs of data.resourceSpans ?? []) {
      for (const ss of rs.scopeSpans ?? []) {
        for (const span of ss.spans ?? []) {
          const role = this.childRole.get(span.name ?? '');
          if (role === undefined || !span.parentSpanId || span.parentSpanId.length === 0) continue;
          const key = idHex(span.parentSpanId);
          let c = out.get(key);
          if (!c) out.set(key, (c = {}));
          if (span.startTimeUnixNano != null && span.endTimeUnixNano != null) c[role] = { start: span.startTimeUnixNano, end: span.endTimeUnixNano };
        }
      }
    }
    return out;
  }

  private flushCounts(): void {
    if (this.counts.size > 0) {
      const c = this.set.telemetry.counter('tollgate_genai_spans', 'LLM request spans normalized by the genai processor, by the convention they arrived in.', [
        'processor',
        'convention',
      ]);
      for (const [conv, n] of this.counts) c.inc({ processor: this.set.id, convention: conv }, n);
      this.counts.clear();
    }
    if (this.sources.size > 0) {
      const c = this.set.telemetry.counter(
        'tollgate_genai_model_identity_spans',
        'LLM spans that named no model, by where the genai processor found it (resource_attributes, static, engine_metrics, span_attributes) or unknown.',
        ['processor', 'source'],
      );
      for (const [src, n] of this.sources) c.inc({ processor: this.set.id, source: src }, n);
      this.sources.clear();
    }
  }
}

/**
 * The `genai` processor in a metrics pipeline: learns which model each
 * inference-server instance serves from the engine's metrics (engines.ts)
 * and passes the batch on unchanged. Its traces instance of the same ID
 * reads what it learned.
 */
export class GenaiEngineMetrics implements Processor<'metrics'>, Component {
  readonly capabilities = READS_ONLY;
  private readonly engines: EngineModels;

  constructor(
    set: CreateSettings,
    private readonly cfg: GenaiConfig,
    private readonly next: MetricsConsumer,
  ) {
    this.engines = engineModelsOf(set, cfg);
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  consume(data: MetricsData, ctx: RequestContext): Promise<void> {
    if (this.cfg.model_identity.engine_metrics.enabled) this.engines.observe(data);
    return this.next.consume(data, ctx);
  }
}
