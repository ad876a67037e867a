import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CreateSettings } from '../../../src/component/factory.js';
import type { PromMetrics, Signal } from '../../../src/component/signal.js';
import { validateAgainst } from '../../../src/config/validate.js';
import { ConsumerError, retryableError } from '../../../src/errors/consumererror.js';
import { BatchProcessor } from '../../../src/processors/batch/batch.js';
import { BatchSchema, type BatchConfig } from '../../../src/processors/batch/config.js';
import { batchFactory } from '../../../src/processors/batch/factory.js';
import { ExportMetricsServiceRequest, ExportTraceServiceRequest, WriteRequest, type Logs, type Metrics, type Traces } from '../../../src/pdata/proto.js';
import { countItems } from '../../../src/pdata/count.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { SinkConsumer, sinkExporterFactory } from '../../helpers/sink.js';
import { PushReceiver, pushReceiverFactory } from '../../helpers/testfactories.js';
import { FACTORIES, factoriesByKind } from '../../../src/components.js';
import { Service } from '../../../src/service/service.js';
import { attr, logs, metric, metrics, prom, spanNames, traces } from './build.js';
import { validConfig } from '../../helpers/validconfig.js';

function settings(): CreateSettings {
  return { id: 'batch', kind: 'processor', logger: silentLogger(), telemetry: new SelfTelemetry({ processMetrics: false }) };
}

function config(partial: Record<string, unknown>): BatchConfig {
  const cfg = validConfig(BatchSchema, { ...partial }, 'processors.batch');
  assert.deepEqual(batchFactory.validate?.(cfg), []);
  return cfg;
}

function setup<S extends Signal>(signal: S, partial: Record<string, unknown>) {
  const sink = new SinkConsumer({ signal });
  const set = settings();
  const p = new BatchProcessor(set, config(partial), signal, sink);
  return { sink, p, set };
}

const HOUR = '1h';

test('defaults are the collector batch processor defaults', () => {
  const cfg: Record<string, unknown> = {};
  assert.deepEqual(validateAgainst(BatchSchema, cfg, 'processors.batch'), []);
  assert.deepEqual(cfg, { send_batch_size: 8192, timeout: '200ms', send_batch_max_size: 0, metadata_keys: [], metadata_cardinality_limit: 1000 });
  assert.deepEqual(batchFactory.validate!({ ...cfg, send_batch_size: 100, send_batch_max_size: 50 }), [
    'send_batch_max_size: must be greater than or equal to send_batch_size',
  ]);
});

test('size trigger: requests are merged and sent once send_batch_size items are pending', async () => {
  const { sink, p } = setup('traces', { send_batch_size: 10, timeout: HOUR });
  const a = p.consume(traces({ scopes: [{ items: ['a0', 'a1', 'a2', 'a3'] }] }), {});
  const b = p.consume(traces({ scopes: [{ items: ['b0', 'b1', 'b2', 'b3'] }] }), {});
  assert.equal(sink.attempts, 0, 'below send_batch_size nothing is sent');
  const c = p.consume(traces({ scopes: [{ items: ['c0', 'c1', 'c2', 'c3'] }] }), {});
  await Promise.all([a, b, c]);
  assert.equal(sink.calls.length, 1);
  assert.deepEqual(spanNames(sink.calls[0]!.data), ['a0', 'a1', 'a2', 'a3', 'b0', 'b1', 'b2', 'b3', 'c0', 'c1', 'c2', 'c3']);
  assert.equal(sink.calls[0]!.data.resourceSpans!.length, 3, 'resources are appended, as the collector does');
  await p.shutdown();
  assert.equal(sink.calls.length, 1, 'nothing left to flush');
});

test('timeout trigger: a partial batch is sent when the timeout passes', async () => {
  const { sink, p, set } = setup('logs', { send_batch_size: 1000, timeout: '20ms' });
  const a = p.consume(logs({ scopes: [{ items: 3 }] }), {});
  const b = p.consume(logs({ scopes: [{ items: 2 }] }), {});
  await Promise.all([a, b]);
  assert.equal(sink.calls.length, 1);
  assert.equal(sink.calls[0]!.items, 5);
  const text = (await set.telemetry.render()).body;
  assert.match(text, /otelcol_processor_batch_timeout_trigger_send\{processor="batch"\} 1/);
  await p.shutdown();
});

