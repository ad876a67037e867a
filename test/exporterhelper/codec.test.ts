import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signalCodec } from '../../src/exporterhelper/codec.js';
import { createQueue, type QueueSettings } from '../../src/exporterhelper/queuefactory.js';
import { PersistentQueue, type StorageConfig } from '../../src/exporterhelper/persistent/index.js';
import { createRateLimitedLogger } from '../../src/telemetry/ratelog.js';
import { EncodedOtlp, EncodedPrw, otlpBytes, readOtlp, readProm } from '../../src/pdata/batch.js';
import { decodeJSON, encodeJSON } from '../../src/pdata/otlpjson.js';
import { isEncodedPrw, type SignalData } from '../../src/pdata/signal.js';
import { WriteRequest } from '../../src/pdata/proto.js';
import { Gen } from '../helpers/prwgen.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { SelfTelemetry } from '../../src/telemetry/selftelemetry.js';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { must } from '../helpers/must.js';

const fixture = (s: 'traces' | 'metrics' | 'logs') => readFileSync(new URL(`../../../test/fixtures/otlp/${s}.json`, import.meta.url), 'utf8');

for (const signal of ['traces', 'metrics', 'logs'] as const) {
  test(`codec: ${signal} round-trips data, item count and context`, () => {
    const data = decodeJSON(signal, fixture(signal));
    const codec = signalCodec(signal);
    const ctx = { tenant: 'team-a', receiver: 'otlp', metadata: { 'x-scope-orgid': ['a', 'b'] } };
    const back = codec.decode(codec.encode({ data, ctx, items: 42 }));
    assert.equal(back.items, 42);
    assert.deepEqual(back.ctx, ctx);
    assert.equal(encodeJSON(signal, readOtlp(signal, back.data)), encodeJSON(signal, data));
  });

  test(`codec: an encoded ${signal} batch is stored as its bytes and comes back encoded, byte for byte`, () => {
    const bytes = otlpBytes(signal, decodeJSON(signal, fixture(signal)));
    const data = EncodedOtlp.scan(signal, bytes);
    const codec = signalCodec(signal);
    const frame = codec.encode({ data: data as SignalData[typeof signal], ctx: {}, items: data.items });
    assert.deepEqual(Buffer.from(frame.subarray(frame.length - bytes.length)), bytes, 'the payload is the request as received');
    const back = codec.decode(frame);
    assert.ok(back.data instanceof EncodedOtlp);
    assert.deepEqual(back.data.toBuffer(), bytes);
    assert.equal(back.data.items, data.items);
  });
}

test('codec: remote-write metrics stay remote-write, NaN bit patterns included; they come back encoded, the same bytes', () => {
  const stale = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;
  const data = {
    format: 'prw' as const,
    request: { timeseries: [{ labels: [{ name: '__name__', value: 'up' }], samples: [{ value: stale, timestamp: 1700000000000 }] }] },
  };
  const codec = signalCodec('metrics');
  const back = codec.decode(codec.encode({ data, ctx: { tenant: 't1' }, items: 1 }));
  assert.ok(isEncodedPrw(back.data));
  assert.equal(back.items, 1);
  assert.equal(back.data.points, 1);
  assert.equal(back.data.toBuffer().toString('hex'), Buffer.from(WriteRequest.encode(data.request).finish()).toString('hex'));
  const v = must(must(readProm(back.data).timeseries?.[0]).samples?.[0]?.value);
  const f = new Float64Array(1);
  f[0] = v; // (an array literal would canonicalize the NaN)
  assert.equal(new BigUint64Array(f.buffer)[0], 0x7ff0000000000002n);
  assert.deepEqual(back.ctx, { tenant: 't1' });
});

test('codec: an encoded remote-write batch is stored as its wire bytes with its index; read back it needs no scan and keeps hashes', () => {
  const req = new Gen(7).request(30);
  const enc = EncodedPrw.encode(req);
  const codec = signalCodec('metrics');
  const bytes = codec.encode({ data: enc, ctx: {}, items: enc.points });
  const back = codec.decode(bytes).data;
  assert.ok(isEncodedPrw(back));
  assert.equal(back.toBuffer().toString('hex'), enc.toBuffer().toString('hex'));
  const hashes = (e: EncodedPrw) => e.parts.flatMap((p) => Array.from({ length: p.seriesCount }, (_, i) => p.series[(p.first + i) * 4 + 3]));
  assert.deepEqual(hashes(back), hashes(enc));
  assert.equal(back.points, enc.points);
  // Records of earlier builds (kind 3: a bare WriteRequest) are still read.
  const payload = Buffer.from(WriteRequest.encode(req).finish());
  const old = Buffer.concat([Buffer.from([1, 3, 0, 0, 0, enc.points, 0, 0, 0, 0]), payload]);
  const fromOld = codec.decode(old).data;
  assert.ok(isEncodedPrw(fromOld));
  assert.equal(fromOld.toBuffer().toString('hex'), payload.toString('hex'));
});

test('codec: refuses bytes of another signal or a truncated frame, saying why', () => {
  const bytes = signalCodec('logs').encode({ data: { resourceLogs: [] }, ctx: {}, items: 0 });
  assert.throws(() => signalCodec('traces').decode(bytes), /holds logs, expected traces/);
  assert.throws(() => signalCodec('logs').decode(bytes.subarray(0, 4)), /shorter than its 10-byte header/);
});

function queueSettings(storage?: StorageConfig): QueueSettings<any> {
  return {
    id: 'otlp',
    signal: 'traces',
    cfg: {
      enabled: true,
      num_consumers: 1,
      queue_size: 5,
      sizer: 'requests',
      block_on_overflow: false,
      wait_for_result: false,
      ...(storage === undefined ? {} : { storage }),
    },
    codec: signalCodec('traces'),
    logger: silentLogger(),
    telemetry: new SelfTelemetry({ processMetrics: false }),
    onSize: () => {},
  };
}

test('createQueue: memory queue by default; sending_queue.storage selects the persistent queue', async () => {
  assert.equal(createQueue(queueSettings()).capacity(), 5);
  assert.ok(!createQueue(queueSettings()).durable);
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-queuefactory-'));
  try {
    const q = createQueue(queueSettings({ directory: dir, max_bytes: 1 << 20, segment_bytes: 1 << 16, fsync: false }));
    assert.ok(q instanceof PersistentQueue);
    assert.equal(q.durable, true);
    await q.start(async () => {});
    await q.shutdown();
    assert.ok(readdirSync(dir).includes('otlp-traces'), 'the queue lives in <directory>/<exporter id>-<signal>');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rate-limited logger: one line per key per interval, then how many were held back', () => {
  const lines: any[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _e, cb) {
        lines.push(JSON.parse(String(chunk)));
        cb();
      },
    }),
  );
  let now = 0;
  const rl = createRateLimitedLogger(logger, { intervalMs: 1000, now: () => now });
  for (let i = 0; i < 5; i++) rl.log('warn', 'a', { i }, 'failing');
  rl.log('warn', 'b', {}, 'other key');
  now = 1500;
  rl.log('warn', 'a', { i: 9 }, 'failing');
  return new Promise<void>((resolve) =>
    setImmediate(() => {
      assert.deepEqual(
        lines.map((l) => [l.msg, l.i, l.suppressed]),
        [
          ['failing', 0, undefined],
          ['other key', undefined, undefined],
          ['failing', 9, 4],
        ],
      );
      resolve();
    }),
  );
});
