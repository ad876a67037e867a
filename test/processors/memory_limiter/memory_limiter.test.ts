import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CreateSettings } from '../../../src/component/factory.js';
import { validateAgainst } from '../../../src/config/validate.js';
import { ConsumerError } from '../../../src/errors/consumererror.js';
import { ExportTraceServiceRequest } from '../../../src/pdata/proto.js';
import { MemoryLimiterSchema, type MemoryLimiterConfig } from '../../../src/processors/memory_limiter/config.js';
import { memoryLimiterFactory } from '../../../src/processors/memory_limiter/factory.js';
import { cgroupLimit } from '../../../src/memory/limits.js';
import { MemoryLimiter, computeLimits } from '../../../src/processors/memory_limiter/memory_limiter.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { factoriesByKind, FACTORIES } from '../../../src/components.js';
import { freePort } from '../../helpers/ports.js';
import { SinkConsumer, sinkExporterFactory } from '../../helpers/sink.js';
import { traces } from '../batch/build.js';
import { validConfig } from '../../helpers/validconfig.js';

const MIB = 1024 * 1024;

function settings(): CreateSettings {
  return { id: 'memory_limiter', kind: 'processor', logger: silentLogger(), telemetry: new SelfTelemetry({ processMetrics: false }) };
}

function config(partial: Record<string, unknown>): MemoryLimiterConfig {
  const cfg = validConfig(MemoryLimiterSchema, { ...partial }, 'processors.memory_limiter');
  assert.deepEqual(memoryLimiterFactory.validate?.(cfg), []);
  return cfg;
}

/** A limiter whose memory reading and clock the test sets. */
function rig(partial: Record<string, unknown>, extra: { gc?: () => void; total?: number } = {}) {
  const state = { usage: 0, now: 0 };
  const sink = new SinkConsumer({ signal: 'traces' });
  const set = settings();
  const ml = new MemoryLimiter(set, config(partial), 'traces', sink, {
    readMemory: () => state.usage,
    now: () => state.now,
    gc: extra.gc,
    totalMemory: () => extra.total ?? 0,
  });
  return { state, sink, ml, set };
}

test('config: collector keys, defaults and checks', () => {
  const cfg: Record<string, unknown> = { limit_mib: 100 };
  assert.deepEqual(validateAgainst(MemoryLimiterSchema, cfg, 'processors.memory_limiter'), []);
  assert.deepEqual(cfg, {
    limit_mib: 100,
    check_interval: '1s',
    spike_limit_mib: 0,
    limit_percentage: 0,
    spike_limit_percentage: 0,
    min_gc_interval_when_soft_limited: '10s',
    min_gc_interval_when_hard_limited: '0s',
  });
  const v = memoryLimiterFactory.validate!;
  const base = { ...cfg };
  // Neither limit set: 80% of what the process may use (the collector would refuse the config).
  assert.deepEqual(v({ ...base, limit_mib: 0 }), []);
  assert.deepEqual(computeLimits({ ...base, limit_mib: 0 }, () => 1000 * MIB), { hard: 800 * MIB, soft: 640 * MIB });
  assert.deepEqual(v({ ...base, spike_limit_mib: 100 }), ['spike_limit_mib: must be smaller than limit_mib']);
  assert.deepEqual(v({ ...base, check_interval: '0s' }), ['check_interval: must be greater than zero']);
  assert.deepEqual(v({ ...base, limit_mib: 0, limit_percentage: 50, spike_limit_percentage: 60 }), [
    'spike_limit_percentage: must be smaller than limit_percentage',
  ]);
  assert.deepEqual(v({ ...base, min_gc_interval_when_soft_limited: '1s', min_gc_interval_when_hard_limited: '5s' }), [
    'min_gc_interval_when_soft_limited: must be larger than or equal to min_gc_interval_when_hard_limited',
  ]);
  assert.deepEqual(validateAgainst(MemoryLimiterSchema, { limit_percentage: 101 }, 'processors.memory_limiter'), [
    'processors.memory_limiter.limit_percentage: must be <= 100',
  ]);
});

test('limits: spike defaults to 20% of the limit; percentages are of total memory', () => {
  assert.deepEqual(computeLimits(config({ limit_mib: 100 }), () => 0), { hard: 100 * MIB, soft: 80 * MIB });
  assert.deepEqual(computeLimits(config({ limit_mib: 100, spike_limit_mib: 30 }), () => 0), { hard: 100 * MIB, soft: 70 * MIB });
  assert.deepEqual(computeLimits(config({ limit_percentage: 50, spike_limit_percentage: 10 }), () => 1000 * MIB), {
    hard: 500 * MIB,
    soft: 400 * MIB,
  });
  assert.deepEqual(computeLimits(config({ limit_percentage: 50 }), () => 1000 * MIB), { hard: 500 * MIB, soft: 400 * MIB });
});

