import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { PromData, PromMetrics } from '../../../src/component/signal.js';
import { readProm } from '../../../src/pdata/batch.js';
import type { MetricsData } from '../../../src/component/signal.js';
import { ConsumerError, permanentError, retryableError } from '../../../src/errors/consumererror.js';
import { signalCodec } from '../../../src/exporterhelper/codec.js';
import { PersistentQueue } from '../../../src/exporterhelper/persistent/index.js';
import { PartialSendError } from '../../../src/exporterhelper/send.js';
import { crc32, crc32Portable } from '../../../src/util/crc32.js';
import type { QueuedRequest } from '../../../src/exporterhelper/queue.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { metricValue } from '../../helpers/telemetry.js';
import { must } from '../../helpers/must.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'tg-pq-'));
  dirs.push(d);
  return d;
}

/** A remote-write request whose one sample carries `n`, so tests can tell requests apart. */
function req(n: number, items = 1, tenant?: string): QueuedRequest<MetricsData> {
  const data: PromMetrics = { format: 'prw', request: { timeseries: [{ labels: [{ name: '__name__', value: 'm' }], samples: [{ value: n, timestamp: n }] }] } };
  return { data, ctx: tenant ? { tenant } : {}, items };
}
function valueOf(r: QueuedRequest<MetricsData>): number {
  return must(must(readProm(r.data as PromData).timeseries?.[0]).samples?.[0]?.value);
}

function makeQueue(dir: string, over: Partial<ConstructorParameters<typeof PersistentQueue<MetricsData>>[0]> = {}) {
  const telemetry = over.telemetry ?? new SelfTelemetry({ processMetrics: false });
  const q = new PersistentQueue<MetricsData>({
    id: 'prometheusremotewrite',
    signal: 'metrics',
    dir,
    maxBytes: 1 << 20,
    maxRequests: 1000,
    segmentBytes: 4096,
    fsync: true,
    consumers: 1,
    codec: signalCodec('metrics'),
    logger: silentLogger(),
    telemetry,
    retryInitialMs: 10,
    maxRetryMs: 50,
    ...over,
  });
  return { q, telemetry };
}

/** Starts the queue with a recording deliver; resolves `until(n)` once n requests arrived. */
function recorder(fail?: (r: QueuedRequest<MetricsData>, attempt: number) => Error | undefined) {
  const got: QueuedRequest<MetricsData>[] = [];
  const attempts = new Map<number, number>();
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const deliver = async (r: QueuedRequest<MetricsData>) => {
    const v = valueOf(r);
    const a = (attempts.get(v) ?? 0) + 1;
    attempts.set(v, a);
    const err = fail?.(r, a);
    if (err) throw err;
    got.push(r);
    for (const w of waiters.filter((x) => got.length >= x.n)) w.resolve();
  };
  const until = (n: number) => (got.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })));
  return { got, attempts, deliver, until, values: () => got.map(valueOf) };
}

async function segFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.seg')).sort();
}

test('crc32: native and portable implementations agree', () => {
  const b = Buffer.from('The quick brown fox jumps over the lazy dog');
  assert.equal(crc32(b), 0x414fa339);
  assert.equal(crc32Portable(b), 0x414fa339);
});

test('requests queued before a restart are delivered after it, in order, with their context', async () => {
  const dir = await tempDir();
  let { q } = makeQueue(dir);
  for (let i = 1; i <= 5; i++) await q.offer(req(i, i, `t${i}`));
  assert.equal(q.size(), 5);
  await q.shutdown();

  ({ q } = makeQueue(dir));
  const rec = recorder();
  await q.start(rec.deliver);
  await rec.until(5);
  assert.deepEqual(rec.values(), [1, 2, 3, 4, 5]);
  assert.deepEqual(
    rec.got.map((r) => [r.items, r.ctx.tenant]),
    [1, 2, 3, 4, 5].map((i) => [i, `t${i}`]),
  );
  await q.shutdown();

  // delivered records are not delivered again, and their segments are gone
  ({ q } = makeQueue(dir));
  const again = recorder();
  await q.start(again.deliver);
  assert.equal(q.size(), 0);
  await q.shutdown();
  assert.deepEqual(again.values(), []);
  assert.deepEqual(await segFiles(dir), []);
});