test('send_batch_max_size splits inside resources and scopes, copying the resource and scope', async () => {
  const { sink, p } = setup('traces', { send_batch_size: 5, send_batch_max_size: 5, timeout: HOUR });
  const names = Array.from({ length: 6 }, (_, i) => `x${i}`);
  const names2 = Array.from({ length: 6 }, (_, i) => `y${i}`);
  const done = p.consume(
    traces({ attrs: { 'service.name': 'svc' }, scopes: [{ name: 'lib-a', items: names }, { name: 'lib-b', items: names2 }] }),
    {},
  );
  await sink.waitForCalls(2);
  assert.deepEqual(
    sink.calls.map((c) => c.items),
    [5, 5],
    'two full batches at once; 2 items wait for more or the timeout',
  );
  await p.shutdown();
  await done;
  assert.deepEqual(
    sink.calls.map((c) => c.items),
    [5, 5, 2],
  );
  assert.deepEqual(sink.calls.flatMap((c) => spanNames(c.data)), [...names, ...names2], 'every span once, in order');
  const resources = sink.calls.map((c) => c.data.resourceSpans![0]!.resource!);
  for (const r of resources) assert.equal(attr(r.attributes, 'service.name'), 'svc');
  assert.notEqual(resources[0], resources[1], 'a split resource is copied, so downstream changes to one batch stay in it');
  const scopes = sink.calls.flatMap((c) => (c.data as Traces).resourceSpans!.flatMap((rs) => rs.scopeSpans!.map((ss) => ss.scope!.name)));
  assert.deepEqual(scopes, ['lib-a', 'lib-a', 'lib-b', 'lib-b']);
  // Every batch is a valid OTLP message.
  for (const c of sink.calls) {
    const round = ExportTraceServiceRequest.decode(ExportTraceServiceRequest.encode(c.data).finish());
    assert.equal(countItems('traces', round), c.items);
  }
});

test('send_batch_max_size splits metrics inside a metric, keeping its type and temporality', async () => {
  const { sink, p } = setup('metrics', { send_batch_size: 4, send_batch_max_size: 4, timeout: HOUR });
  const done = p.consume(metrics({ scopes: [{ metrics: [metric('g', 3), metric('s', 7, { sum: true })] }] }), {});
  await p.shutdown();
  await done;
  assert.deepEqual(
    sink.calls.map((c) => c.items),
    [4, 4, 2],
  );
  const parts = sink.calls.map((c) =>
    (c.data as Metrics).resourceMetrics![0]!.scopeMetrics![0]!.metrics!.map((m) => `${m.name}:${m.gauge ? 'gauge' : `sum/${m.sum!.aggregationTemporality}/${m.sum!.isMonotonic}`}`),
  );
  assert.deepEqual(parts, [['g:gauge', 's:sum/2/true'], ['s:sum/2/true'], ['s:sum/2/true']]);
  const values = sink.calls.flatMap((c) =>
    (c.data as Metrics).resourceMetrics![0]!.scopeMetrics![0]!.metrics!.flatMap((m) => (m.gauge ?? m.sum)!.dataPoints!.map((d) => `${m.name}${d.asDouble}`)),
  );
  assert.deepEqual(values, ['g0', 'g1', 'g2', 's0', 's1', 's2', 's3', 's4', 's5', 's6']);
  for (const c of sink.calls) ExportMetricsServiceRequest.decode(ExportMetricsServiceRequest.encode(c.data as Metrics).finish());
});

