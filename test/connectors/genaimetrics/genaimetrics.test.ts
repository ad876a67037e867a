import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Component } from '../../../src/component/component.js';
import { validateAgainst } from '../../../src/config/validate.js';
import { GenaiMetricsSchema, type GenaiMetricsConfig } from '../../../src/connectors/genaimetrics/config.js';
import { genaiMetricsConnectorFactory } from '../../../src/connectors/genaimetrics/factory.js';
import type { GenaiMetricsConnector } from '../../../src/connectors/genaimetrics/genaimetrics.js';
import { BUCKETS } from '../../../src/genai/conventions.js';
import { attrsToObject } from '../../../src/genai/attrs.js';
import { int64ToNumber, type IKeyValue, type IMetric, type Metrics } from '../../../src/pdata/proto.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { SinkConsumer } from '../../helpers/sink.js';
import { kvs, llmSpan, traces } from '../../helpers/genai.js';

function config(over: Record<string, unknown> = {}): GenaiMetricsConfig {
  const cfg = { metrics_flush_interval: '1h', ...over };
  assert.deepEqual(validateAgainst(GenaiMetricsSchema, cfg, 'connectors.genaimetrics'), []);
  return cfg as GenaiMetricsConfig;
}

async function connector(cfg: GenaiMetricsConfig) {
  const sink = new SinkConsumer<Metrics>({ signal: 'metrics' });
  const c = genaiMetricsConnectorFactory.create.traces_to_metrics!(
    { id: 'genaimetrics', kind: 'connector', logger: silentLogger(), telemetry: new SelfTelemetry({ processMetrics: false }) },
    cfg,
    sink,
  ) as GenaiMetricsConnector;
  await (c as Component).start({ health: () => 'ok' });
  return { c, sink };
}

function metricsByName(md: Metrics): Map<string, IMetric> {
  const out = new Map<string, IMetric>();
  for (const rm of md.resourceMetrics ?? []) for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) out.set(m.name ?? '', m);
  return out;
}

/** Data point of a metric whose attributes include all of `match`. */
function point(m: IMetric | undefined, match: Record<string, unknown>): any {
  const pts: any[] = (m?.histogram ?? m?.sum)?.dataPoints ?? [];
  const hits = pts.filter((p) => Object.entries(match).every(([k, v]) => attrsToObject(p.attributes)[k] === v));
  assert.equal(
    hits.length,
    1,
    `one point of ${m?.name} with ${JSON.stringify(match)}; have ${pts.map((p) => JSON.stringify(attrsToObject(p.attributes))).join(' ')}`,
  );
  return hits[0];
}

const spans = () => {
  const traceId = new Uint8Array(16).fill(0xab);
  return traces(
    {
      resource: { 'service.name': 'chat-api' },
      spans: [
        llmSpan({
          model: 'llama',
          provider: 'vllm',
          operation: 'chat',
          start: 0,
          end: 2,
          input: 100,
          output: 50,
          traceId,
          attrs: {
            'tollgate.genai.time_to_first_token': 0.3,
            'tollgate.genai.time_per_output_token': 0.02,
            'gen_ai.usage.cost': 0.004,
            'tollgate.cost.method': 'gpu_shared',
          },
        }),
        llmSpan({
          model: 'llama',
          provider: 'vllm',
          operation: 'chat',
          start: 0,
          end: 1,
          input: 10,
          output: 5,
          attrs: { 'tollgate.genai.time_to_first_token': 0.05, 'gen_ai.usage.cost': 0.2, 'tollgate.cost.method': 'gpu_shared' },
        }),
        // A failure: in the counters with its error.type, never in TTFT or time per output token.
        llmSpan({
          model: 'llama',
          provider: 'vllm',
          operation: 'chat',
          start: 0,
          end: 0.5,
          input: 7,
          output: 0,
          error: true,
          attrs: {
            'tollgate.genai.time_to_first_token': 0.4,
            'tollgate.genai.time_per_output_token': 0.5,
            'tollgate.gpucost.unpriced': true,
            'tollgate.gpucost.unpriced.reason': 'unknown_gpu',
          },
        }),
        llmSpan({
          model: 'llama',
          provider: 'vllm',
          operation: 'chat',
          start: 0,
          end: 0.5,
          input: 7,
          output: 3,
          attrs: { 'error.type': 'timeout', 'tollgate.genai.time_to_first_token': 0.1 },
        }),
        llmSpan({
          model: 'qwen',
          provider: 'sglang',
          operation: 'chat',
          start: 0,
          end: 3,
          input: 1000,
          output: 1,
          attrs: { 'tollgate.genai.request.duration': 2.9 },
        }),
        { name: 'GET /', startTimeUnixNano: 1, endTimeUnixNano: 2, attributes: [] },
      ],
    },
    {
      // An application calling an API model: client metrics, token parts, token_price method.
      resource: { 'service.name': 'app' },
      spans: [
        llmSpan({
          model: 'gpt-4o',
          provider: 'openai',
          operation: 'chat',
          kind: 3,
          start: 0,
          end: 4,
          input: 1200,
          output: 300,
          attrs: {
            'gen_ai.usage.cache_read.input_tokens': 800,
            'gen_ai.usage.reasoning.output_tokens': 100,
            'gen_ai.request.stream': true,
            'tollgate.genai.time_to_first_token': 0.7,
            'gen_ai.usage.cost': 0.006,
            'tollgate.cost.method': 'token_price',
          },
        }),
        llmSpan({
          model: 'gpt-4o',
          provider: 'openai',
          operation: 'chat',
          kind: 3,
          start: 0,
          end: 2,
          input: 10,
          output: 10,
          attrs: {
            'gen_ai.request.stream': false,
            'tollgate.genai.time_to_first_token': 2,
            'gen_ai.usage.cost': 0.0001,
            'tollgate.cost.method': 'token_price',
          },
        }),
      ],
    },
  );
};

