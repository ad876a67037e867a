// The `gpu_shared` cost model's ledger: for every replica, the spans held
// until their price is final, and the intervals of spans already priced,
// kept so a span that arrives late can correct them.
//
// Release policy. A span S on replica R can be priced once every span that
// overlaps it has arrived. A span X overlapping S started before S ended and
// lasted at most D (the longest request on R), so it ended before
// S.end + D; it has arrived once R's spans are known up to that time. The
// ledger tracks, per replica and on the replica's own clock (span
// timestamps, so clock skew and replay speed do not matter):
//   H  the time up to which R's spans have all arrived: the latest end seen,
//      advanced by the wall time since it arrived, minus the lateness L (how
//      far behind that estimate spans have been seen to arrive: export
//      batching, queues, Kafka lag);
//   D  the longest request seen on R within `learnWindow` (at least
//      `minBound`, the configured settle window).
// S is released when H ≥ S.end + D. Nothing is guessed up front: D and L are
// measured, and where they were still too small (the first very long
// request, a burst of lag), the corrections below make the totals exact.
// Worst-case delay: a span leaves at most `maxHoldMs` after it arrived
// (plus one tick), and at most `maxPending` spans are held (past that the
// oldest are priced early).
//
// Corrections. A span L that arrives overlapping spans already priced takes
// part of their share: over L's interval the work rates in flight grow by
// w_L, so each overlapping span p is owed back
//     w_p · ∫_{p∩L} (c/Σw_before − c/Σw_after),
// which is never positive (adding a request only lowers the others' shares).
// Those credits are computed when L arrives, summed by the priced spans'
// group (model, showback dimensions) and carried by L, so the costs charged
// plus the credits equal, for every group, what each request would have paid
// had all spans been known at once. Priced intervals are kept for
// `correctionWindowMs` after release (at most `maxRetained` of them) for this;
// a late span reaching into forgotten ones is corrected only in part and
// flagged.
import { sweepCosts, type CostInterval } from './sweep.js';
import { BusyTimeline } from './timeline.js';
import { WindowMax } from './windowmax.js';

export interface LedgerOptions {
  /** Seconds: the least duration bound D (the configured settle window). */
  minBound: number;
  /** Seconds of span time over which D and L are learned. */
  learnWindow: number;
  maxHoldMs: number;
  maxPending: number;
  correctionWindowMs: number;
  maxRetained: number;
  maxReplicas?: number;
}

interface Held<P, G> extends CostInterval {
  payload: P;
  group: G;
  arrivalMs: number;
  late: boolean;
  incomplete: boolean;
  credits: Map<G, number> | undefined;
}

interface Retained<G> extends CostInterval {
  group: G;
  releasedMs: number;
}

interface Replica<P, G> {
  key: string;
  /** $/s of the replica. */
  c: number;
  /** Label (GPU model) busy and idle time are reported under. */
  label: string;
  pending: Held<P, G>[];
  /** Released intervals, in release order. */
  retained: Retained<G>[];
  retainedMaxEnd: number;
  /** Latest end among forgotten released intervals. */
  forgottenMaxEnd: number;
  timeline: BusyTimeline;
  /** max(end − arrival) seen: the replica's clock now ≈ anchor + now (seconds). */
  anchor: number;
  lateness: WindowMax;
  duration: WindowMax;
}

export interface Released<P, G> {
  payload: P;
  cost: number;
  late: boolean;
  early: boolean;
  /** Credits (≤ 0) to the groups of spans priced before this one arrived. */
  credits: Array<[G, number]> | undefined;
  incomplete: boolean;
}

export interface ReplicaUsage {
  label: string;
  busySeconds: number;
  idleSeconds: number;
  c: number;
}

export interface AddResult {
  late: boolean;
  incomplete: boolean;
}

export class Ledger<P, G> {
  private readonly replicas = new Map<string, Replica<P, G>>();
  private held = 0;
  private retainedCount = 0;
  private readonly maxReplicas: number;

  constructor(
    private readonly o: LedgerOptions,
    private readonly onUsage?: (u: ReplicaUsage) => void,
  ) {
    this.maxReplicas = o.maxReplicas ?? 10_000;
  }

  get pendingCount(): number {
    return this.held;
  }

  get retainedIntervals(): number {
    return this.retainedCount;
  }

