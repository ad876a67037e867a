// Spans in the exact shapes real emitters write them (vLLM, OpenLLMetry old
// and new, OpenLIT, OpenInference, the current GenAI conventions), each
// fixture citing the source file and version it was read from, run through
// genai → gpucost → genaimetrics: model, tokens (cache and reasoning
// included), timings, cost and the metrics they land in must come out right.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Component } from '../../../src/component/component.js';
import type { Consumer } from '../../../src/component/consumer.js';
import type { MetricsData } from '../../../src/component/signal.js';
import { validateAgainst } from '../../../src/config/validate.js';
import { GenaiMetricsSchema, type GenaiMetricsConfig } from '../../../src/connectors/genaimetrics/config.js';
import { genaiMetricsConnectorFactory } from '../../../src/connectors/genaimetrics/factory.js';
import type { GenaiMetricsConnector } from '../../../src/connectors/genaimetrics/genaimetrics.js';
import { attrsToObject } from '../../../src/genai/attrs.js';
import { idHex } from '../../../src/genai/time.js';
import { decodeJSON, decodeProto, encodeProto } from '../../../src/pdata/otlpjson.js';
import { int64ToNumber, type IKeyValue, type IMetric, type Int64, type Metrics, type Traces } from '../../../src/pdata/proto.js';
import { GenaiSchema, type GenaiConfig } from '../../../src/processors/genai/config.js';
import { genaiProcessorFactory } from '../../../src/processors/genai/factory.js';
import { GpucostSchema, type GpucostConfig } from '../../../src/processors/gpucost/config.js';
import { gpucostProcessorFactory } from '../../../src/processors/gpucost/factory.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { kvs, llmSpan, traces } from '../../helpers/genai.js';
import { SinkConsumer } from '../../helpers/sink.js';

const DIR = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'genai', 'emitters');

interface Fixture {
  description: string;
  source: { repository: string; files: string[]; version?: string; commit?: string };
  config: { genai?: Record<string, unknown>; gpucost?: Record<string, unknown> };
  dcgm?: Array<{ pod: string; namespace: string; modelName: string; gpus: number }>;
  input: unknown;
  expected: {
    spans: Record<string, Record<string, unknown>>;
    metrics: Array<{ name: string; attributes: Record<string, unknown>; count?: number; sum?: number; value?: number; absent?: boolean }>;
  };
}

function valid<T>(schema: Parameters<typeof validateAgainst>[0], cfg: Record<string, unknown> | undefined, where: string): T {
  const c = structuredClone(cfg ?? {});
  assert.deepEqual(validateAgainst(schema, c, where), []);
  return c as T;
}

function dcgm(entries: NonNullable<Fixture['dcgm']>): Metrics {
  const dataPoints = entries.flatMap((e) =>
    Array.from({ length: e.gpus }, (_, g) => ({
      attributes: kvs({
        gpu: String(g),
        UUID: `GPU-${e.pod}-${g}`,
        modelName: e.modelName,
        Hostname: 'node-1',
        exported_pod: e.pod,
        exported_namespace: e.namespace,
      }),
      timeUnixNano: Date.now() * 1e6,
      asDouble: 50,
    })),
  );
  return { resourceMetrics: [{ resource: { attributes: [] }, scopeMetrics: [{ metrics: [{ name: 'DCGM_FI_DEV_GPU_UTIL', gauge: { dataPoints } }] }] }] };
}

