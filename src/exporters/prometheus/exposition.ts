// Prometheus text exposition (0.0.4) and OpenMetrics 1.0 text, rendered from
// the series store.
//
// Why not prom-client's registry: it owns its metrics (declared up front with
// fixed label names, values set through its API) and cannot hold arbitrary
// external series with their own timestamps, exemplars and native histograms,
// nor forget them when they expire; rendering the two text formats directly
// is small and keeps the store the single source of truth.
import type { ILabel, IPromExemplar } from '../../pdata/proto.js';
import { MetricType } from '../../pdata/proto.js';
import { nativeToClassicBuckets } from '../../translator/prometheus/index.js';
import type { Family, StoredSeries } from './store.js';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

type Kind = 'counter' | 'gauge' | 'histogram' | 'summary' | 'unknown';

interface Line {
  name: string;
  labels: readonly ILabel[];
  extra?: [string, string];
  value: number;
  ts: number;
  exemplar?: IPromExemplar | null;
  order: number; // position inside its group (buckets by le, then count, sum)
}

interface Group {
  key: string;
  lines: Line[];
}

interface Fam {
  name: string;
  kind: Kind;
  help: string;
  unit: string;
  groups: Map<string, Group>;
}

export interface RenderOptions {
  openMetrics: boolean;
  timestamps: boolean;
}

