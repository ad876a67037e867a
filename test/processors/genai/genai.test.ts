import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { genaiProcessorFactory } from '../../../src/processors/genai/factory.js';
import { GenaiSchema, type GenaiConfig } from '../../../src/processors/genai/config.js';
import { validateAgainst } from '../../../src/config/validate.js';
import { decodeJSON, decodeProto, encodeProto } from '../../../src/pdata/otlpjson.js';
import type { Traces } from '../../../src/pdata/proto.js';
import { attrsToObject } from '../../../src/genai/attrs.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { SinkConsumer } from '../../helpers/sink.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'genai');

function config(over: Partial<GenaiConfig> = {}): GenaiConfig {
  const cfg = { ...over };
  assert.deepEqual(validateAgainst(GenaiSchema, cfg, 'processors.genai'), []);
  return cfg as GenaiConfig;
}

async function run(input: Traces, cfg: GenaiConfig = config()): Promise<{ out: Traces; telemetry: SelfTelemetry }> {
  const telemetry = new SelfTelemetry({ processMetrics: false });
  const sink = new SinkConsumer<Traces>({ signal: 'traces' });
  const p = genaiProcessorFactory.create.traces!({ id: 'genai', kind: 'processor', logger: silentLogger(), telemetry }, cfg, sink);
  await p.start({ health: () => 'ok' });
  await p.consume(input, {});
  await p.shutdown();
  assert.equal(sink.calls.length, 1);
  return { out: sink.data[0]!, telemetry };
}

/** Spans by name → attributes as a plain object; fails on duplicate keys. */
function spansByName(t: Traces): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const rs of t.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? [])
      for (const s of ss.spans ?? []) {
        const keys = (s.attributes ?? []).map((a) => a.key);
        assert.equal(new Set(keys).size, keys.length, `duplicate attribute keys on ${s.name}: ${keys.join(', ')}`);
        out[s.name ?? ''] = attrsToObject(s.attributes);
      }
  return out;
}

/** As the receiver hands it on: decoded protobuf (Long timestamps, shared empty arrays). */
function load(name: string): { input: Traces; expected: Record<string, Record<string, unknown>> } {
  const fx = JSON.parse(readFileSync(join(FIXTURES, `normalize-${name}.json`), 'utf8'));
  const fromJson = decodeJSON('traces', JSON.stringify(fx.input));
  return { input: decodeProto('traces', encodeProto('traces', fromJson)), expected: fx.expected };
}

for (const conv of ['genai', 'genai_legacy', 'vllm', 'openinference']) {
  test(`normalization: a ${conv} span comes out with exactly the current names and values`, async () => {
    const { input, expected } = load(conv);
    const { out, telemetry } = await run(input);
    assert.deepEqual(spansByName(out), expected);
    const metrics = await telemetry.registry.getSingleMetricAsString('tollgate_genai_spans');
    assert.match(metrics, new RegExp(`tollgate_genai_spans\\{processor="genai",convention="${conv}"\\} 1`));
  });
}

test('normalization: keep_original_attributes keeps the old names next to the new ones', async () => {
  const { input } = load('genai_legacy');
  const { out } = await run(input, config({ keep_original_attributes: true }));
  const a = spansByName(out)['chat gpt-4o-mini']!;
  assert.equal(a['gen_ai.system'], 'openai');
  assert.equal(a['gen_ai.provider.name'], 'openai');
  assert.equal(a['gen_ai.usage.prompt_tokens'], 20);
  assert.equal(a['gen_ai.usage.input_tokens'], 20);
  assert.equal(a['gen_ai.usage.completion_tokens'], 11);
  assert.equal(a['gen_ai.usage.output_tokens'], 11);
});

test('normalization: a current name present beside an old one wins; the old one is removed', async () => {
  const input: Traces = {
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              {
                name: 'chat',
                startTimeUnixNano: 1_000_000_000,
                endTimeUnixNano: 2_000_000_000,
                attributes: [
                  { key: 'gen_ai.system', value: { stringValue: 'old' } },
                  { key: 'gen_ai.provider.name', value: { stringValue: 'new' } },
                  { key: 'gen_ai.usage.prompt_tokens', value: { stringValue: '17' } },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
  const { out } = await run(input, config({ derive_timings: false, mark_convention: false, fill_request_model: false }));
  assert.deepEqual(spansByName(out).chat, { 'gen_ai.provider.name': 'new', 'gen_ai.usage.input_tokens': 17 });
});

test('normalization: spans without GenAI attributes pass untouched', async () => {
  const input: Traces = {
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [{ name: 'GET /health', startTimeUnixNano: 1, endTimeUnixNano: 2, attributes: [{ key: 'http.route', value: { stringValue: '/health' } }] }],
          },
        ],
      },
    ],
  };
  const { out } = await run(input);
  assert.deepEqual(spansByName(out), { 'GET /health': { 'http.route': '/health' } });
});

test('normalization: a single output token gives TTFT but no time per output token', async () => {
  const input: Traces = {
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              {
                name: 'chat',
                startTimeUnixNano: 1_000_000_000,
                endTimeUnixNano: 1_400_000_000,
                events: [{ name: 'gen_ai.first_token', timeUnixNano: 1_300_000_000 }],
                attributes: [
                  { key: 'gen_ai.request.model', value: { stringValue: 'm' } },
                  { key: 'gen_ai.usage.output_tokens', value: { intValue: 1 } },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
  const a = spansByName((await run(input)).out).chat!;
  assert.equal(a['tollgate.genai.time_to_first_token'], 0.3);
  assert.equal(a['tollgate.genai.decode_time'], 0.1);
  assert.equal(a['tollgate.genai.time_per_output_token'], undefined);
});
