// Item counts for self-telemetry (otelcol_*_spans, *_metric_points,
// *_log_records): spans, metric data points, log records, as the
// OpenTelemetry Collector counts them.
import type { IMetric, Logs, Metrics, PromWrite, Traces } from './proto.js';
import { isEncodedOtlp, isEncodedPrw, isPromMetrics, signalBatch, type MetricsData, type Signal, type SignalData } from './signal.js';

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

/** Metric data points of a metrics batch, in any shape. */
export function countMetricsData(m: MetricsData): number {
  if (isEncodedOtlp<'metrics'>(m)) return m.items;
  if (isEncodedPrw(m)) return m.points;
  return isPromMetrics(m) ? countPromWritePoints(m.request) : countDataPoints(m);
}

/**
 * Spans, metric data points or log records in one batch of `signal`. For an
 * encoded batch it is read from the index the receiver's scan built: no walk.
 */
export function countItems<S extends Signal>(signal: S, data: SignalData[S]): number {
  const b = signalBatch(signal, data);
  switch (b.signal) {
    case 'traces':
      return isEncodedOtlp(b.data) ? b.data.items : countSpans(b.data);
    case 'logs':
      return isEncodedOtlp(b.data) ? b.data.items : countLogRecords(b.data);
    default:
      return countMetricsData(b.data);
  }
}