test('remote-write metrics: series are concatenated in order, split by samples, never mixed with OTLP', async () => {
  const { sink, p } = setup('metrics', { send_batch_size: 6, send_batch_max_size: 6, timeout: HOUR });
  const a = p.consume(prom('up', 2, 2), {}); // 4 points
  const o = p.consume(metrics({ scopes: [{ metrics: [metric('otlp', 1)] }] }), {});
  const b = p.consume(prom('req', 2, 3), {}); // 6 points: 10 pending, one batch of 6 goes
  await sink.waitForCalls(1);
  await p.shutdown();
  await Promise.all([a, o, b]);
  const promCalls = sink.calls.filter((c) => (c.data as PromMetrics).format === 'prw');
  const otlpCalls = sink.calls.filter((c) => (c.data as PromMetrics).format !== 'prw');
  assert.equal(otlpCalls.length, 1);
  assert.equal(otlpCalls[0]!.items, 1);
  assert.deepEqual(
    promCalls.map((c) => c.items),
    [6, 4],
  );
  const flat = promCalls.flatMap((c) =>
    (c.data as PromMetrics).request.timeseries!.flatMap((ts) => ts.samples!.map((s) => `${ts.labels![0]!.value}{i=${ts.labels![1]!.value}}@${s.value}`)),
  );
  assert.deepEqual(flat, ['up{i=0}@0', 'up{i=0}@1', 'up{i=1}@0', 'up{i=1}@1', 'req{i=0}@0', 'req{i=0}@1', 'req{i=0}@2', 'req{i=1}@0', 'req{i=1}@1', 'req{i=1}@2']);
  const metadata = promCalls.flatMap((c) => (c.data as PromMetrics).request.metadata ?? []).map((m) => m.metricFamilyName);
  assert.deepEqual(metadata.sort(), ['req', 'up']);
  for (const c of promCalls) WriteRequest.decode(WriteRequest.encode((c.data as PromMetrics).request).finish());
});

test('downstream errors reach every consume() whose data was in the failed batch', async () => {
  const { sink, p } = setup('traces', { send_batch_size: 6, timeout: HOUR });
  const err = retryableError('TG_EXPORT_RETRYABLE', 'backend unavailable', { status: 503 });
  sink.failNext(1, err);
  const calls = [1, 2, 3].map((i) => p.consume(traces({ scopes: [{ items: 2 }] }), { receiver: `r${i}` }));
  const results = await Promise.allSettled(calls);
  for (const r of results) {
    assert.equal(r.status, 'rejected');
    assert.equal((r as PromiseRejectedResult).reason, err, 'the downstream error itself, not a wrapper');
  }
  assert.equal(sink.calls.length, 0);
  assert.equal(sink.failures.length, 1);
  // The client retries: this time downstream accepts.
  const retried = [1, 2, 3].map(() => p.consume(traces({ scopes: [{ items: 2 }] }), {}));
  await Promise.all(retried);
  assert.equal(sink.itemCount, 6);
  await p.shutdown();
});

test('a request split across batches fails if any of its batches fails; others are unaffected', async () => {
  const { sink, p } = setup('traces', { send_batch_size: 4, send_batch_max_size: 4, timeout: HOUR });
  const perm = new ConsumerError('permanent', 'TG_EXPORT_PERMANENT', 'bad data');
  sink.failAt(2, perm); // the first batch is accepted, the second refused
  const a = p.consume(traces({ scopes: [{ items: ['a0', 'a1'] }] }), {}); // batch 1
  const b = p.consume(traces({ scopes: [{ items: ['b0', 'b1', 'b2', 'b3'] }] }), {}); // b0,b1 in batch 1; b2,b3 in batch 2
  const c = p.consume(traces({ scopes: [{ items: ['c0', 'c1'] }] }), {}); // batch 2
  const [ra, rb, rc] = await Promise.allSettled([a, b, c]);
  assert.equal(ra.status, 'fulfilled', 'a was only in the accepted batch');
  assert.equal(rb.status, 'rejected');
  assert.equal((rb as PromiseRejectedResult).reason, perm);
  assert.equal(rc.status, 'rejected');
  assert.equal((rc as PromiseRejectedResult).reason, perm);
  assert.deepEqual(spanNames(sink.calls[0]!.data), ['a0', 'a1', 'b0', 'b1']);
  await p.shutdown();
});

