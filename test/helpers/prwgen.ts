import type { IBucketSpan, ILabel, IMetricMetadata, IPromExemplar, IPromHistogram, ISample, ITimeSeries, PromWrite } from '../../src/pdata/proto.js';
import { Long, WriteRequest } from '../../src/pdata/proto.js';
import { STALE_NAN } from '../../src/prw/codec.js';

/**
 * Generated remote-write requests for property tests: random label sets
 * (sorted, valid, non-ASCII values), samples including special values and NaN
 * payloads (the stale marker among them), exemplars, integer and float native
 * histograms (custom buckets too) and metadata. Deterministic per seed.
 */

/** mulberry32: small, fast, seedable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const dv = new DataView(new ArrayBuffer(8));
export function fromBits(bits: bigint): number {
  dv.setBigUint64(0, bits);
  return dv.getFloat64(0);
}

/** NaNs with payloads other than the default one; scalar fields keep them exactly. */
export const NAN_PAYLOADS = [STALE_NAN, fromBits(0x7ff8000000000001n), fromBits(0xfff8000000000abcn), fromBits(0x7ff0000000000abcn)];

export class Gen {
  readonly r: () => number;
  constructor(seed: number) {
    this.r = rng(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }

  name(first: string, rest: string, min = 1, max = 12): string {
    let s = this.pick([...first]);
    const n = this.int(min - 1, max - 1);
    for (let i = 0; i < n; i++) s += this.pick([...rest]);
    return s;
  }
  metricName(): string {
    return this.name('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_:', 'abcdefghijklmnopqrstuvwxyz0123456789_:');
  }
  labelName(): string {
    for (;;) {
      const n = this.name('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_', 'abcdefghijklmnopqrstuvwxyz0123456789_');
      if (!n.startsWith('__')) return n;
    }
  }
  labelValue(): string {
    const alphabet = ['a', 'b', 'Z', '0', '9', ' ', '"', '\\', '/', '-', '.', 'é', 'ü', '日', '本', '😀', '\n', '{', '}', '='];
    let s = '';
    const n = this.int(1, 16);
    for (let i = 0; i < n; i++) s += this.pick(alphabet);
    return s;
  }
  labels(extra = this.int(0, 5)): ILabel[] {
    const names = new Set<string>();
    while (names.size < extra) names.add(this.labelName());
    const out: ILabel[] = [{ name: '__name__', value: this.metricName() }];
    for (const n of names) out.push({ name: n, value: this.labelValue() });
    return out.sort((a, b) => (a.name! < b.name! ? -1 : a.name! > b.name! ? 1 : 0));
  }
  value(): number {
    const k = this.int(0, 9);
    if (k === 0) return this.pick(NAN_PAYLOADS);
    if (k === 1) return this.pick([NaN, Infinity, -Infinity, -0, 0, Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE]);
    if (k === 2) return this.int(-1000, 1000);
    return (this.r() - 0.5) * 10 ** this.int(-10, 15);
  }
  /** Timestamps as numbers, or Long beyond 2^53 now and then. */
  timestamps(n: number, start = this.int(0, 2 ** 40)): Array<number | Long> {
    const out: Array<number | Long> = [];
    let t = start;
    for (let i = 0; i < n; i++) {
      t += this.int(1, 60_000);
      out.push(t);
    }
    if (this.chance(0.05) && n > 0) out[n - 1] = Long.fromString('9007199254740993');
    return out;
  }
  samples(n = this.int(0, 6)): ISample[] {
    return this.timestamps(n).map((t) => ({ value: this.value(), timestamp: t }));
  }
  exemplars(n = this.int(0, 2)): IPromExemplar[] {
    return this.timestamps(n).map((t) => ({
      labels: this.chance(0.8) ? [{ name: 'span_id', value: this.hex(16) }, { name: 'trace_id', value: this.hex(32) }] : [],
      value: this.value(),
      timestamp: t,
    }));
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += this.pick([...'0123456789abcdef']);
    return s;
  }
  spans(): { spans: IBucketSpan[]; buckets: number } {
    const spans: IBucketSpan[] = [];
    let buckets = 0;
    const n = this.int(0, 3);
    for (let i = 0; i < n; i++) {
      const length = this.int(0, 4);
      spans.push({ offset: this.int(i === 0 ? -10 : 0, 10), length });
      buckets += length;
    }
    return { spans, buckets };
  }
  /** Doubles for bucket arrays: the default NaN only (V8 arrays canonicalize NaN payloads; see src/prw/codec.ts). */
  arrayDouble(): number {
    return this.chance(0.05) ? NaN : this.chance(0.5) ? this.int(0, 1000) : this.r() * 1000;
  }
  histogram(t: number | Long): IPromHistogram {
    const custom = this.chance(0.15);
    const float = custom || this.chance(0.5);
    const h: IPromHistogram = {
      sum: this.value(),
      schema: custom ? -53 : this.int(-4, 8),
      zeroThreshold: this.chance(0.5) ? 1e-128 : 0,
      resetHint: this.int(0, 3),
      timestamp: t,
    };
    const pos = this.spans();
    h.positiveSpans = pos.spans;
    if (!custom) {
      const neg = this.spans();
      h.negativeSpans = neg.spans;
      if (float) h.negativeCounts = Array.from({ length: neg.buckets }, () => this.arrayDouble());
      else h.negativeDeltas = Array.from({ length: neg.buckets }, () => this.int(-50, 50));
    }
    if (float) {
      h.countFloat = this.chance(0.1) ? this.pick(NAN_PAYLOADS) : this.r() * 1e6;
      h.zeroCountFloat = this.r() * 10;
      h.positiveCounts = Array.from({ length: pos.buckets }, () => this.arrayDouble());
      if (custom) h.customValues = Array.from({ length: pos.buckets }, (_, i) => i * 0.5 + 0.1);
    } else {
      h.countInt = this.chance(0.05) ? Long.fromString('18446744073709551615', true) : this.int(0, 1e6);
      h.zeroCountInt = this.int(0, 100);
      h.positiveDeltas = Array.from({ length: pos.buckets }, () => (this.chance(0.05) ? Long.fromString('-4611686018427387904') : this.int(-50, 50)));
    }
    return h;
  }
  series(labels = this.labels()): ITimeSeries {
    const ts: ITimeSeries = { labels };
    const kind = this.int(0, 3);
    if (kind !== 3) ts.samples = this.samples(this.int(1, 6));
    if (kind === 3 || (kind === 2 && this.chance(0.3))) ts.histograms = this.timestamps(this.int(1, 3)).map((t) => this.histogram(t));
    if (this.chance(0.4)) ts.exemplars = this.exemplars(this.int(1, 2));
    return ts;
  }
  metadata(): IMetricMetadata {
    return {
      type: this.int(0, 7),
      metricFamilyName: this.metricName(),
      help: this.chance(0.8) ? this.labelValue() : '',
      unit: this.chance(0.5) ? this.pick(['seconds', 'bytes', 'ratio', '']) : '',
    };
  }
  /** A request whose series all have distinct label sets. */
  request(maxSeries = 12): PromWrite {
    const seen = new Set<string>();
    const timeseries: ITimeSeries[] = [];
    const n = this.int(0, maxSeries);
    while (timeseries.length < n) {
      const ts = this.series();
      const key = JSON.stringify(ts.labels);
      if (seen.has(key)) continue;
      seen.add(key);
      timeseries.push(ts);
    }
    const req: PromWrite = { timeseries };
    if (this.chance(0.5)) req.metadata = Array.from({ length: this.int(1, 3) }, () => this.metadata());
    return req;
  }
}

/** Canonical bytes of one series (for comparing series that went through different hops). */
export function seriesBytes(ts: ITimeSeries): string {
  return Buffer.from(WriteRequest.encode({ timeseries: [ts] }).finish()).toString('hex');
}

/** Series of several requests merged by label set, in arrival order (shards may split a series' points across requests). */
export function mergeBySeries(reqs: readonly PromWrite[]): Map<string, ITimeSeries> {
  const out = new Map<string, ITimeSeries>();
  for (const r of reqs) {
    for (const ts of r.timeseries ?? []) {
      const key = JSON.stringify((ts.labels ?? []).map((l) => [l.name, l.value]));
      let m = out.get(key);
      if (!m) out.set(key, (m = { labels: ts.labels ?? [], samples: [], exemplars: [], histograms: [] }));
      m.samples!.push(...(ts.samples ?? []));
      m.exemplars!.push(...(ts.exemplars ?? []));
      m.histograms!.push(...(ts.histograms ?? []));
    }
  }
  return out;
}
