// Normalization fixtures: each engine's real metric names (as loadgen's
// engine pages and the engines expose them) onto the canonical schema, DCGM
// host label and framebuffer total, alias vs rename, both metrics shapes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import type { ITimeSeries, Metrics, PromWrite } from '../../../src/pdata/proto.js';
import { isStaleNaN, STALE_NAN } from '../../../src/prw/codec.js';
import { InferenceMetricsSchema, type InferenceMetricsConfig } from '../../../src/processors/inferencemetrics/config.js';
import { normalizeOtlp } from '../../../src/processors/inferencemetrics/otlp.js';
import { normalizeWrite } from '../../../src/processors/inferencemetrics/prw.js';
import { buildNameMap } from '../../../src/processors/inferencemetrics/schema.js';

function cfg(over: Partial<InferenceMetricsConfig> = {}): InferenceMetricsConfig {
  return { ...(Value.Default(InferenceMetricsSchema, {}) as InferenceMetricsConfig), ...over };
}

function series(name: string, labels: Record<string, string>, value: number, ts = 1000): ITimeSeries {
  const all = { __name__: name, ...labels };
  return { labels: Object.keys(all).sort().map((k) => ({ name: k, value: all[k as keyof typeof all] })), samples: [{ value, timestamp: ts }] };
}

/** `name{a="b",...} value` of every series, sorted. */
function text(w: PromWrite): string[] {
  return (w.timeseries ?? [])
    .map((s) => {
      const name = s.labels!.find((l) => l.name === '__name__')!.value;
      const rest = s.labels!.filter((l) => l.name !== '__name__').map((l) => `${l.name}="${l.value}"`).join(',');
      return `${name}{${rest}} ${s.samples![0]!.value}`;
    })
    .sort();
}

function run(input: ITimeSeries[], c = cfg()): string[] {
  const w: PromWrite = { timeseries: input };
  normalizeWrite(w, buildNameMap(c.prefix, c.engines), c);
  return text(w);
}

test('vLLM: current and deprecated names, vllm_ spelling, histogram parts; engine index kept as engine_index', () => {
  const out = run(
    [
      series('vllm:gpu_cache_usage_perc', { model_name: 'm', engine: '0' }, 0.5),
      series('vllm_kv_cache_usage_perc', { model_name: 'n', engine: '0' }, 0.25),
      series('vllm:time_per_output_token_seconds_bucket', { model_name: 'm', le: '0.1' }, 3),
      series('vllm:inter_token_latency_seconds_sum', { model_name: 'm' }, 1.5),
      series('vllm:prompt_tokens_total', { model_name: 'm' }, 100),
      series('vllm:request_success_total', { model_name: 'm', finished_reason: 'abort' }, 2),
    ],
    cfg({ mode: 'rename' }),
  );
  assert.deepEqual(out, [
    'inference_inter_token_latency_seconds_bucket{engine="vllm",le="0.1",model_name="m"} 3',
    'inference_inter_token_latency_seconds_sum{engine="vllm",model_name="m"} 1.5',
    'inference_kv_cache_usage_ratio{engine="vllm",engine_index="0",model_name="m"} 0.5',
    'inference_kv_cache_usage_ratio{engine="vllm",engine_index="0",model_name="n"} 0.25',
    'inference_prompt_tokens_total{engine="vllm",model_name="m"} 100',
    'inference_requests_total{engine="vllm",finished_reason="abort",model_name="m"} 2',
  ]);
});

test('SGLang, TGI and Triton onto the same names; Triton microseconds become seconds; stale markers stay stale', () => {
  const w: PromWrite = {
    timeseries: [
      series('sglang:num_queue_reqs', { model_name: 's' }, 4),
      series('sglang:token_usage', { model_name: 's' }, 0.7),
      series('sglang:time_to_first_token_seconds_count', { model_name: 's' }, 9),
      series('tgi_request_generated_tokens_sum', {}, 1234),
      series('tgi_request_generated_tokens_count', {}, 10),
      series('tgi_queue_size', {}, 2),
      series('nv_inference_request_duration_us', { model: 't', version: '1' }, 2_500_000),
      series('nv_inference_request_success', { model: 't', version: '1' }, 5),
      series('nv_inference_queue_duration_us', { model: 't', version: '1' }, STALE_NAN),
    ],
  };
  const c = cfg({ mode: 'rename' });
  normalizeWrite(w, buildNameMap(c.prefix, c.engines), c);
  const out = text(w);
  assert.deepEqual(out, [
    'inference_e2e_request_latency_seconds_sum{engine="triton",model_name="t",model_version="1"} 2.5',
    'inference_generation_tokens_total{engine="tgi"} 1234',
    'inference_kv_cache_usage_ratio{engine="sglang",model_name="s"} 0.7',
    'inference_request_queue_time_seconds_sum{engine="triton",model_name="t",model_version="1"} NaN',
    'inference_requests_total{engine="triton",model_name="t",model_version="1"} 5',
    'inference_requests_waiting{engine="sglang",model_name="s"} 4',
    'inference_requests_waiting{engine="tgi"} 2',
    'inference_time_to_first_token_seconds_count{engine="sglang",model_name="s"} 9',
    'tgi_request_generated_tokens_count{} 10',
  ]);
  const stale = w.timeseries!.find((s) => s.labels!.some((l) => l.value === 'inference_request_queue_time_seconds_sum'))!;
  assert.ok(isStaleNaN(stale.samples![0]!.value!), 'the stale marker bit pattern survives');
});

