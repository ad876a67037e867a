import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import Long from 'long';
import type { IKeyValue, Metrics } from '../../../src/pdata/proto.js';
import { MetricType } from '../../../src/pdata/proto.js';
import { prometheusExporterFactory } from '../../../src/exporters/prometheus/factory.js';
import { PrometheusExporter, wantsOpenMetrics } from '../../../src/exporters/prometheus/exporter.js';
import { PrometheusExporterSchema, type PrometheusExporterConfig } from '../../../src/exporters/prometheus/config.js';
import { STALE_NAN } from '../../../src/translator/prometheus/index.js';
import { Value } from '@sinclair/typebox/value';
import { Prometheus, waitFor } from '../../helpers/prometheus.js';
import { metricValue, testSettings } from '../../helpers/telemetry.js';

const HOST = { health: () => 'ok' as const };

function config(over: Partial<PrometheusExporterConfig> = {}): PrometheusExporterConfig {
  const c = Value.Default(PrometheusExporterSchema, { endpoint: '127.0.0.1:0', ...over }) as PrometheusExporterConfig;
  return c;
}

async function started(over: Partial<PrometheusExporterConfig> = {}) {
  const set = testSettings('prometheus');
  const exp = prometheusExporterFactory.create.metrics!(set, config(over)) as PrometheusExporter;
  await exp.start(HOST);
  return { exp, set, url: `http://127.0.0.1:${exp.port}/metrics` };
}

function attrs(o: Record<string, string>): IKeyValue[] {
  return Object.entries(o).map(([key, v]) => ({ key, value: { stringValue: v } }));
}

const nowNs = () => Long.fromNumber(Date.now()).multiply(1_000_000);

/** A counter, a gauge, a histogram (with an exemplar) and an exponential histogram from service shop/checkout. */
function sample(counter: number, t = nowNs()): Metrics {
  return {
    resourceMetrics: [
      {
        resource: { attributes: attrs({ 'service.name': 'checkout', 'service.namespace': 'shop', 'service.instance.id': 'pod-1', 'host.name': 'node-7' }) },
        scopeMetrics: [
          {
            metrics: [
              { name: 'http.server.requests', unit: '{request}', description: 'Requests "served".', sum: { isMonotonic: true, aggregationTemporality: 2, dataPoints: [{ attributes: attrs({ route: '/a' }), timeUnixNano: t, asInt: counter }] } },
              { name: 'gpu.utilization', unit: '1', gauge: { dataPoints: [{ timeUnixNano: t, asDouble: 0.5 }] } },
              {
                name: 'request.duration',
                unit: 's',
                histogram: {
                  aggregationTemporality: 2,
                  dataPoints: [
                    {
                      timeUnixNano: t,
                      count: 4,
                      sum: 2,
                      explicitBounds: [0.1, 1],
                      bucketCounts: [1, 2, 1],
                      exemplars: [{ asDouble: 0.5, timeUnixNano: t, traceId: Buffer.alloc(16, 0xab), spanId: Buffer.alloc(8, 0xcd) }],
                    },
                  ],
                },
              },
              { name: 'token.usage', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: t, count: 3, sum: 6, scale: 0, zeroCount: 0, positive: { offset: 0, bucketCounts: [1, 2] } }] } },
            ],
          },
        ],
      },
    ],
  };
}

const ID = 'instance="pod-1",job="shop/checkout"';

