import { test, after, before, beforeEach } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import type { Metrics, PromWrite } from '../../../src/pdata/proto.js';
import { compressWriteRequest, encodeWriteRequest } from '../../../src/prw/codec.js';
import { Gen, mergeBySeries, seriesBytes } from '../../helpers/prwgen.js';
import { freePort } from '../../helpers/ports.js';
import { ScriptedTarget } from '../../helpers/prwtarget.js';
import { metricValue, testSettings } from '../../helpers/telemetry.js';
import { Value } from '@sinclair/typebox/value';
import { PrwExporterSchema, type PrwExporterConfig } from '../../../src/exporters/prometheusremotewrite/config.js';
import { PrwExporter } from '../../../src/exporters/prometheusremotewrite/exporter.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';

// Remote-write in → remote-write out through a running gateway, into a target
// that records what it accepts.
const target = new ScriptedTarget();
before(() => target.start());
after(() => target.stop());
beforeEach(() => {
  target.requests.length = 0;
  target.answer = () => ({ status: 200 });
});

async function gateway(exporter: Record<string, unknown>): Promise<{ svc: Service; url: string }> {
  const port = await freePort();
  const svc = new Service(
    {
      receivers: { prometheusremotewrite: { endpoint: `127.0.0.1:${port}` } },
      exporters: { prometheusremotewrite: { endpoint: target.url, ...exporter } },
      service: {
        telemetry: { metrics: { address: '' } },
        pipelines: { metrics: { receivers: ['prometheusremotewrite'], exporters: ['prometheusremotewrite'] } },
      },
    },
    { logger: silentLogger() },
  );
  await svc.start();
  return { svc, url: `http://127.0.0.1:${port}/api/v1/write` };
}