test('alias keeps the originals untouched beside the canonical series; rename replaces them', () => {
  const input = () => [series('vllm:num_requests_running', { model_name: 'm', engine: '0' }, 3), series('unrelated_metric', { a: 'b' }, 1)];
  assert.deepEqual(run(input(), cfg({ mode: 'alias' })), [
    'inference_requests_running{engine="vllm",engine_index="0",model_name="m"} 3',
    'unrelated_metric{a="b"} 1',
    'vllm:num_requests_running{engine="0",model_name="m"} 3',
  ]);
  assert.deepEqual(run(input(), cfg({ mode: 'rename' })), ['inference_requests_running{engine="vllm",engine_index="0",model_name="m"} 3', 'unrelated_metric{a="b"} 1']);
});

test('DCGM: Hostname unified to hostname, FB_TOTAL derived from USED+FREE+RESERVED when absent', () => {
  const gpu = { gpu: '0', UUID: 'GPU-1', modelName: 'NVIDIA H100 80GB HBM3' };
  const input = () => [
    series('DCGM_FI_DEV_FB_USED', { ...gpu, Hostname: 'h1' }, 1000),
    series('DCGM_FI_DEV_FB_FREE', { ...gpu, Hostname: 'h1' }, 80000),
    series('DCGM_FI_DEV_FB_RESERVED', { ...gpu, Hostname: 'h1' }, 559),
    series('DCGM_FI_DEV_FB_USED', { ...gpu, hostname: 'h2' }, 10),
    series('DCGM_FI_DEV_FB_FREE', { ...gpu, hostname: 'h2' }, 20),
    series('DCGM_FI_DEV_FB_TOTAL', { ...gpu, hostname: 'h2' }, 99),
  ];
  const renamed = run(input(), cfg({ mode: 'rename' }));
  assert.ok(renamed.includes('DCGM_FI_DEV_FB_TOTAL{UUID="GPU-1",gpu="0",hostname="h1",modelName="NVIDIA H100 80GB HBM3"} 81559'), renamed.join('\n'));
  assert.ok(renamed.includes('DCGM_FI_DEV_FB_TOTAL{UUID="GPU-1",gpu="0",hostname="h2",modelName="NVIDIA H100 80GB HBM3"} 99'), 'an exposed FB_TOTAL is kept, not derived');
  assert.equal(renamed.filter((s) => s.startsWith('DCGM_FI_DEV_FB_TOTAL')).length, 2);
  assert.ok(renamed.every((s) => !s.includes('Hostname=')));
  const aliased = run(input(), cfg({ mode: 'alias' }));
  assert.ok(aliased.includes('DCGM_FI_DEV_FB_USED{Hostname="h1",UUID="GPU-1",gpu="0",hostname="h1",modelName="NVIDIA H100 80GB HBM3"} 1000'));
});

test('metadata follows the names (rename) or is added for the aliases', () => {
  const c = cfg({ mode: 'rename' });
  const w: PromWrite = { timeseries: [series('vllm:num_requests_waiting', { model_name: 'm' }, 1)], metadata: [{ type: 2, metricFamilyName: 'vllm:num_requests_waiting', help: 'h', unit: '' }] };
  normalizeWrite(w, buildNameMap(c.prefix, c.engines), c);
  assert.deepEqual(w.metadata!.map((m) => m.metricFamilyName), ['inference_requests_waiting']);
});

test('OTLP shape: metric names and attributes mapped; Triton microseconds scaled; DCGM FB_TOTAL derived', () => {
  const attr = (k: string, v: string) => ({ key: k, value: { stringValue: v } });
  const md: Metrics = {
    resourceMetrics: [
      {
        scopeMetrics: [
          {
            metrics: [
              { name: 'vllm:num_requests_running', gauge: { dataPoints: [{ attributes: [attr('model_name', 'm'), attr('engine', '0')], asDouble: 2, timeUnixNano: 5 }] } },
              { name: 'nv_inference_request_duration_us', sum: { isMonotonic: true, aggregationTemporality: 2, dataPoints: [{ attributes: [attr('model', 't')], asDouble: 3_000_000, timeUnixNano: 5 }] } },
              { name: 'DCGM_FI_DEV_FB_USED', gauge: { dataPoints: [{ attributes: [attr('gpu', '0'), attr('Hostname', 'h')], asDouble: 10, timeUnixNano: 5 }] } },
              { name: 'DCGM_FI_DEV_FB_FREE', gauge: { dataPoints: [{ attributes: [attr('gpu', '0'), attr('Hostname', 'h')], asDouble: 30, timeUnixNano: 5 }] } },
            ],
          },
        ],
      },
    ],
  };
  const c = cfg({ mode: 'rename' });
  normalizeOtlp(md, buildNameMap(c.prefix, c.engines), c);
  const ms = md.resourceMetrics![0]!.scopeMetrics![0]!.metrics!;
  const byName = new Map(ms.map((m) => [m.name, m]));
  const p = (n: string) => (byName.get(n)!.gauge ?? byName.get(n)!.sum)!.dataPoints![0]!;
  assert.deepEqual([...byName.keys()].sort(), ['DCGM_FI_DEV_FB_FREE', 'DCGM_FI_DEV_FB_TOTAL', 'DCGM_FI_DEV_FB_USED', 'inference_e2e_request_latency_seconds_sum', 'inference_requests_running']);
  assert.deepEqual(p('inference_requests_running').attributes!.map((a) => `${a.key}=${a.value!.stringValue}`), ['model_name=m', 'engine_index=0', 'engine=vllm']);
  assert.equal(p('inference_e2e_request_latency_seconds_sum').asDouble, 3);
  assert.equal(p('DCGM_FI_DEV_FB_TOTAL').asDouble, 40);
  assert.ok(p('DCGM_FI_DEV_FB_USED').attributes!.some((a) => a.key === 'hostname'));
});