test('consume() settles only after downstream answered (backpressure)', async () => {
  const { sink, p } = setup('logs', { send_batch_size: 2, timeout: HOUR });
  const release = sink.hold();
  let settled = false;
  const done = p.consume(logs({ scopes: [{ items: 2 }] }), {}).then(() => {
    settled = true;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(settled, false, 'downstream has not answered yet');
  release();
  await done;
  assert.equal(settled, true);
  assert.equal(sink.itemCount, 2);
  await p.shutdown();
});

test('metadata_keys: one batch per value combination, downstream sees only those keys', async () => {
  const { sink, p } = setup('traces', { send_batch_size: 4, timeout: HOUR, metadata_keys: ['X-Tenant'] });
  const ctx = (t: string) => ({ metadata: { 'x-tenant': [t], authorization: ['secret'] }, receiver: 'otlp' });
  const all = [
    p.consume(traces({ scopes: [{ items: ['a0', 'a1'] }] }), ctx('a')),
    p.consume(traces({ scopes: [{ items: ['b0', 'b1'] }] }), ctx('b')),
    p.consume(traces({ scopes: [{ items: ['a2', 'a3'] }] }), ctx('a')),
    p.consume(traces({ scopes: [{ items: ['n0'] }] }), {}),
  ];
  await sink.waitForCalls(1);
  assert.deepEqual(spanNames(sink.calls[0]!.data), ['a0', 'a1', 'a2', 'a3']);
  assert.deepEqual(sink.calls[0]!.ctx, { metadata: { 'x-tenant': ['a'] } });
  await p.shutdown();
  await Promise.all(all);
  const byCtx = new Map(sink.calls.map((c) => [JSON.stringify(c.ctx), spanNames(c.data)]));
  assert.deepEqual(byCtx.get(JSON.stringify({ metadata: { 'x-tenant': ['b'] } })), ['b0', 'b1']);
  assert.deepEqual(byCtx.get('{}'), ['n0']);
  assert.equal(sink.calls.length, 3);
});

test('metadata_cardinality_limit: a combination over the limit is refused with a permanent error and counted', async () => {
  const { sink, p, set } = setup('logs', { send_batch_size: 100, timeout: HOUR, metadata_keys: ['k'], metadata_cardinality_limit: 1 });
  const first = p.consume(logs({ scopes: [{ items: 1 }] }), { metadata: { k: ['1'] } });
  await assert.rejects(p.consume(logs({ scopes: [{ items: 3 }] }), { metadata: { k: ['2'] } }), (e: unknown) => {
    assert.ok(e instanceof ConsumerError);
    assert.equal(e.kind, 'permanent');
    assert.equal(e.code, 'TG_BATCH_CARDINALITY');
    return true;
  });
  const text = (await set.telemetry.render()).body;
  assert.match(text, /tollgate_dropped_items\{component="batch",otel_signal="logs",reason="TG_BATCH_CARDINALITY"\} 3/);
  await p.shutdown();
  await first;
  assert.equal(sink.itemCount, 1);
  // Once the first combination was sent its slot is free again.
  const p2 = new BatchProcessor(set, config({ send_batch_size: 1, timeout: HOUR, metadata_keys: ['k'], metadata_cardinality_limit: 1 }), 'logs', sink);
  await p2.consume(logs({ scopes: [{ items: 1 }] }), { metadata: { k: ['1'] } });
  await p2.consume(logs({ scopes: [{ items: 1 }] }), { metadata: { k: ['2'] } });
  await p2.shutdown();
  assert.equal(sink.itemCount, 3);
});

test('tenants are never batched together', async () => {
  const { sink, p } = setup('metrics', { send_batch_size: 100, timeout: HOUR });
  const a = p.consume(prom('up', 1, 1), { tenant: 'team-a' });
  const b = p.consume(prom('up', 1, 1), { tenant: 'team-b' });
  await p.shutdown();
  await Promise.all([a, b]);
  assert.deepEqual(sink.calls.map((c) => c.ctx.tenant).sort(), ['team-a', 'team-b']);
});

test('shutdown flushes what is pending and waits for it to be accepted; later data passes straight through', async () => {
  const { sink, p } = setup('traces', { timeout: HOUR });
  const a = p.consume(traces({ scopes: [{ items: 3 }] }), {});
  const b = p.consume(traces({ scopes: [{ items: 2 }] }), {});
  assert.equal(sink.attempts, 0);
  await p.shutdown();
  assert.equal(sink.itemCount, 5);
  await Promise.all([a, b]);
  await p.shutdown(); // twice is fine
  await p.consume(traces({ scopes: [{ items: 1 }] }), {});
  assert.equal(sink.itemCount, 6);
});

test('shutdown reports a failing flush to the waiting callers, not to the service', async () => {
  const { sink, p } = setup('logs', { timeout: HOUR });
  const err = retryableError('TG_EXPORT_RETRYABLE', 'down');
  sink.failNext(1, err);
  const a = assert.rejects(p.consume(logs({ scopes: [{ items: 1 }] }), {}), (e) => e === err);
  await p.shutdown();
  await a;
});

test('requests without items pass straight through', async () => {
  const { sink, p } = setup('logs', { timeout: HOUR });
  const empty: Logs = { resourceLogs: [] };
  await p.consume(empty, {});
  assert.equal(sink.calls.length, 1);
  assert.equal(sink.calls[0]!.data, empty);
  await p.shutdown();
});

test('timeout 0 sends every request at once (split to send_batch_max_size)', async () => {
  const { sink, p } = setup('traces', { timeout: 0, send_batch_size: 2, send_batch_max_size: 2 });
  await p.consume(traces({ scopes: [{ items: 5 }] }), {});
  assert.deepEqual(
    sink.calls.map((c) => c.items),
    [2, 2, 1],
  );
  await p.shutdown();
});

test('many concurrent requests: every item arrives exactly once, in order, within the size bound', async () => {
  const { sink, p } = setup('traces', { send_batch_size: 50, send_batch_max_size: 64, timeout: '5ms' });
  const sent: string[] = [];
  const all: Promise<void>[] = [];
  for (let i = 0; i < 200; i++) {
    const n = 1 + ((i * 7) % 13);
    const names = Array.from({ length: n }, (_, j) => `q${i}-${j}`);
    sent.push(...names);
    all.push(p.consume(traces({ scopes: [{ items: names }] }), {}));
    if (i % 17 === 0) await new Promise((r) => setImmediate(r));
  }
  await Promise.all(all);
  await p.shutdown();
  assert.deepEqual(sink.calls.flatMap((c) => spanNames(c.data as Traces)), sent);
  for (const c of sink.calls) assert.ok(c.items <= 64, `batch of ${c.items} exceeds send_batch_max_size`);
});

test('in a running pipeline the receiver gets the exporter error through batch, and a retry succeeds', async () => {
  const sinks = sinkExporterFactory();
  const svc = new Service(
    {
      receivers: { testpush: null },
      processors: { batch: { send_batch_size: 3, timeout: '10ms' } },
      exporters: { testsink: null },
      service: {
        telemetry: { metrics: { address: '' } },
        pipelines: { logs: { receivers: ['testpush'], processors: ['batch'], exporters: ['testsink'] } },
      },
    },
    { logger: silentLogger(), factories: factoriesByKind([...FACTORIES, sinks, pushReceiverFactory]) },
  );
  await svc.start();
  try {
    const sink = sinks.sinks.get('testsink/logs')!;
    const err = retryableError('TG_EXPORT_RETRYABLE', 'exporter queue full');
    sink.failNext(1, err);
    const rx = PushReceiver.byId.get('testpush')!;
    const results = await Promise.allSettled([rx.push('logs', logs({ scopes: [{ items: 2 }] })), rx.push('logs', logs({ scopes: [{ items: 2 }] }))]);
    assert.deepEqual(
      results.map((r) => (r.status === 'rejected' ? r.reason : 'ok')),
      [err, err],
    );
    await rx.push('logs', logs({ scopes: [{ items: 4 }] }));
    assert.equal(sink.itemCount, 4);
  } finally {
    await svc.shutdown();
  }
});