async function post(url: string, req: PromWrite): Promise<void> {
  const res = await fetch(url, { method: 'POST', body: compressWriteRequest(req), headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' } });
  assert.equal(res.status, 204, await res.text());
}

const points = (reqs: PromWrite[]) => reqs.reduce((n, r) => n + (r.timeseries ?? []).reduce((m, ts) => m + (ts.samples?.length ?? 0) + (ts.histograms?.length ?? 0), 0), 0);

test('lossless: generated requests (NaN payloads, stale markers, native histograms, exemplars, metadata) arrive exactly, series by series', async () => {
  // Small batches and 4 shards: series are regrouped and long ones split, and must still come out identical.
  const { svc, url } = await gateway({ remote_write_queue: { num_consumers: 4 }, max_batch_samples: 7 });
  try {
    const sent: PromWrite[] = [];
    for (let seed = 1; seed <= 150; seed++) {
      const req = new Gen(seed).request(20);
      sent.push(req);
      await post(url, req);
    }
    const total = points(sent);
    await target.waitFor(`${total} points`, () => target.acceptedPoints >= total);
    assert.equal(target.acceptedPoints, total);
    const want = mergeBySeries(sent);
    const got = mergeBySeries(target.accepted);
    assert.equal(got.size, want.size);
    for (const [k, ts] of want) assert.equal(seriesBytes(got.get(k)!), seriesBytes(ts), `series ${k}`);
    const md = (rs: PromWrite[]) => rs.flatMap((r) => (r.metadata ?? []).map((m) => Buffer.from(encodeWriteRequest({ metadata: [m] })).toString('hex'))).sort();
    assert.deepEqual(md(target.accepted), md(sent));
    for (const r of target.requests) assert.ok(points([r.request]) <= 7, 'batches bounded by max_batch_samples');
  } finally {
    await svc.shutdown();
  }
});

test('8 shards: samples of every series reach the target in order (the target refuses any that go back in time)', async () => {
  const last = new Map<string, number>();
  let outOfOrder = 0;
  target.answer = (req) => {
    for (const ts of req.timeseries ?? []) {
      const key = JSON.stringify(ts.labels);
      for (const s of ts.samples ?? []) {
        const t = Number(s.timestamp);
        if ((last.get(key) ?? -1) >= t) outOfOrder++;
        last.set(key, t);
      }
    }
    return { status: 200 };
  };
  const { svc, url } = await gateway({ remote_write_queue: { num_consumers: 8 }, max_batch_samples: 500 });
  try {
    const series = 2000;
    const rounds = 25;
    for (let r = 0; r < rounds; r++) {
      await post(url, {
        timeseries: Array.from({ length: series }, (_, i) => ({
          labels: [
            { name: '__name__', value: 'ordered' },
            { name: 'series', value: String(i) },
          ],
          samples: [{ value: r, timestamp: 1_700_000_000_000 + r * 1000 }],
        })),
      });
    }
    await target.waitFor('every sample', () => target.acceptedPoints >= series * rounds);
    assert.equal(outOfOrder, 0);
    assert.equal(last.size, series);
    const shardsUsed = new Set(target.requests.map((r) => JSON.stringify(r.request.timeseries![0]!.labels)));
    assert.ok(shardsUsed.size > 1);
  } finally {
    await svc.shutdown();
  }
});

test('batches stay within max_batch_size_bytes; external labels are added in order without overriding', async () => {
  const { svc, url } = await gateway({
    remote_write_queue: { num_consumers: 2 },
    max_batch_size_bytes: 4096,
    external_labels: { cluster: 'eu-1', aaa: 'first', job: 'not-this' },
  });
  try {
    const req: PromWrite = {
      timeseries: Array.from({ length: 300 }, (_, i) => ({
        labels: [
          { name: '__name__', value: 'sized' },
          { name: 'job', value: 'api' },
          { name: 'series', value: `s-${i}-${'x'.repeat(40)}` },
        ],
        samples: [{ value: i, timestamp: 1_700_000_000_000 }],
      })),
    };
    await post(url, req);
    await target.waitFor('300 points', () => target.acceptedPoints >= 300);
    assert.ok(target.requests.length > 2);
    for (const r of target.requests) assert.ok(encodeWriteRequest(r.request).length <= 4096, 'batch over max_batch_size_bytes');
    const labels = target.accepted[0]!.timeseries![0]!.labels!.map((l) => `${l.name}=${l.value}`);
    assert.deepEqual(labels.filter((l) => !l.startsWith('series=')), ['__name__=sized', 'aaa=first', 'cluster=eu-1', 'job=api']);
  } finally {
    await svc.shutdown();
  }
});

test('OTLP metrics are translated once and sent as remote-write', async () => {
  const tel = new SelfTelemetry({ processMetrics: false });
  const cfg = Value.Default(PrwExporterSchema, { endpoint: target.url, remote_write_queue: { enabled: false, num_consumers: 1 } }) as PrwExporterConfig;
  const exp = new PrwExporter(testSettings('prometheusremotewrite', 'exporter', tel), cfg);
  await exp.start({ health: () => 'ok' });
  try {
    const md: Metrics = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'queue.depth',
                  unit: '{item}',
                  gauge: { dataPoints: [{ asInt: 7, timeUnixNano: 1_700_000_000_000_000_000, attributes: [{ key: 'q', value: { stringValue: 'a' } }] }] },
                },
              ],
            },
          ],
        },
      ],
    };
    await exp.consume(md, {});
    const ts = target.accepted.flatMap((r) => r.timeseries ?? []).find((t) => t.labels!.some((l) => l.value === 'queue_depth'))!;
    assert.ok(ts, 'queue_depth series');
    assert.deepEqual(
      ts.labels!.map((l) => `${l.name}=${l.value}`),
      ['__name__=queue_depth', 'job=checkout', 'q=a'],
    );
    assert.equal(ts.samples![0]!.value, 7);
    assert.equal(Number(ts.samples![0]!.timestamp), 1_700_000_000_000);
    assert.equal(await metricValue(tel, 'otelcol_exporter_sent_metric_points', { exporter: 'prometheusremotewrite' }), 1);
  } finally {
    await exp.shutdown();
  }
});

test('with sending_queue.storage (the persistent queue) every sample still arrives, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-prw-queue-'));
  const last = new Map<string, number>();
  let outOfOrder = 0;
  target.answer = (req) => {
    for (const ts of req.timeseries ?? []) {
      const key = JSON.stringify(ts.labels);
      for (const s of ts.samples ?? []) {
        if ((last.get(key) ?? -1) >= Number(s.timestamp)) outOfOrder++;
        last.set(key, Number(s.timestamp));
      }
    }
    return { status: 200 };
  };
  const { svc, url } = await gateway({ remote_write_queue: { num_consumers: 4 }, sending_queue: { storage: { directory: dir, fsync: false } } });
  try {
    for (let r = 0; r < 20; r++) {
      await post(url, {
        timeseries: Array.from({ length: 200 }, (_, i) => ({
          labels: [
            { name: '__name__', value: 'durable' },
            { name: 'series', value: String(i) },
          ],
          samples: [{ value: r, timestamp: 1_700_000_000_000 + r * 1000 }],
        })),
      });
    }
    await target.waitFor('4000 points', () => target.acceptedPoints >= 4000);
    assert.equal(target.acceptedPoints, 4000);
    assert.equal(outOfOrder, 0);
  } finally {
    await svc.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('seriesBytes sanity: the helper distinguishes different series', () => {
  const g = new Gen(3);
  assert.notEqual(seriesBytes(g.series()), seriesBytes(g.series()));
});
