import type { Component } from '../../component/component.js';
import type { RequestContext } from '../../component/context.js';
import { MUTATES, type SignalConsumer } from '../../component/consumer.js';
import type { CreateSettings } from '../../component/factory.js';
import { isPromMetrics, signalBatch, type Signal, type SignalData } from '../../component/signal.js';
import { ownOtlp } from '../../pdata/batch.js';
import type { IMetric, Logs, Metrics, Traces } from '../../pdata/proto.js';
import { compileActions, type ApplyActions, type AttrHolder } from './actions.js';
import type { AttributesConfig } from './config.js';
import { compileSkip, unsupportedKeys, type MatchSubject, type SkipFn } from './match.js';

/** Data points of a metric, whatever its type. */
function pointsOf(m: IMetric): AttrHolder[] | null | undefined {
  return (m.gauge ?? m.sum ?? m.histogram ?? m.exponentialHistogram ?? m.summary)?.dataPoints as AttrHolder[] | null | undefined;
}

/**
 * The attributes processor: runs the configured actions on the attributes of
 * every span, log record and metric data point that passes include/exclude.
 * Remote-write metrics (Prometheus labels) pass through untouched: the
 * actions speak OTLP attribute types, which labels do not have.
 */
export class AttributesProcessor<S extends Signal> implements Component, SignalConsumer<S> {
  readonly capabilities = MUTATES;
  private readonly apply: ApplyActions;
  private readonly skip: SkipFn | undefined;
  /** Reused for every item, so matching allocates nothing. */
  private readonly subject: MatchSubject = { resource: undefined, scope: undefined };

  constructor(
    set: CreateSettings,
    cfg: AttributesConfig,
    private readonly signal: S,
    private readonly next: SignalConsumer<S>,
  ) {
    for (const [name, m] of [['include', cfg.include], ['exclude', cfg.exclude]] as const) {
      const bad = m ? unsupportedKeys(m, signal) : [];
      if (bad.length > 0) throw new Error(`processors.${set.id}.${name}: ${bad.join(', ')} cannot be used in a ${signal} pipeline`);
    }
    if (cfg.actions.length === 0) set.logger.warn({ processor: set.id }, 'attributes processor has no actions: it changes nothing');
    this.apply = compileActions(cfg.actions);
    this.skip = compileSkip(cfg.include, cfg.exclude);
  }

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  consume(data: SignalData[S], ctx: RequestContext): Promise<void> {
    try {
      // Every item's attributes may change: work on decoded objects (an encoded batch is decoded here).
      if (!isPromMetrics(data)) data = ownOtlp(this.signal, data);
      const b = signalBatch(this.signal, data);
      switch (b.signal) {
        case 'traces':
          this.traces(b.data as Traces, ctx);
          break;
        case 'logs':
          this.logs(b.data as Logs, ctx);
          break;
        case 'metrics':
          if (!isPromMetrics(b.data)) this.metrics(b.data as Metrics, ctx);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return this.next.consume(data, ctx);
  }

  private traces(t: Traces, ctx: RequestContext): void {
    const { apply, skip, subject } = this;
    for (const rs of t.resourceSpans ?? []) {
      subject.resource = rs.resource;
      for (const ss of rs.scopeSpans ?? []) {
        subject.scope = ss.scope;
        for (const span of ss.spans ?? []) {
          if (skip) {
            subject.attributes = span.attributes;
            subject.spanName = span.name ?? '';
            if (skip(subject)) continue;
          }
          apply(span as AttrHolder, ctx);
        }
      }
    }
  }

  private logs(l: Logs, ctx: RequestContext): void {
    const { apply, skip, subject } = this;
    for (const rl of l.resourceLogs ?? []) {
      subject.resource = rl.resource;
      for (const sl of rl.scopeLogs ?? []) {
        subject.scope = sl.scope;
        for (const rec of sl.logRecords ?? []) {
          if (skip) {
            subject.attributes = rec.attributes;
            subject.logBody = rec.body;
            subject.severityText = rec.severityText ?? '';
            if (skip(subject)) continue;
          }
          apply(rec as AttrHolder, ctx);
        }
      }
    }
  }

  private metrics(md: Metrics, ctx: RequestContext): void {
    const { apply, skip, subject } = this;
    for (const rm of md.resourceMetrics ?? []) {
      subject.resource = rm.resource;
      for (const sm of rm.scopeMetrics ?? []) {
        subject.scope = sm.scope;
        for (const m of sm.metrics ?? []) {
          if (skip) {
            subject.metricName = m.name ?? '';
            if (skip(subject)) continue;
          }
          const points = pointsOf(m);
          if (points) for (const p of points) apply(p, ctx);
        }
      }
    }
  }
}