test('order is kept across many segments; delivered segments are deleted', async () => {
  const dir = await tempDir();
  const { q } = makeQueue(dir, { segmentBytes: 4096 });
  for (let i = 0; i < 200; i++) await q.offer(req(i));
  assert.ok((await segFiles(dir)).length > 3, 'small segments: several files');
  const rec = recorder();
  await q.start(rec.deliver);
  await rec.until(200);
  assert.deepEqual(rec.values(), Array.from({ length: 200 }, (_, i) => i));
  await q.shutdown();
  assert.deepEqual(await segFiles(dir), []);
});

test('full queue refuses with a retryable TG_QUEUE_FULL (by bytes and by requests); room comes back after delivery', async () => {
  const dir = await tempDir();
  const one = signalCodec('metrics').encode(req(1)).length + 28;
  const { q } = makeQueue(dir, { maxBytes: one * 3 });
  for (let i = 0; i < 3; i++) await q.offer(req(i + 1));
  await assert.rejects(q.offer(req(4)), (e: unknown) => e instanceof ConsumerError && e.code === 'TG_QUEUE_FULL' && e.kind === 'retryable');
  const rec = recorder();
  await q.start(rec.deliver);
  await rec.until(3);
  await q.offer(req(4));
  await rec.until(4);
  await q.shutdown();
  assert.deepEqual(rec.values(), [1, 2, 3, 4]);

  const d2 = await tempDir();
  const { q: q2 } = makeQueue(d2, { maxRequests: 2 });
  await q2.offer(req(0));
  await q2.offer(req(1));
  await assert.rejects(q2.offer(req(2)), (e: unknown) => e instanceof ConsumerError && e.code === 'TG_QUEUE_FULL' && e.retryable);
  assert.equal(q2.capacity(), 2);
  await q2.shutdown();
});

test('a request larger than max_bytes is refused as permanent', async () => {
  const { q } = makeQueue(await tempDir(), { maxBytes: 50 });
  await assert.rejects(q.offer(req(1)), (e: unknown) => e instanceof ConsumerError && e.code === 'TG_TOO_LARGE_ITEM' && e.kind === 'permanent');
  await q.shutdown();
});

test('retryable failures keep the request at the head until it goes through; permanent ones remove it', async () => {
  const dir = await tempDir();
  const { q } = makeQueue(dir);
  const rec = recorder((r, attempt) => {
    const v = valueOf(r);
    if (v === 1 && attempt <= 3) return retryableError('TG_EXPORT_RETRYABLE', 'target down');
    if (v === 2) return permanentError('TG_EXPORT_BAD_REQUEST', 'bad');
    return undefined;
  });
  await q.start(rec.deliver);
  for (let i = 1; i <= 3; i++) await q.offer(req(i));
  await rec.until(2);
  assert.deepEqual(rec.values(), [1, 3]);
  assert.equal(rec.attempts.get(1), 4);
  await q.shutdown();
  assert.deepEqual(await segFiles(dir), []);
});

test('a request whose delivery was still failing at shutdown is kept for the next start', async () => {
  const dir = await tempDir();
  let { q } = makeQueue(dir);
  const down = recorder(() => retryableError('TG_EXPORT_RETRYABLE', 'target down'));
  await q.start(down.deliver);
  await q.offer(req(7));
  await q.offer(req(8));
  while ((down.attempts.get(7) ?? 0) < 2) await new Promise((r) => setTimeout(r, 5));
  await q.shutdown();
  ({ q } = makeQueue(dir));
  const up = recorder();
  await q.start(up.deliver);
  await up.until(2);
  await q.shutdown();
  assert.deepEqual(up.values(), [7, 8]);
});

test('a flipped byte in a record body skips that record with a counted loss; the rest is delivered', async () => {
  const dir = await tempDir();
  let { q } = makeQueue(dir);
  for (let i = 1; i <= 3; i++) await q.offer(req(i, 10 * i));
  await q.shutdown();
  const [seg] = await segFiles(dir);
  const path = join(dir, seg!);
  const bytes = await readFile(path);
  const recLen = bytes.length / 3;
  bytes[recLen + 40]! ^= 0xff; // inside record 2's body
  await writeFile(path, bytes);

  let telemetry: SelfTelemetry;
  ({ q, telemetry } = makeQueue(dir));
  const rec = recorder();
  await q.start(rec.deliver);
  await rec.until(2);
  await q.shutdown();
  assert.deepEqual(rec.values(), [1, 3]);
  assert.equal(await metricValue(telemetry, 'tollgate_dropped_items', { component: 'prometheusremotewrite', otel_signal: 'metrics', reason: 'TG_QUEUE_CORRUPT' }), 20);
});

