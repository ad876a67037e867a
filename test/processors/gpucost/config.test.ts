import assert from 'node:assert/strict';
import { test } from 'node:test';
import { factoriesByKind } from '../../../src/components.js';
import { validateConfig } from '../../../src/config/validate.js';
import { loadPriceFile, PriceTable } from '../../../src/genai/prices.js';
import { checkTokenPriceTable, loadTokenPriceFile, mergeTokenPriceTables, tokenCost, TokenPriceTable } from '../../../src/genai/tokenprices.js';

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
    'processors.redaction.custom_patterns[0].regex: not accepted by the linear-time engine (RE2 syntax; no lookaround or backreferences): error parsing regexp: missing closing ): `(`',
  ]);
  assert.deepEqual(problems({}, { genaimetrics: { dimensions: [{ name: 'a' }, { name: 'a' }, { name: 'gen_ai.token.type' }] } }), [
    'connectors.genaimetrics.dimensions: "a" is listed twice',
    'connectors.genaimetrics.dimensions: "gen_ai.token.type" is set by the connector itself',
  ]);
});

test('the shipped token price table loads, cites a source and a date for every model, and finds dated, routed and aliased names', () => {
  const spec = loadTokenPriceFile('');
  assert.deepEqual(checkTokenPriceTable(spec, 'token-prices.yaml', true), []);
  const t = new TokenPriceTable(spec);
  const entry = (provider: string | undefined, model: string) => {
    const r = t.lookup(provider, model);
    return r.ok ? `${r.provider}/${r.model}` : r.reason;
  };
  assert.equal(entry('openai', 'gpt-4o'), 'openai/gpt-4o');
  assert.equal(entry('openai', 'GPT-4o-2024-08-06'), 'openai/gpt-4o');
  assert.equal(entry('openai', 'gpt-4o-mini-2024-07-18'), 'openai/gpt-4o-mini', 'the longer name is not cut down to gpt-4o');
  assert.equal(entry('azure.ai.openai', 'gpt-4.1-mini'), 'openai/gpt-4.1-mini');
  assert.equal(entry(undefined, 'openai/gpt-5-mini'), 'openai/gpt-5-mini');
  assert.equal(entry('aws.bedrock', 'us.anthropic.claude-sonnet-4-20250514-v1:0'), 'anthropic/claude-sonnet-4');
  assert.equal(entry('anthropic', 'claude-3-7-sonnet-20250219'), 'anthropic/claude-3-7-sonnet');
  assert.equal(entry('gcp.vertex_ai', 'claude-opus-4-1@20250805'), 'anthropic/claude-opus-4-1');
  assert.equal(entry('gcp.gemini', 'models/gemini-2.5-flash'), 'gcp.gemini/gemini-2.5-flash');
  assert.equal(entry('openai', 'gpt-4o-audio-preview'), 'unknown_model_price', 'no prefix guessing');
  assert.equal(entry('vllm', 'llama-3.1-8b-instruct'), 'unknown_model_price');
  // Cached and written input at their own prices, reasoning inside output.
  const p = t.lookup('anthropic', 'claude-sonnet-4-5');
  assert.ok(p.ok);
  assert.equal(tokenCost(p.price, { input: 1_000_000, output: 0, cacheRead: 500_000, cacheCreation: 100_000, reasoning: 0 }), 0.4 * 3 + 0.5 * 0.3 + 0.1 * 3.75);
});

test('config: token prices are overridable and extendable; a bad entry is named by path', () => {
  assert.deepEqual(
    problems({
      gpucost: {
        token_prices: {
          providers: { openai: { models: { 'gpt-4o': { input: 2, output: 8, cached_input: 1 } } }, acme: { models: { 'acme-1': { input: 1, output: 2 } } } },
        },
      },
    }),
    [],
  );
  assert.deepEqual(problems({ gpucost: { token_prices: { providers: { acme: { models: { 'acme-1': { input: -1, output: 2 } } } } } } }), [
    'processors.gpucost.token_prices.providers.acme.models.acme-1.input: must be >= 0',
  ]);
  assert.deepEqual(problems({ gpucost: { token_prices: { providers: { acme: { models: { 'acme-1': { output: 2 } } } } } } }), [
    'processors.gpucost.token_prices.providers.acme.models.acme-1.input: required',
  ]);
  const missing = problems({ gpucost: { token_prices_file: '/nonexistent/t.yaml' } });
  assert.match(missing[0]!, /^processors\.gpucost\.token_prices_file: token price table \/nonexistent\/t\.yaml: ENOENT/);
  const merged = new TokenPriceTable(
    mergeTokenPriceTables(loadTokenPriceFile(''), {
      providers: {
        openai: { models: { 'gpt-4o': { input: 2, output: 8 } } },
        acme: { aliases: ['acme.cloud'], models: { 'acme-1': { input: 1, output: 2 } } },
      },
    }),
  );
  const g = merged.lookup('openai', 'gpt-4o-2024-11-20');
  assert.ok(g.ok && g.price.input === 2, "the user's price replaces the shipped one");
  assert.ok(merged.lookup('openai', 'gpt-4.1').ok, 'other shipped entries stay');
  assert.ok(merged.lookup('acme.cloud', 'acme-1').ok);
});
