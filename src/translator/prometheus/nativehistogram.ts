// OTLP exponential histograms ↔ Prometheus native histograms.
//
// Both use base 2^(2^-scale) buckets, but index differently: OTLP bucket i
// holds (base^i, base^(i+1)], a native bucket i holds (base^(i-1), base^i], so
// native index = OTLP index + 1. Native histograms stop at schema 8, so finer
// scales are merged down (2^(scale-8) OTLP buckets per native bucket).
// Native buckets are sparse: spans of consecutive buckets, counts delta-encoded
// across all spans; runs of at most two empty buckets stay inside a span (as
// Prometheus's own client does), longer runs start a new span.
import type { IBucketSpan, IExponentialHistogramDataPoint, IPromHistogram } from '../../pdata/proto.js';
import { toNumber } from './values.js';

/** Dense buckets starting at OTLP index `offset`. */
export interface ExpBuckets {
  offset: number;
  counts: number[];
}

/** An exponential histogram point in plain numbers, as the translator and the delta accumulator use it. */
export interface ExpPoint {
  scale: number;
  zeroCount: number;
  zeroThreshold: number;
  positive: ExpBuckets;
  negative: ExpBuckets;
  count: number;
  /** null when the point carries no sum. */
  sum: number | null;
}

export const MIN_SCHEMA = -4;
export const MAX_SCHEMA = 8;
/** Zero threshold when the point names none (what Prometheus itself defaults to). */
export const DEFAULT_ZERO_THRESHOLD = 1e-128;

export function expPointFromOtlp(dp: IExponentialHistogramDataPoint): ExpPoint {
  return {
    scale: dp.scale ?? 0,
    zeroCount: toNumber(dp.zeroCount),
    zeroThreshold: dp.zeroThreshold ?? 0,
    positive: { offset: dp.positive?.offset ?? 0, counts: (dp.positive?.bucketCounts ?? []).map(toNumber) },
    negative: { offset: dp.negative?.offset ?? 0, counts: (dp.negative?.bucketCounts ?? []).map(toNumber) },
    count: toNumber(dp.count),
    sum: dp.sum ?? null,
  };
}

/** Buckets merged down by `by` scale steps (each step halves the resolution). */
export function downscaleBuckets(b: ExpBuckets, by: number): ExpBuckets {
  if (by <= 0 || b.counts.length === 0) return b;
  const first = b.offset >> by; // arithmetic shift floors negative indexes, as the bucket math requires
  const last = (b.offset + b.counts.length - 1) >> by;
  const counts = new Array<number>(last - first + 1).fill(0);
  for (let i = 0; i < b.counts.length; i++) counts[((b.offset + i) >> by) - first]! += b.counts[i]!;
  return { offset: first, counts };
}

/** Sum of two bucket sets at the same scale. */
export function addBuckets(a: ExpBuckets, b: ExpBuckets): ExpBuckets {
  if (a.counts.length === 0) return { offset: b.offset, counts: [...b.counts] };
  if (b.counts.length === 0) return { offset: a.offset, counts: [...a.counts] };
  const first = Math.min(a.offset, b.offset);
  const end = Math.max(a.offset + a.counts.length, b.offset + b.counts.length);
  const counts = new Array<number>(end - first).fill(0);
  for (let i = 0; i < a.counts.length; i++) counts[a.offset - first + i]! += a.counts[i]!;
  for (let i = 0; i < b.counts.length; i++) counts[b.offset - first + i]! += b.counts[i]!;
  return { offset: first, counts };
}

/** Sparse native layout of dense OTLP buckets (already at the target scale). */
export function nativeLayout(b: ExpBuckets): { spans: IBucketSpan[]; deltas: number[] } {
  const spans: IBucketSpan[] = [];
  const deltas: number[] = [];
  let prevCount = 0;
  let lastIdx = 0; // native index of the last bucket written
  for (let i = 0; i < b.counts.length; i++) {
    const c = b.counts[i]!;
    const idx = b.offset + i + 1;
    if (c === 0) continue;
    if (spans.length === 0) {
      spans.push({ offset: idx, length: 0 });
    } else {
      const gap = idx - lastIdx - 1;
      if (gap > 2) {
        spans.push({ offset: gap, length: 0 });
      } else {
        for (let z = 0; z < gap; z++) {
          spans[spans.length - 1]!.length!++;
          deltas.push(-prevCount);
          prevCount = 0;
        }
      }
    }
    spans[spans.length - 1]!.length!++;
    deltas.push(c - prevCount);
    prevCount = c;
    lastIdx = idx;
  }
  return { spans, deltas };
}

