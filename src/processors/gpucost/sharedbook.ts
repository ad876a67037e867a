// Holds spans of each replica for the settle window so the `shared` model
// sees every request that overlaps a given one before pricing it.
//
// A span is held from its arrival until `settleMs` later, then priced with
// every interval of its replica known at that moment: spans still held and
// spans released within the last settle window (kept as three numbers each).
// When the window is longer than the longest request plus the export delay,
// every overlapping span is known and the costs of a replica's requests add
// up to c × its busy time. A span that arrives overlapping already released
// ones is "late": it is priced for its share, but the released spans paid
// without it, so it is marked partial and counted.
// Memory is bounded by `maxPending` held spans across all replicas: past it,
// the oldest are released early (priced with what is known) and counted.
import { sweepCosts, type CostInterval } from './sweep.js';

export interface Held<P> extends CostInterval {
  payload: P;
  arrivalMs: number;
  late: boolean;
}

interface Retained extends CostInterval {
  releasedMs: number;
}

interface Replica<P> {
  key: string;
  /** $/s of the replica. */
  c: number;
  pending: Held<P>[];
  retained: Retained[];
  /** Busy and idle time is accounted up to here (NaN before the first release). */
  horizon: number;
  /** Latest end of a released span. */
  maxEnd: number;
  label: string;
}

export interface Released<P> {
  payload: P;
  cost: number;
  late: boolean;
  early: boolean;
}

export interface ReplicaUsage {
  /** Label (GPU model) the replica reports under. */
  label: string;
  busySeconds: number;
  idleSeconds: number;
  c: number;
}

export class SharedBook<P> {
  private readonly replicas = new Map<string, Replica<P>>();
  private held = 0;

  constructor(
    private readonly settleMs: number,
    private readonly maxPending: number,
    private readonly maxReplicas = 10_000,
  ) {}

  get pendingCount(): number {
    return this.held;
  }

  /** Adds a span's interval. Returns whether it overlaps intervals already released (late). */
  add(replicaKey: string, label: string, c: number, iv: CostInterval, payload: P, nowMs: number): boolean {
    let r = this.replicas.get(replicaKey);
    if (r) {
      // Most recently active last, so eviction below drops the longest quiet replica.
      this.replicas.delete(replicaKey);
      this.replicas.set(replicaKey, r);
    } else {
      this.evictQuiet();
      this.replicas.set(replicaKey, (r = { key: replicaKey, c, pending: [], retained: [], horizon: NaN, maxEnd: NaN, label }));
    }
    let late = false;
    // Fast path: a span starting after every released one ended overlaps none (the usual case
    // when the settle window is long enough), so the scan runs only for suspects.
    if (r.retained.length > 0 && iv.start < r.maxEnd) {
      for (const x of r.retained) if (x.start < iv.end && iv.start < x.end) {
        late = true;
        break;
      }
    }
    r.pending.push({ ...iv, payload, arrivalMs: nowMs, late });
    this.held++;
    return late;
  }

  /**
   * Prices and returns every span whose settle window has passed (all of
   * them when `all`), plus early releases when over the bound.
   */
  release(nowMs: number, all = false, onUsage?: (u: ReplicaUsage) => void): Released<P>[] {
    const out: Released<P>[] = [];
    const cutoff = all ? Infinity : nowMs - this.settleMs;
    const over = all ? 0 : this.held - this.maxPending;
    // Past the bound: the `over` oldest arrivals across replicas go now.
    const forced = over > 0 ? this.oldest(over) : undefined;
    for (const r of this.replicas.values()) {
      const due: Held<P>[] = [];
      const keep: Held<P>[] = [];
      for (const h of r.pending) (h.arrivalMs <= cutoff || forced?.has(h) ? due : keep).push(h);
      if (due.length > 0) {
        // Only intervals reaching into the released spans' range can share their cost.
        let lo = Infinity;
        let hi = -Infinity;
        for (const h of due) {
          if (h.start < lo) lo = h.start;
          if (h.end > hi) hi = h.end;
        }
        const known: CostInterval[] = [];
        for (const x of r.retained) if (x.start < hi && x.end > lo) known.push(x);
        for (const x of r.pending) if (x.start < hi && x.end > lo) known.push(x);
        for (const h of due) if (!(h.start < hi && h.end > lo)) known.push(h); // zero-length ones
        const { costs } = sweepCosts(known, due, r.c);
        for (let i = 0; i < due.length; i++) {
          const h = due[i]!;
          out.push({ payload: h.payload, cost: costs[i]!, late: h.late, early: h.arrivalMs > cutoff });
        }
        const usage = this.account(r, due, keep);
        if (onUsage && (usage.busy > 0 || usage.idle > 0)) onUsage({ label: r.label, busySeconds: usage.busy, idleSeconds: usage.idle, c: r.c });
        for (const h of due) r.retained.push({ start: h.start, end: h.end, w: h.w, releasedMs: nowMs });
        r.pending = keep;
        this.held -= due.length;
      }
      // Released intervals matter only while a span that overlaps them may still arrive.
      // Kept two windows: one for late arrivals, one more so idle accounting still sees them.
      if (r.retained.length > 0) r.retained = r.retained.filter((x) => x.releasedMs > nowMs - 2 * this.settleMs);
    }
    return out;
  }

  /**
   * Busy and idle seconds newly settled. Time before the replica's horizon is
   * accounted; the horizon moves to the earliest start still held (nothing
   * before it can change any more, settle window permitting), but never past
   * the latest end released (after it the replica may be idle or busy).
   */
  private account(r: Replica<P>, due: Held<P>[], keep: Held<P>[]): { busy: number; idle: number } {
    for (const h of due) if (!(h.end <= r.maxEnd)) r.maxEnd = h.end;
    if (Number.isNaN(r.horizon)) {
      r.horizon = Infinity;
      for (const h of due) if (h.start < r.horizon) r.horizon = h.start;
    }
    let to = r.maxEnd;
    for (const h of keep) if (h.start < to) to = h.start;
    const from = r.horizon;
    if (!(to > from)) return { busy: 0, idle: 0 };
    const idle = uncovered(from, to, [...r.retained, ...due]);
    r.horizon = to;
    return { busy: to - from - idle, idle };
  }

  /**
   * A replica without held spans is kept (a few numbers) so the idle time
   * between its bursts is counted; past `maxReplicas` the quietest goes.
   */
  private evictQuiet(): void {
    if (this.replicas.size < this.maxReplicas) return;
    for (const [k, r] of this.replicas) {
      if (r.pending.length > 0) continue;
      this.replicas.delete(k);
      return;
    }
  }

  /** The `n` held spans that arrived first (ties in arrival order). */
  private oldest(n: number): Set<Held<P>> {
    const all: Held<P>[] = [];
    for (const r of this.replicas.values()) all.push(...r.pending);
    all.sort((a, b) => a.arrivalMs - b.arrivalMs);
    return new Set(all.slice(0, n));
  }
}

/** Length of [from, to] not covered by any of `ivs`. */
function uncovered(from: number, to: number, ivs: readonly CostInterval[]): number {
  const parts = ivs.filter((iv) => iv.start < to && iv.end > from).sort((a, b) => a.start - b.start);
  let gap = 0;
  let at = from;
  for (const p of parts) {
    if (p.start > at) gap += p.start - at;
    at = Math.max(at, p.end);
    if (at >= to) break;
  }
  if (at < to) gap += to - at;
  return gap;
}
