// OTLP metrics → Prometheus remote-write series, by the OpenTelemetry
// Prometheus compatibility rules (see index.ts for the summary).
import { ErrorCode } from '../../errors/codes.js';
import type {
  IExponentialHistogramDataPoint,
  IHistogramDataPoint,
  IKeyValue,
  ILabel,
  IMetric,
  IMetricMetadata,
  INumberDataPoint,
  IPromHistogram,
  ISummaryDataPoint,
  ITimeSeries,
  Metrics,
  PromWrite,
} from '../../pdata/proto.js';
import { MetricType } from '../../pdata/proto.js';
import { exemplar } from './exemplars.js';
import { attributesToLabels, labelsKey, resourceLabels, toSortedLabels, withNames, type ResourceLabels } from './labels.js';
import { metricName, promUnit, type MetricShape } from './names.js';
import { expPointFromOtlp, toNativeHistogram, type ExpPoint } from './nativehistogram.js';
import type { PromTranslateOptions, TranslateDrop } from './options.js';
import { FLAG_NO_RECORDED_VALUE, STALE_NAN, formatFloat, nanosToBigInt, nanosToMillis, toNumber } from './values.js';

const CUMULATIVE = 2;
const DELTA = 1;

interface SeriesEntry {
  ts: ITimeSeries;
  lastTs: number;
  unsorted: boolean;
}

/** One translation: collects series, metadata and drop counts. */
class Translation {
  private readonly series = new Map<string, SeriesEntry>();
  private readonly metadata = new Map<string, IMetricMetadata>();
  private readonly drops = new Map<string, number>();
  private readonly promote: ReadonlySet<string>;
  private readonly suffixes: boolean;
  private readonly namespace: string;
  private readonly extra: [string, string][];

  constructor(private readonly opts: PromTranslateOptions) {
    this.promote = new Set(opts.promoteResourceAttributes ?? []);
    this.suffixes = opts.addMetricSuffixes !== false;
    this.namespace = opts.namespace ?? '';
    this.extra = Object.entries(opts.extraLabels ?? {});
  }

  run(md: Metrics): { request: PromWrite; dropped: TranslateDrop[] } {
    for (const rm of md.resourceMetrics ?? []) {
      const res = resourceLabels(rm.resource?.attributes, this.opts.resourceToTelemetryConversion === true, this.promote);
      let newestMs = 0;
      for (const sm of rm.scopeMetrics ?? []) {
        for (const m of sm.metrics ?? []) newestMs = Math.max(newestMs, this.metric(m, res));
      }
      if (res.targetInfo && newestMs > 0 && this.opts.targetInfo !== false) this.targetInfo(res.targetInfo, newestMs);
    }
    const timeseries: ITimeSeries[] = [];
    for (const e of this.series.values()) {
      if (e.unsorted) {
        e.ts.samples?.sort((a, b) => toNumber(a.timestamp) - toNumber(b.timestamp));
        e.ts.histograms?.sort((a, b) => toNumber(a.timestamp) - toNumber(b.timestamp));
      }
      timeseries.push(e.ts);
    }
    const request: PromWrite = { timeseries };
    if (this.opts.metadata !== false) request.metadata = [...this.metadata.values()];
    return { request, dropped: [...this.drops].map(([reason, count]) => ({ reason, count })) };
  }

  private drop(reason: string, n: number): void {
    if (n > 0) this.drops.set(reason, (this.drops.get(reason) ?? 0) + n);
  }

  /** Translates one metric; returns its newest timestamp in ms (for target_info). */
  private metric(m: IMetric, res: ResourceLabels): number {
    if (m.gauge) return this.numbers(m, m.gauge.dataPoints ?? [], 'gauge', CUMULATIVE, res);
    if (m.sum) {
      const shape: MetricShape = m.sum.isMonotonic ? 'counter' : 'updowncounter';
      return this.numbers(m, m.sum.dataPoints ?? [], shape, m.sum.aggregationTemporality ?? 0, res);
    }
    if (m.histogram) {
      const temporality = m.histogram.aggregationTemporality ?? 0;
      return this.family(m, 'histogram', MetricType.HISTOGRAM, m.histogram.dataPoints ?? [], (base, dp) => this.histogram(base, dp, temporality, res));
    }
    if (m.exponentialHistogram) {
      const temporality = m.exponentialHistogram.aggregationTemporality ?? 0;
      const pts = m.exponentialHistogram.dataPoints ?? [];
      return this.family(m, 'exponential_histogram', MetricType.HISTOGRAM, pts, (base, dp) => this.expHistogram(base, dp, temporality, res));
    }
    if (m.summary) {
      return this.family(m, 'summary', MetricType.SUMMARY, m.summary.dataPoints ?? [], (base, dp) => this.summary(base, dp, res));
    }
    return 0; // a metric with no data: nothing to write
  }