test('serves the Prometheus text format; promtool parses it', async () => {
  const { exp, url } = await started({ const_labels: { region: 'eu' } });
  try {
    await exp.consume(sample(42), {});
    const r = await fetch(url);
    assert.equal(r.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const body = await r.text();
    const lines = body.split('\n');
    for (const want of [
      '# HELP http_server_requests_total Requests "served".',
      '# TYPE http_server_requests_total counter',
      `http_server_requests_total{${ID},region="eu",route="/a"} 42`,
      '# TYPE gpu_utilization_ratio gauge',
      `gpu_utilization_ratio{${ID},region="eu"} 0.5`,
      '# TYPE request_duration_seconds histogram',
      `request_duration_seconds_bucket{${ID},region="eu",le="0.1"} 1`,
      `request_duration_seconds_bucket{${ID},region="eu",le="1"} 3`,
      `request_duration_seconds_bucket{${ID},region="eu",le="+Inf"} 4`,
      `request_duration_seconds_count{${ID},region="eu"} 4`,
      `request_duration_seconds_sum{${ID},region="eu"} 2`,
      // exponential histogram as classic buckets at its bucket boundaries (scale 0: powers of 2)
      '# TYPE token_usage histogram',
      `token_usage_bucket{${ID},region="eu",le="2"} 1`,
      `token_usage_bucket{${ID},region="eu",le="4"} 3`,
      `token_usage_bucket{${ID},region="eu",le="+Inf"} 3`,
      `token_usage_count{${ID},region="eu"} 3`,
      `target_info{host_name="node-7",${ID},region="eu"} 1`,
    ]) {
      assert.ok(lines.includes(want), `missing line: ${want}\n---\n${body}`);
    }
    const check = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    const problems = `${check.stdout}${check.stderr}`
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.includes('no help text'));
    assert.deepEqual(problems, [], `promtool: exit ${check.status}\n${check.stdout}${check.stderr}`);
  } finally {
    await exp.shutdown();
  }
});

