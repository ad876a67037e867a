// Model identity for spans that name no model (vLLM's), and showback dimensions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RequestContext } from '../../../src/component/context.js';
import type { MetricsData, PromMetrics } from '../../../src/component/signal.js';
import { validateAgainst } from '../../../src/config/validate.js';
import type { Metrics, Traces } from '../../../src/pdata/proto.js';
import { GenaiSchema, type GenaiConfig } from '../../../src/processors/genai/config.js';
import { genaiProcessorFactory } from '../../../src/processors/genai/factory.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { kvs, spansOf, traces } from '../../helpers/genai.js';
import { SinkConsumer } from '../../helpers/sink.js';

/** The config as the service hands it over: schema defaults filled in. */
function withDefaults(over: Record<string, unknown>): GenaiConfig {
  const cfg = structuredClone(over);
  assert.deepEqual(validateAgainst(GenaiSchema, cfg, 'processors.genai'), []);
  return cfg as GenaiConfig;
}

function config(over: Record<string, unknown> = {}): GenaiConfig {
  const cfg = withDefaults(over);
  assert.deepEqual(genaiProcessorFactory.validate!(cfg), []);
  return cfg;
}

/** One genai ID in a traces and a metrics pipeline, as a service builds them. */
async function rig(cfg: GenaiConfig) {
  const telemetry = new SelfTelemetry({ processMetrics: false });
  const set = { id: 'genai', kind: 'processor' as const, logger: silentLogger(), telemetry };
  const spans = new SinkConsumer<Traces>({ signal: 'traces' });
  const metricsOut = new SinkConsumer<unknown>();
  const tp = genaiProcessorFactory.create.traces!(set, cfg, spans);
  const mp = genaiProcessorFactory.create.metrics!(set, cfg, metricsOut);
  return { tp, mp, spans, metricsOut, telemetry };
}

/** vLLM's request span: tokens and latencies, no model (vllm/v1/engine/output_processor.py). */
const vllmSpan = (name: string) => ({
  name,
  kind: 2,
  startTimeUnixNano: 1,
  endTimeUnixNano: 2_000_000_001,
  attributes: kvs({
    'gen_ai.usage.prompt_tokens': 10,
    'gen_ai.usage.completion_tokens': 5,
    'gen_ai.latency.e2e': 2.0,
    'gen_ai.response.finish_reasons': '["stop"]',
  }),
});

/** vLLM metrics as a Prometheus scrape forwards them by remote-write: model_name, and the target's instance and pod. */
function vllmSeries(model: string, labels: Record<string, string>): PromMetrics {
  const timeseries = ['vllm:num_requests_running', 'vllm:generation_tokens_total'].map((name) => ({
    labels: Object.entries({ __name__: name, model_name: model, engine: '0', job: 'vllm', ...labels })
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([n, value]) => ({ name: n, value })),
    samples: [{ value: 1, timestamp: Date.now() }],
  }));
  return { format: 'prw', request: { timeseries } };
}

/** The genai processor in a metrics pipeline, as the tests feed it. */
type MetricsIn = { consume(d: MetricsData, c: RequestContext): Promise<void> };

async function models(cfg: GenaiConfig, feed: (m: MetricsIn) => Promise<void>, batch: Traces) {
  const r = await rig(cfg);
  await feed(r.mp);
  await r.tp.consume(batch, {});
  const out = new Map(spansOf(r.spans.data).map((s) => [s.name, s.attrs]));
  const counted = ((await r.telemetry.registry.getSingleMetric('tollgate_genai_model_identity_spans')?.get())?.values ?? [])
    .map((v) => `${v.labels.source}=${v.value}`)
    .sort();
  return { out, counted, metricsOut: r.metricsOut };
}

