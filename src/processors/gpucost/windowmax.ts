// The largest value seen over the last `window` seconds of a clock that may
// run out of order (span end times), kept in a few buckets so memory is
// fixed and an old extreme is forgotten once its bucket leaves the window.

export class WindowMax {
  private readonly ids: Float64Array;
  private readonly maxes: Float64Array;
  private readonly width: number;

  constructor(
    window: number,
    private readonly buckets = 8,
  ) {
    this.width = Math.max(window / buckets, 1e-9);
    this.ids = new Float64Array(buckets).fill(NaN);
    this.maxes = new Float64Array(buckets);
  }

  add(t: number, v: number): void {
    const id = Math.floor(t / this.width);
    const i = ((id % this.buckets) + this.buckets) % this.buckets;
    const cur = this.ids[i] ?? Number.NaN;
    if (cur !== id) {
      // An older bucket in this slot is replaced; a newer one is not overwritten by a straggler.
      if (cur > id) return;
      this.ids[i] = id;
      this.maxes[i] = v;
    } else if (v > (this.maxes[i] ?? 0)) this.maxes[i] = v;
  }

  /** The maximum over buckets within the window ending at `t`; 0 when none. */
  get(t: number): number {
    const now = Math.floor(t / this.width);
    let m = 0;
    for (let i = 0; i < this.buckets; i++) {
      const id = this.ids[i] ?? Number.NaN;
      const v = this.maxes[i] ?? 0;
      if (id > now - this.buckets && v > m) m = v;
    }
    return m;
  }
}
