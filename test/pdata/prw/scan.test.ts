import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WriteRequest, WriteV2Request, type PromWrite } from '../../../src/pdata/proto.js';
import { hashLabelObjects } from '../../../src/pdata/prw/hash.js';
import { S_STRIDE } from '../../../src/pdata/prw/part.js';
import { scanWriteRequest } from '../../../src/pdata/prw/scan.js';
import { convertV2 } from '../../../src/pdata/prw/v2.js';
import { PrwWireError } from '../../../src/pdata/prw/wire.js';
import { countPromWrite } from '../../../src/prw/codec.js';
import { SymbolError, v1ToV2, v2ToV1 } from '../../../src/prw/v2.js';
import { validateWriteRequest } from '../../../src/prw/validate.js';
import { Gen, rng, seriesBytes } from '../../helpers/prwgen.js';
import { must } from '../../helpers/must.js';

const encode = (w: PromWrite) => Buffer.from(WriteRequest.encode(w).finish());

test('scan: counts, entry boundaries and label hashes agree with the decoded request', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const req = new Gen(seed).request(20);
    const raw = encode(req);
    const s = scanWriteRequest(raw, true);
    assert.equal(s.invalid, undefined, `seed ${seed}`);
    assert.deepEqual({ samples: s.samples, histograms: s.histograms, exemplars: s.exemplars }, countPromWrite(req));
    const p = s.part;
    assert.equal(p.seriesCount, (req.timeseries ?? []).length);
    assert.equal(p.metaCount, req.metadata?.length ?? 0);
    assert.equal(p.bytes, raw.length);
    for (let i = 0; i < p.seriesCount; i++) {
      const k = i * S_STRIDE;
      // Each entry is exactly one TimeSeries field: decoding it alone gives series i.
      const one = WriteRequest.decode(raw.subarray(p.series[k], p.series[k + 1]));
      assert.equal(seriesBytes(must(one.timeseries?.[0])), seriesBytes(must(req.timeseries?.[i])));
      const ts = must(req.timeseries?.[i]);
      assert.equal(p.series[k + 2], (ts.samples?.length ?? 0) + (ts.histograms?.length ?? 0));
      assert.equal(must(p.series[k + 3]) >>> 0, hashLabelObjects(ts.labels));
    }
  }
});

test('scan: the hash does not depend on how a label is encoded (field order, unknown fields)', () => {
  const canonical = encode({
    timeseries: [
      {
        labels: [
          { name: '__name__', value: 'up' },
          { name: 'job', value: 'a' },
        ],
      },
    ],
  });
  // Label{value, name, unknown field 7} instead of Label{name, value}.
  const label = (n: string, v: string) =>
    Buffer.concat([Buffer.from([0x12, v.length]), Buffer.from(v), Buffer.from([0x0a, n.length]), Buffer.from(n), Buffer.from([0x38, 0x01])]);
  const l1 = label('__name__', 'up');
  const l2 = label('job', 'a');
  const ts = Buffer.concat([Buffer.from([0x0a, l1.length]), l1, Buffer.from([0x0a, l2.length]), l2]);
  const odd = Buffer.concat([Buffer.from([0x0a, ts.length]), ts]);
  assert.equal(scanWriteRequest(odd, true).part.series[3], scanWriteRequest(canonical, true).part.series[3]);
});

