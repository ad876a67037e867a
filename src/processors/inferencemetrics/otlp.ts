// inferencemetrics on OTLP metrics (as a collector's prometheus receiver
// produces them: metric names are Prometheus family names, labels are data
// point attributes).
import { cloneData } from '../../pdata/clone.js';
import type { IKeyValue, Metrics } from '../../pdata/proto.js';
import type { InferenceMetricsConfig } from './config.js';
import { LABEL_RENAMES, type NameMapping } from './schema.js';

type AnyPoint = { attributes?: IKeyValue[] | null; asDouble?: number | null; asInt?: unknown; sum?: number | null; timeUnixNano?: unknown };
type AnyMetric = {
  name?: string | null;
  gauge?: { dataPoints?: AnyPoint[] | null } | null;
  sum?: { dataPoints?: AnyPoint[] | null } | null;
  histogram?: { dataPoints?: AnyPoint[] | null } | null;
  summary?: { dataPoints?: AnyPoint[] | null } | null;
  exponentialHistogram?: { dataPoints?: AnyPoint[] | null } | null;
};

function points(m: AnyMetric): AnyPoint[] {
  return (m.gauge?.dataPoints ?? m.sum?.dataPoints ?? m.histogram?.dataPoints ?? m.summary?.dataPoints ?? m.exponentialHistogram?.dataPoints ?? []) as AnyPoint[];
}

const str = (key: string, v: string): IKeyValue => ({ key, value: { stringValue: v } });

export function normalizeOtlp(md: Metrics, names: ReadonlyMap<string, NameMapping>, cfg: InferenceMetricsConfig): number {
  const alias = cfg.mode === 'alias';
  let mapped = 0;
  for (const rm of md.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      const metrics = (sm.metrics ?? []) as AnyMetric[];
      const added: AnyMetric[] = [];
      for (const m of metrics) {
        const mp = names.get(m.name ?? '');
        if (mp) {
          mapped++;
          const target = alias ? copyMetric(m) : m;
          canonicalize(target, mp);
          if (alias) added.push(target);
          continue;
        }
        const name = m.name ?? '';
        if (name.startsWith('DCGM_FI_') && cfg.dcgm.unify_hostname) {
          for (const p of points(m)) unifyHostname(p, alias);
        }
      }
      if (cfg.dcgm.derive_fb_total) {
        const total = fbTotal(metrics);
        if (total) added.push(total);
      }
      if (added.length > 0) sm.metrics = [...metrics, ...added] as typeof sm.metrics;
    }
  }
  return mapped;
}

function copyMetric(m: AnyMetric): AnyMetric {
  const req = { resourceMetrics: [{ scopeMetrics: [{ metrics: [m] }] }] } as Metrics;
  return (cloneData('metrics', req) as Metrics).resourceMetrics![0]!.scopeMetrics![0]!.metrics![0] as AnyMetric;
}

function canonicalize(m: AnyMetric, mp: NameMapping): void {
  m.name = mp.canonical;
  const renames = LABEL_RENAMES[mp.engine];
  for (const p of points(m)) {
    const attrs = (p.attributes ?? []).map((a) => (renames[a.key ?? ''] ? { ...a, key: renames[a.key!] } : a));
    attrs.push(str('engine', mp.engine));
    p.attributes = attrs;
    if (mp.scale !== 1) {
      if (typeof p.asDouble === 'number') p.asDouble *= mp.scale;
      else if (p.asInt !== undefined && p.asInt !== null) {
        p.asDouble = Number(p.asInt) * mp.scale;
        delete p.asInt;
      }
      if (typeof p.sum === 'number') p.sum *= mp.scale;
    }
  }
}

function unifyHostname(p: AnyPoint, alias: boolean): void {
  const attrs = p.attributes ?? [];
  const h = attrs.find((a) => a.key === 'Hostname');
  if (!h || attrs.some((a) => a.key === 'hostname')) return;
  if (alias) p.attributes = [...attrs, { key: 'hostname', value: h.value }];
  else h.key = 'hostname';
}

/** DCGM_FI_DEV_FB_TOTAL gauge from USED + FREE (+ RESERVED) points of one GPU at one time, when the scope has none. */
function fbTotal(metrics: AnyMetric[]): AnyMetric | undefined {
  if (metrics.some((m) => m.name === 'DCGM_FI_DEV_FB_TOTAL')) return undefined;
  const parts = metrics.filter((m) => m.name === 'DCGM_FI_DEV_FB_USED' || m.name === 'DCGM_FI_DEV_FB_FREE' || m.name === 'DCGM_FI_DEV_FB_RESERVED');
  if (!parts.some((m) => m.name === 'DCGM_FI_DEV_FB_USED') || !parts.some((m) => m.name === 'DCGM_FI_DEV_FB_FREE')) return undefined;
  const acc = new Map<string, { p: AnyPoint; sum: number; n: number }>();
  for (const m of parts) {
    for (const p of points(m)) {
      const key = `${String(p.timeUnixNano)}\xff${(p.attributes ?? []).map((a) => `${a.key}=${a.value?.stringValue ?? ''}`).sort().join('\xff')}`;
      const v = typeof p.asDouble === 'number' ? p.asDouble : Number(p.asInt ?? 0);
      let e = acc.get(key);
      if (!e) acc.set(key, (e = { p, sum: 0, n: 0 }));
      e.sum += v;
      if (m.name !== 'DCGM_FI_DEV_FB_RESERVED') e.n++;
    }
  }
  const dataPoints = [...acc.values()].filter((e) => e.n >= 2).map((e) => ({ attributes: e.p.attributes, timeUnixNano: e.p.timeUnixNano, asDouble: e.sum }));
  if (dataPoints.length === 0) return undefined;
  return { name: 'DCGM_FI_DEV_FB_TOTAL', gauge: { dataPoints } } as AnyMetric;
}
