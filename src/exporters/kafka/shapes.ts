// The leaves of each signal (span, data point, log record, series) and how
// to rebuild a request from any run of them, keeping resource and scope.
import type { PromMetrics } from '../../component/signal.js';
import type {
  ILogRecord,
  IMetric,
  IMetricMetadata,
  IResourceLogs,
  IResourceMetrics,
  IResourceSpans,
  IScopeLogs,
  IScopeMetrics,
  IScopeSpans,
  ISpan,
  ITimeSeries,
  Logs,
  Metrics,
  Traces,
} from '../../pdata/proto.js';
import type { Piece, Shape } from './split.js';

// ---- traces ------------------------------------------------------------------

interface SpanLeaf {
  r: IResourceSpans;
  s: IScopeSpans;
  x: ISpan;
}

export const tracesShape: Shape<Traces, SpanLeaf> = {
  leaves(t) {
    const out: SpanLeaf[] = [];
    for (const r of t.resourceSpans ?? []) for (const s of r.scopeSpans ?? []) for (const x of s.spans ?? []) out.push({ r, s, x });
    return out;
  },
  build(leaves) {
    const resourceSpans: IResourceSpans[] = [];
    let r: IResourceSpans | undefined;
    let s: IScopeSpans | undefined;
    let rOut: IResourceSpans = {};
    let sOut: IScopeSpans = {};
    for (const l of leaves) {
      if (l.r !== r) {
        r = l.r;
        s = undefined;
        rOut = { ...l.r, scopeSpans: [] };
        resourceSpans.push(rOut);
      }
      if (l.s !== s) {
        s = l.s;
        sOut = { ...l.s, spans: [] };
        rOut.scopeSpans!.push(sOut);
      }
      sOut.spans!.push(l.x);
    }
    return { resourceSpans };
  },
  items: (leaves) => leaves.length,
};

export function hex(b: Uint8Array | null | undefined): string {
  return b && b.length > 0 ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex') : '';
}

/** One piece per trace, keyed by the trace ID in hex (as the collector keys them). */
export function tracesByTraceId(t: Traces): Piece<Traces>[] {
  const groups = new Map<string, SpanLeaf[]>();
  for (const l of tracesShape.leaves(t)) {
    const id = hex(l.x.traceId);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = []));
    g.push(l);
  }
  const out: Piece<Traces>[] = [];
  for (const [id, ls] of groups) out.push({ key: id === '' ? undefined : id, data: tracesShape.build(ls) });
  return out;
}

// ---- logs --------------------------------------------------------------------

interface LogLeaf {
  r: IResourceLogs;
  s: IScopeLogs;
  x: ILogRecord;
}

export const logsShape: Shape<Logs, LogLeaf> = {
  leaves(l) {
    const out: LogLeaf[] = [];
    for (const r of l.resourceLogs ?? []) for (const s of r.scopeLogs ?? []) for (const x of s.logRecords ?? []) out.push({ r, s, x });
    return out;
  },
  build(leaves) {
    const resourceLogs: IResourceLogs[] = [];
    let r: IResourceLogs | undefined;
    let s: IScopeLogs | undefined;
    let rOut: IResourceLogs = {};
    let sOut: IScopeLogs = {};
    for (const l of leaves) {
      if (l.r !== r) {
        r = l.r;
        s = undefined;
        rOut = { ...l.r, scopeLogs: [] };
        resourceLogs.push(rOut);
      }
      if (l.s !== s) {
        s = l.s;
        sOut = { ...l.s, logRecords: [] };
        rOut.scopeLogs!.push(sOut);
      }
      sOut.logRecords!.push(l.x);
    }
    return { resourceLogs };
  },
  items: (leaves) => leaves.length,
};

// ---- OTLP metrics ------------------------------------------------------------

const METRIC_DATA = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;
type MetricDataKey = (typeof METRIC_DATA)[number];

function dataKey(m: IMetric): MetricDataKey | undefined {
  for (const k of METRIC_DATA) if (m[k]) return k;
  return undefined;
}

interface PointLeaf {
  r: IResourceMetrics;
  s: IScopeMetrics;
  m: IMetric;
  /** A data point, or undefined for a metric that has none (it still travels). */
  p: unknown;
}

export const metricsShape: Shape<Metrics, PointLeaf> = {
  leaves(md) {
    const out: PointLeaf[] = [];
    for (const r of md.resourceMetrics ?? []) {
      for (const s of r.scopeMetrics ?? []) {
        for (const m of s.metrics ?? []) {
          const k = dataKey(m);
          const pts = (k ? (m[k] as { dataPoints?: unknown[] | null }).dataPoints : undefined) ?? [];
          if (pts.length === 0) out.push({ r, s, m, p: undefined });
          else for (const p of pts) out.push({ r, s, m, p });
        }
      }
    }
    return out;
  },
  build(leaves) {
    const resourceMetrics: IResourceMetrics[] = [];
    let r: IResourceMetrics | undefined;
    let s: IScopeMetrics | undefined;
    let m: IMetric | undefined;
    let rOut: IResourceMetrics = {};
    let sOut: IScopeMetrics = {};
    let points: unknown[] = [];
    for (const l of leaves) {
      if (l.r !== r) {
        r = l.r;
        s = undefined;
        rOut = { ...l.r, scopeMetrics: [] };
        resourceMetrics.push(rOut);
      }
      if (l.s !== s) {
        s = l.s;
        m = undefined;
        sOut = { ...l.s, metrics: [] };
        rOut.scopeMetrics!.push(sOut);
      }
      if (l.m !== m) {
        m = l.m;
        const k = dataKey(l.m);
        if (k) {
          points = [];
          sOut.metrics!.push({ ...l.m, [k]: { ...(l.m[k] as object), dataPoints: points } });
        } else sOut.metrics!.push(l.m);
      }
      if (l.p !== undefined) points.push(l.p);
    }
    return { resourceMetrics };
  },
  items: (leaves) => {
    let n = 0;
    for (const l of leaves) if (l.p !== undefined) n++;
    return n;
  },
};

// ---- remote-write series -----------------------------------------------------

/** A series, or the request's metadata (which travels as one leaf, in the first part). */
interface PromLeaf {
  ts?: ITimeSeries;
  md?: IMetricMetadata[];
}

export const promShape: Shape<PromMetrics, PromLeaf> = {
  leaves(pm) {
    const out: PromLeaf[] = [];
    if (pm.request.metadata?.length) out.push({ md: pm.request.metadata });
    for (const ts of pm.request.timeseries ?? []) out.push({ ts });
    return out;
  },
  build(leaves) {
    const timeseries: ITimeSeries[] = [];
    let metadata: IMetricMetadata[] | undefined;
    for (const l of leaves) {
      if (l.ts) timeseries.push(l.ts);
      else if (l.md) metadata = l.md;
    }
    return { format: 'prw', request: metadata ? { timeseries, metadata } : { timeseries } };
  },
  items(leaves) {
    let n = 0;
    for (const l of leaves) if (l.ts) n += (l.ts.samples?.length ?? 0) + (l.ts.histograms?.length ?? 0);
    return n;
  },
};
