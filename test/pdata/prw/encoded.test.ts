import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WriteRequest, type PromWrite } from '../../../src/pdata/proto.js';
import { EncodedPrw, byteSize, cloneData, countItems, mergeData, readProm, splitData, toEncodedPrw } from '../../../src/pdata/batch.js';
import { promOps } from '../../../src/pdata/objectsplit.js';
import { clonePromWrite } from '../../../src/pdata/clone.js';
import { scanWriteRequest } from '../../../src/pdata/prw/scan.js';
import { Gen, rng, seriesBytes } from '../../helpers/prwgen.js';
import { must } from '../../helpers/must.js';

const scan = (w: PromWrite) => new EncodedPrw([scanWriteRequest(Buffer.from(WriteRequest.encode(w).finish()), true).part]);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const points = (w: PromWrite) => (w.timeseries ?? []).reduce((n, ts) => n + (ts.samples?.length ?? 0) + (ts.histograms?.length ?? 0), 0);

test('merge: the merged batch is the concatenation of the requests, byte for byte', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const g = new Gen(seed);
    const reqs = [g.request(8), g.request(8), g.request(8)];
    const merged = mergeData('metrics', reqs.map(scan)) as EncodedPrw;
    // Series in order, then each request's metadata: the request the bytes make.
    const series = reqs.flatMap((r) => (r.timeseries ?? []).map((ts) => hex(WriteRequest.encode({ timeseries: [ts] }).finish())));
    const meta = reqs.map((r) => hex(WriteRequest.encode({ metadata: r.metadata ?? [] }).finish()));
    const want = reqs
      .map(
        (_r, i) =>
          series
            .slice(
              reqs.slice(0, i).reduce((n, q) => n + (q.timeseries?.length ?? 0), 0),
              reqs.slice(0, i + 1).reduce((n, q) => n + (q.timeseries?.length ?? 0), 0),
            )
            .join('') + meta[i],
      )
      .join('');
    assert.equal(merged.toBuffer().toString('hex'), want, `seed ${seed}`);
    assert.equal(
      countItems('metrics', merged),
      reqs.reduce((n, r) => n + points(r), 0),
    );
    assert.equal(byteSize('metrics', merged), merged.toBuffer().length);
    // Decoded, it is the decoded merge.
    const decoded = promOps.merge(reqs.map((r) => ({ format: 'prw' as const, request: clonePromWrite(r) })));
    assert.deepEqual((readProm(merged).timeseries ?? []).map(seriesBytes), (decoded.request.timeseries ?? []).map(seriesBytes));
  }
});

test('split by points: head and rest decode to what the decoded split gives, series by series (a series cut at a point boundary)', () => {
  const r = rng(9);
  for (let seed = 1; seed <= 200; seed++) {
    const req = new Gen(seed).request(12);
    const total = points(req);
    if (total < 2) continue;
    const n = 1 + Math.floor(r() * (total - 1));
    const enc = scan(req);
    const before = enc.toBuffer().toString('hex');
    const copy = cloneData('metrics', enc) as EncodedPrw;
    const [head, rest] = splitData('metrics', enc, n, 'items') as [EncodedPrw, EncodedPrw];
    assert.equal(head.points, n, `seed ${seed}`);
    assert.equal(rest.points, total - n);
    const d = { format: 'prw' as const, request: clonePromWrite(req) };
    const dHead = promOps.take(d, n);
    assert.deepEqual((readProm(head).timeseries ?? []).map(seriesBytes), (dHead.request.timeseries ?? []).map(seriesBytes), `head, seed ${seed}`);
    assert.deepEqual((readProm(rest).timeseries ?? []).map(seriesBytes), (d.request.timeseries ?? []).map(seriesBytes), `rest, seed ${seed}`);
    // Metadata goes with the head, once.
    const md = (e: EncodedPrw) => readProm(e).metadata?.length ?? 0;
    assert.equal(md(head) + md(rest), req.metadata?.length ?? 0);
    assert.equal(md(head), req.metadata?.length ?? 0);
    // The clone taken before the split still holds the whole request, and the bytes were never written.
    assert.equal(copy.toBuffer().toString('hex'), before);
    assert.equal(scan(req).toBuffer().toString('hex'), before);
  }
});

test('split by bytes: whole series while they fit (at least one); sizes are exact; head + rest is the request', () => {
  const r = rng(13);
  for (let seed = 1; seed <= 200; seed++) {
    const req = new Gen(seed).request(12);
    const enc = scan(req);
    if (enc.bytes < 2) continue;
    const whole = enc.toBuffer().toString('hex');
    const budget = 1 + Math.floor(r() * (enc.bytes - 1));
    const [head, rest] = splitData('metrics', enc, budget, 'bytes') as [EncodedPrw, EncodedPrw];
    assert.equal(head.toBuffer().length, head.bytes);
    assert.equal(rest.toBuffer().length, rest.bytes);
    assert.ok(head.bytes <= budget || head.seriesCount === 1 || (head.seriesCount === 0 && rest.seriesCount === 0), `seed ${seed}: ${head.bytes} > ${budget}`);
    assert.equal(head.points + rest.points, points(req));
    // No series was cut: the two halves together hold the request's entries exactly.
    const entries = (e: EncodedPrw) => (readProm(e).timeseries ?? []).map(seriesBytes);
    assert.deepEqual([...entries(head), ...entries(rest)], (req.timeseries ?? []).map(seriesBytes));
    // Merged back: the same bytes (metadata may now sit ahead of later series) and the same series in order.
    const again = mergeData('metrics', [head, rest]) as EncodedPrw;
    assert.equal(again.bytes, whole.length / 2);
    assert.deepEqual((readProm(again).timeseries ?? []).map(seriesBytes), (req.timeseries ?? []).map(seriesBytes));
    assert.equal(readProm(again).metadata?.length ?? 0, req.metadata?.length ?? 0);
  }
});

test('decoded and encoded parts merge into an encoded batch; decoded series are encoded with sorted labels', () => {
  const a = scan(new Gen(1).request(5));
  const unsorted: PromWrite = {
    timeseries: [
      {
        labels: [
          { name: 'job', value: 'x' },
          { name: '__name__', value: 'up' },
        ],
        samples: [{ value: 1, timestamp: 2 }],
      },
    ],
  };
  const m = mergeData('metrics', [a, { format: 'prw', request: unsorted }]) as EncodedPrw;
  assert.ok(m instanceof EncodedPrw);
  const last = must(readProm(m).timeseries?.at(-1));
  assert.deepEqual(
    (last.labels ?? []).map((l) => l.name),
    ['__name__', 'job'],
  );
  assert.equal(toEncodedPrw(m), m);
  assert.equal(scanWriteRequest(m.toBuffer(), true).invalid, undefined);
});