  /** Adds a span. Busy time it newly covers is reported at once; a late span's credits are computed now. */
  add(replicaKey: string, label: string, c: number, iv: CostInterval, group: G, payload: P, nowMs: number): AddResult {
    let r = this.replicas.get(replicaKey);
    if (r) {
      // Most recently active last, so eviction drops the longest quiet replica.
      this.replicas.delete(replicaKey);
      this.replicas.set(replicaKey, r);
    } else {
      this.evictQuiet();
      r = {
        key: replicaKey,
        c,
        label,
        pending: [],
        retained: [],
        retainedMaxEnd: -Infinity,
        forgottenMaxEnd: -Infinity,
        timeline: new BusyTimeline(),
        anchor: -Infinity,
        lateness: new WindowMax(this.o.learnWindow),
        duration: new WindowMax(this.o.learnWindow),
      };
      this.replicas.set(replicaKey, r);
    }
    this.learn(r, iv, nowMs);
    const h: Held<P, G> = { ...iv, payload, group, arrivalMs: nowMs, late: false, incomplete: false, credits: undefined };
    // Fast path: a span starting after every priced one ended overlaps none (the usual case).
    if (iv.start < r.retainedMaxEnd) this.correct(r, h);
    if (iv.start < r.forgottenMaxEnd) h.incomplete = true;
    r.pending.push(h);
    this.held++;
    const busy = r.timeline.add(iv.start, iv.end);
    if (busy > 0) this.onUsage?.({ label: r.label, busySeconds: busy, idleSeconds: 0, c: r.c });
    return { late: h.late, incomplete: h.incomplete };
  }

  /**
   * Prices and returns every span due (all of them when `all`): final by the
   * release policy, held longer than max_hold, or the oldest past max_pending.
   */
  release(nowMs: number, all = false): Array<Released<P, G>> {
    const out: Array<Released<P, G>> = [];
    const over = all ? 0 : this.held - this.o.maxPending;
    const forced = over > 0 ? this.oldest(over) : undefined;
    for (const r of this.replicas.values()) {
      if (r.pending.length > 0) this.releaseReplica(r, nowMs, all, forced, out);
      this.forget(r, nowMs, all);
    }
    this.capRetained();
    return out;
  }

  /** Span time up to which every span of `r` has arrived, as estimated now. */
  private horizon(r: Replica<P, G>, nowMs: number): number {
    const clock = r.anchor + nowMs / 1000;
    return clock - r.lateness.get(clock);
  }

  private learn(r: Replica<P, G>, iv: CostInterval, nowMs: number): void {
    const at = nowMs / 1000;
    if (r.anchor > -Infinity) {
      const late = r.anchor + at - iv.end;
      if (late > 0) r.lateness.add(iv.end, late);
    }
    if (iv.end - at > r.anchor) r.anchor = iv.end - at;
    r.duration.add(iv.end, iv.end - iv.start);
  }