const broken: Array<[string, PromWrite]> = [
  ['no labels', { timeseries: [{ samples: [{ value: 1, timestamp: 1 }] }] }],
  [
    'unsorted',
    {
      timeseries: [
        {
          labels: [
            { name: '__name__', value: 'up' },
            { name: 'b', value: '1' },
            { name: 'a', value: '1' },
          ],
        },
      ],
    },
  ],
  [
    'duplicate',
    {
      timeseries: [
        {
          labels: [
            { name: '__name__', value: 'up' },
            { name: 'a', value: '1' },
            { name: 'a', value: '2' },
          ],
        },
      ],
    },
  ],
  [
    'empty name',
    {
      timeseries: [
        {
          labels: [
            { name: '', value: 'x' },
            { name: '__name__', value: 'up' },
          ],
        },
      ],
    },
  ],
  [
    'empty value',
    {
      timeseries: [
        {
          labels: [
            { name: '__name__', value: 'up' },
            { name: 'a', value: '' },
          ],
        },
      ],
    },
  ],
  [
    'invalid label name',
    {
      timeseries: [
        {
          labels: [
            { name: '__name__', value: 'up' },
            { name: 'a-b', value: '1' },
          ],
        },
      ],
    },
  ],
  [
    'non-ASCII label name',
    {
      timeseries: [
        {
          labels: [
            { name: '__name__', value: 'up' },
            { name: 'é', value: '1' },
          ],
        },
      ],
    },
  ],
  [
    'label name starting with a digit',
    {
      timeseries: [
        {
          labels: [
            { name: '0a', value: '1' },
            { name: '__name__', value: 'up' },
          ],
        },
      ],
    },
  ],
  ['missing metric name', { timeseries: [{ labels: [{ name: 'job', value: 'x' }] }] }],
  ['invalid metric name', { timeseries: [{ labels: [{ name: '__name__', value: 'bad-name' }] }] }],
  ['metric name starting with a digit', { timeseries: [{ labels: [{ name: '__name__', value: '1up' }] }] }],
  [
    'second series bad',
    {
      timeseries: [
        { labels: [{ name: '__name__', value: 'ok' }] },
        {
          labels: [
            { name: '__name__', value: 'up' },
            { name: 'b', value: '1' },
            { name: 'a', value: '1' },
          ],
        },
      ],
    },
  ],
];
for (const [what, req] of broken) {
  test(`scan: ${what} is refused with the decoded validation's message`, () => {
    const s = scanWriteRequest(encode(req), true);
    const want = validateWriteRequest(req);
    assert.ok(want, 'the decoded validation refuses it too');
    assert.deepEqual(s.invalid, want);
    // Unvalidated (trusted) scans index it anyway.
    assert.equal(scanWriteRequest(encode(req), false).invalid, undefined);
  });
}

test('scan: random label mutations get the same verdict as the decoded validation', () => {
  const r = rng(11);
  for (let seed = 1; seed <= 300; seed++) {
    const req = new Gen(seed).request(6);
    for (const ts of req.timeseries ?? []) {
      const ls = must(ts.labels);
      const k = Math.floor(r() * 6);
      const j = Math.floor(r() * ls.length);
      const l = must(ls[j]);
      if (k === 0 && ls.length > 1) ls.reverse();
      else if (k === 1) ls[j] = { ...l, value: '' };
      else if (k === 2) ls[j] = { ...l, name: `${l.name}-` };
      else if (k === 3) ls.splice(j, 0, { ...l });
    }
    const s = scanWriteRequest(encode(req), true);
    assert.deepEqual(s.invalid, validateWriteRequest(req), `seed ${seed}`);
  }
});

/** Scans `b`; the only failure allowed is a PrwWireError. Returns whether it was accepted. */
function scanOrRefuse(b: Buffer): boolean {
  try {
    scanWriteRequest(b, true);
    return true;
  } catch (e) {
    assert.ok(e instanceof PrwWireError, `unexpected ${(e as Error).name}: ${(e as Error).message}`);
    return false;
  }
}

test('scan: truncations, lying lengths, flipped bytes and garbage are refused as malformed, never a crash; what it accepts protobufjs decodes', () => {
  const r = rng(3);
  let accepted = 0;
  let refused = 0;
  const check = (b: Buffer) => {
    if (scanOrRefuse(b)) {
      accepted++;
      assert.doesNotThrow(() => WriteRequest.decode(b), 'accepted bytes decode');
    } else refused++;
  };
  for (let seed = 1; seed <= 60; seed++) {
    const raw = encode(new Gen(seed).request(8));
    for (let cut = 1; cut < raw.length; cut += Math.max(1, raw.length >> 5)) check(raw.subarray(0, cut));
    for (let k = 0; k < 30 && raw.length > 0; k++) {
      const m = Buffer.from(raw);
      const at = Math.floor(r() * m.length);
      m[at] = k % 3 === 0 ? 0xff : k % 3 === 1 ? must(m[at]) + 1 : Math.floor(r() * 256);
      check(m);
    }
  }
  for (let k = 0; k < 2000; k++) check(Buffer.from(Array.from({ length: 1 + Math.floor(r() * 40) }, () => Math.floor(r() * 256))));
  assert.ok(refused > 1000 && accepted > 0, `${accepted} accepted, ${refused} refused`);
});

