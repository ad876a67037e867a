// A cumulative explicit-bucket histogram with a small exemplar reservoir.
import type { IExemplar, IHistogramDataPoint, IKeyValue, Int64 } from '../../pdata/proto.js';

export interface ExemplarSource {
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  timeUnixNano?: Int64 | null;
}

export class Hist {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;
  private readonly exemplars: IExemplar[] = [];
  private next = 0;

  constructor(
    readonly bounds: readonly number[],
    private readonly maxExemplars: number,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Bucket i holds values in (bounds[i-1], bounds[i]]; the last holds the rest (Prometheus `le`). */
  record(v: number, ex: ExemplarSource | undefined): void {
    const b = this.bounds;
    let i = 0;
    // Linear: at most 17 bounds, and most values land in the first few.
    while (i < b.length && v > b[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (ex && this.maxExemplars > 0 && ex.traceId && ex.traceId.length > 0) {
      // Copies: a decoded id is a view into the whole request buffer, which must not stay pinned until the flush.
      const e: IExemplar = { asDouble: v, timeUnixNano: ex.timeUnixNano ?? 0, traceId: ex.traceId.slice(), spanId: ex.spanId ? ex.spanId.slice() : new Uint8Array(0) };
      // Ring: the latest `maxExemplars` since the last flush.
      if (this.exemplars.length < this.maxExemplars) this.exemplars.push(e);
      else this.exemplars[this.next] = e;
      this.next = (this.next + 1) % this.maxExemplars;
    }
  }

  /** The cumulative point; takes (and clears) the exemplars gathered since the last call. */
  point(attributes: IKeyValue[], start: Int64, now: Int64): IHistogramDataPoint {
    const exemplars = this.exemplars.splice(0);
    this.next = 0;
    return {
      attributes,
      startTimeUnixNano: start,
      timeUnixNano: now,
      count: this.count,
      sum: this.sum,
      bucketCounts: Array.from(this.counts),
      explicitBounds: this.bounds as number[],
      min: this.min,
      max: this.max,
      exemplars,
    };
  }
}
