import assert from 'node:assert/strict';
import { test } from 'node:test';
import { factoriesByKind } from '../../../src/components.js';
import { validateConfig } from '../../../src/config/validate.js';
import { loadPriceFile, PriceTable } from '../../../src/genai/prices.js';

function problems(processors: Record<string, unknown>, connectors: Record<string, unknown> = {}): string[] {
  const raw = {
    receivers: { otlp: { protocols: { http: { endpoint: '127.0.0.1:0' } } } },
    processors,
    connectors,
    exporters: { debug: {} },
    service: {
      pipelines: {
        traces: { receivers: ['otlp'], processors: Object.keys(processors), exporters: Object.keys(connectors).length ? ['genaimetrics'] : ['debug'] },
        ...(Object.keys(connectors).length ? { metrics: { receivers: ['genaimetrics'], exporters: ['debug'] } } : {}),
      },
    },
  };
  return validateConfig(raw, factoriesByKind()).problems;
}

test('the shipped price table loads, cites a source for every figure, and resolves DCGM model names', () => {
  const spec = loadPriceFile('');
  for (const [gpu, e] of Object.entries(spec.gpus)) {
    for (const [tier, p] of Object.entries(e.tiers)) assert.ok((p.source ?? '').length > 20, `${gpu}.${tier} cites its source`);
  }
  const t = new PriceTable(spec);
  assert.deepEqual(t.lookup('NVIDIA A100-SXM4-80GB'), { ok: true, gpu: 'A100', tier: 'capacity_block', usdPerGpuHour: 1.844 });
  assert.deepEqual(t.lookup('NVIDIA H100 80GB HBM3'), { ok: true, gpu: 'H100', tier: 'capacity_block', usdPerGpuHour: 4.916 });
  assert.deepEqual(t.lookup('NVIDIA H200'), { ok: true, gpu: 'H200', tier: 'capacity_block', usdPerGpuHour: 5.408 });
  assert.deepEqual(t.lookup('NVIDIA A100 80GB PCIe', 'spot'), { ok: true, gpu: 'A100', tier: 'spot', usdPerGpuHour: 3.25 });
  assert.deepEqual(t.lookup('NVIDIA H100 PCIe', 'spot'), { ok: false, reason: 'unknown_price', gpu: 'H100', tier: 'spot' });
  assert.deepEqual(t.lookup('Tesla T4'), { ok: false, reason: 'unknown_gpu', tier: 'capacity_block' });
});

test('config: a missing or broken price table, a bad price, a bad regex and a duplicate dimension are named by path', () => {
  assert.deepEqual(problems({ gpucost: {} }), []);
  const missing = problems({ gpucost: { prices_file: '/nonexistent/prices.yaml' } });
  assert.equal(missing.length, 1);
  assert.match(missing[0]!, /^processors\.gpucost\.prices_file: price table \/nonexistent\/prices\.yaml: ENOENT/);
  assert.deepEqual(problems({ gpucost: { prices: { gpus: { L4: { tiers: { spot: { usd_per_gpu_hour: -1 } } } } } } }), [
    'processors.gpucost.prices.gpus.L4.tiers.spot.usd_per_gpu_hour: must be > 0',
  ]);
  assert.deepEqual(problems({ gpucost: { cost_model: 'fair' } }), ['processors.gpucost.cost_model: must be one of exclusive, shared']);
  assert.deepEqual(problems({ redaction: { custom_patterns: [{ name: 'x', regex: '(' }] } }), [
    'processors.redaction.custom_patterns[0].regex: Invalid regular expression: /(/g: Unterminated group',
  ]);
  assert.deepEqual(problems({}, { genaimetrics: { dimensions: [{ name: 'a' }, { name: 'a' }, { name: 'gen_ai.token.type' }] } }), [
    'connectors.genaimetrics.dimensions: "a" is listed twice',
    'connectors.genaimetrics.dimensions: "gen_ai.token.type" is set by the connector itself',
  ]);
});