/** genai → gpucost → (spans out, and into genaimetrics). */
async function pipeline(fx: Pick<Fixture, 'config' | 'dcgm'>) {
  const telemetry = new SelfTelemetry({ processMetrics: false });
  const set = (id: string, kind: 'processor' | 'connector') => ({ id, kind, logger: silentLogger(), telemetry });
  const genaiCfg = valid<GenaiConfig>(GenaiSchema, fx.config.genai, 'processors.genai');
  const costCfg = valid<GpucostConfig>(GpucostSchema, fx.config.gpucost, 'processors.gpucost');
  assert.deepEqual(gpucostProcessorFactory.validate!(costCfg), []);
  const spansOut = new SinkConsumer<Traces>({ signal: 'traces' });
  const metricsOut = new SinkConsumer<Metrics>({ signal: 'metrics' });
  const gm = genaiMetricsConnectorFactory.create.traces_to_metrics!(
    set('genaimetrics', 'connector'),
    valid<GenaiMetricsConfig>(GenaiMetricsSchema, { metrics_flush_interval: '1h' }, 'connectors.genaimetrics'),
    metricsOut,
  ) as GenaiMetricsConnector;
  const tee: Consumer<Traces> = {
    capabilities: { mutatesData: false },
    async consume(t, ctx) {
      await gm.consume(t, ctx);
      await spansOut.consume(t, ctx);
    },
  };
  const cost = gpucostProcessorFactory.create.traces!(set('gpucost', 'processor'), costCfg, tee);
  const genai = genaiProcessorFactory.create.traces!(set('genai', 'processor'), genaiCfg, cost);
  const costMetrics = gpucostProcessorFactory.create.metrics!(set('gpucost', 'processor'), costCfg, new SinkConsumer<MetricsData>());
  for (const c of [gm, cost, genai, costMetrics] as Component[]) await c.start({ health: () => 'ok' });
  if (fx.dcgm) await costMetrics.consume(dcgm(fx.dcgm), {});
  return {
    async run(input: Traces) {
      await genai.consume(input, {});
      await (cost as Component).shutdown();
      await gm.shutdown();
      return { spans: spansOut.data, metrics: metricsOut.data.at(-1)! };
    },
  };
}

const close = (actual: unknown, expected: number, what: string) =>
  assert.ok(
    typeof actual === 'number' && Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)),
    `${what}: ${String(actual)} is not ${expected}`,
  );

function checkAttrs(actual: Record<string, unknown>, expected: Record<string, unknown>, what: string): void {
  for (const [k, v] of Object.entries(expected)) {
    if (v === null) assert.equal(actual[k], undefined, `${what}: ${k} must be absent`);
    else if (typeof v === 'number' && !Number.isInteger(v)) close(actual[k], v, `${what}: ${k}`);
    else assert.deepEqual(actual[k], v, `${what}: ${k}`);
  }
}

/** The fields of a histogram or sum data point the fixtures check. */
interface Point {
  attributes?: IKeyValue[] | null;
  count?: Int64 | null;
  sum?: number | null;
  asDouble?: number | null;
  asInt?: Int64 | null;
}

function metricPoints(md: Metrics, name: string, match: Record<string, unknown>): Point[] {
  const out: Point[] = [];
  for (const rm of md.resourceMetrics ?? [])
    for (const sm of rm.scopeMetrics ?? [])
      for (const m of sm.metrics ?? ([] as IMetric[])) {
        if (m.name !== name) continue;
        for (const p of ((m.histogram ?? m.sum)?.dataPoints ?? []) as Point[]) {
          const a = attrsToObject(p.attributes);
          if (Object.entries(match).every(([k, v]) => (v === null ? a[k] === undefined : a[k] === v))) out.push(p);
        }
      }
  return out;
}

