// Builders for GenAI spans and batches in tests (gpucost, genaimetrics, redaction).
import { randomBytes } from 'node:crypto';
import { Long, type IKeyValue, type ISpan, type Traces } from '../../src/pdata/proto.js';
import { attrsToObject } from '../../src/genai/attrs.js';

/** 2023-11-14T22:13:20Z in nanoseconds: the zero of test timelines. */
export const T0 = Long.fromString('1700000000000000000');

export type AttrValue = string | number | boolean;

export function kvs(o: Record<string, AttrValue>): IKeyValue[] {
  return Object.entries(o).map(([key, v]) => ({
    key,
    value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : Number.isInteger(v) ? { intValue: v } : { doubleValue: v },
  }));
}

/** Nanoseconds `seconds` after T0 (rounded to whole nanoseconds). */
export function at(seconds: number): Long {
  return T0.add(Long.fromNumber(Math.round(seconds * 1e9)));
}

export interface LlmSpanSpec {
  name?: string;
  start: number;
  end: number;
  model?: string;
  provider?: string;
  operation?: string;
  input?: number;
  output?: number;
  error?: boolean;
  kind?: number;
  attrs?: Record<string, AttrValue>;
  traceId?: Uint8Array;
  spanId?: Uint8Array;
}

export function llmSpan(s: LlmSpanSpec): ISpan {
  const a: Record<string, AttrValue> = {};
  if (s.operation !== undefined) a['gen_ai.operation.name'] = s.operation;
  if (s.provider !== undefined) a['gen_ai.provider.name'] = s.provider;
  a['gen_ai.request.model'] = s.model ?? 'test-model';
  if (s.input !== undefined) a['gen_ai.usage.input_tokens'] = s.input;
  if (s.output !== undefined) a['gen_ai.usage.output_tokens'] = s.output;
  Object.assign(a, s.attrs ?? {});
  return {
    traceId: s.traceId ?? randomBytes(16),
    spanId: s.spanId ?? randomBytes(8),
    name: s.name ?? `chat ${s.model ?? 'test-model'}`,
    kind: s.kind ?? 2,
    startTimeUnixNano: at(s.start),
    endTimeUnixNano: at(s.end),
    attributes: kvs(a),
    status: s.error ? { code: 2, message: 'failed' } : undefined,
  };
}

export function traces(...groups: Array<{ resource: Record<string, AttrValue>; spans: ISpan[] }>): Traces {
  return {
    resourceSpans: groups.map((g) => ({ resource: { attributes: kvs(g.resource) }, scopeSpans: [{ scope: { name: 'test' }, spans: g.spans }] })),
  };
}

/** Every span of the batches, with attributes as plain objects. */
export function spansOf(batches: readonly Traces[]): Array<{ name: string; attrs: Record<string, unknown>; resource: Record<string, unknown> }> {
  const out = [];
  for (const t of batches)
    for (const rs of t.resourceSpans ?? [])
      for (const ss of rs.scopeSpans ?? [])
        for (const sp of ss.spans ?? [])
          out.push({ name: sp.name ?? '', attrs: attrsToObject(sp.attributes), resource: attrsToObject(rs.resource?.attributes) });
  return out;
}

/** vLLM names no model on its spans: a gateway config mapping each loadgen replica (pod) to its model. */
export function staticModels(fleet: { models: ReadonlyArray<{ name: string; replicas: number; api?: boolean }> }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of fleet.models) if (!m.api) for (let i = 0; i < m.replicas; i++) out[`${m.name}-${i}`] = m.name;
  return out;
}

/**
 * A 70B model on 4 × H100 whose answers run up to 4096 × 0.0366 s: requests of up to 150 s,
 * five times gpucost's default settle window (shared-cost accuracy tests and benchmark).
 */
export const LONG_REQUEST_MODEL = {
  name: 'llama-3.1-70b-instruct',
  gpu: { model: 'NVIDIA H100 80GB HBM3', count: 4 },
  weight: 1,
  output_tokens: { median: 600, sigma: 1.0, min: 1, max: 4096 },
  prefill: { median: 0.25 },
  itl: { median: 0.035, sigma: 0.05, min: 0.03, max: 0.0366 },
};

/** The other GPU-served models of those fleets: an 8B on two A100 replicas, a 72B on 2 × H200, and one on a GPU missing from the price table. */
export const GPU_FLEET_MODELS = [
  { name: 'llama-3.1-8b-instruct', gpu: { model: 'NVIDIA A100-SXM4-80GB', count: 1 }, replicas: 2, weight: 3 },
  LONG_REQUEST_MODEL,
  {
    name: 'qwen2.5-72b-instruct',
    gpu: { model: 'NVIDIA H200', count: 2 },
    weight: 1,
    output_tokens: { median: 350, sigma: 0.8, min: 1, max: 3000 },
    itl: { median: 0.03 },
  },
  { name: 'mistral-7b-instruct', gpu: { model: 'NVIDIA L40S', count: 1 }, weight: 1 },
];
