import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WriteRequest, WriteV2Request, type PromWrite } from '../../src/pdata/proto.js';
import {
  STALE_NAN,
  STALE_NAN_BITS,
  compressWriteRequest,
  countPromWrite,
  decodeWriteRequest,
  decompressWriteRequest,
  encodeWriteRequest,
  float64Bits,
  isStaleNaN,
} from '../../src/prw/codec.js';
import { snappyDecode, snappyEncode, snappyUncompressedLength } from '../../src/prw/snappy.js';
import { v1ToV2, v2ToV1 } from '../../src/prw/v2.js';
import { Gen, NAN_PAYLOADS, seriesBytes } from '../helpers/prwgen.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('the stale marker constant has the bits Prometheus writes', () => {
  assert.equal(float64Bits(STALE_NAN), STALE_NAN_BITS);
  assert.ok(isStaleNaN(STALE_NAN));
  assert.ok(!isStaleNaN(NaN));
});

test('decode → encode is an identity on generated requests (NaN payloads, stale markers, native histograms, exemplars, metadata)', () => {
  let series = 0;
  let nans = 0;
  for (let seed = 1; seed <= 400; seed++) {
    const req = new Gen(seed).request();
    const bytes = encodeWriteRequest(req);
    const decoded = decodeWriteRequest(bytes);
    const again = encodeWriteRequest(decoded);
    assert.equal(hex(again), hex(bytes), `seed ${seed}: re-encoded bytes differ`);
    // Through Snappy too, as the wire carries it.
    assert.equal(hex(encodeWriteRequest(decompressWriteRequest(compressWriteRequest(decoded)))), hex(bytes), `seed ${seed}: snappy round trip`);
    // Value bits of every sample survive decoding, not just the bytes.
    const orig = req.timeseries ?? [];
    (decoded.timeseries ?? []).forEach((ts, i) => {
      series++;
      (ts.samples ?? []).forEach((s, j) => {
        const want = orig[i]!.samples![j]!.value!;
        if (want !== want) nans++;
        assert.equal(float64Bits(s.value!), float64Bits(want), `seed ${seed} series ${i} sample ${j}`);
      });
    });
  }
  assert.ok(series > 1000, `generated ${series} series`);
  assert.ok(nans > 50, `generated ${nans} NaN samples`);
});

test('every NaN payload and the stale marker survive a round trip in samples, exemplars and histogram scalars', () => {
  for (const v of NAN_PAYLOADS) {
    const req: PromWrite = {
      timeseries: [
        {
          labels: [{ name: '__name__', value: 'm' }],
          samples: [{ value: v, timestamp: 1 }],
          exemplars: [{ labels: [], value: v, timestamp: 1 }],
          histograms: [{ countFloat: v, sum: v, zeroCountFloat: v, timestamp: 2, schema: 0 }],
        },
      ],
    };
    const d = decompressWriteRequest(compressWriteRequest(req));
    const ts = d.timeseries![0]!;
    const bits = float64Bits(v);
    assert.equal(float64Bits(ts.samples![0]!.value!), bits);
    assert.equal(float64Bits(ts.exemplars![0]!.value!), bits);
    assert.equal(float64Bits(ts.histograms![0]!.sum!), bits);
    assert.equal(float64Bits(ts.histograms![0]!.countFloat!), bits);
    assert.equal(float64Bits(ts.histograms![0]!.zeroCountFloat!), bits);
  }
});

test('remote-write 2.0: 1.0 → 2.0 → wire → 1.0 keeps series, samples, histograms, exemplars and metadata', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const req = new Gen(seed).request();
    const v2 = WriteV2Request.decode(WriteV2Request.encode(v1ToV2(req)).finish());
    assert.equal(v2.symbols[0], '');
    const back = v2ToV1(v2);
    const c = countPromWrite(req);
    assert.deepEqual({ samples: back.samples, histograms: back.histograms, exemplars: back.exemplars }, c);
    const a = (req.timeseries ?? []).map(seriesBytes);
    const b = (back.request.timeseries ?? []).map(seriesBytes);
    assert.deepEqual(b, a, `seed ${seed}`);
  }
});

