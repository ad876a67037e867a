// Busy time of one replica: the union of its requests' intervals, kept as
// sorted disjoint segments. The union only grows as intervals are added, in
// any order, so busy seconds are counted as soon as an interval arrives and
// never taken back. Idle time (a gap between segments) is only final once no
// interval can fill it any more, so it is counted when the segments around it
// are forgotten (`finalize`).

export class BusyTimeline {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** End of the last forgotten segment (NaN before any). */
  private finalEnd = NaN;

  get segments(): number {
    return this.starts.length;
  }

  /** Before this time the timeline is forgotten: intervals reaching into it are only partly counted. */
  get finalizedTo(): number {
    return this.finalEnd;
  }

  /** Adds [s, e]; returns the length it newly covers. */
  add(s: number, e: number): number {
    if (s < this.finalEnd) s = this.finalEnd;
    if (!(e > s)) return 0;
    const st = this.starts;
    const en = this.ends;
    // First segment ending at or after s: it and the following ones starting at or before e merge with [s, e].
    let lo = 0;
    let hi = en.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (en[mid]! < s) lo = mid + 1;
      else hi = mid;
    }
    let j = lo;
    let covered = 0;
    let ns = s;
    let ne = e;
    while (j < st.length && st[j]! <= e) {
      covered += Math.min(en[j]!, e) - Math.max(st[j]!, s);
      if (st[j]! < ns) ns = st[j]!;
      if (en[j]! > ne) ne = en[j]!;
      j++;
    }
    st.splice(lo, j - lo, ns);
    en.splice(lo, j - lo, ne);
    return e - s - Math.max(0, covered);
  }

  /** Forgets segments ending at or before `t`; returns the idle time between them now known to be final. */
  finalize(t: number): number {
    let idle = 0;
    let n = 0;
    while (n < this.starts.length && this.ends[n]! <= t) {
      if (!Number.isNaN(this.finalEnd) && this.starts[n]! > this.finalEnd) idle += this.starts[n]! - this.finalEnd;
      this.finalEnd = this.ends[n]!;
      n++;
    }
    if (n > 0) {
      this.starts.splice(0, n);
      this.ends.splice(0, n);
    }
    return idle;
  }
}