test('model identity: vLLM spans get their model from the engine metrics of their instance (remote-write and OTLP), the static map, the resource; the rest is "unknown" and counted', async () => {
  const batch = traces(
    { resource: { 'service.name': 'vllm', 'k8s.pod.name': 'vllm-llama-0' }, spans: [vllmSpan('by-pod')] },
    // The scrape target's instance label is host:port; the span's resource names the host.
    { resource: { 'service.name': 'vllm', 'host.name': '10.0.0.7' }, spans: [vllmSpan('by-instance-host')] },
    { resource: { 'service.name': 'vllm', 'service.instance.id': 'qwen-a' }, spans: [vllmSpan('by-otlp-resource')] },
    { resource: { 'service.name': 'vllm', 'k8s.pod.name': 'mistral-0' }, spans: [vllmSpan('static')] },
    { resource: { 'service.name': 'meta-llama/Llama-3.3-70B-Instruct' }, spans: [vllmSpan('by-service-name')] },
    { resource: { 'k8s.pod.name': 'nobody-knows' }, spans: [vllmSpan('unknown')] },
    {
      resource: { 'service.name': 'app', 'k8s.pod.name': 'vllm-llama-0' },
      spans: [{ ...vllmSpan('named'), attributes: kvs({ 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 3 }) }],
    },
  );
  const otlp: Metrics = {
    resourceMetrics: [
      {
        resource: { attributes: kvs({ 'service.instance.id': 'qwen-a', 'service.name': 'sglang' }) },
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'sglang:num_running_reqs',
                gauge: { dataPoints: [{ attributes: kvs({ model_name: 'Qwen/Qwen2.5-72B-Instruct' }), asDouble: 3, timeUnixNano: Date.now() * 1e6 }] },
              },
            ],
          },
        ],
      },
    ],
  };
  const { out, counted, metricsOut } = await models(
    config({
      model_identity: {
        resource_attributes: ['service.name'],
        sources: ['span_attributes', 'static', 'engine_metrics', 'resource_attributes'],
        static: { 'mistral-0': 'mistralai/Mistral-7B-Instruct-v0.3' },
      },
    }),
    async (mp) => {
      await mp.consume(vllmSeries('meta-llama/Llama-3.1-8B-Instruct', { pod: 'vllm-llama-0', instance: '10.0.0.5:8000' }), {});
      await mp.consume(vllmSeries('meta-llama/Llama-3.1-70B-Instruct', { instance: '10.0.0.7:8000' }), {});
      await mp.consume(otlp, {});
    },
    batch,
  );
  assert.equal(metricsOut.calls.length, 3, 'engine metrics pass through');
  const want: Record<string, [string, string | undefined]> = {
    'by-pod': ['meta-llama/Llama-3.1-8B-Instruct', 'engine_metrics'],
    'by-instance-host': ['meta-llama/Llama-3.1-70B-Instruct', 'engine_metrics'],
    'by-otlp-resource': ['Qwen/Qwen2.5-72B-Instruct', 'engine_metrics'],
    static: ['mistralai/Mistral-7B-Instruct-v0.3', 'static'],
    'by-service-name': ['meta-llama/Llama-3.3-70B-Instruct', 'resource_attributes'],
    unknown: ['unknown', 'unknown'],
    named: ['gpt-4o', undefined],
  };
  for (const [name, [model, source]] of Object.entries(want)) {
    assert.equal(out.get(name)?.['gen_ai.request.model'], model, name);
    assert.equal(out.get(name)?.['tollgate.genai.model.source'], source, name);
  }
  assert.deepEqual(counted, ['engine_metrics=3', 'resource_attributes=1', 'static=1', 'unknown=1']);
});