for (const file of readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const fx = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Fixture;
  test(`emitter shapes: ${file.replace('.json', '')} (${fx.source.repository} ${fx.source.version ?? fx.source.commit ?? ''}): model, tokens, timings, cost and metrics`, async () => {
    assert.ok(fx.source.files.length > 0 && (fx.source.version || fx.source.commit), 'the fixture cites its source file and version');
    // As the receiver hands it on: OTLP JSON decoded, encoded to protobuf and decoded again.
    const input = decodeProto('traces', encodeProto('traces', decodeJSON('traces', JSON.stringify(fx.input))));
    const { spans, metrics } = await (await pipeline(fx)).run(input);
    const byId = new Map<string, Record<string, unknown>>();
    for (const t of spans)
      for (const rs of t.resourceSpans ?? [])
        for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) byId.set(idHex(s.spanId), attrsToObject(s.attributes));
    for (const [id, want] of Object.entries(fx.expected.spans)) {
      const got = byId.get(id);
      assert.ok(got, `span ${id} came out`);
      checkAttrs(got, want, `span ${id}`);
    }
    for (const m of fx.expected.metrics) {
      const pts = metricPoints(metrics, m.name, m.attributes);
      if (m.absent) {
        assert.equal(pts.length, 0, `${m.name} ${JSON.stringify(m.attributes)} must have no point`);
        continue;
      }
      assert.equal(pts.length, 1, `one point of ${m.name} with ${JSON.stringify(m.attributes)}`);
      const p = pts[0];
      assert.ok(p);
      if (m.count !== undefined) assert.equal(int64ToNumber(p.count), m.count, `${m.name} count`);
      if (m.sum !== undefined) close(p.sum, m.sum, `${m.name} sum`);
      if (m.value !== undefined) {
        const v = p.asDouble ?? int64ToNumber(p.asInt);
        if (Number.isInteger(m.value)) assert.equal(v, m.value, `${m.name} value`);
        else close(v, m.value, `${m.name} value`);
      }
    }
  });
}

test('token price: a long Claude conversation on Bedrock is priced to the cent by hand computation', async () => {
  // us.anthropic.claude-sonnet-4-20250514-v1:0 via aws.bedrock → the anthropic entry claude-sonnet-4
  // (config/token-prices.yaml: input $3, cache write $3.75, cache read $0.30, output $15 per 1M):
  //   input 180,000 of which 150,000 read from the cache and 20,000 written to it → 10,000 uncached
  //     10,000 × $3     / 1M = $0.030
  //    150,000 × $0.30  / 1M = $0.045
  //     20,000 × $3.75  / 1M = $0.075
  //   output 4,000 × $15 / 1M = $0.060
  //   total                   = $0.21
  // And gpt-4o-2024-08-06 (openai, dated → gpt-4o: $2.50 / cached $1.25 / $10):
  //   input 48,000 of which 32,000 cached → 16,000 × $2.50 = $0.04, 32,000 × $1.25 = $0.04
  //   output 3,000 × $10 = $0.03  →  total $0.11
  const batch = traces({
    resource: { 'service.name': 'assistant' },
    spans: [
      llmSpan({
        name: 'claude',
        kind: 3,
        start: 0,
        end: 30,
        operation: 'chat',
        provider: 'aws.bedrock',
        model: 'us.anthropic.claude-sonnet-4-20250514-v1:0',
        input: 180_000,
        output: 4_000,
        attrs: { 'gen_ai.usage.cache_read.input_tokens': 150_000, 'gen_ai.usage.cache_creation.input_tokens': 20_000 },
      }),
      llmSpan({
        name: 'gpt',
        kind: 3,
        start: 0,
        end: 9,
        operation: 'chat',
        provider: 'openai',
        model: 'gpt-4o-2024-08-06',
        input: 48_000,
        output: 3_000,
        attrs: { 'gen_ai.usage.cache_read.input_tokens': 32_000 },
      }),
    ],
  });
  const { spans } = await (await pipeline({ config: {} })).run(batch);
  const byName = new Map<string, Record<string, unknown>>();
  for (const t of spans)
    for (const rs of t.resourceSpans ?? [])
      for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) byName.set(s.name ?? '', attrsToObject(s.attributes));
  const claude = byName.get('claude')!;
  assert.equal((claude['gen_ai.usage.cost'] as number).toFixed(2), '0.21');
  close(claude['gen_ai.usage.cost'], 0.03 + 0.045 + 0.075 + 0.06, 'claude');
  assert.equal(claude['tollgate.cost.token_price.entry'], 'anthropic/claude-sonnet-4');
  const gpt = byName.get('gpt')!;
  assert.equal((gpt['gen_ai.usage.cost'] as number).toFixed(2), '0.11');
  close(gpt['gen_ai.usage.cost'], 0.04 + 0.04 + 0.03, 'gpt');
});
