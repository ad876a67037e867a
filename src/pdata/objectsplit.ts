// Moving items between decoded requests (the batch operations of decoded
// OTLP objects and remote-write requests; encoded batches have their own in
// encoded.ts): `take` cuts the first n items off a request (into a new one),
// `merge` concatenates requests.
//
// Work is per resource / scope / metric / series, never per item: whole
// entries move by reference and only the one entry cut in two is copied
// (its resource and scope are deep-copied, so later processors that mutate
// one batch do not change the other).
import type { OtlpData, Signal } from './signal.js';
import { countMetricPoints } from './count.js';
import {
  InstrumentationScope,
  KeyValue,
  Label,
  Resource,
  type IInstrumentationScope,
  type IKeyValue,
  type ILabel,
  type IMetric,
  type IResource,
  type ITimeSeries,
  type Logs,
  type Metrics,
  type Traces,
} from './proto.js';

export interface BatchOps<T> {
  /** Moves the first `n` items of `d` into a new request; `d` keeps the rest. 0 < n < items(d). */
  take(d: T, n: number): T;
  /** One request holding every part in order. The parts are consumed. */
  merge(parts: T[]): T;
}

type Obj = Record<string, any>;

/** Field names of one OTLP signal's three levels. */
interface Layout {
  res: string;
  scope: string;
  /** Items of a scope: spans, log records, or metrics (which hold points). */
  leaf: string;
  /** Items of one leaf entry (1, or a metric's data points). */
  leafCount: ((x: any) => number) | undefined;
  /** Cuts the first n items off a leaf entry (metrics only). */
  leafTake: ((x: any, n: number) => any) | undefined;
}

function copyResource(r: IResource | null | undefined): IResource | null | undefined {
  return r ? Resource.decode(Resource.encode(r).finish()) : r;
}

function copyScope(s: IInstrumentationScope | null | undefined): IInstrumentationScope | null | undefined {
  return s ? InstrumentationScope.decode(InstrumentationScope.encode(s).finish()) : s;
}

function copyKeyValue(kv: IKeyValue): IKeyValue {
  return KeyValue.decode(KeyValue.encode(kv).finish());
}

function countLeaves(list: any[] | undefined, L: Layout): number {
  if (!list) return 0;
  if (!L.leafCount) return list.length;
  let n = 0;
  for (const x of list) n += L.leafCount(x);
  return n;
}

function countScope(ss: Obj, L: Layout): number {
  return countLeaves(ss[L.leaf], L);
}

function countResource(rs: Obj, L: Layout): number {
  let n = 0;
  for (const ss of rs[L.scope] ?? []) n += countScope(ss, L);
  return n;
}

/**
 * Generic "take n from the front" over a list whose entries hold `count(e)`
 * items: moves whole entries, then cuts the next one with `cut`.
 */
function takeList(list: any[], n: number, count: (e: any) => number, cut: (e: any, n: number) => any): any[] {
  const out: any[] = [];
  let whole = 0;
  while (whole < list.length && n > 0) {
    const c = count(list[whole]);
    if (c > n) break;
    out.push(list[whole]);
    n -= c;
    whole++;
  }
  if (n > 0 && whole < list.length) out.push(cut(list[whole], n));
  if (whole > 0) list.splice(0, whole);
  return out;
}

function takeLeaves(list: any[], n: number, L: Layout): any[] {
  if (!L.leafCount) return list.splice(0, n);
  return takeList(list, n, L.leafCount, L.leafTake!);
}

function cutScope(ss: Obj, n: number, L: Layout): Obj {
  return { scope: copyScope(ss.scope), schemaUrl: ss.schemaUrl, [L.leaf]: takeLeaves(ss[L.leaf], n, L) };
}

function cutResource(rs: Obj, n: number, L: Layout): Obj {
  const scopes = takeList(
    rs[L.scope],
    n,
    (ss) => countScope(ss, L),
    (ss, k) => cutScope(ss, k, L),
  );
  return { resource: copyResource(rs.resource), schemaUrl: rs.schemaUrl, [L.scope]: scopes };
}

function otlpOps<T>(L: Layout): BatchOps<T> {
  return {
    take(d: T, n: number): T {
      const list = (d as Obj)[L.res] as any[];
      return {
        [L.res]: takeList(
          list,
          n,
          (rs) => countResource(rs, L),
          (rs, k) => cutResource(rs, k, L),
        ),
      } as T;
    },
    merge(parts: T[]): T {
      if (parts.length === 1) return parts[0]!;
      const all: any[] = [];
      for (const p of parts) for (const r of ((p as Obj)[L.res] as any[] | undefined) ?? []) all.push(r);
      return { [L.res]: all } as T;
    },
  };
}