test('model identity: sources are tried in the configured order; the static map wins over engine metrics only when listed first; fill_request_model: false leaves spans alone', async () => {
  const batch = () => traces({ resource: { 'k8s.pod.name': 'p0' }, spans: [vllmSpan('s')] });
  const feed = async (mp: MetricsIn) => mp.consume(vllmSeries('from-metrics', { pod: 'p0' }), {});
  const a = await models(config({ model_identity: { static: { p0: 'from-static' } } }), feed, batch());
  assert.equal(a.out.get('s')?.['gen_ai.request.model'], 'from-static');
  const b = await models(config({ model_identity: { static: { p0: 'from-static' }, sources: ['engine_metrics', 'static'] } }), feed, batch());
  assert.equal(b.out.get('s')?.['gen_ai.request.model'], 'from-metrics');
  const c = await models(config({ fill_request_model: false }), feed, batch());
  assert.equal(c.out.get('s')?.['gen_ai.request.model'], undefined);
  assert.deepEqual(c.counted, []);
  const d = await models(config({ model_identity: { unknown_model: '' } }), async () => {}, batch());
  assert.equal(d.out.get('s')?.['gen_ai.request.model'], undefined);
  assert.deepEqual(d.counted, ['unknown=1']);
});

test('showback: dimensions from client metadata, span and resource attributes and the context tenant, with a default; values past max_values go to the overflow value', async () => {
  const cfg = config({
    showback: {
      max_values: 2,
      dimensions: [
        { name: 'tenant', from: [{ metadata: 'X-Tenant-Id' }, { span_attribute: 'tenant.id' }, { context: 'tenant' }], default: 'unassigned' },
        { name: 'app', from: [{ resource_attribute: 'service.name' }] },
      ],
    },
  });
  const r = await rig(cfg);
  const span = (name: string, tenant?: string) => ({
    ...vllmSpan(name),
    attributes: [...kvs({ 'gen_ai.request.model': 'm', 'gen_ai.usage.input_tokens': 1 }), ...(tenant ? kvs({ 'tenant.id': tenant }) : [])],
  });
  await r.tp.consume(traces({ resource: { 'service.name': 'chat' }, spans: [span('header', 'ignored')] }), { metadata: { 'x-tenant-id': ['acme'] } });
  await r.tp.consume(traces({ resource: { 'service.name': 'chat' }, spans: [span('attr', 'globex')] }), {});
  await r.tp.consume(traces({ resource: {}, spans: [span('ctx')] }), { tenant: 'initech' });
  await r.tp.consume(traces({ resource: {}, spans: [span('none')] }), {});
  await r.tp.consume(traces({ resource: {}, spans: [span('again', 'acme')] }), {});
  const out = new Map(spansOf(r.spans.data).map((s) => [s.name, s.attrs]));
  assert.equal(out.get('header')?.['tollgate.showback.tenant'], 'acme');
  assert.equal(out.get('header')?.['tollgate.showback.app'], 'chat');
  assert.equal(out.get('attr')?.['tollgate.showback.tenant'], 'globex');
  assert.equal(out.get('ctx')?.['tollgate.showback.tenant'], '__overflow__', 'a third tenant is past max_values 2');
  assert.equal(out.get('ctx')?.['tollgate.showback.app'], undefined, 'no source, no default: left out');
  assert.equal(out.get('none')?.['tollgate.showback.tenant'], 'unassigned', 'the default is never overflowed');
  assert.equal(out.get('again')?.['tollgate.showback.tenant'], 'acme', 'known values stay');
  const overflow = (await r.telemetry.registry.getSingleMetric('tollgate_genai_showback_overflow_spans')!.get()).values;
  assert.deepEqual(
    overflow.map((v) => [v.labels.dimension, v.value]),
    [['tollgate.showback.tenant', 1]],
  );
});

test('config: a showback dimension or a model source listed twice is named', () => {
  assert.deepEqual(
    genaiProcessorFactory.validate!(
      withDefaults({
        showback: {
          dimensions: [
            { name: 'tenant', from: [{ context: 'tenant' }] },
            { name: 'tenant', from: [{ context: 'tenant' }] },
          ],
        },
      }),
    ),
    ['showback.dimensions: "tenant" is listed twice'],
  );
  assert.deepEqual(genaiProcessorFactory.validate!(withDefaults({ model_identity: { sources: ['static', 'static'] } })), [
    'model_identity.sources: "static" is listed twice',
  ]);
  assert.notDeepEqual(validateAgainst(GenaiSchema, { showback: { dimensions: [{ name: 'x', from: [{ header: 'y' }] }] } }, 'processors.genai'), []);
});
