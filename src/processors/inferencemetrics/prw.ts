// inferencemetrics on the remote-write shape: one Map lookup per series
// name; mapped series are renamed in place (rename) or copied (alias).
import type { ILabel, IMetricMetadata, ITimeSeries, PromWrite } from '../../pdata/proto.js';
import { isStaleNaN } from '../../prw/codec.js';
import type { InferenceMetricsConfig } from './config.js';
import { LABEL_RENAMES, type NameMapping } from './schema.js';

const FB_PARTS = ['DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_FB_FREE', 'DCGM_FI_DEV_FB_RESERVED'] as const;

export function normalizeWrite(w: PromWrite, names: ReadonlyMap<string, NameMapping>, cfg: InferenceMetricsConfig): number {
  const series = w.timeseries ?? [];
  const alias = cfg.mode === 'alias';
  const added: ITimeSeries[] = [];
  let fb: Map<string, { labels: ILabel[]; ts: number; sum: number; parts: number; hasTotal: boolean }> | undefined;
  let mapped = 0;
  for (let i = 0; i < series.length; i++) {
    const s = series[i]!;
    const labels = s.labels ?? [];
    const nameLabel = labels.find((l) => l.name === '__name__');
    const name = nameLabel?.value ?? '';
    const m = names.get(name);
    if (m) {
      mapped++;
      if (alias) added.push(canonicalSeries(s, labels, m, true));
      else {
        const c = canonicalSeries(s, labels, m, false);
        s.labels = c.labels;
        s.samples = c.samples;
      }
      continue;
    }
    if (name.startsWith('DCGM_FI_')) {
      if (cfg.dcgm.unify_hostname) unifyHostname(s, alias);
      if (cfg.dcgm.derive_fb_total && (name.startsWith('DCGM_FI_DEV_FB_'))) {
        fb ??= new Map();
        const rest = (s.labels ?? []).filter((l) => l.name !== '__name__');
        const ts = Number(s.samples?.[0]?.timestamp ?? 0);
        const value = s.samples?.[0]?.value ?? NaN;
        const key = `${ts}\xff${rest.map((l) => `${l.name}\xfe${l.value}`).join('\xff')}`;
        let e = fb.get(key);
        if (!e) fb.set(key, (e = { labels: rest, ts, sum: 0, parts: 0, hasTotal: false }));
        if (name === 'DCGM_FI_DEV_FB_TOTAL') e.hasTotal = true;
        else if ((FB_PARTS as readonly string[]).includes(name) && s.samples?.length === 1 && !Number.isNaN(value)) {
          e.sum += value;
          if (name !== 'DCGM_FI_DEV_FB_RESERVED') e.parts++;
        }
      }
    }
  }
  if (fb) {
    for (const e of fb.values()) {
      if (e.hasTotal || e.parts < 2) continue;
      added.push({ labels: sortLabels([{ name: '__name__', value: 'DCGM_FI_DEV_FB_TOTAL' }, ...e.labels.map((l) => ({ name: l.name, value: l.value }))]), samples: [{ value: e.sum, timestamp: e.ts }] });
    }
  }
  if (added.length > 0) w.timeseries = series.concat(added);
  if (w.metadata?.length) w.metadata = normalizeMetadata(w.metadata, names, alias);
  return mapped;
}

function canonicalSeries(s: ITimeSeries, labels: readonly ILabel[], m: NameMapping, copy: boolean): ITimeSeries {
  const renames = LABEL_RENAMES[m.engine];
  const out: ILabel[] = [];
  for (const l of labels) {
    if (l.name === '__name__') out.push({ name: '__name__', value: m.canonical });
    else out.push({ name: renames[l.name!] ?? l.name, value: l.value });
  }
  out.push({ name: 'engine', value: m.engine });
  const samples =
    m.scale === 1 && !copy
      ? (s.samples ?? [])
      : (s.samples ?? []).map((x) => ({ value: m.scale === 1 || isStaleNaN(x.value ?? 0) ? x.value : (x.value ?? 0) * m.scale, timestamp: x.timestamp }));
  const res: ITimeSeries = { labels: sortLabels(out), samples };
  if (s.histograms?.length) res.histograms = s.histograms;
  if (s.exemplars?.length) res.exemplars = s.exemplars;
  return res;
}

function unifyHostname(s: ITimeSeries, alias: boolean): void {
  const labels = s.labels ?? [];
  const h = labels.find((l) => l.name === 'Hostname');
  if (!h || labels.some((l) => l.name === 'hostname')) return;
  if (alias) s.labels = sortLabels([...labels, { name: 'hostname', value: h.value }]);
  else {
    h.name = 'hostname';
    s.labels = sortLabels(labels);
  }
}

function normalizeMetadata(md: IMetricMetadata[], names: ReadonlyMap<string, NameMapping>, alias: boolean): IMetricMetadata[] {
  const out: IMetricMetadata[] = alias ? [...md] : [];
  for (const x of md) {
    const m = names.get(x.metricFamilyName ?? '');
    if (!m) {
      if (!alias) out.push(x);
      continue;
    }
    out.push({ ...x, metricFamilyName: m.canonical });
  }
  return out;
}

function sortLabels(labels: ILabel[]): ILabel[] {
  return labels.sort((a, b) => (a.name! < b.name! ? -1 : a.name! > b.name! ? 1 : 0));
}