test('cgroup limit: v2 number, v2 "max", v1 unlimited', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-cgroup-'));
  const f = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  assert.equal(cgroupLimit([f('a', '536870912\n')]), 536870912);
  assert.equal(cgroupLimit([f('b', 'max\n')]), undefined);
  assert.equal(cgroupLimit([f('c', '9223372036854771712\n')]), undefined);
  assert.equal(cgroupLimit([join(dir, 'missing'), f('d', '1073741824')]), 1073741824);
});

test('above the soft limit data is refused with a retryable TG_MEMORY_LIMIT error; below it, accepted again', async () => {
  const { state, sink, ml, set } = rig({ limit_mib: 100, spike_limit_mib: 20 });
  state.usage = 50 * MIB;
  await ml.consume(traces({ scopes: [{ items: 2 }] }), {});
  assert.equal(sink.itemCount, 2);

  state.usage = 85 * MIB; // above the soft limit (80 MiB), below the hard one
  state.now += 100;
  await assert.rejects(ml.consume(traces({ scopes: [{ items: 3 }] }), {}), (e: unknown) => {
    assert.ok(e instanceof ConsumerError);
    assert.equal(e.kind, 'retryable');
    assert.equal(e.retryable, true);
    assert.equal(e.code, 'TG_MEMORY_LIMIT');
    assert.match(e.message, /data refused due to high memory usage: 85 MiB in use, soft limit 80 MiB/);
    return true;
  });
  await assert.rejects(ml.consume(traces({ scopes: [{ items: 4 }] }), {}), ConsumerError);
  assert.equal(sink.itemCount, 2, 'refused data never reached downstream');
  assert.equal(ml.limited, true);
  const text = (await set.telemetry.render()).body;
  assert.match(text, /otelcol_processor_refused_spans\{processor="memory_limiter"\} 7/);
  assert.doesNotMatch(text, /tollgate_dropped_items/, 'refused is not dropped: the client keeps the data');

  state.usage = 60 * MIB; // memory went down
  state.now += 100;
  await ml.consume(traces({ scopes: [{ items: 5 }] }), {});
  assert.equal(sink.itemCount, 7);
  assert.equal(ml.limited, false);
});

test('requests re-read memory only when the last reading is older than 100 ms', async () => {
  const { state, sink, ml } = rig({ limit_mib: 100 });
  let reads = 0;
  (ml as any).read = () => {
    reads++;
    return state.usage;
  };
  state.usage = 10 * MIB;
  for (let i = 0; i < 5; i++) await ml.consume(traces({ scopes: [{ items: 1 }] }), {});
  assert.equal(reads, 1);
  state.usage = 95 * MIB;
  state.now += 99;
  await ml.consume(traces({ scopes: [{ items: 1 }] }), {});
  assert.equal(reads, 1, 'a fresh reading is reused');
  state.now += 1;
  await assert.rejects(ml.consume(traces({ scopes: [{ items: 1 }] }), {}));
  assert.equal(reads, 2);
  assert.equal(sink.itemCount, 6);
});

test('the periodic check forces GC above the hard limit (when exposed) and decides on the reading after it', async () => {
  let gcs = 0;
  const { state, sink, ml } = rig({ limit_mib: 100 }, {
    gc: () => {
      gcs++;
      state.usage = 50 * MIB; // the collection freed memory
    },
  });
  state.usage = 120 * MIB;
  ml.check(true);
  assert.equal(gcs, 1);
  assert.equal(ml.limited, false, 'back under the soft limit after GC');
  await ml.consume(traces({ scopes: [{ items: 1 }] }), {});
  assert.equal(sink.itemCount, 1);

  // Above the soft limit only: GC at most every min_gc_interval_when_soft_limited (10s).
  state.usage = 90 * MIB;
  const gcBefore = gcs;
  (ml as any).gc = () => gcs++;
  state.now += 5_000;
  ml.check(true);
  assert.equal(gcs, gcBefore, 'the last GC was 5s ago');
  state.now += 5_000;
  ml.check(true);
  assert.equal(gcs, gcBefore + 1);
  state.now += 1000;
  ml.check(true);
  assert.equal(gcs, gcBefore + 1, 'no second GC within 10s while only soft-limited');
  assert.equal(ml.limited, true);

  // Requests never force a GC.
  state.usage = 200 * MIB;
  state.now += 20_000;
  await assert.rejects(ml.consume(traces({ scopes: [{ items: 1 }] }), {}));
  assert.equal(gcs, gcBefore + 1);
});

