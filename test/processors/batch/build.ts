// Test data builders shared by the processor tests. Everything goes through
// an encode/decode round trip, so tests see what receivers hand on: decoded
// messages with prototype defaults and Long integers.
import type { PromMetrics } from '../../../src/component/signal.js';
import {
  Long,
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
  WriteRequest,
  type IKeyValue,
  type IMetric,
  type ITimeSeries,
  type Logs,
  type Metrics,
  type Traces,
} from '../../../src/pdata/proto.js';

export function kv(key: string, value: string | number | boolean): IKeyValue {
  if (typeof value === 'string') return { key, value: { stringValue: value } };
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  return Number.isInteger(value) ? { key, value: { intValue: value } } : { key, value: { doubleValue: value } };
}

export interface ScopeSpec {
  name?: string;
  /** Number of items, or their names (span names, log bodies, metric names with one point each). */
  items: number | string[];
  attrs?: Record<string, string | number | boolean>;
}
export interface ResourceSpec {
  attrs?: Record<string, string | number | boolean>;
  scopes: ScopeSpec[];
}

const attrsOf = (a?: Record<string, string | number | boolean>) => Object.entries(a ?? {}).map(([k, v]) => kv(k, v));
const names = (s: ScopeSpec, prefix: string) =>
  typeof s.items === 'number' ? Array.from({ length: s.items }, (_, i) => `${prefix}${i}`) : s.items;

export function traces(...resources: ResourceSpec[]): Traces {
  const req = {
    resourceSpans: resources.map((r, ri) => ({
      resource: { attributes: attrsOf(r.attrs) },
      scopeSpans: r.scopes.map((s, si) => ({
        scope: { name: s.name ?? `scope${si}`, version: '1.0' },
        spans: names(s, `r${ri}s${si}-span`).map((name, i) => ({
          traceId: new Uint8Array(16).fill(1),
          spanId: Uint8Array.of(0, 0, 0, 0, ri, si, i >> 8, i & 255),
          name,
          kind: 2,
          startTimeUnixNano: 1_700_000_000_000_000_000n.toString(),
          endTimeUnixNano: 1_700_000_000_100_000_000n.toString(),
          attributes: attrsOf(s.attrs),
        })),
      })),
    })),
  };
  return ExportTraceServiceRequest.decode(ExportTraceServiceRequest.encode(req as any).finish());
}

export function logs(...resources: ResourceSpec[]): Logs {
  const req = {
    resourceLogs: resources.map((r, ri) => ({
      resource: { attributes: attrsOf(r.attrs) },
      scopeLogs: r.scopes.map((s, si) => ({
        scope: { name: s.name ?? `scope${si}` },
        logRecords: names(s, `r${ri}s${si}-log`).map((body) => ({
          timeUnixNano: '1700000000000000000',
          severityNumber: 9,
          severityText: 'INFO',
          body: { stringValue: body },
          attributes: attrsOf(s.attrs),
        })),
      })),
    })),
  };
  return ExportLogsServiceRequest.decode(ExportLogsServiceRequest.encode(req as any).finish());
}

/** A gauge with `points` data points, or a monotonic cumulative sum when `sum`. */
export function metric(name: string, points: number, opts: { sum?: boolean; attrs?: Record<string, string | number | boolean> } = {}): IMetric {
  const dataPoints = Array.from({ length: points }, (_, i) => ({
    timeUnixNano: Long.fromString(String(1_700_000_000_000_000_000n + BigInt(i))),
    asDouble: i,
    attributes: attrsOf(opts.attrs),
  }));
  return opts.sum
    ? { name, unit: '1', sum: { dataPoints, aggregationTemporality: 2, isMonotonic: true } }
    : { name, unit: '1', gauge: { dataPoints } };
}

export function metrics(...resources: Array<{ attrs?: Record<string, string | number | boolean>; scopes: Array<{ name?: string; metrics: IMetric[] }> }>): Metrics {
  const req = {
    resourceMetrics: resources.map((r) => ({
      resource: { attributes: attrsOf(r.attrs) },
      scopeMetrics: r.scopes.map((s, si) => ({ scope: { name: s.name ?? `scope${si}` }, metrics: s.metrics })),
    })),
  };
  return ExportMetricsServiceRequest.decode(ExportMetricsServiceRequest.encode(req as any).finish());
}

/** Remote-write series `name{i=...}` with `samples` samples each. */
export function prom(name: string, series: number, samples: number): PromMetrics {
  const timeseries: ITimeSeries[] = Array.from({ length: series }, (_, i) => ({
    labels: [
      { name: '__name__', value: name },
      { name: 'i', value: String(i) },
    ],
    samples: Array.from({ length: samples }, (_, j) => ({ value: j, timestamp: 1_700_000_000_000 + j })),
  }));
  return { format: 'prw', request: WriteRequest.decode(WriteRequest.encode({ timeseries, metadata: [{ type: 1, metricFamilyName: name, help: 'h' }] }).finish()) };
}

/** Span names of a traces batch, in order. */
export function spanNames(t: Traces): string[] {
  return (t.resourceSpans ?? []).flatMap((rs) => (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((s) => s.name ?? '')));
}

/** Values of one string attribute on an attribute list. */
export function attr(list: IKeyValue[] | null | undefined, key: string): unknown {
  const v = list?.find((a) => a.key === key)?.value;
  if (!v) return undefined;
  if (v.stringValue != null) return v.stringValue;
  if (v.boolValue != null) return v.boolValue;
  if (v.intValue != null) return Number(v.intValue.toString());
  if (v.doubleValue != null) return v.doubleValue;
  return v;
}