  /** One metric family of histogram-like points: name, metadata, then each point; returns the newest timestamp. */
  private family<P>(m: IMetric, shape: MetricShape, type: MetricType, pts: P[], one: (base: string, dp: P) => number): number {
    const name = m.name ?? '';
    if (!this.checkName(name, pts.length)) return 0;
    const base = metricName(name, m.unit ?? '', shape, this.namespace, this.suffixes);
    this.meta(base, type, m);
    let newest = 0;
    for (const dp of pts) newest = Math.max(newest, one(base, dp));
    return newest;
  }

  private checkName(name: string, points: number): boolean {
    if (name !== '') return true;
    this.drop(ErrorCode.INVALID_DATA, points);
    return false;
  }

  private meta(family: string, type: MetricType, m: IMetric): void {
    if (this.opts.metadata === false || this.metadata.has(family)) return;
    this.metadata.set(family, { type, metricFamilyName: family, help: m.description ?? '', unit: promUnit(m.unit ?? '') });
  }

  /** Labels of one point: its attributes, then the resource's, then the fixed ones. */
  private labelMap(attrs: readonly IKeyValue[] | null | undefined, res: ResourceLabels): ILabel[] {
    const l = new Map<string, string>();
    for (const [k, v] of res.promoted) l.set(k, v);
    attributesToLabels(attrs, l);
    for (const [k, v] of res.identity) l.set(k, v);
    for (const [k, v] of this.extra) if (!l.has(k)) l.set(k, v);
    return toSortedLabels(l);
  }

  private entry(labels: ILabel[], kind: 'f' | 'h'): SeriesEntry {
    const key = kind + labelsKey(labels);
    let e = this.series.get(key);
    if (!e) {
      e = { ts: { labels, samples: [], exemplars: [], histograms: [] }, lastTs: -Infinity, unsorted: false };
      this.series.set(key, e);
    }
    return e;
  }

  /** Adds a sample to the series `base` + `__name__` (+ `le`/`quantile`); `base` is sorted and stays untouched. */
  private sample(base: readonly ILabel[], name: string, extra: [string, string] | null, value: number, ms: number): SeriesEntry {
    const e = this.entry(withNames(base, name, extra), 'f');
    e.ts.samples!.push({ value, timestamp: ms });
    if (ms < e.lastTs) e.unsorted = true;
    e.lastTs = ms;
    return e;
  }

  private numbers(m: IMetric, pts: readonly INumberDataPoint[], shape: MetricShape, temporality: number, res: ResourceLabels): number {
    if (!this.checkName(m.name ?? '', pts.length)) return 0;
    const monotonicSum = shape === 'counter';
    if (shape !== 'gauge' && temporality !== CUMULATIVE && temporality !== DELTA) {
      this.drop(ErrorCode.INVALID_DATA, pts.length);
      return 0;
    }
    if (temporality === DELTA && !this.opts.delta) {
      this.drop(ErrorCode.DELTA_TEMPORALITY, pts.length);
      return 0;
    }
    const name = metricName(m.name!, m.unit ?? '', shape, this.namespace, this.suffixes);
    this.meta(name, monotonicSum ? MetricType.COUNTER : MetricType.GAUGE, m);
    let newest = 0;
    for (const dp of pts) {
      const ms = nanosToMillis(dp.timeUnixNano);
      const stale = ((dp.flags ?? 0) & FLAG_NO_RECORDED_VALUE) !== 0;
      let value = dp.asInt != null ? toNumber(dp.asInt) : (dp.asDouble ?? 0);
      const labels = this.labelMap(dp.attributes, res);
      if (temporality === DELTA && !stale) {
        const acc = this.opts.delta!.addSum(name + labelsKey(labels), nanosToBigInt(dp.startTimeUnixNano), nanosToBigInt(dp.timeUnixNano), value);
        if (!acc.ok) {
          this.drop(acc.reason, 1);
          continue;
        }
        value = acc.value;
      }
      const e = this.sample(labels, name, null, stale ? STALE_NAN : value, ms);
      if (dp.exemplars?.length) for (const ex of dp.exemplars) e.ts.exemplars!.push(exemplar(ex));
      newest = Math.max(newest, ms);
    }
    return newest;
  }

