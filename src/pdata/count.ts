// Item counts for self-telemetry (otelcol_*_spans, *_metric_points,
// *_log_records): spans, metric data points, log records, as the
// OpenTelemetry Collector counts them.
import type { IMetric, Logs, Metrics, PromWrite, Traces } from './proto.js';
import type { OtlpSignal } from './otlpjson.js';

/** Metrics in Prometheus shape, as pipelines carry remote-write (see component/signal.ts). */
export interface PromWriteBatch {
  readonly format: 'prw';
  request: PromWrite;
}

export interface CountableData {
  traces: Traces;
  metrics: Metrics | PromWriteBatch;
  logs: Logs;
}

export function countSpans(t: Traces): number {
  let n = 0;
  for (const rs of t.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  return n;
}

/** Data points of one metric, whatever its type (a metric without data has none). */
export function countMetricPoints(m: IMetric): number {
  const data = m.gauge ?? m.sum ?? m.histogram ?? m.exponentialHistogram ?? m.summary;
  return data?.dataPoints?.length ?? 0;
}

export function countDataPoints(md: Metrics): number {
  let n = 0;
  for (const rm of md.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) n += countMetricPoints(m);
  }
  return n;
}

export function countLogRecords(l: Logs): number {
  let n = 0;
  for (const rl of l.resourceLogs ?? []) for (const sl of rl.scopeLogs ?? []) n += sl.logRecords?.length ?? 0;
  return n;
}

/** Remote-write points: every float sample and every native-histogram sample. */
export function countPromWritePoints(w: PromWrite): number {
  let n = 0;
  for (const ts of w.timeseries ?? []) n += (ts.samples?.length ?? 0) + (ts.histograms?.length ?? 0);
  return n;
}

function isPromWriteBatch(m: Metrics | PromWriteBatch): m is PromWriteBatch {
  return (m as PromWriteBatch).format === 'prw';
}

/** Spans, metric data points or log records in one batch of `signal`. */
export function countItems<S extends OtlpSignal>(signal: S, data: CountableData[S]): number {
  switch (signal) {
    case 'traces':
      return countSpans(data as Traces);
    case 'metrics': {
      const m = data as Metrics | PromWriteBatch;
      return isPromWriteBatch(m) ? countPromWritePoints(m.request) : countDataPoints(m);
    }
    case 'logs':
      return countLogRecords(data as Logs);
    default:
      throw new Error(`countItems: unknown signal ${String(signal)}`);
  }
}
