import type { Component } from '../../component/component.js';
import { MUTATES, type MetricsConsumer } from '../../component/consumer.js';
import type { RequestContext } from '../../component/context.js';
import type { CreateSettings, Processor } from '../../component/factory.js';
import { isPromMetrics, type MetricsData } from '../../component/signal.js';
import { ownOtlp, ownProm } from '../../pdata/batch.js';
import type { InferenceMetricsConfig } from './config.js';
import { normalizeOtlp } from './otlp.js';
import { normalizeWrite } from './prw.js';
import { buildNameMap, type NameMapping } from './schema.js';

/**
 * Puts vLLM, SGLang, TGI and Triton metrics under one canonical schema
 * (schema.ts) and evens out DCGM exporter differences, on either metrics shape.
 */
export class InferenceMetricsProcessor implements Processor<'metrics'>, Component {
  readonly capabilities = MUTATES;
  private readonly names: ReadonlyMap<string, NameMapping>;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: InferenceMetricsConfig,
    private readonly next: MetricsConsumer,
  ) {
    this.names = buildNameMap(cfg.prefix, cfg.engines);
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  consume(data: MetricsData, ctx: RequestContext): Promise<void> {
    // OTLP metric names may change: work on decoded objects (an encoded batch is decoded here).
    // Series names may change too: an encoded remote-write batch is decoded (ownProm) and handed on as objects.
    let n: number;
    if (isPromMetrics(data)) {
      const request = ownProm(data);
      data = { format: 'prw', request };
      n = normalizeWrite(request, this.names, this.cfg);
    } else {
      const m = ownOtlp('metrics', data);
      data = m;
      n = normalizeOtlp(m, this.names, this.cfg);
    }
    if (n > 0) this.set.telemetry.counter('tollgate_inferencemetrics_mapped_series', 'Series (or OTLP metrics) mapped onto the canonical inference schema.', ['processor']).inc({ processor: this.set.id }, n);
    return this.next.consume(data, ctx);
  }
}
