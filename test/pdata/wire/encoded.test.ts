// Merge and split of encoded batches, checked byte for byte against what
// protobufjs decodes and against the split of decoded objects (the one the
// batch processor always did): same items, same resources and scopes on each
// side, nothing lost, nothing duplicated.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EncodedOtlp, byteSize, cloneData, countItems, editResources, mergeData, ownOtlp, readOtlp, splitData } from '../../../src/pdata/batch.js';
import { OBJECT_OPS } from '../../../src/pdata/objectsplit.js';
import { decodeProto, encodeProto, logsToJSON, metricsToJSON, tracesToJSON } from '../../../src/pdata/otlpjson.js';
import type { OtlpData, Signal } from '../../../src/pdata/signal.js';
import { resourceAttrs, resourcesOf, spanAt } from '../../helpers/otlpparts.js';
import { richLogs, richMetrics, richTraces } from './requests.js';

const TO_JSON = { traces: tracesToJSON, metrics: metricsToJSON, logs: logsToJSON } as Record<Signal, (d: never) => unknown>;
const json = (signal: Signal, d: unknown) => TO_JSON[signal](d as never);
const SOURCES: Record<Signal, () => OtlpData[Signal]> = {
  traces: () => richTraces(3, 2, 4),
  metrics: () => richMetrics(2, 3),
  logs: () => richLogs(3, 5),
};
/** A fresh decoded copy (the object split consumes its input). */
const decoded = <S extends Signal>(signal: S): OtlpData[S] => decodeProto(signal, encodeProto(signal, SOURCES[signal]() as never)) as OtlpData[S];
const encoded = <S extends Signal>(signal: S) => EncodedOtlp.scan(signal, encodeProto(signal, SOURCES[signal]() as never));

describe('encoded batches: split', () => {
  for (const signal of ['traces', 'metrics', 'logs'] as Signal[]) {
    it(`${signal}: a cut after every item count equals the decoded split, and the halves rejoin to the original`, () => {
      const total = encoded(signal).items;
      assert.ok(total > 10);
      for (let n = 1; n < total; n++) {
        const e = encoded(signal);
        const head = e.take(n);
        assert.equal(head.items, n);
        assert.equal(e.items, total - n);
        // Each half is a valid request on its own, with the counts its index says.
        const h = decodeProto(signal, head.toBuffer());
        const r = decodeProto(signal, e.toBuffer());
        assert.equal(countItems(signal, h as never), n);
        assert.equal(countItems(signal, r as never), total - n);
        assert.equal(head.bytes, head.toBuffer().length);
        assert.equal(e.bytes, e.toBuffer().length);
        // The same as cutting decoded objects (resource and scope copied to both halves).
        const d = decoded(signal);
        const dh = OBJECT_OPS[signal].take(d, n);
        assert.deepEqual(json(signal, h), json(signal, dh), `${signal} head at ${n}`);
        assert.deepEqual(json(signal, r), json(signal, d), `${signal} rest at ${n}`);
      }
    });

    it(`${signal}: cuts by bytes keep every part under the limit (single items excepted) and lose nothing`, () => {
      const whole = encoded(signal);
      const expected = whole.decode();
      for (const limit of [200, 700, 1500, 4000]) {
        const e = encoded(signal);
        const parts: EncodedOtlp[] = [];
        while (e.entries.length > 0) parts.push(e.take(limit, 'bytes'));
        for (const p of parts) {
          assert.ok(p.items >= 1 || p.entries.length > 0);
          if (p.items > 1) assert.ok(p.bytes <= limit, `${signal}: a part of ${p.items} items is ${p.bytes} bytes, over ${limit}`);
        }
        assert.equal(
          parts.reduce((n, p) => n + p.items, 0),
          whole.items,
        );
        // Decoded and merged again, the parts are the original's items in order.
        const rejoined = OBJECT_OPS[signal].merge(parts.map((p) => p.decode()));
        const items = (d: unknown) => JSON.stringify(json(signal, d)).length;
        assert.equal(countItems(signal, rejoined as never), countItems(signal, expected as never));
        assert.ok(items(rejoined) >= items(expected));
      }
    });
  }

  it('a resource holding one huge span goes alone, over the byte limit', () => {
    const t = richTraces(1, 1, 3);
    spanAt(t, 1).name = 'x'.repeat(5000);
    const e = EncodedOtlp.scan('traces', encodeProto('traces', t));
    const sizes: number[] = [];
    while (e.entries.length > 0) sizes.push(e.take(2000, 'bytes').items);
    assert.deepEqual(sizes, [1, 1, 1]);
  });

  it('splitData on decoded objects by bytes hands back encoded halves', () => {
    const [head, rest] = splitData('traces', richTraces(2, 2, 5), 1500, 'bytes');
    assert.ok(head instanceof EncodedOtlp && rest instanceof EncodedOtlp);
    assert.equal(countItems('traces', head) + countItems('traces', rest), 20);
  });
});

