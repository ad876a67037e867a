import { test, after, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Value } from '@sinclair/typebox/value';
import { pino } from 'pino';
import type { MetricsData } from '../../../src/component/signal.js';
import { PrwExporterSchema, type PrwExporterConfig } from '../../../src/exporters/prometheusremotewrite/config.js';
import { PrwExporter } from '../../../src/exporters/prometheusremotewrite/exporter.js';
import type { PromWrite } from '../../../src/pdata/proto.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { ScriptedTarget } from '../../helpers/prwtarget.js';
import { metricValue, testSettings } from '../../helpers/telemetry.js';

// A scripted HTTP target: a real Prometheus or Thanos cannot be made to answer
// 500, 429 with Retry-After, or 409 on demand.
const target = new ScriptedTarget();
before(() => target.start());
after(() => target.stop());
beforeEach(() => {
  target.requests.length = 0;
  target.answer = () => ({ status: 200 });
});

function exporterConfig(over: Record<string, unknown> = {}): PrwExporterConfig {
  return Value.Default(PrwExporterSchema, {
    endpoint: target.url,
    // Synchronous sends: consume() resolves when the outcome is known.
    remote_write_queue: { enabled: false, num_consumers: 1 },
    ...over,
  }) as PrwExporterConfig;
}

function write(name: string, n = 3, t0 = 1_700_000_000_000): MetricsData {
  const req: PromWrite = {
    timeseries: Array.from({ length: n }, (_, i) => ({
      labels: [
        { name: '__name__', value: name },
        { name: 'i', value: String(i) },
      ],
      samples: [{ value: i, timestamp: t0 }],
    })),
  };
  return { format: 'prw', request: req };
}

interface Harness {
  exp: PrwExporter;
  tel: SelfTelemetry;
  logs: Array<Record<string, unknown>>;
}

async function exporter(over: Record<string, unknown> = {}): Promise<Harness> {
  const tel = new SelfTelemetry({ processMetrics: false });
  const logs: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  const set = { ...testSettings('prometheusremotewrite', 'exporter', tel), logger: pino({ level: 'warn' }, stream) };
  const exp = new PrwExporter(set, exporterConfig(over));
  await exp.start({ health: () => 'ok' });
  return { exp, tel, logs };
}

const dropped = (tel: SelfTelemetry, reason: string) =>
  metricValue(tel, 'tollgate_dropped_items', { component: 'prometheusremotewrite', otel_signal: 'metrics', reason });