test('a damaged record header: the queue finds the next record and counts the loss', async () => {
  const dir = await tempDir();
  let { q } = makeQueue(dir);
  for (let i = 1; i <= 3; i++) await q.offer(req(i));
  await q.shutdown();
  const [seg] = await segFiles(dir);
  const path = join(dir, seg!);
  const bytes = await readFile(path);
  const recLen = bytes.length / 3;
  bytes[recLen + 5]! ^= 0x01; // record 2's length field
  await writeFile(path, bytes);
  let telemetry: SelfTelemetry;
  ({ q, telemetry } = makeQueue(dir));
  const rec = recorder();
  await q.start(rec.deliver);
  await rec.until(2);
  await q.shutdown();
  assert.deepEqual(rec.values(), [1, 3]);
  assert.equal(await metricValue(telemetry, 'tollgate_dropped_items', { component: 'prometheusremotewrite', otel_signal: 'metrics', reason: 'TG_QUEUE_CORRUPT' }), 1);
});

test('a torn tail (crash in the middle of an append) is cut off; earlier records and new appends are fine', async () => {
  const dir = await tempDir();
  let { q } = makeQueue(dir);
  for (let i = 1; i <= 3; i++) await q.offer(req(i));
  await q.shutdown();
  const [seg] = await segFiles(dir);
  const path = join(dir, seg!);
  const size = (await stat(path)).size;
  await truncate(path, size - 7);
  let telemetry: SelfTelemetry;
  ({ q, telemetry } = makeQueue(dir));
  await q.offer(req(4));
  const rec = recorder();
  await q.start(rec.deliver);
  await rec.until(3);
  await q.shutdown();
  assert.deepEqual(rec.values(), [1, 2, 4]);
  assert.equal((await stat(path).catch(() => null))?.size ?? 0, 0, 'delivered segment deleted');
  assert.equal(await metricValue(telemetry, 'tollgate_dropped_items', { component: 'prometheusremotewrite', otel_signal: 'metrics', reason: 'TG_QUEUE_CORRUPT' }), 0);
});

test('a damaged header on the last record written is counted as corruption, not taken for a torn write; later records are kept', async () => {
  for (const where of ['magic', 'items', 'header checksum'] as const) {
    const dir = await tempDir();
    let { q } = makeQueue(dir);
    for (let i = 1; i <= 3; i++) await q.offer(req(i, 5));
    await q.shutdown();
    const path = join(dir, (await segFiles(dir))[0] ?? '');
    const bytes = await readFile(path);
    const at = (2 * bytes.length) / 3 + { magic: 0, items: 8, 'header checksum': 25 }[where];
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0x10, at); // record 3, fsynced and acknowledged
    await writeFile(path, bytes);
    let telemetry: SelfTelemetry;
    ({ q, telemetry } = makeQueue(dir));
    await q.offer(req(4));
    const rec = recorder();
    await q.start(rec.deliver);
    await rec.until(3);
    await q.shutdown();
    assert.deepEqual(rec.values(), [1, 2, 4], where);
    assert.equal(await metricValue(telemetry, 'tollgate_dropped_items', { component: 'prometheusremotewrite', otel_signal: 'metrics', reason: 'TG_QUEUE_CORRUPT' }), 1, where);
  }
});

test('a damaged last record followed by a torn append: the record is counted, the torn bytes cut, later records kept', async () => {
  const dir = await tempDir();
  let { q } = makeQueue(dir);
  for (let i = 1; i <= 4; i++) await q.offer(req(i));
  await q.shutdown();
  const path = join(dir, (await segFiles(dir))[0] ?? '');
  const bytes = await readFile(path);
  const at = bytes.length / 2;
  bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at); // record 3's magic
  await writeFile(path, bytes.subarray(0, bytes.length - 9)); // record 4 torn
  let telemetry: SelfTelemetry;
  ({ q, telemetry } = makeQueue(dir));
  await q.offer(req(5));
  const rec = recorder();
  await q.start(rec.deliver);
  await rec.until(3);
  await q.shutdown();
  assert.deepEqual(rec.values(), [1, 2, 5]);
  assert.equal(await metricValue(telemetry, 'tollgate_dropped_items', { component: 'prometheusremotewrite', otel_signal: 'metrics', reason: 'TG_QUEUE_CORRUPT' }), 1);
});

