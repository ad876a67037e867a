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
      if ((en[mid] ?? s) < s) lo = mid + 1;
      else hi = mid;
    }
    let j = lo;
    let covered = 0;
    let ns = s;
    let ne = e;
    for (; j < st.length; j++) {
      const a = st[j] ?? e;
      const b = en[j] ?? a;
      if (a > e) break;
      covered += Math.min(b, e) - Math.max(a, s);
      if (a < ns) ns = a;
      if (b > ne) ne = b;
    }
    st.splice(lo, j - lo, ns);
    en.splice(lo, j - lo, ne);
    return e - s - Math.max(0, covered);
  }

  /** Forgets segments ending at or before `t`; returns the idle time between them now known to be final. */
  finalize(t: number): number {
    let idle = 0;
    let n = 0;
    for (; n < this.starts.length; n++) {
      const a = this.starts[n] ?? t;
      const b = this.ends[n] ?? a;
      if (b > t) break;
      if (!Number.isNaN(this.finalEnd) && a > this.finalEnd) idle += a - this.finalEnd;
      this.finalEnd = b;
    }
    if (n > 0) {
      this.starts.splice(0, n);
      this.ends.splice(0, n);
    }
    return idle;
  }
}