test('sends remote-write 1.0 with the fixed headers, user headers and a static tenant', async () => {
  const h = await exporter({ headers: { 'X-Extra': 'yes', 'Content-Type': 'text/plain' }, tenant: { value: 'team-a' } });
  try {
    await h.exp.consume(write('up'), {});
    const r = target.requests[0]!;
    assert.equal(r.headers['content-encoding'], 'snappy');
    assert.equal(r.headers['content-type'], 'application/x-protobuf');
    assert.equal(r.headers['x-prometheus-remote-write-version'], '0.1.0');
    assert.match(String(r.headers['user-agent']), /^Tollgate\//);
    assert.equal(r.headers['x-extra'], 'yes');
    assert.equal(r.headers['thanos-tenant'], 'team-a');
    assert.equal(r.request.timeseries!.length, 3);
  } finally {
    await h.exp.shutdown();
  }
});

test('tenant from_context: each request carries the tenant its data arrived with; batches never mix tenants', async () => {
  const h = await exporter({ tenant: { from_context: true, value: 'fallback' }, remote_write_queue: { enabled: true, num_consumers: 1 } });
  try {
    await h.exp.consume(write('a'), { tenant: 't1' });
    await h.exp.consume(write('b'), { tenant: 't2' });
    await h.exp.consume(write('c'), {});
    await target.waitFor('3 requests', () => target.requests.length >= 3);
    const byTenant = target.requests.map((r) => [r.headers['thanos-tenant'], r.request.timeseries![0]!.labels![0]!.value]);
    assert.deepEqual(byTenant, [
      ['t1', 'a'],
      ['t2', 'b'],
      ['fallback', 'c'],
    ]);
  } finally {
    await h.exp.shutdown();
  }
});

test('500 is retried until accepted; the same batch is resent', async () => {
  const h = await exporter();
  try {
    target.answer = (_r, n) => (n < 2 ? { status: 500, body: 'storage hiccup' } : { status: 200 });
    await h.exp.consume(write('up'), {});
    assert.deepEqual(target.requests.map((r) => r.status), [500, 500, 200]);
    assert.ok(target.requests[0]!.body.equals(target.requests[2]!.body));
    assert.equal(await dropped(h.tel, 'TG_EXPORT_BAD_REQUEST'), 0);
    assert.equal(await metricValue(h.tel, 'otelcol_exporter_sent_metric_points', { exporter: 'prometheusremotewrite' }), 3);
  } finally {
    await h.exp.shutdown();
  }
});

test('429 is retried after the Retry-After the server asked for (longer than the backoff)', async () => {
  const h = await exporter();
  try {
    target.answer = (_r, n) => (n === 0 ? { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' } : { status: 200 });
    await h.exp.consume(write('up'), {});
    assert.deepEqual(target.requests.map((r) => r.status), [429, 200]);
    const gap = target.requests[1]!.at - target.requests[0]!.at;
    assert.ok(gap >= 990, `second attempt came ${gap} ms after the 429; Retry-After asked for 1000 ms`);
  } finally {
    await h.exp.shutdown();
  }
});

test('503 with Retry-After is honoured too', async () => {
  const h = await exporter();
  try {
    target.answer = (_r, n) => (n === 0 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 });
    await h.exp.consume(write('up'), {});
    assert.deepEqual(target.requests.map((r) => r.status), [503, 200]);
    assert.ok(target.requests[1]!.at - target.requests[0]!.at >= 990);
  } finally {
    await h.exp.shutdown();
  }
});

for (const [status, reason] of [
  [400, 'TG_EXPORT_BAD_REQUEST'],
  [409, 'TG_EXPORT_CONFLICT'],
] as const) {
  test(`${status} is never retried: the batch is dropped, counted with reason ${reason}, and logged once per interval`, async () => {
    const h = await exporter();
    try {
      target.answer = (r) =>
        r.timeseries![0]!.labels![0]!.value === 'bad' ? { status, body: `out of order sample for series ${status}` } : { status: 200 };
      for (let i = 0; i < 5; i++) await h.exp.consume(write('bad', 3, 1_700_000_000_000 + i), {});
      await h.exp.consume(write('good'), {});
      assert.deepEqual(target.requests.map((r) => r.status), [status, status, status, status, status, 200], 'one attempt per batch, and later batches still go');
      assert.equal(await dropped(h.tel, reason), 15);
      assert.equal(await metricValue(h.tel, 'tollgate_exporter_remote_write_requests', { exporter: 'prometheusremotewrite', status: String(status) }), 5);
      const lines = h.logs.filter((l) => l.code === reason);
      assert.equal(lines.length, 1, 'one log line for five refusals within the interval');
      assert.equal(lines[0]!.server_message, `out of order sample for series ${status}`);
    } finally {
      await h.exp.shutdown();
    }
  });
}

test('other 4xx are not retried either', async () => {
  const h = await exporter();
  try {
    target.answer = () => ({ status: 413, body: 'too big' });
    await h.exp.consume(write('up'), {});
    assert.equal(target.requests.length, 1);
    assert.equal(await dropped(h.tel, 'TG_EXPORT_PERMANENT'), 3);
  } finally {
    await h.exp.shutdown();
  }
});

test('a batch that keeps failing is dropped once max_elapsed_time has passed, counted as TG_RETRIES_EXHAUSTED', async () => {
  const h = await exporter({ retry_on_failure: { initial_interval: '20ms', max_interval: '50ms', max_elapsed_time: '300ms' } });
  try {
    target.answer = () => ({ status: 502 });
    await h.exp.consume(write('up'), {});
    assert.ok(target.requests.length >= 3, `${target.requests.length} attempts`);
    assert.equal(await dropped(h.tel, 'TG_RETRIES_EXHAUSTED'), 3);
  } finally {
    await h.exp.shutdown();
  }
});

test('an unreachable target is retried (connection refused is retryable)', async () => {
  const down = new ScriptedTarget();
  await down.start();
  const port = down.port;
  await down.stop();
  const h = await exporter({ endpoint: `http://127.0.0.1:${port}/api/v1/receive`, retry_on_failure: { initial_interval: '100ms', max_interval: '100ms', max_elapsed_time: 0 } });
  try {
    const sending = h.exp.consume(write('up'), {});
    await new Promise((r) => setTimeout(r, 300));
    const back = new ScriptedTarget();
    await back.start(port);
    try {
      await sending;
      assert.equal(back.acceptedPoints, 3);
      assert.ok((await metricValue(h.tel, 'tollgate_exporter_remote_write_requests', { exporter: 'prometheusremotewrite', status: '0' })) >= 1);
    } finally {
      await back.stop();
    }
  } finally {
    await h.exp.shutdown();
  }
});