test('genaimetrics: token, latency, request and cost metrics per model, provider, operation and error.type; server metrics from SERVER spans, successes only for TTFT and TPOT', async () => {
  const { c, sink } = await connector(config());
  await c.consume(spans(), {});
  await c.flush();
  const m = metricsByName(sink.data[0]!);
  const ok = { 'gen_ai.request.model': 'llama', 'gen_ai.provider.name': 'vllm', 'gen_ai.operation.name': 'chat' };
  const okOnly = (pts: ReadonlyArray<{ attributes?: IKeyValue[] | null }> | null | undefined) =>
    (pts ?? []).filter((p) => attrsToObject(p.attributes)['error.type'] === undefined);

  const tokens = m.get('gen_ai.client.token.usage')!;
  assert.equal(tokens.unit, '{token}');
  assert.equal(tokens.histogram?.aggregationTemporality, 2);
  const inOk = point(tokens, { ...ok, 'gen_ai.token.type': 'input', 'error.type': undefined });
  assert.equal(inOk.sum, 110);
  assert.equal(inOk.count, 2);
  assert.deepEqual(inOk.explicitBounds, BUCKETS.tokenUsage);
  assert.equal(point(tokens, { ...ok, 'gen_ai.token.type': 'output', 'error.type': undefined }).sum, 55);
  assert.equal(point(tokens, { ...ok, 'error.type': '_OTHER', 'gen_ai.token.type': 'input' }).sum, 7);
  assert.equal(point(tokens, { ...ok, 'error.type': 'timeout', 'gen_ai.token.type': 'input' }).sum, 7);
  assert.equal(point(tokens, { 'gen_ai.request.model': 'qwen', 'gen_ai.token.type': 'input' }).sum, 1000);
  // Parts of input and output, where the span reports them.
  const api = { 'gen_ai.request.model': 'gpt-4o' };
  assert.equal(point(tokens, { ...api, 'gen_ai.token.type': 'input' }).sum, 1210);
  assert.equal(point(tokens, { ...api, 'gen_ai.token.type': 'cache_read' }).sum, 800);
  assert.equal(point(tokens, { ...api, 'gen_ai.token.type': 'cache_read' }).count, 1);
  assert.equal(point(tokens, { ...api, 'gen_ai.token.type': 'reasoning' }).sum, 100);
  assert.equal(tokens.histogram?.dataPoints?.filter((p) => attrsToObject(p.attributes)['gen_ai.token.type'] === 'cache_creation').length, 0);

  const dur = point(m.get('gen_ai.server.request.duration'), { ...ok, 'error.type': undefined });
  assert.equal(dur.sum, 3);
  assert.deepEqual(dur.explicitBounds, [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]);
  assert.equal(point(m.get('gen_ai.server.request.duration'), { ...ok, 'error.type': 'timeout' }).count, 1, 'failures are in the duration, by error.type');
  assert.equal(point(m.get('gen_ai.server.request.duration'), { 'gen_ai.request.model': 'qwen' }).sum, 2.9, 'the server-measured duration wins over the span');
  assert.equal(
    m.get('gen_ai.server.request.duration')?.histogram?.dataPoints?.some((p) => attrsToObject(p.attributes)['gen_ai.request.model'] === 'gpt-4o'),
    false,
  );

  const ttftPts = m.get('gen_ai.server.time_to_first_token')?.histogram?.dataPoints ?? [];
  assert.equal(ttftPts.length, 1, 'only the successful llama series has TTFT');
  const ttft = point(m.get('gen_ai.server.time_to_first_token'), ok);
  assert.deepEqual(ttft.explicitBounds, [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
  assert.equal(ttft.count, 2);
  assert.equal(ttft.bucketCounts[5], 1); // 0.05 in (0.04, 0.06]
  assert.equal(ttft.bucketCounts[9], 1); // 0.3 in (0.25, 0.5]
  const tpot = point(m.get('gen_ai.server.time_per_output_token'), ok);
  assert.deepEqual(tpot.explicitBounds, [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5]);
  assert.equal(tpot.sum, 0.02);
  assert.equal(okOnly(m.get('gen_ai.server.time_per_output_token')?.histogram?.dataPoints).length, 1);

  // CLIENT spans: client duration, and time to first chunk of the streaming call only.
  const cdur = point(m.get('gen_ai.client.operation.duration'), api);
  assert.equal(cdur.count, 2);
  assert.equal(cdur.sum, 6);
  const ttfc = point(m.get('gen_ai.client.operation.time_to_first_chunk'), api);
  assert.equal(ttfc.count, 1);
  assert.equal(ttfc.sum, 0.7);

  const cost = point(m.get('ai_request_cost_dollars'), { ...ok, 'tollgate.cost.method': 'gpu_shared' });
  assert.deepEqual(cost.explicitBounds, [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0]);
  assert.deepEqual(cost.bucketCounts, [0, 1, 0, 0, 0, 1, 0, 0]);
  assert.equal(point(m.get('tollgate.genai.cost'), { ...ok, 'tollgate.cost.method': 'gpu_shared' }).asDouble, 0.004 + 0.2);
  assert.equal(point(m.get('tollgate.genai.cost'), { ...api, 'tollgate.cost.method': 'token_price' }).asDouble, 0.0061);
  assert.equal(m.get('tollgate.genai.cost')?.sum?.isMonotonic, true);

  assert.equal(int64ToNumber(point(m.get('tollgate.genai.requests'), { ...ok, 'error.type': undefined }).asInt), 2);
  assert.equal(int64ToNumber(point(m.get('tollgate.genai.requests'), { ...ok, 'error.type': '_OTHER' }).asInt), 1);
  assert.equal(int64ToNumber(point(m.get('tollgate.genai.requests'), { ...ok, 'error.type': 'timeout' }).asInt), 1);
  assert.equal(
    int64ToNumber(point(m.get('tollgate.genai.requests.unpriced'), { ...ok, 'error.type': '_OTHER', 'tollgate.unpriced.reason': 'unknown_gpu' }).asInt),
    1,
  );

  // Exemplars carry the trace id of a request in the bucket.
  const ex = ttft.exemplars.find((e: any) => e.asDouble === 0.3);
  assert.deepEqual(Buffer.from(ex.traceId).toString('hex'), 'ab'.repeat(16));
  await c.shutdown();
});

test("genaimetrics: a late span's corrections are booked against the series of the spans they credit; showback dimensions label every series", async () => {
  const { c, sink } = await connector(config());
  const group = (model: string, tenant: string, amount: number) => ({
    kvlistValue: {
      values: [
        ...kvs({ 'gen_ai.request.model': model, 'gen_ai.provider.name': 'vllm', 'gen_ai.operation.name': 'chat', 'tollgate.showback.tenant': tenant }),
        { key: 'amount', value: { doubleValue: amount } },
      ],
    },
  });
  const t = traces({
    resource: {},
    spans: [
      llmSpan({
        model: 'a',
        provider: 'vllm',
        operation: 'chat',
        start: 0,
        end: 10,
        input: 1,
        output: 1,
        attrs: { 'tollgate.showback.tenant': 'acme', 'gen_ai.usage.cost': 0.01, 'tollgate.cost.method': 'gpu_shared' },
      }),
      llmSpan({
        model: 'b',
        provider: 'vllm',
        operation: 'chat',
        start: 5,
        end: 10,
        input: 1,
        output: 1,
        attrs: {
          'tollgate.showback.tenant': 'zeta',
          'gen_ai.usage.cost': 0.003,
          'tollgate.cost.method': 'gpu_shared',
          'tollgate.gpucost.late': true,
          'tollgate.gpucost.adjustment': -0.004,
        },
      }),
    ],
  });
  const late = t.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[1];
  assert.ok(late);
  late.attributes?.push({
    key: 'tollgate.gpucost.adjustment.groups',
    value: { arrayValue: { values: [group('a', 'acme', -0.0035), group('a', 'beta', -0.0005)] } },
  });
  await c.consume(t, {});
  await c.shutdown();
  const m = metricsByName(sink.data[0]!);
  const acme = { 'gen_ai.request.model': 'a', 'tollgate.showback.tenant': 'acme', 'tollgate.cost.method': 'gpu_shared' };
  assert.equal(point(m.get('tollgate.genai.cost'), acme).asDouble, 0.01);
  assert.equal(point(m.get('tollgate.genai.cost.adjustment'), acme).asDouble, 0.0035);
  assert.equal(point(m.get('tollgate.genai.cost.adjustment'), { ...acme, 'tollgate.showback.tenant': 'beta' }).asDouble, 0.0005);
  assert.equal(m.get('tollgate.genai.cost.adjustment')?.sum?.isMonotonic, true);
  assert.equal(point(m.get('tollgate.genai.cost'), { 'gen_ai.request.model': 'b', 'tollgate.showback.tenant': 'zeta' }).asDouble, 0.003);
  assert.equal(int64ToNumber(point(m.get('tollgate.genai.requests.late'), { 'gen_ai.request.model': 'b' }).asInt), 1);
});

test('genaimetrics: values are cumulative across flushes, from a fixed start time', async () => {
  const { c, sink } = await connector(config());
  await c.consume(spans(), {});
  await c.flush();
  await c.consume(spans(), {});
  await c.shutdown(); // the last flush
  assert.equal(sink.calls.length, 2);
  const ok = { 'gen_ai.request.model': 'llama', 'error.type': undefined };
  const a = point(metricsByName(sink.data[0]!).get('tollgate.genai.requests'), ok);
  const b = point(metricsByName(sink.data[1]!).get('tollgate.genai.requests'), ok);
  assert.equal(int64ToNumber(b.asInt), 4);
  assert.equal(int64ToNumber(a.startTimeUnixNano), int64ToNumber(b.startTimeUnixNano));
  assert.ok(int64ToNumber(b.timeUnixNano) >= int64ToNumber(a.timeUnixNano));
  assert.equal(point(metricsByName(sink.data[1]!).get('gen_ai.client.token.usage'), { ...ok, 'gen_ai.token.type': 'input' }).sum, 220);
});

test('genaimetrics: dimensions are configurable, with defaults, and only the chosen span kinds count', async () => {
  const { c, sink } = await connector(config({ dimensions: [{ name: 'service.name' }, { name: 'tenant', default: 'none' }], span_kinds: ['server'] }));
  const t = spans();
  t.resourceSpans![0]!.scopeSpans![0]!.spans![3]!.kind = 3; // a client span: not counted
  t.resourceSpans?.pop(); // and the application's
  await c.consume(t, {});
  await c.shutdown();
  const req = metricsByName(sink.data[0]!).get('tollgate.genai.requests')!;
  assert.equal(req.sum?.dataPoints?.length, 1);
  assert.deepEqual(attrsToObject(req.sum?.dataPoints?.[0]?.attributes), { 'service.name': 'chat-api', tenant: 'none' });
  assert.equal(int64ToNumber(req.sum?.dataPoints?.[0]?.asInt), 4);
});

test('genaimetrics: 100k distinct models stay within the cardinality limit; the overflow series counts the rest', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const limit = 500;
  const { c, sink } = await connector(config({ aggregation_cardinality_limit: limit }));
  const batch = (from: number, n: number) =>
    traces({ resource: {}, spans: Array.from({ length: n }, (_, i) => llmSpan({ model: `model-${from + i}`, start: 0, end: 1, input: 1, output: 1 })) });
  // Fill the limit, then measure what the next 99.5k models cost.
  await c.consume(batch(0, limit), {});
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = limit; i < 100_000; i += 5000) await c.consume(batch(i, Math.min(5000, 100_000 - i)), {});
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  assert.equal(c.aggregator.seriesCount, limit + 1);
  // One series costs ~5 KB (measured: 20k series, 107 MiB), so 99.5k more would be ~500 MB.
  assert.ok(grown < 16 * 1024 * 1024, `heap grew ${(grown / 1048576).toFixed(1)} MiB`);
  await c.shutdown();
  const req = metricsByName(sink.data[0]!).get('tollgate.genai.requests')!;
  assert.equal(req.sum?.dataPoints?.length, limit + 1);
  const overflow = point(req, { 'otel.metric.overflow': true });
  assert.deepEqual(attrsToObject(overflow.attributes), { 'otel.metric.overflow': true });
  assert.equal(int64ToNumber(overflow.asInt), 100_000 - limit);
});