  private releaseReplica(r: Replica<P, G>, nowMs: number, all: boolean, forced: Set<Held<P, G>> | undefined, out: Array<Released<P, G>>): void {
    const due: Array<Held<P, G>> = [];
    const keep: Array<Held<P, G>> = [];
    const h = this.horizon(r, nowMs);
    const d = Math.max(this.o.minBound, r.duration.get(r.anchor + nowMs / 1000));
    const early = new Set<Held<P, G>>();
    for (const x of r.pending) {
      if (all || x.end + d <= h || nowMs - x.arrivalMs >= this.o.maxHoldMs) due.push(x);
      else if (forced?.has(x)) {
        due.push(x);
        early.add(x);
      } else keep.push(x);
    }
    if (due.length === 0) return;
    // Only intervals reaching into the due spans' range can share their cost.
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of due) {
      if (x.start < lo) lo = x.start;
      if (x.end > hi) hi = x.end;
    }
    const known: CostInterval[] = [];
    if (r.retainedMaxEnd > lo) for (const x of r.retained) if (x.start < hi && x.end > lo) known.push(x);
    for (const x of r.pending) if (x.start < hi && x.end > lo) known.push(x);
    const { costs } = sweepCosts(known, due, r.c);
    for (const [i, x] of due.entries()) {
      out.push({
        payload: x.payload,
        cost: costs[i] ?? 0,
        late: x.late,
        early: early.has(x),
        credits: x.credits ? [...x.credits] : undefined,
        incomplete: x.incomplete,
      });
      r.retained.push({ start: x.start, end: x.end, w: x.w, group: x.group, releasedMs: nowMs });
      if (x.end > r.retainedMaxEnd) r.retainedMaxEnd = x.end;
    }
    this.retainedCount += due.length;
    r.pending = keep;
    this.held -= due.length;
  }

  /**
   * Credits owed to the priced spans `h` overlaps: their costs over h's
   * interval with and without h, every other known interval included.
   */
  private correct(r: Replica<P, G>, h: Held<P, G>): void {
    const a = h.start;
    const b = h.end;
    const targets: Array<Retained<G>> = [];
    for (const x of r.retained) if (x.start < b && x.end > a) targets.push(x);
    if (targets.length === 0) return;
    h.late = true;
    const clip = (x: CostInterval): CostInterval => ({ start: Math.max(x.start, a), end: Math.min(x.end, b), w: x.w });
    const others: CostInterval[] = [];
    for (const x of r.retained) if (x.start < b && x.end > a) others.push(clip(x));
    for (const x of r.pending) if (x.start < b && x.end > a) others.push(clip(x));
    const clipped = targets.map(clip);
    const before = sweepCosts(others, clipped, r.c).costs;
    const after = sweepCosts([...others, clip(h)], clipped, r.c).costs;
    const credits = new Map<G, number>();
    for (const [i, t] of targets.entries()) {
      const d = (after[i] ?? 0) - (before[i] ?? 0);
      if (d !== 0) credits.set(t.group, (credits.get(t.group) ?? 0) + d);
    }
    if (credits.size > 0) h.credits = credits;
  }

  /**
   * Forgets released intervals past the correction window, and with them the
   * replica's timeline up to the earliest interval still known: idle time
   * before that is final.
   */
  private forget(r: Replica<P, G>, nowMs: number, all: boolean): void {
    const cutoff = all ? Infinity : nowMs - this.o.correctionWindowMs;
    let n = 0;
    for (const x of r.retained) {
      if (x.releasedMs > cutoff) break;
      if (x.end > r.forgottenMaxEnd) r.forgottenMaxEnd = x.end;
      n++;
    }
    if (n === 0) return;
    r.retained.splice(0, n);
    this.retainedCount -= n;
    this.finalizeTimeline(r);
  }

  private finalizeTimeline(r: Replica<P, G>): void {
    let to = r.forgottenMaxEnd;
    for (const x of r.retained) if (x.start < to) to = x.start;
    for (const x of r.pending) if (x.start < to) to = x.start;
    const idle = r.timeline.finalize(to);
    if (idle > 0) this.onUsage?.({ label: r.label, busySeconds: 0, idleSeconds: idle, c: r.c });
    if (r.retained.length === 0) r.retainedMaxEnd = -Infinity;
  }

  /** Past max_retained_intervals, the oldest releases of the replicas holding most are forgotten. */
  private capRetained(): void {
    while (this.retainedCount > this.o.maxRetained) {
      let big: Replica<P, G> | undefined;
      for (const r of this.replicas.values()) if (!big || r.retained.length > big.retained.length) big = r;
      if (!big || big.retained.length === 0) return;
      const n = Math.max(1, Math.min(big.retained.length, this.retainedCount - this.o.maxRetained));
      for (const x of big.retained.splice(0, n)) if (x.end > big.forgottenMaxEnd) big.forgottenMaxEnd = x.end;
      this.retainedCount -= n;
      this.finalizeTimeline(big);
    }
  }

  /**
   * A replica without held spans is kept (its timeline and learned bounds)
   * until `maxReplicas`; then the quietest is forgotten.
   */
  private evictQuiet(): void {
    if (this.replicas.size < this.maxReplicas) return;
    for (const [k, r] of this.replicas) {
      if (r.pending.length > 0) continue;
      this.retainedCount -= r.retained.length;
      r.forgottenMaxEnd = Infinity;
      this.replicas.delete(k);
      return;
    }
  }

  /** The `n` held spans that arrived first. */
  private oldest(n: number): Set<Held<P, G>> {
    const all: Array<Held<P, G>> = [];
    for (const r of this.replicas.values()) all.push(...r.pending);
    all.sort((a, b) => a.arrivalMs - b.arrivalMs);
    return new Set(all.slice(0, n));
  }
}