test('remote-write 2.0 per-series metadata becomes 1.0 family metadata', () => {
  const req: PromWrite = {
    timeseries: [
      { labels: [{ name: '__name__', value: 'http_duration_seconds_bucket' }, { name: 'le', value: '1' }], samples: [{ value: 1, timestamp: 1 }] },
      { labels: [{ name: '__name__', value: 'http_duration_seconds_count' }], samples: [{ value: 1, timestamp: 1 }] },
      { labels: [{ name: '__name__', value: 'up' }], samples: [{ value: 1, timestamp: 1 }] },
    ],
    metadata: [
      { type: 3, metricFamilyName: 'http_duration_seconds', help: 'Request duration.', unit: 'seconds' },
      { type: 2, metricFamilyName: 'up', help: 'Target up.', unit: '' },
    ],
  };
  const back = v2ToV1(WriteV2Request.decode(WriteV2Request.encode(v1ToV2(req)).finish())).request;
  assert.deepEqual(
    back.metadata!.map((m) => ({ ...m })),
    [
      { type: 3, metricFamilyName: 'http_duration_seconds', help: 'Request duration.', unit: 'seconds' },
      { type: 2, metricFamilyName: 'up', help: 'Target up.', unit: '' },
    ],
  );
});

test('remote-write 2.0 keeps the created timestamp on the series object', () => {
  const v2 = WriteV2Request.decode(
    WriteV2Request.encode({ symbols: ['', '__name__', 'c_total'], timeseries: [{ labelsRefs: [1, 2], samples: [{ value: 3, timestamp: 2000 }], createdTimestamp: 1000 }] }).finish(),
  );
  const ts = v2ToV1(v2).request.timeseries![0] as { createdTimestamp?: unknown };
  assert.equal(String(ts.createdTimestamp), '1000');
});

test('remote-write 2.0: a label ref outside the symbol table is refused, naming the series', () => {
  assert.throws(() => v2ToV1({ symbols: ['', '__name__', 'up'], timeseries: [{ labelsRefs: [1, 2] }, { labelsRefs: [1, 9] }] }), /invalid series #1: label ref 9 out of range/);
  assert.throws(() => v2ToV1({ symbols: ['x', '__name__'], timeseries: [{ labelsRefs: [1, 0] }] }), /symbols\[0\] must be the empty string/);
});

test('snappy: header length, bound checked before decompressing, corrupt blocks refused', () => {
  const data = Buffer.alloc(100_000, 7);
  const block = snappyEncode(data);
  assert.equal(snappyUncompressedLength(block), 100_000);
  assert.deepEqual(snappyDecode(block, 100_000), data);
  assert.throws(() => snappyDecode(block, 99_999), /decompresses to 100000 bytes, over the limit of 99999/);
  assert.throws(() => snappyDecode(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 1e9), /invalid snappy block/);
  const broken = Buffer.from(block);
  broken.writeUInt8(broken.readUInt8(broken.length - 1) ^ 0xff, broken.length - 1);
  broken[3] = 0xfe;
  assert.throws(() => snappyDecode(broken.subarray(0, 5), 1e9), /invalid snappy block/);
});

test('WriteRequest generated codec decodes bytes a Go sender writes (field numbers as prompb)', () => {
  // labels {__name__="up"}, sample 1 @ 1000, stale sample @ 2000.
  const wire = WriteRequest.encode({
    timeseries: [{ labels: [{ name: '__name__', value: 'up' }], samples: [{ value: 1, timestamp: 1000 }, { value: STALE_NAN, timestamp: 2000 }] }],
  }).finish();
  assert.equal(hex(wire), '0a2c0a0e0a085f5f6e616d655f5f12027570120c09000000000000f03f10e807120c09020000000000f07f10d00f');
});
