// The `shared` cost model's arithmetic (DESIGN.md, "GPU cost models").
//
// A replica costs c $/s while busy. Over every instant where the set A of
// requests is in flight, request r pays c · w_r / Σ_{a∈A} w_a per second,
// where w_r = tokens_r / duration_r. Rather than splitting every segment
// among its members (O(segments × concurrency)), one sweep builds
//     F(t) = ∫ c / Σw(τ) dτ   over the busy instants up to t,
// so r pays w_r · (F(end_r) − F(start_r)): r is in flight over its whole
// interval, so the integrand at every instant of it is exactly its share per
// unit of work rate. O(n log n) for n intervals.
// Instants where every request in flight has w = 0 (no tokens reported) are
// split equally among them through a second integral G(t) = ∫ c / n₀(τ) dτ.
// Either way the costs of all requests sum to c × busy time.

export interface CostInterval {
  /** Seconds on any common time base. */
  start: number;
  end: number;
  /** Work rate: (input + output tokens) / duration, tokens/s; 0 when unknown. */
  w: number;
}

interface Ev {
  t: number;
  dw: number;
  dn: number;
  dz: number;
}

export interface SweepResult {
  /** Cost of each target, in target order. */
  costs: number[];
  /** Busy seconds (union of all intervals) inside [from, to]. */
  busy: number;
}

/**
 * Costs of `targets` given every interval of the replica that may overlap
 * them (`all` must include the targets themselves). `c` is $/s.
 */
export function sweepCosts(all: readonly CostInterval[], targets: readonly CostInterval[], c: number): SweepResult {
  const evs: Ev[] = [];
  for (const iv of all) {
    if (!(iv.end > iv.start)) continue;
    const zero = iv.w > 0 ? 0 : 1;
    evs.push({ t: iv.start, dw: iv.w > 0 ? iv.w : 0, dn: 1 - zero, dz: zero });
    evs.push({ t: iv.end, dw: iv.w > 0 ? -iv.w : 0, dn: zero - 1, dz: -zero });
  }
  evs.sort((a, b) => a.t - b.t);
  // Boundary times and the integrals at each.
  const times: number[] = [];
  const F: number[] = [];
  const G: number[] = [];
  let sumW = 0;
  let nW = 0; // requests in flight with w > 0 (exact, unlike the float sum)
  let nZ = 0; // requests in flight with w = 0
  let f = 0;
  let g = 0;
  let busy = 0;
  let prev = evs.length ? evs[0]!.t : 0;
  for (let i = 0; i < evs.length; ) {
    const t = evs[i]!.t;
    const dt = t - prev;
    if (dt > 0) {
      if (nW > 0) f += (c * dt) / sumW;
      else if (nZ > 0) g += (c * dt) / nZ;
      if (nW > 0 || nZ > 0) busy += dt;
    }
    for (; i < evs.length && evs[i]!.t === t; i++) {
      sumW += evs[i]!.dw;
      nW += evs[i]!.dn;
      nZ += evs[i]!.dz;
    }
    if (nW === 0) sumW = 0; // drop rounding residue when the last weighted request leaves
    times.push(t);
    F.push(f);
    G.push(g);
    prev = t;
  }
  const at = (t: number): number => {
    // Binary search: index of the boundary equal to t (every interval end is one).
    let lo = 0;
    let hi = times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const costs = targets.map((iv) => {
    if (!(iv.end > iv.start)) return 0;
    const a = at(iv.start);
    const b = at(iv.end);
    return iv.w > 0 ? iv.w * (F[b]! - F[a]!) : G[b]! - G[a]!;
  });
  return { costs, busy };
}

/** Cost of one request under the `exclusive` model: c × duration. */
export function exclusiveCost(iv: CostInterval, c: number): number {
  return iv.end > iv.start ? c * (iv.end - iv.start) : 0;
}