test('scan: the malformed-input messages name the field', () => {
  // A series whose length claims more than the request holds.
  assert.throws(() => scanWriteRequest(Buffer.from([0x0a, 0x7f, 0x0a, 0x00]), true), /timeseries\[0\]: length runs past the end of the request/);
  // A sample whose value (field 1) has the varint wire type: Sample{08 01}.
  const label = Buffer.concat([Buffer.from([0x0a, 8]), Buffer.from('__name__'), Buffer.from([0x12, 2]), Buffer.from('up')]);
  const series = Buffer.concat([Buffer.from([0x0a, label.length]), label, Buffer.from([0x12, 0x02, 0x08, 0x01])]);
  const wrong = Buffer.concat([Buffer.from([0x0a, series.length]), series]);
  assert.throws(() => scanWriteRequest(wrong, true), /timeseries\[0\]\.samples\[0\]: field 1 \(value\) has wire type varint, expected 64-bit/);
  // Invalid UTF-8 in a label value (protobufjs refuses it too).
  const utf = encode({
    timeseries: [
      {
        labels: [
          { name: '__name__', value: 'up' },
          { name: 'a', value: 'xy' },
        ],
      },
    ],
  });
  utf[utf.lastIndexOf(Buffer.from('xy'))] = 0xff;
  assert.throws(() => scanWriteRequest(utf, true), /timeseries\[0\]\.labels\[1\]: value: invalid UTF-8/);
  assert.throws(() => WriteRequest.decode(utf));
});

test('2.0 → 1.0 on the wire: the same series, counts and metadata as the decoded conversion', () => {
  for (let seed = 1; seed <= 150; seed++) {
    const req = new Gen(seed).request(15);
    const v2 = Buffer.from(WriteV2Request.encode(v1ToV2(req)).finish());
    const wire = convertV2(v2);
    const decoded = v2ToV1(WriteV2Request.decode(v2));
    assert.deepEqual(
      { samples: wire.samples, histograms: wire.histograms, exemplars: wire.exemplars },
      { samples: decoded.samples, histograms: decoded.histograms, exemplars: decoded.exemplars },
    );
    const got = WriteRequest.decode(wire.raw);
    assert.deepEqual((got.timeseries ?? []).map(seriesBytes), (decoded.request.timeseries ?? []).map(seriesBytes), `seed ${seed}`);
    const md = (w: PromWrite) => (w.metadata ?? []).map((m) => [m.type ?? 0, m.metricFamilyName ?? '', m.help ?? '', m.unit ?? '']);
    assert.deepEqual(md(got), md(decoded.request));
    assert.equal(scanWriteRequest(wire.raw, true).invalid, undefined);
  }
});

test("2.0: bad references are refused with the decoded conversion's words; malformed 2.0 never crashes", () => {
  const v2 = (o: object) => Buffer.from(WriteV2Request.encode(o).finish());
  assert.throws(
    () => convertV2(v2({ symbols: ['', '__name__'], timeseries: [{ labelsRefs: [1, 5] }] })),
    (e: unknown) => e instanceof SymbolError && /label ref 5 out of range \(symbols table has 2 entries\)/.test(e.message),
  );
  assert.throws(() => convertV2(v2({ symbols: ['', '__name__', 'up'], timeseries: [{ labelsRefs: [1, 2, 1] }] })), /odd number of label refs \(3\)/);
  assert.throws(
    () => convertV2(v2({ symbols: ['x', '__name__', 'up'], timeseries: [{ labelsRefs: [1, 2] }] })),
    /symbols\[0\] must be the empty string, got "x"/,
  );
  const r = rng(5);
  for (let seed = 1; seed <= 40; seed++) {
    const raw = v2(v1ToV2(new Gen(seed).request(6)));
    for (let k = 0; k < 40; k++) {
      const m = Buffer.from(raw);
      if (k % 2) m[Math.floor(r() * m.length)] = Math.floor(r() * 256);
      const b = k % 2 ? m : m.subarray(0, Math.floor(r() * m.length));
      try {
        scanWriteRequest(convertV2(b).raw, true);
      } catch (e) {
        assert.ok(e instanceof PrwWireError || e instanceof SymbolError, `unexpected ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
  }
});