test('OpenMetrics when enabled and asked for: family names, UNIT, exemplars, # EOF', async () => {
  const { exp, url } = await started({ enable_open_metrics: true, send_timestamps: true });
  try {
    const t = Long.fromString('1700000000123000000');
    await exp.consume(sample(7, t), {});
    const plain = await fetch(url);
    assert.match(plain.headers.get('content-type')!, /^text\/plain/);
    await plain.text();
    const r = await fetch(url, { headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' } });
    assert.equal(r.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    const body = await r.text();
    const lines = body.split('\n');
    for (const want of [
      '# TYPE http_server_requests counter',
      '# HELP http_server_requests Requests \\"served\\".',
      `http_server_requests_total{${ID},route="/a"} 7 1700000000.123`,
      '# TYPE request_duration_seconds histogram',
      '# UNIT request_duration_seconds seconds',
      `request_duration_seconds_bucket{${ID},le="1"} 3 1700000000.123 # {trace_id="${'ab'.repeat(16)}",span_id="${'cd'.repeat(8)}"} 0.5 1700000000.123`,
    ]) {
      assert.ok(lines.includes(want), `missing line: ${want}\n---\n${body}`);
    }
    assert.equal(lines.at(-2), '# EOF');
  } finally {
    await exp.shutdown();
  }
});

test('Accept negotiation ignores q=0 and stays on text when OpenMetrics is off', async () => {
  assert.equal(wantsOpenMetrics('application/openmetrics-text; version=1.0.0'), true);
  assert.equal(wantsOpenMetrics('application/openmetrics-text;q=0, text/plain'), false);
  assert.equal(wantsOpenMetrics('text/plain'), false);
  const { exp, url } = await started();
  try {
    const r = await fetch(url, { headers: { accept: 'application/openmetrics-text' } });
    assert.match(r.headers.get('content-type')!, /^text\/plain; version=0.0.4/);
    await r.text();
    assert.equal((await fetch(url.replace('/metrics', '/other'))).status, 404);
    assert.equal((await fetch(url, { method: 'POST' })).status, 405);
  } finally {
    await exp.shutdown();
  }
});

test('latest value per series; remote-write shaped metrics pass as they are; a stale marker removes the series', async () => {
  const { exp, url } = await started();
  try {
    const prw = (v: number, ts: number) => ({
      format: 'prw' as const,
      request: {
        timeseries: [{ labels: [{ name: '__name__', value: 'vllm:num_requests_running' }, { name: 'model_name', value: 'llama' }], samples: [{ value: v, timestamp: ts }] }],
        metadata: [{ type: MetricType.GAUGE, metricFamilyName: 'vllm:num_requests_running', help: 'Running requests.', unit: '' }],
      },
    });
    await exp.consume(prw(3, 2000), {});
    await exp.consume(prw(9, 1000), {}); // older: ignored
    let body = await (await fetch(url)).text();
    assert.ok(body.includes('# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running{model_name="llama"} 3\n'), body);
    await exp.consume(prw(STALE_NAN, 3000), {});
    body = await (await fetch(url)).text();
    assert.equal(body.includes('vllm:num_requests_running{'), false, body);
  } finally {
    await exp.shutdown();
  }
});

test('series not updated within metric_expiration are no longer exposed', async () => {
  // Long enough that a busy machine still scrapes before it expires (200 ms was flaky under load).
  const { exp, url } = await started({ metric_expiration: '2s' });
  try {
    await exp.consume(sample(1), {});
    assert.match(await (await fetch(url)).text(), /http_server_requests_total/);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await (await fetch(url)).text(), '');
  } finally {
    await exp.shutdown();
  }
});

test('delta sums are added up; with delta_to_cumulative off they are refused and counted', async () => {
  const delta = (v: number, start: number, end: number): Metrics => ({
    resourceMetrics: [{ resource: { attributes: attrs({ 'service.name': 'svc' }) }, scopeMetrics: [{ metrics: [{ name: 'tokens', sum: { isMonotonic: true, aggregationTemporality: 1, dataPoints: [{ startTimeUnixNano: start * 1e6, timeUnixNano: end * 1e6, asInt: v }] } }] }] }],
  });
  let { exp, url, set } = await started();
  try {
    await exp.consume(delta(5, 1, 2), {});
    await exp.consume(delta(3, 2, 3), {});
    assert.match(await (await fetch(url)).text(), /^tokens_total\{job="svc"\} 8$/m);
  } finally {
    await exp.shutdown();
  }
  ({ exp, url, set } = await started({ delta_to_cumulative: { enabled: false, max_series: 10 } }));
  try {
    await exp.consume(delta(5, 1, 2), {});
    assert.equal(await (await fetch(url)).text(), '');
    assert.equal(await metricValue(set.telemetry, 'tollgate_dropped_items', { component: 'prometheus', otel_signal: 'metrics', reason: 'TG_DELTA_TEMPORALITY' }), 1);
  } finally {
    await exp.shutdown();
  }
});

test('config: collector key names and defaults', () => {
  const c = Value.Default(PrometheusExporterSchema, {}) as PrometheusExporterConfig;
  assert.equal(c.endpoint, 'localhost:8889');
  assert.equal(c.metric_expiration, '5m');
  assert.equal(c.send_timestamps, false);
  assert.equal(c.enable_open_metrics, false);
  assert.equal(c.add_metric_suffixes, true);
  assert.deepEqual(c.resource_to_telemetry_conversion, { enabled: false });
});

let prom: Prometheus | undefined;
let real: Awaited<ReturnType<typeof started>> | undefined;
before(async () => {
  real = await started({ const_labels: { region: 'eu' } });
  prom = await Prometheus.start({ scrape: [{ job: 'tollgate', targets: [`127.0.0.1:${real.exp.port}`], interval: '1s' }] });
});
after(async () => {
  await prom?.stop();
  await real?.exp.shutdown();
});

test('a real Prometheus scrapes it: names, labels and values as translated', async () => {
  await real!.exp.consume(sample(42), {});
  const p = prom!;
  // Without honor_labels Prometheus keeps its own job/instance and renames ours to exported_*.
  const sel = '{exported_job="shop/checkout",exported_instance="pod-1",region="eu"}';
  await waitFor('scraped counter', async () => (await p.queryValue(`http_server_requests_total${sel.replace('}', ',route="/a"}')}`)) === 42, 30_000);
  assert.equal(await p.queryValue(`gpu_utilization_ratio${sel}`), 0.5);
  assert.equal(await p.queryValue(`request_duration_seconds_bucket${sel.replace('}', ',le="1"}')}`), 3);
  assert.equal(await p.queryValue(`request_duration_seconds_count${sel}`), 4);
  assert.equal(await p.queryValue(`token_usage_bucket${sel.replace('}', ',le="4"}')}`), 3);
  assert.equal(await p.queryValue('target_info{exported_job="shop/checkout",host_name="node-7"}'), 1);
  const meta = await p.metadata('http_server_requests_total');
  assert.equal(meta.http_server_requests_total?.[0]?.type, 'counter');
});