export function render(series: readonly StoredSeries[], families: ReadonlyMap<string, Family>, o: RenderOptions): string {
  const fams = new Map<string, Fam>();
  const fam = (name: string, kind: Kind, meta: Family | undefined): Fam => {
    const key = `${name}\xff${kind}`;
    let f = fams.get(key);
    if (!f) fams.set(key, (f = { name, kind, help: meta?.help ?? '', unit: meta?.unit ?? '', groups: new Map() }));
    return f;
  };
  const add = (f: Fam, labels: readonly ILabel[], line: Line) => {
    const key = labelText(labels);
    let g = f.groups.get(key);
    if (!g) f.groups.set(key, (g = { key, lines: [] }));
    g.lines.push(line);
  };

  for (const s of series) {
    if (s.histogram) {
      const meta = families.get(s.name);
      const f = fam(s.name, 'histogram', meta);
      const h = s.histogram;
      const buckets = nativeToClassicBuckets(h);
      const exAt = s.exemplar ? buckets.findIndex((b) => s.exemplar!.value! <= b.le) : -1;
      buckets.forEach((b, i) =>
        add(f, s.labels, { name: `${s.name}_bucket`, labels: s.labels, extra: ['le', num(b.le)], value: b.count, ts: s.timestampMs, exemplar: i === exAt ? s.exemplar : null, order: i }),
      );
      const count = buckets[buckets.length - 1]!.count;
      add(f, s.labels, { name: `${s.name}_count`, labels: s.labels, value: count, ts: s.timestampMs, order: 1e9 });
      add(f, s.labels, { name: `${s.name}_sum`, labels: s.labels, value: h.sum ?? 0, ts: s.timestampMs, order: 1e9 + 1 });
      continue;
    }
    const v = s.value ?? 0;
    const { family, kind, meta } = classify(s, families);
    if (kind === 'histogram' || kind === 'summary') {
      const le = s.labels.find((l) => l.name === 'le');
      const q = s.labels.find((l) => l.name === 'quantile');
      const base = s.labels.filter((l) => l.name !== 'le' && l.name !== 'quantile');
      const suffix = s.name.slice(family.length);
      const order = suffix === '_count' ? 1e9 : suffix === '_sum' ? 1e9 + 1 : Number(le?.value ?? q?.value ?? 0) || (le?.value === '+Inf' ? 1e300 : 0);
      add(fam(family, kind, meta), base, { name: s.name, labels: base, extra: le ? ['le', le.value!] : q ? ['quantile', q.value!] : undefined, value: v, ts: s.timestampMs, exemplar: s.exemplar, order });
      continue;
    }
    // Counters: OpenMetrics names the family without `_total` and needs the suffix on the sample.
    let name = s.name;
    let k: Kind = kind;
    if (kind === 'counter' && o.openMetrics) {
      if (name.endsWith('_total')) name = name.slice(0, -6);
      else k = 'unknown';
    }
    add(fam(name, k, meta), s.labels, { name: s.name, labels: s.labels, value: v, ts: s.timestampMs, exemplar: kind === 'counter' ? s.exemplar : null, order: 0 });
  }

  const out: string[] = [];
  for (const f of [...fams.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (f.help !== '') out.push(`# HELP ${f.name} ${escapeHelp(f.help, o.openMetrics)}`);
    out.push(`# TYPE ${f.name} ${o.openMetrics || f.kind !== 'unknown' ? f.kind : 'untyped'}`);
    if (o.openMetrics && f.unit !== '' && f.name.endsWith(`_${f.unit}`)) out.push(`# UNIT ${f.name} ${f.unit}`);
    for (const g of [...f.groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
      g.lines.sort((a, b) => a.order - b.order);
      for (const l of g.lines) out.push(line(l, o));
    }
  }
  if (o.openMetrics) out.push('# EOF');
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

const FAMILY_SUFFIXES = ['_bucket', '_count', '_sum'] as const;

function classify(s: StoredSeries, families: ReadonlyMap<string, Family>): { family: string; kind: Kind; meta: Family | undefined } {
  const own = families.get(s.name);
  if (own) {
    const kind = kindOf(own.type);
    if (kind === 'summary') return { family: s.name, kind, meta: own };
    if (kind !== 'histogram') return { family: s.name, kind, meta: own };
  }
  for (const suf of FAMILY_SUFFIXES) {
    if (!s.name.endsWith(suf)) continue;
    const base = s.name.slice(0, -suf.length);
    const m = families.get(base);
    if (!m) continue;
    const kind = kindOf(m.type);
    if (kind === 'histogram' || (kind === 'summary' && suf !== '_bucket')) return { family: base, kind, meta: m };
  }
  if (s.name.endsWith('_total')) {
    const m = families.get(s.name.slice(0, -6));
    if (m && kindOf(m.type) === 'counter') return { family: s.name, kind: 'counter', meta: m };
  }
  return { family: s.name, kind: 'unknown', meta: own };
}

function kindOf(t: number): Kind {
  switch (t) {
    case MetricType.COUNTER:
      return 'counter';
    case MetricType.GAUGE:
      return 'gauge';
    case MetricType.HISTOGRAM:
      return 'histogram';
    case MetricType.SUMMARY:
      return 'summary';
    default:
      return 'unknown';
  }
}

function line(l: Line, o: RenderOptions): string {
  let s = l.name;
  const parts: string[] = [];
  for (const x of l.labels) parts.push(`${x.name}="${escapeValue(x.value ?? '')}"`);
  if (l.extra) parts.push(`${l.extra[0]}="${escapeValue(l.extra[1])}"`);
  if (parts.length) s += `{${parts.join(',')}}`;
  s += ` ${num(l.value)}`;
  if (o.timestamps) s += o.openMetrics ? ` ${(l.ts / 1000).toFixed(3)}` : ` ${Math.trunc(l.ts)}`;
  if (o.openMetrics && l.exemplar) {
    const ex = l.exemplar;
    const el = (ex.labels ?? []).map((x) => `${x.name}="${escapeValue(x.value ?? '')}"`).join(',');
    s += ` # {${el}} ${num(ex.value ?? 0)}`;
    const ets = Number(ex.timestamp ?? 0);
    if (ets) s += ` ${(ets / 1000).toFixed(3)}`;
  }
  return s;
}

function num(v: number): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string, om: boolean): string {
  const s = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return om ? s.replace(/"/g, '\\"') : s;
}

function labelText(labels: readonly ILabel[]): string {
  let k = '';
  for (const l of labels) k += `${l.name}\xff${l.value}\xfe`;
  return k;
}