  private histogram(base: string, dp: IHistogramDataPoint, temporality: number, res: ResourceLabels): number {
    if (temporality !== CUMULATIVE && temporality !== DELTA) {
      this.drop(ErrorCode.INVALID_DATA, 1);
      return 0;
    }
    if (temporality === DELTA && !this.opts.delta) {
      this.drop(ErrorCode.DELTA_TEMPORALITY, 1);
      return 0;
    }
    const ms = nanosToMillis(dp.timeUnixNano);
    const stale = ((dp.flags ?? 0) & FLAG_NO_RECORDED_VALUE) !== 0;
    const labels = this.labelMap(dp.attributes, res);
    let bounds = dp.explicitBounds ?? [];
    let counts = (dp.bucketCounts ?? []).map(toNumber);
    let count = toNumber(dp.count);
    let sum: number | null = dp.sum ?? null;
    if (temporality === DELTA && !stale) {
      const acc = this.opts.delta!.addHistogram(base + labelsKey(labels), nanosToBigInt(dp.startTimeUnixNano), nanosToBigInt(dp.timeUnixNano), {
        bounds: [...bounds],
        counts,
        count,
        sum,
      });
      if (!acc.ok) {
        this.drop(acc.reason, 1);
        return 0;
      }
      ({ bounds, counts, count, sum } = acc.value);
    }
    const v = (x: number) => (stale ? STALE_NAN : x);
    if (sum !== null) this.sample(labels, `${base}_sum`, null, v(sum), ms);
    this.sample(labels, `${base}_count`, null, v(count), ms);
    const buckets: { bound: number; e: SeriesEntry }[] = [];
    let cum = 0;
    const n = Math.min(bounds.length, counts.length);
    for (let i = 0; i < n; i++) {
      cum += counts[i]!;
      buckets.push({ bound: bounds[i]!, e: this.sample(labels, `${base}_bucket`, ['le', formatFloat(bounds[i]!)], v(cum), ms) });
    }
    buckets.push({ bound: Infinity, e: this.sample(labels, `${base}_bucket`, ['le', '+Inf'], v(count), ms) });
    // An exemplar goes to the first bucket whose bound holds its value.
    for (const ex of dp.exemplars ?? []) {
      const pe = exemplar(ex);
      const b = buckets.find((x) => pe.value! <= x.bound) ?? buckets[buckets.length - 1]!;
      b.e.ts.exemplars!.push(pe);
    }
    return ms;
  }

  private expHistogram(base: string, dp: IExponentialHistogramDataPoint, temporality: number, res: ResourceLabels): number {
    if (temporality !== CUMULATIVE && temporality !== DELTA) {
      this.drop(ErrorCode.INVALID_DATA, 1);
      return 0;
    }
    if (temporality === DELTA && !this.opts.delta) {
      this.drop(ErrorCode.DELTA_TEMPORALITY, 1);
      return 0;
    }
    const ms = nanosToMillis(dp.timeUnixNano);
    const stale = ((dp.flags ?? 0) & FLAG_NO_RECORDED_VALUE) !== 0;
    const sorted = withNames(this.labelMap(dp.attributes, res), base, null);
    let p: ExpPoint = expPointFromOtlp(dp);
    if (p.scale < -4) {
      this.drop(ErrorCode.INVALID_DATA, 1);
      return 0;
    }
    if (temporality === DELTA && !stale) {
      const acc = this.opts.delta!.addExpHistogram(labelsKey(sorted), nanosToBigInt(dp.startTimeUnixNano), nanosToBigInt(dp.timeUnixNano), p);
      if (!acc.ok) {
        this.drop(acc.reason, 1);
        return 0;
      }
      p = acc.value;
    }
    const h: IPromHistogram = toNativeHistogram(p, ms, stale, STALE_NAN)!;
    const e = this.entry(sorted, 'h');
    e.ts.histograms!.push(h);
    if (ms < e.lastTs) e.unsorted = true;
    e.lastTs = ms;
    for (const ex of dp.exemplars ?? []) e.ts.exemplars!.push(exemplar(ex));
    return ms;
  }

  private summary(base: string, dp: ISummaryDataPoint, res: ResourceLabels): number {
    const ms = nanosToMillis(dp.timeUnixNano);
    const stale = ((dp.flags ?? 0) & FLAG_NO_RECORDED_VALUE) !== 0;
    const labels = this.labelMap(dp.attributes, res);
    const v = (x: number) => (stale ? STALE_NAN : x);
    this.sample(labels, `${base}_sum`, null, v(dp.sum ?? 0), ms);
    this.sample(labels, `${base}_count`, null, v(toNumber(dp.count)), ms);
    for (const q of dp.quantileValues ?? []) this.sample(labels, base, ['quantile', formatFloat(q.quantile ?? 0)], v(q.value ?? 0), ms);
    return ms;
  }

  private targetInfo(attrs: Map<string, string>, ms: number): void {
    const name = this.namespace ? `${this.namespace}_target_info` : 'target_info';
    const l = new Map(attrs);
    for (const [k, v] of this.extra) if (!l.has(k)) l.set(k, v);
    const labels = toSortedLabels(l);
    if (this.opts.metadata !== false && !this.metadata.has(name)) {
      this.metadata.set(name, { type: MetricType.GAUGE, metricFamilyName: name, help: 'Target metadata', unit: '' });
    }
    const e = this.sample(labels, name, null, 1, ms);
    // Several resources with the same identity share one target_info series: keep one sample per timestamp.
    const s = e.ts.samples!;
    if (s.length > 1 && toNumber(s[s.length - 2]!.timestamp) === ms) s.pop();
  }
}

export function translate(md: Metrics, opts: PromTranslateOptions): { request: PromWrite; dropped: TranslateDrop[] } {
  return new Translation(opts).run(md);
}