/**
 * A native histogram sample for an exponential point. `stale` writes the stale
 * marker (the point had no recorded value). Returns null when the scale is
 * below what native histograms can represent.
 */
export function toNativeHistogram(p: ExpPoint, timestampMs: number, stale: boolean, staleNaN: number): IPromHistogram | null {
  if (p.scale < MIN_SCHEMA) return null;
  const by = p.scale > MAX_SCHEMA ? p.scale - MAX_SCHEMA : 0;
  const pos = nativeLayout(downscaleBuckets(p.positive, by));
  const neg = nativeLayout(downscaleBuckets(p.negative, by));
  const h: IPromHistogram = {
    schema: p.scale - by,
    zeroThreshold: p.zeroThreshold > 0 ? p.zeroThreshold : DEFAULT_ZERO_THRESHOLD,
    zeroCountInt: p.zeroCount,
    positiveSpans: pos.spans,
    positiveDeltas: pos.deltas,
    negativeSpans: neg.spans,
    negativeDeltas: neg.deltas,
    timestamp: timestampMs,
    countInt: p.count,
    sum: p.sum ?? 0,
  };
  if (stale) {
    h.sum = staleNaN;
    h.countInt = 0;
    h.zeroCountInt = 0;
    h.positiveSpans = [];
    h.positiveDeltas = [];
    h.negativeSpans = [];
    h.negativeDeltas = [];
  }
  return h;
}

/** The classic buckets of a native histogram: (upper bound, cumulative count) ascending, ending at +Inf. */
export function nativeToClassicBuckets(h: IPromHistogram): { le: number; count: number }[] {
  const schema = h.schema ?? 0;
  const base = Math.pow(2, Math.pow(2, -schema));
  const bound = (idx: number) => Math.pow(base, idx);
  // Integer histograms carry delta-encoded counts, float histograms absolute ones.
  const expand = (spans: IBucketSpan[] | null | undefined, deltas: readonly unknown[] | null | undefined, absolute: readonly number[] | null | undefined) => {
    const out: { idx: number; count: number }[] = [];
    const useAbs = (absolute?.length ?? 0) > 0;
    let idx = 0;
    let count = 0;
    let d = 0;
    for (const s of spans ?? []) {
      idx += s.offset ?? 0;
      for (let j = 0; j < (s.length ?? 0); j++) {
        if (useAbs) count = absolute![d++] ?? 0;
        else count += toNumber(deltas?.[d++] as number);
        out.push({ idx, count });
        idx++;
      }
    }
    return out;
  };
  const neg = expand(h.negativeSpans, h.negativeDeltas, h.negativeCounts);
  const pos = expand(h.positiveSpans, h.positiveDeltas, h.positiveCounts);
  const result: { le: number; count: number }[] = [];
  let cum = 0;
  // negative buckets: bucket idx holds [-base^idx, -base^(idx-1)); its upper bound is -base^(idx-1)
  for (let i = neg.length - 1; i >= 0; i--) {
    cum += neg[i]!.count;
    result.push({ le: -bound(neg[i]!.idx - 1), count: cum });
  }
  cum += toNumber(h.zeroCountInt ?? h.zeroCountFloat ?? 0);
  result.push({ le: h.zeroThreshold ?? 0, count: cum });
  for (const b of pos) {
    cum += b.count;
    result.push({ le: bound(b.idx), count: cum });
  }
  const total = h.countInt != null ? toNumber(h.countInt) : (h.countFloat ?? cum);
  result.push({ le: Infinity, count: total });
  return result;
}