test('without an exposed GC the limiter still refuses above the hard limit', async () => {
  const { state, ml } = rig({ limit_mib: 100 }, { gc: undefined });
  state.usage = 150 * MIB;
  ml.check(true);
  assert.equal(ml.limited, true);
  await assert.rejects(ml.consume(traces({ scopes: [{ items: 1 }] }), {}), ConsumerError);
});

test('start measures at once and every check_interval; shutdown stops it', async () => {
  const sink = new SinkConsumer({ signal: 'traces' });
  let reads = 0;
  const ml = new MemoryLimiter(settings(), config({ limit_mib: 100, check_interval: '5ms' }), 'traces', sink, {
    readMemory: () => {
      reads++;
      return 10 * MIB;
    },
  });
  await ml.start();
  assert.equal(reads, 1);
  while (reads < 3) await new Promise((r) => setTimeout(r, 5));
  await ml.shutdown();
  const after = reads;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(reads, after, 'no readings after shutdown');
  await ml.shutdown();
});

test('in a running gateway a tiny limit makes the OTLP receiver answer 503 with Retry-After, and nothing is exported', async () => {
  const sinks = sinkExporterFactory();
  const port = await freePort();
  const svc = new Service(
    {
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${port}` } } } },
      processors: { memory_limiter: { limit_mib: 1, check_interval: '1s' } },
      exporters: { testsink: null },
      service: {
        telemetry: { metrics: { address: '' } },
        pipelines: { traces: { receivers: ['otlp'], processors: ['memory_limiter'], exporters: ['testsink'] } },
      },
    },
    { logger: silentLogger(), factories: factoriesByKind([...FACTORIES, sinks]) },
  );
  await svc.start();
  try {
    const body = ExportTraceServiceRequest.encode(traces({ scopes: [{ items: 3 }] })).finish();
    const res = await fetch(`http://127.0.0.1:${port}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body,
    });
    assert.equal(res.status, 503, 'retryable refusal: clients keep the data and retry');
    assert.ok(res.headers.get('retry-after'), 'Retry-After is set');
    await res.arrayBuffer();
    assert.equal(sinks.sinks.get('testsink/traces')!.attempts, 0);
  } finally {
    await svc.shutdown();
  }
});

test('decides on reclaimable memory (soft limit), with the resident set size as the last guard (hard limit); recovers on its own', async () => {
  const sink = new SinkConsumer({ signal: 'traces' });
  const m = { reclaimable: 10 * MIB, rss: 50 * MIB };
  let t = 0;
  const set = settings();
  const ml = new MemoryLimiter(set, config({ limit_mib: 100, spike_limit_mib: 20 }), 'traces', sink, {
    readMemory: () => m.reclaimable,
    readRss: () => m.rss,
    now: () => t,
    gc: undefined,
  });
  const step = (reclaimable: number, rss: number) => {
    m.reclaimable = reclaimable * MIB;
    m.rss = rss * MIB;
    t += 1000;
    ml.check(true);
    return ml.limited;
  };
  assert.equal(step(10, 95), false, 'a high RSS under the hard limit alone does not refuse');
  assert.equal(step(81, 90), true, 'reclaimable over the soft limit refuses');
  assert.equal(step(30, 99), false, 'back under once reclaimable memory falls, although the RSS stays high');
  assert.equal(step(30, 101), true, 'the RSS over the hard limit refuses (last guard)');
  assert.equal(step(30, 99), false);
  // Between readings, bytes the queues and requests in flight take on count at once.
  set.telemetry.memory.add('inflight', 60 * MIB);
  t += 10;
  await assert.rejects(ml.consume(traces({ scopes: [{ items: 1 }] }), {}));
  assert.equal(ml.limited, true);
  set.telemetry.memory.add('inflight', -60 * MIB);
});

test('while a memory_limiter refuses, receivers refuse new requests at the door (the admission gate)', async () => {
  const sink = new SinkConsumer({ signal: 'traces' });
  const set = settings();
  let usage = 10 * MIB;
  const ml = new MemoryLimiter(set, config({ limit_mib: 100, check_interval: '1h' }), 'traces', sink, { readMemory: () => usage, gc: undefined });
  await ml.start();
  assert.equal(set.telemetry.admission.atDoor(), undefined);
  usage = 90 * MIB;
  ml.check(false);
  assert.equal(set.telemetry.admission.atDoor()?.code, 'TG_MEMORY_LIMIT');
  usage = 10 * MIB;
  ml.check(false);
  assert.equal(set.telemetry.admission.atDoor(), undefined);
  await ml.shutdown();
  usage = 90 * MIB;
  ml.check(false);
  assert.equal(set.telemetry.admission.atDoor(), undefined, 'a stopped limiter no longer guards the door');
});