test('a whole segment of garbage is skipped with a counted loss, never a crash loop', async () => {
  const dir = await tempDir();
  let { q } = makeQueue(dir, { segmentBytes: 4096 });
  for (let i = 0; i < 100; i++) await q.offer(req(i));
  await q.shutdown();
  const segs = await segFiles(dir);
  assert.ok(segs.length >= 2);
  await writeFile(join(dir, segs[0]!), Buffer.alloc((await stat(join(dir, segs[0]!))).size, 0xab));
  for (let round = 0; round < 2; round++) {
    let telemetry: SelfTelemetry;
    ({ q, telemetry } = makeQueue(dir));
    const rec = recorder();
    await q.start(rec.deliver);
    if (round === 0) {
      await rec.until(1);
      await q.shutdown();
      assert.equal(await metricValue(telemetry, 'tollgate_dropped_items', { component: 'prometheusremotewrite', otel_signal: 'metrics', reason: 'TG_QUEUE_CORRUPT' }), 1);
      assert.ok(rec.values()[0]! > 0, 'delivery resumes after the damaged segment');
    } else {
      await q.shutdown();
    }
  }
});

test('self-metrics: queued bytes, bytes on disk, capacity and oldest item age', async () => {
  const dir = await tempDir();
  let clock = 1_000_000;
  const { q, telemetry } = makeQueue(dir, { maxBytes: 123456, now: () => clock });
  await q.offer(req(1));
  clock += 5000;
  await q.offer(req(2));
  const labels = { exporter: 'prometheusremotewrite', otel_signal: 'metrics' };
  const bytes = await metricValue(telemetry, 'tollgate_exporter_queue_bytes', labels);
  assert.equal(bytes, q.bytes());
  assert.ok(bytes > 0);
  assert.equal(await metricValue(telemetry, 'tollgate_exporter_queue_disk_bytes', labels), bytes);
  assert.equal(await metricValue(telemetry, 'tollgate_exporter_queue_capacity_bytes', labels), 123456);
  assert.equal(await metricValue(telemetry, 'tollgate_exporter_queue_oldest_item_age_seconds', labels), 5);
  const rec = recorder();
  await q.start(rec.deliver);
  await rec.until(2);
  await q.shutdown();
  assert.equal(await metricValue(telemetry, 'tollgate_exporter_queue_oldest_item_age_seconds', labels), 0);
  assert.equal(await metricValue(telemetry, 'tollgate_exporter_queue_bytes', labels), 0);
});

test('two queues cannot share a directory', async () => {
  const dir = await tempDir();
  const { q } = makeQueue(dir);
  await q.offer(req(1));
  const { q: q2 } = makeQueue(dir);
  await assert.rejects(q2.offer(req(2)), /already used/);
  await q2.shutdown();
  await q.shutdown();
});

test('partial progress: the remainder a delivery hands back replaces the record, so a restart resends only that', async () => {
  const dir = await tempDir();
  let { q } = makeQueue(dir);
  await q.offer(req(1, 10, 'a'));
  // The delivery gets part out, then fails retryably with the rest (value 2, 4 items) as its remainder.
  let handedBack!: () => void;
  const failedOnce = new Promise<void>((r) => (handedBack = r));
  await q.start(async (r) => {
    const rest = req(2, 4, r.ctx.tenant);
    handedBack();
    throw new PartialSendError(retryableError('TG_EXPORT_RETRYABLE', 'broker went away'), rest);
  });
  await failedOnce;
  await q.shutdown();

  ({ q } = makeQueue(dir));
  const rec = recorder();
  await q.start(rec.deliver);
  await rec.until(1);
  await q.shutdown();
  assert.deepEqual(rec.values(), [2], 'only the remainder is delivered after the restart');
  assert.deepEqual(
    rec.got.map((r) => [r.items, r.ctx.tenant]),
    [[4, 'a']],
  );
});
