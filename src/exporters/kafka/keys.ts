// Partition keys from resource attributes: equal resources (whatever their
// attribute order) get one key, so a resource's data stays on one partition.
import { createHash } from 'node:crypto';
import type { PromMetrics } from '../../component/signal.js';
import type { IAnyValue, IKeyValue, ITimeSeries, Logs, Metrics } from '../../pdata/proto.js';
import { hex } from './shapes.js';
import type { Piece } from './split.js';

function anyValueKey(v: IAnyValue | null | undefined): string {
  if (!v) return '';
  if (v.stringValue != null) return `s${v.stringValue}`;
  if (v.boolValue != null) return `b${v.boolValue}`;
  if (v.intValue != null) return `i${String(v.intValue)}`;
  if (v.doubleValue != null) return `d${v.doubleValue}`;
  if (v.bytesValue != null) return `x${hex(v.bytesValue)}`;
  if (v.arrayValue) return `[${(v.arrayValue.values ?? []).map(anyValueKey).join(',')}]`;
  if (v.kvlistValue) return `{${attrsKey(v.kvlistValue.values ?? [])}}`;
  return '';
}

function attrsKey(attrs: readonly IKeyValue[]): string {
  return attrs
    .map((kv) => `${kv.key ?? ''}=${anyValueKey(kv.value)}`)
    .sort()
    .join('\u0000');
}

function hashKey(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

/** Groups resources with equal attributes; the key is a hash of the sorted attributes. */
function byResource<R extends { resource?: { attributes?: IKeyValue[] | null } | null }, T>(
  resources: readonly R[],
  wrap: (rs: R[]) => T,
): Piece<T>[] {
  const groups = new Map<string, R[]>();
  for (const r of resources) {
    const k = hashKey(attrsKey(r.resource?.attributes ?? []));
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  return [...groups].map(([key, rs]) => ({ key, data: wrap(rs) }));
}

export function metricsByResource(md: Metrics): Piece<Metrics>[] {
  return byResource(md.resourceMetrics ?? [], (resourceMetrics) => ({ resourceMetrics }));
}

export function logsByResource(l: Logs): Piece<Logs>[] {
  return byResource(l.resourceLogs ?? [], (resourceLogs) => ({ resourceLogs }));
}

/** Remote-write series keyed by their job and instance labels: Prometheus' notion of a resource. */
export function promByJobInstance(pm: PromMetrics): Piece<PromMetrics>[] {
  const groups = new Map<string, ITimeSeries[]>();
  for (const ts of pm.request.timeseries ?? []) {
    let job = '';
    let instance = '';
    for (const l of ts.labels ?? []) {
      if (l.name === 'job') job = l.value ?? '';
      else if (l.name === 'instance') instance = l.value ?? '';
    }
    const k = hashKey(`${job}\u0000${instance}`);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(ts);
  }
  const out: Piece<PromMetrics>[] = [];
  let first = true;
  for (const [key, timeseries] of groups) {
    // Metadata rides with the first piece, so it is written once.
    const request = first && pm.request.metadata?.length ? { timeseries, metadata: pm.request.metadata } : { timeseries };
    first = false;
    out.push({ key, data: { format: 'prw', request } });
  }
  return out;
}
