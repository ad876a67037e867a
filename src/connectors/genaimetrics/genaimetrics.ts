import type { Component } from '../../component/component.js';
import type { RequestContext } from '../../component/context.js';
import { READS_ONLY, type MetricsConsumer } from '../../component/consumer.js';
import type { ConnectorComponent, CreateSettings } from '../../component/factory.js';
import { parseDuration } from '../../config/types.js';
import { asConsumerError } from '../../errors/consumererror.js';
import { createReporter, type Reporter } from '../../telemetry/report.js';
import { countDataPoints } from '../../pdata/count.js';
import type { SignalData } from '../../component/signal.js';
import { readOtlp } from '../../pdata/batch.js';
import { GenaiAggregator } from './aggregator.js';
import type { GenaiMetricsConfig } from './config.js';

/**
 * The `genaimetrics` connector (traces → metrics, like the collector's
 * spanmetrics): token, latency, request and cost metrics per model, provider,
 * operation and outcome, cumulative, emitted every metrics_flush_interval and
 * once more at shutdown.
 */
export class GenaiMetricsConnector implements ConnectorComponent<'traces'>, Component {
  readonly capabilities = READS_ONLY;
  readonly aggregator: GenaiAggregator;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly report: Reporter;
  private stopped = false;

  constructor(
    set: CreateSettings,
    private readonly cfg: GenaiMetricsConfig,
    private readonly next: MetricsConsumer,
  ) {
    this.aggregator = new GenaiAggregator(cfg);
    this.report = createReporter(set);
  }

  async start(): Promise<void> {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.flush(), parseDuration(this.cfg.metrics_flush_interval));
    this.timer.unref();
  }

  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.stopped) return this.flushing;
    this.stopped = true;
    await this.flush();
  }

  /** Aggregation is synchronous: nothing to wait for and nothing this connector can refuse. */
  async consume(data: SignalData['traces'], _ctx: RequestContext): Promise<void> {
    this.aggregator.add(readOtlp('traces', data));
  }

  /** Emits every series now (one flush at a time, in order). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const md = this.aggregator.collect();
      if ((md.resourceMetrics?.length ?? 0) === 0) return;
      try {
        await this.next.consume(md, {});
      } catch (err) {
        const e = asConsumerError(err);
        this.report.drop(
          { signal: 'metrics', code: e.code, items: countDataPoints(md), err: e, key: 'flush' },
          'downstream refused GenAI metrics; the next flush carries the cumulative values again',
        );
      }
    });
    return this.flushing;
  }
}
