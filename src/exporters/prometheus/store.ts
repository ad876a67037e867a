// The latest value of every series the exporter was handed, for scrapes.
// Series are keyed by their full label set; a stale marker removes a series,
// and one not updated for `metric_expiration` is forgotten.
import type { ILabel, IMetricMetadata, IPromExemplar, IPromHistogram, PromWrite } from '../../pdata/proto.js';
import { isStaleNaN } from '../../translator/prometheus/index.js';

const toMs = (v: unknown): number => (v == null ? 0 : typeof v === 'number' ? v : Number(String(v)));

export interface StoredSeries {
  /** Metric name (the `__name__` label). */
  name: string;
  /** Labels without `__name__`, sorted. */
  labels: ILabel[];
  value: number | null;
  histogram: IPromHistogram | null;
  timestampMs: number;
  exemplar: IPromExemplar | null;
  /** Wall clock of the last update, for expiry. */
  seenAt: number;
}

export interface Family {
  type: number;
  help: string;
  unit: string;
}

export class SeriesStore {
  private readonly series = new Map<string, StoredSeries>();
  readonly families = new Map<string, Family>();

  constructor(
    private readonly expireMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.series.size;
  }

  /** Takes the newest sample (or native histogram) of each series; labels missing from a series are added from `extra`. */
  ingest(req: PromWrite, extra: readonly [string, string][]): void {
    const now = this.now();
    for (const m of req.metadata ?? []) this.meta(m);
    for (const ts of req.timeseries ?? []) {
      let name = '';
      const labels: ILabel[] = [];
      for (const l of ts.labels ?? []) {
        if (l.name === '__name__') name = l.value ?? '';
        else if (l.name) labels.push({ name: l.name, value: l.value ?? '' });
      }
      if (name === '') continue;
      for (const [k, v] of extra) if (!labels.some((l) => l.name === k)) labels.push({ name: k, value: v });
      labels.sort((a, b) => (a.name! < b.name! ? -1 : a.name! > b.name! ? 1 : 0));
      const key = seriesKey(name, labels);

      let value: number | null = null;
      let hist: IPromHistogram | null = null;
      let t = -Infinity;
      for (const s of ts.samples ?? []) {
        const st = toMs(s.timestamp);
        if (st >= t) {
          t = st;
          value = s.value ?? 0;
        }
      }
      for (const h of ts.histograms ?? []) {
        const ht = toMs(h.timestamp);
        if (ht >= t) {
          t = ht;
          hist = h;
          value = null;
        }
      }
      if (t === -Infinity) continue;
      const stale = (value !== null && isStaleNaN(value)) || (hist !== null && isStaleNaN(hist.sum ?? 0));
      const prev = this.series.get(key);
      if (prev && prev.timestampMs > t) continue; // an older sample than the one exposed
      if (stale) {
        this.series.delete(key);
        continue;
      }
      const ex = ts.exemplars?.length ? ts.exemplars[ts.exemplars.length - 1]! : (prev?.exemplar ?? null);
      this.series.set(key, { name, labels, value: hist ? null : value, histogram: hist, timestampMs: t, exemplar: ex, seenAt: now });
    }
  }

  /** Drops series not updated within the expiration; returns what is left. */
  snapshot(): StoredSeries[] {
    const cutoff = this.now() - this.expireMs;
    const out: StoredSeries[] = [];
    for (const [k, s] of this.series) {
      if (s.seenAt < cutoff) this.series.delete(k);
      else out.push(s);
    }
    return out;
  }

  private meta(m: IMetricMetadata): void {
    const name = m.metricFamilyName ?? '';
    if (name === '') return;
    this.families.set(name, { type: m.type ?? 0, help: m.help ?? '', unit: m.unit ?? '' });
  }
}

function seriesKey(name: string, labels: readonly ILabel[]): string {
  let k = name;
  for (const l of labels) k += `\xff${l.name}\xfe${l.value}`;
  return k;
}
