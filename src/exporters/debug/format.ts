import { isEncodedOtlp, isEncodedPrw, isPromMetrics, signalBatch, type Signal, type SignalData } from '../../component/signal.js';
import { readOtlp, readProm } from '../../pdata/batch.js';
import { logsToJSON, metricsToJSON, tracesToJSON } from '../../pdata/otlpjson.js';
import {
  WriteRequest,
  int64ToString,
  type IAnyValue,
  type IKeyValue,
  type IMetric,
  type Logs,
  type Metrics,
  type PromWrite,
  type Traces,
} from '../../pdata/proto.js';

/** One log line: fields and message. */
export type Line = [Record<string, unknown>, string];

/** Counts per batch, under the collector's field names ("resource spans", "spans", ...). */
export function summary<S extends Signal>(signal: S, data: SignalData[S], items: number): Line {
  // Resources are counted from an encoded batch's index; only metrics need a decoded view.
  const resources = isEncodedOtlp(data) ? data.entries.length : undefined;
  const b = signalBatch(signal, data);
  switch (b.signal) {
    case 'traces':
      return [{ 'resource spans': resources ?? readOtlp('traces', b.data).resourceSpans?.length ?? 0, spans: items }, 'Traces'];
    case 'logs':
      return [{ 'resource logs': resources ?? readOtlp('logs', b.data).resourceLogs?.length ?? 0, 'log records': items }, 'Logs'];
    case 'metrics': {
      const d = b.data;
      if (isPromMetrics(d)) {
        const series = isEncodedPrw(d) ? d.seriesCount : (d.request.timeseries?.length ?? 0);
        return [{ format: 'prometheus remote-write', 'time series': series, 'data points': items }, 'Metrics'];
      }
      const m = readOtlp('metrics', d);
      let metrics = 0;
      for (const rm of m.resourceMetrics ?? []) for (const sm of rm.scopeMetrics ?? []) metrics += sm.metrics?.length ?? 0;
      return [{ 'resource metrics': m.resourceMetrics?.length ?? 0, metrics, 'data points': items }, 'Metrics'];
    }
  }
}

/** One line per item; `detailed` adds the item as a complete OTLP JSON request (`otlp`). */
export function itemLines<S extends Signal>(signal: S, data: SignalData[S], detailed: boolean): Line[] {
  const b = signalBatch(signal, data);
  if (b.signal === 'traces') return spanLines(readOtlp('traces', b.data), detailed);
  if (b.signal === 'logs') return logLines(readOtlp('logs', b.data), detailed);
  const m = b.data;
  return isPromMetrics(m) ? promLines(readProm(m), detailed) : pointLines(readOtlp('metrics', m), detailed);
}

const hex = (b: Uint8Array | null | undefined) => (b && b.length ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex') : '');

function plain(v: IAnyValue | null | undefined): unknown {
  if (!v) return null;
  if (v.stringValue != null) return v.stringValue;
  if (v.boolValue != null) return v.boolValue;
  if (v.intValue != null) return int64ToString(v.intValue);
  if (v.doubleValue != null) return v.doubleValue;
  if (v.arrayValue != null) return (v.arrayValue.values ?? []).map(plain);
  if (v.kvlistValue != null) return attrs(v.kvlistValue.values);
  if (v.bytesValue != null) return Buffer.from(v.bytesValue).toString('base64');
  return null;
}

function attrs(kvs: readonly IKeyValue[] | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs ?? []) out[kv.key ?? ''] = plain(kv.value);
  return out;
}

function spanLines(t: Traces, detailed: boolean): Line[] {
  const out: Line[] = [];
  for (const rs of t.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        const f: Record<string, unknown> = {
          trace_id: hex(span.traceId),
          span_id: hex(span.spanId),
          name: span.name ?? '',
          attributes: attrs(span.attributes),
        };
        if (detailed) f.otlp = tracesToJSON({ resourceSpans: [{ ...rs, scopeSpans: [{ ...ss, spans: [span] }] }] });
        out.push([f, 'span']);
      }
    }
  }
  return out;
}

function logLines(l: Logs, detailed: boolean): Line[] {
  const out: Line[] = [];
  for (const rl of l.resourceLogs ?? []) {
    for (const sl of rl.scopeLogs ?? []) {
      for (const rec of sl.logRecords ?? []) {
        const f: Record<string, unknown> = {
          severity: rec.severityText || rec.severityNumber || '',
          body: plain(rec.body),
          attributes: attrs(rec.attributes),
        };
        if (detailed) f.otlp = logsToJSON({ resourceLogs: [{ ...rl, scopeLogs: [{ ...sl, logRecords: [rec] }] }] });
        out.push([f, 'log record']);
      }
    }
  }
  return out;
}

const METRIC_TYPES = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

function pointLines(md: Metrics, detailed: boolean): Line[] {
  const out: Line[] = [];
  for (const rm of md.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        const type = METRIC_TYPES.find((t) => metric[t] != null);
        if (!type) continue;
        const body = metric[type] as { dataPoints?: any[] | null };
        for (const dp of body.dataPoints ?? []) {
          const f: Record<string, unknown> = { metric: metric.name ?? '', type, attributes: attrs(dp.attributes) };
          if (type === 'gauge' || type === 'sum') f.value = dp.asDouble ?? (dp.asInt != null ? int64ToString(dp.asInt) : null);
          else {
            f.count = int64ToString(dp.count);
            f.sum = dp.sum ?? null;
          }
          if (detailed) {
            const one: IMetric = { ...metric, [type]: { ...body, dataPoints: [dp] } };
            f.otlp = metricsToJSON({ resourceMetrics: [{ ...rm, scopeMetrics: [{ ...sm, metrics: [one] }] }] });
          }
          out.push([f, 'data point']);
        }
      }
    }
  }
  return out;
}

function promLines(w: PromWrite, detailed: boolean): Line[] {
  const out: Line[] = [];
  for (const ts of w.timeseries ?? []) {
    const labels: Record<string, string> = {};
    for (const l of ts.labels ?? []) labels[l.name ?? ''] = l.value ?? '';
    const series = detailed ? WriteRequest.toObject(WriteRequest.fromObject({ timeseries: [ts] }), { json: true, longs: String }) : undefined;
    for (const s of ts.samples ?? []) {
      out.push([{ labels, value: Number.isFinite(s.value) ? s.value : String(s.value), timestamp: int64ToString(s.timestamp), ...(series ? { prometheusRemoteWrite: series } : {}) }, 'sample']);
    }
    for (const h of ts.histograms ?? []) {
      const count = h.countInt != null ? int64ToString(h.countInt) : h.countFloat;
      out.push([{ labels, histogram: { count, sum: h.sum }, timestamp: int64ToString(h.timestamp), ...(series ? { prometheusRemoteWrite: series } : {}) }, 'sample']);
    }
  }
  return out;
}
