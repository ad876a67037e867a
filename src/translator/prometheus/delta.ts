// Delta → cumulative conversion for the OTLP → Prometheus translation.
//
// Prometheus stores only cumulative counters and histograms, so a delta point
// is added to a running total kept per series (keyed by the translated name and
// labels). The running totals are bounded:
//   - at most `maxSeries` series are tracked; a point of a new series beyond
//     that is refused (TG_DELTA_SERIES_LIMIT), never silently dropped;
//   - a series not updated for `maxStaleMs` is forgotten (its next point starts
//     a new cumulative series, which Prometheus reads as a counter reset);
//   - a point that starts before the previous one ended (a duplicate, such as a
//     redelivery by an at-least-once queue, or an out-of-order point) is refused
//     (TG_DELTA_OUT_OF_ORDER) so nothing is counted twice.
// State lives in memory: after a restart totals start from zero again, which
// Prometheus treats as a counter reset (rate() and increase() stay right).
// Several gateway replicas must see all deltas of a series on one replica.
import { ErrorCode } from '../../errors/codes.js';
import { addBuckets, downscaleBuckets, type ExpPoint } from './nativehistogram.js';

const DELTA_OUT_OF_ORDER = ErrorCode.DELTA_OUT_OF_ORDER;
const DELTA_SERIES_LIMIT = ErrorCode.DELTA_SERIES_LIMIT;

export interface DeltaOptions {
  /** Series whose running totals are kept (default 100000). */
  maxSeries?: number;
  /** A series not updated for this long is forgotten (default 5 minutes). */
  maxStaleMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface HistogramTotals {
  bounds: number[];
  counts: number[];
  count: number;
  sum: number | null;
}

interface State<V> {
  startNs: bigint;
  endNs: bigint;
  seenAt: number;
  value: V;
}

export type Accumulated<V> = { ok: true; value: V; startNs: bigint } | { ok: false; reason: string };

export class DeltaToCumulative {
  private readonly maxSeries: number;
  private readonly maxStaleMs: number;
  private readonly now: () => number;
  // Insertion order doubles as recency order: every update re-inserts its key,
  // so the stalest series are always at the front.
  private readonly series = new Map<string, State<unknown>>();
  private lastSweep = 0;

  constructor(opts: DeltaOptions = {}) {
    this.maxSeries = opts.maxSeries ?? 100_000;
    this.maxStaleMs = opts.maxStaleMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  size(): number {
    return this.series.size;
  }

  addSum(key: string, startNs: bigint, endNs: bigint, v: number): Accumulated<number> {
    return this.add<number>(key, startNs, endNs, v, (a, b) => a + b);
  }

  addHistogram(key: string, startNs: bigint, endNs: bigint, v: HistogramTotals): Accumulated<HistogramTotals> {
    return this.add<HistogramTotals>(key, startNs, endNs, v, (a, b) => {
      if (!sameBounds(a.bounds, b.bounds)) return null;
      return {
        bounds: a.bounds,
        counts: a.counts.map((c, i) => c + (b.counts[i] ?? 0)),
        count: a.count + b.count,
        sum: a.sum === null || b.sum === null ? null : a.sum + b.sum,
      };
    });
  }

  addExpHistogram(key: string, startNs: bigint, endNs: bigint, v: ExpPoint): Accumulated<ExpPoint> {
    return this.add<ExpPoint>(key, startNs, endNs, v, (a, b) => {
      const scale = Math.min(a.scale, b.scale);
      return {
        scale,
        zeroThreshold: Math.max(a.zeroThreshold, b.zeroThreshold),
        zeroCount: a.zeroCount + b.zeroCount,
        positive: addBuckets(downscaleBuckets(a.positive, a.scale - scale), downscaleBuckets(b.positive, b.scale - scale)),
        negative: addBuckets(downscaleBuckets(a.negative, a.scale - scale), downscaleBuckets(b.negative, b.scale - scale)),
        count: a.count + b.count,
        sum: a.sum === null || b.sum === null ? null : a.sum + b.sum,
      };
    });
  }

  /**
   * Adds a delta point. `merge` returns null when the shapes cannot be added
   * (histogram bounds changed): the series then restarts from this point.
   */
  private add<V>(key: string, startNs: bigint, endNs: bigint, v: V, merge: (a: V, b: V) => V | null): Accumulated<V> {
    const now = this.now();
    this.sweep(now);
    const st = this.series.get(key) as State<V> | undefined;
    if (st === undefined) {
      if (this.series.size >= this.maxSeries) return { ok: false, reason: DELTA_SERIES_LIMIT };
      const fresh: State<V> = { startNs: startNs !== 0n ? startNs : endNs, endNs, seenAt: now, value: v };
      this.series.set(key, fresh);
      return { ok: true, value: v, startNs: fresh.startNs };
    }
    if (endNs <= st.endNs || (startNs !== 0n && startNs < st.endNs)) return { ok: false, reason: DELTA_OUT_OF_ORDER };
    const merged = merge(st.value, v);
    if (merged === null) {
      st.startNs = startNs !== 0n ? startNs : endNs;
      st.value = v;
    } else {
      st.value = merged;
    }
    st.endNs = endNs;
    st.seenAt = now;
    this.series.delete(key);
    this.series.set(key, st);
    return { ok: true, value: st.value, startNs: st.startNs };
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    const cutoff = now - this.maxStaleMs;
    for (const [k, st] of this.series) {
      if (st.seenAt >= cutoff) break;
      this.series.delete(k);
    }
  }
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
