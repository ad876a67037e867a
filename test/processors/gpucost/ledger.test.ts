// The gpu_shared ledger on its own: whatever order spans arrive in and
// whenever they are released, charged costs plus the corrections late spans
// carry equal, per group, the shared costs computed with every span known.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../../src/loadgen/rng.js';
import { Ledger, type ReplicaUsage } from '../../../src/processors/gpucost/ledger.js';
import { sweepCosts, type CostInterval } from '../../../src/processors/gpucost/sweep.js';
import { BusyTimeline } from '../../../src/processors/gpucost/timeline.js';
import { WindowMax } from '../../../src/processors/gpucost/windowmax.js';

function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

const closeRel = (a: number, b: number, rel: number, what: string) => assert.ok(Math.abs(a - b) <= rel * Math.max(1e-12, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('ledger: random spans on two replicas, shuffled arrival, random early releases: charged plus credits equals the full-knowledge shared cost per group', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const rnd = rng(seed);
    const c = { r1: 0.002, r2: 0.005 };
    const spans: Array<CostInterval & { replica: 'r1' | 'r2'; group: string; id: number }> = [];
    for (let i = 0; i < 400; i++) {
      const start = rnd() * 600;
      const dur = rnd() < 0.05 ? 60 + rnd() * 120 : 0.5 + rnd() * 20; // a few very long requests
      spans.push({
        id: i,
        replica: rnd() < 0.5 ? 'r1' : 'r2',
        start,
        end: start + dur,
        w: rnd() < 0.03 ? 0 : 10 + rnd() * 500,
        group: `g${Math.floor(rnd() * 4)}`,
      });
    }
    // Arrival in end order with heavy jitter: many spans arrive after spans they overlap were priced.
    const order = [...spans].sort((a, b) => a.end + rnd() * 40 - (b.end + rnd() * 40));
    const ledger = new Ledger<number, string>({ minBound: 5, learnWindow: 3600, maxHoldMs: 2000, maxPending: 50, correctionWindowMs: 1e9, maxRetained: 1e9 });
    const charged = new Map<string, number>();
    const add = (g: string, v: number) => charged.set(g, (charged.get(g) ?? 0) + v);
    let now = 0;
    let late = 0;
    const take = (all: boolean) => {
      for (const r of ledger.release(now, all)) {
        add(spans[r.payload]!.group, r.cost);
        for (const [g, v] of r.credits ?? []) {
          assert.ok(v <= 1e-15, 'corrections only take back');
          add(g, v);
        }
        if (r.late) late++;
      }
    };
    for (const s of order) {
      now += rnd() * 300; // wall ms between arrivals
      ledger.add(s.replica, s.replica, c[s.replica], s, s.group, s.id, now);
      if (rnd() < 0.3) take(false);
    }
    take(true);
    assert.ok(late > 20, `seed ${seed}: late spans happened (${late})`);
    // Ground truth: every span of a replica known at once.
    const truth = new Map<string, number>();
    for (const rep of ['r1', 'r2'] as const) {
      const mine = spans.filter((s) => s.replica === rep);
      const { costs } = sweepCosts(mine, mine, c[rep]);
      mine.forEach((s, i) => truth.set(s.group, (truth.get(s.group) ?? 0) + costs[i]!));
    }
    for (const [g, want] of truth) closeRel(charged.get(g)!, want, 1e-9, `seed ${seed} group ${g}`);
  }
});

test('ledger: busy seconds are the union of the intervals whatever the arrival order; idle is counted once final', () => {
  const usage: ReplicaUsage[] = [];
  const ledger = new Ledger<number, string>({ minBound: 1, learnWindow: 3600, maxHoldMs: 0, maxPending: 100, correctionWindowMs: 0, maxRetained: 100 }, (u) =>
    usage.push(u),
  );
  // [10,20] [0,5] [4,12] [30,31] arriving in that order: union 0–20 and 30–31 = 21 s busy, 10 s idle between.
  for (const [i, [s, e]] of [
    [10, 20],
    [0, 5],
    [4, 12],
    [30, 31],
  ].entries())
    ledger.add('r', 'GPU', 1, { start: s!, end: e!, w: 1 }, 'g', i, i);
  const busy = () => usage.reduce((t, u) => t + u.busySeconds, 0);
  const idle = () => usage.reduce((t, u) => t + u.idleSeconds, 0);
  assert.equal(busy(), 21);
  assert.equal(idle(), 0, 'not final before the intervals are forgotten');
  ledger.release(100, true);
  assert.equal(busy(), 21);
  assert.equal(idle(), 10);
});

test('ledger: the duration bound and the lateness are learned per replica; a span overlapping forgotten intervals is flagged incomplete', () => {
  const ledger = new Ledger<string, string>({ minBound: 1, learnWindow: 3600, maxHoldMs: 1e9, maxPending: 100, correctionWindowMs: 10, maxRetained: 100 });
  // A 100 s request is seen first: spans are then held 100 s of replica time after their end.
  ledger.add('r', 'G', 1, { start: 0, end: 100, w: 1 }, 'g', 'long', 0);
  ledger.add('r', 'G', 1, { start: 100, end: 101, w: 1 }, 'g', 'short', 0);
  assert.deepEqual(
    ledger.release(0).map((r) => r.payload),
    [],
  );
  // 150 s of wall time later the replica's clock is at ~251: 'long' (100 + 100) and 'short' (101 + 100) are final.
  assert.deepEqual(
    ledger
      .release(150_000)
      .map((r) => r.payload)
      .sort(),
    ['long', 'short'],
  );
  // Long after the correction window (the next release forgets them), a span reaching back into them: corrected only in part.
  assert.deepEqual(ledger.release(200_000), []);
  const back = ledger.add('r', 'G', 1, { start: 50, end: 60, w: 1 }, 'g', 'late', 200_000);
  assert.deepEqual(back, { late: false, incomplete: true });
});

test('busy timeline and window max: merging, forgetting, and forgetting old extremes', () => {
  const t = new BusyTimeline();
  assert.equal(t.add(0, 10), 10);
  assert.equal(t.add(5, 15), 5);
  assert.equal(t.add(20, 25), 5);
  assert.equal(t.add(-5, 30), 35 - 20);
  assert.equal(t.segments, 1);
  assert.equal(t.add(40, 50), 10);
  assert.equal(t.finalize(35), 0);
  assert.equal(t.finalize(60), 10, 'the gap 30–40 is final once both sides are forgotten');
  assert.equal(t.add(0, 45), 0, 'forgotten time is not counted twice');

  const w = new WindowMax(80, 8);
  w.add(5, 100);
  w.add(50, 7);
  assert.equal(w.get(60), 100);
  assert.equal(w.get(200), 0, 'an extreme older than the window is forgotten');
  w.add(195, 3);
  w.add(10, 999); // a straggler into a slot a newer bucket owns does not overwrite it
  assert.equal(w.get(200), 3);
});