/** A metric holding the first n data points of `m` (same descriptor); `m` keeps the rest. */
function cutMetric(m: IMetric, n: number): IMetric {
  const out: IMetric = { name: m.name, description: m.description, unit: m.unit };
  if (m.metadata && m.metadata.length > 0) out.metadata = m.metadata.map(copyKeyValue);
  if (m.gauge) out.gauge = { dataPoints: m.gauge.dataPoints!.splice(0, n) };
  else if (m.sum) {
    out.sum = {
      dataPoints: m.sum.dataPoints!.splice(0, n),
      aggregationTemporality: m.sum.aggregationTemporality,
      isMonotonic: m.sum.isMonotonic,
    };
  } else if (m.histogram) {
    out.histogram = { dataPoints: m.histogram.dataPoints!.splice(0, n), aggregationTemporality: m.histogram.aggregationTemporality };
  } else if (m.exponentialHistogram) {
    out.exponentialHistogram = {
      dataPoints: m.exponentialHistogram.dataPoints!.splice(0, n),
      aggregationTemporality: m.exponentialHistogram.aggregationTemporality,
    };
  } else if (m.summary) out.summary = { dataPoints: m.summary.dataPoints!.splice(0, n) };
  return out;
}

export const tracesOps: BatchOps<Traces> = otlpOps<Traces>({
  res: 'resourceSpans',
  scope: 'scopeSpans',
  leaf: 'spans',
  leafCount: undefined,
  leafTake: undefined,
});

export const logsOps: BatchOps<Logs> = otlpOps<Logs>({
  res: 'resourceLogs',
  scope: 'scopeLogs',
  leaf: 'logRecords',
  leafCount: undefined,
  leafTake: undefined,
});

export const otlpMetricsOps: BatchOps<Metrics> = otlpOps<Metrics>({
  res: 'resourceMetrics',
  scope: 'scopeMetrics',
  leaf: 'metrics',
  leafCount: countMetricPoints,
  leafTake: cutMetric,
});

// ---- remote-write ------------------------------------------------------------

type PromBatch = { format: 'prw'; request: { timeseries?: ITimeSeries[] | null; metadata?: any[] | null } };

function seriesPoints(s: ITimeSeries): number {
  return (s.samples?.length ?? 0) + (s.histograms?.length ?? 0);
}

/**
 * The first n points of a series (float samples first, then native-histogram
 * samples), with a copy of its labels and all its exemplars; `s` keeps the rest.
 * Parts of one series go to consecutive batches, which are handed downstream in
 * order, so the series' samples stay in timestamp order.
 */
function cutSeries(s: ITimeSeries, n: number): ITimeSeries {
  const out: ITimeSeries = { labels: (s.labels ?? []).map((l: ILabel) => Label.create({ name: l.name, value: l.value })) };
  const ns = Math.min(n, s.samples?.length ?? 0);
  if (ns > 0) out.samples = s.samples!.splice(0, ns);
  if (n - ns > 0) out.histograms = s.histograms!.splice(0, n - ns);
  if (s.exemplars && s.exemplars.length > 0) {
    out.exemplars = s.exemplars;
    s.exemplars = [];
  }
  return out;
}

export const promOps: BatchOps<PromBatch> = {
  take(d: PromBatch, n: number): PromBatch {
    const series = takeList(d.request.timeseries ?? [], n, seriesPoints, cutSeries);
    const request: PromBatch['request'] = { timeseries: series };
    // Metadata describes metric families, not points: it travels with the first part.
    if (d.request.metadata && d.request.metadata.length > 0) {
      request.metadata = d.request.metadata;
      d.request.metadata = [];
    }
    return { format: 'prw', request };
  },
  merge(parts: PromBatch[]): PromBatch {
    if (parts.length === 1) return parts[0]!;
    const timeseries: ITimeSeries[] = [];
    const metadata: any[] = [];
    for (const p of parts) {
      for (const s of p.request.timeseries ?? []) timeseries.push(s);
      for (const m of p.request.metadata ?? []) metadata.push(m);
    }
    return { format: 'prw', request: metadata.length > 0 ? { timeseries, metadata } : { timeseries } };
  },
};

/** The operations on one signal's decoded OTLP objects. */
export const OBJECT_OPS: { [S in Signal]: BatchOps<OtlpData[S]> } = { traces: tracesOps, metrics: otlpMetricsOps, logs: logsOps };