describe('encoded batches: merge, clone, size', () => {
  it('merging is concatenating: the request is the parts one after the other', () => {
    const a = encoded('traces');
    const b = EncodedOtlp.scan('traces', encodeProto('traces', richTraces(1, 1, 2)));
    const want = Buffer.concat([a.toBuffer(), b.toBuffer()]);
    const m = mergeData('traces', [a, b]);
    assert.ok(m instanceof EncodedOtlp);
    assert.deepEqual(m.toBuffer(), want);
    assert.equal(m.items, 24 + 2);
    assert.equal(byteSize('traces', m), want.length);
    assert.deepEqual(
      tracesToJSON(m.decode()),
      tracesToJSON({ resourceSpans: [...(richTraces(3, 2, 4).resourceSpans ?? []), ...(richTraces(1, 1, 2).resourceSpans ?? [])] }),
    );
  });

  it('merging decoded with encoded parts encodes the decoded ones, in order', () => {
    const m = mergeData('logs', [richLogs(1, 2), EncodedOtlp.scan('logs', encodeProto('logs', richLogs(2, 1)))]);
    assert.ok(m instanceof EncodedOtlp);
    assert.deepEqual(logsToJSON(m.decode()), logsToJSON({ resourceLogs: [...(richLogs(1, 2).resourceLogs ?? []), ...(richLogs(2, 1).resourceLogs ?? [])] }));
  });

  it('a clone shares the bytes but not the entry list; owning a batch gives fresh objects', () => {
    const e = encoded('traces');
    const c = cloneData('traces', e) as EncodedOtlp<'traces'>;
    assert.notEqual(c, e);
    assert.equal(c.entries[0], e.entries[0]);
    c.take(5);
    assert.equal(e.items, 24);
    const view = readOtlp('traces', e);
    assert.equal(readOtlp('traces', e), view, 'readers share one decoded view');
    const mine = ownOtlp('traces', e);
    spanAt(mine).name = 'changed';
    assert.equal(spanAt(readOtlp('traces', c)).name, 'span-6', 'the clone is not affected');
  });

  it('editResources changes only the Resource of each encoded entry, and the rest of the bytes stay', () => {
    const e = encoded('metrics');
    const before = e.decode();
    const out = editResources('metrics', e, (r) => {
      assert.ok(r?.attributes);
      r.attributes.push({ key: 'added', value: { stringValue: 'yes' } });
      return r;
    });
    assert.ok(out instanceof EncodedOtlp);
    assert.equal(out.bytes, out.toBuffer().length);
    const after = out.decode();
    for (let i = 0; i < resourcesOf(before).length; i++) resourceAttrs(before, i).push({ key: 'added', value: { stringValue: 'yes' } });
    assert.deepEqual(metricsToJSON(after), metricsToJSON(before));
    // A missing resource is added only when the edit returns one.
    const bare = EncodedOtlp.scan(
      'traces',
      encodeProto('traces', { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 1), name: 'a' }] }] }] }),
    );
    const edited = editResources('traces', bare, () => ({ attributes: [{ key: 'k', value: { stringValue: 'v' } }] }));
    assert.equal(resourceAttrs(readOtlp('traces', edited))[0]?.key, 'k');
  });
});
