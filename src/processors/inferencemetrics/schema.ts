// The canonical inference-server metric schema: one name per meaning, whichever
// engine exposed it, with an `engine` label naming the engine. The table here
// is the source of docs/inference-metrics.md (test/processors/inferencemetrics
// checks that the page lists every row).

export type Engine = 'vllm' | 'sglang' | 'tgi' | 'triton';
export const ENGINES: readonly Engine[] = ['vllm', 'sglang', 'tgi', 'triton'];

export type Kind = 'gauge' | 'counter' | 'histogram';

/**
 * How an engine's metric becomes a canonical one. `part` maps a single
 * exposed series onto one part of a canonical family (a histogram `_sum`
 * from a cumulative counter, or a counter from a histogram's `_sum`).
 */
export interface SourceMetric {
  engine: Engine;
  /** Family name as the engine exposes it, prefix included (vLLM's `vllm:`; `vllm_` is accepted too). */
  name: string;
  kind: Kind;
  /** Multiply values by this (Triton's microseconds → seconds). */
  scale?: number;
  /** Map only the source series `<name><from>` onto the canonical `<canonical><to>`. */
  part?: { from: string; to: string };
}

export interface CanonicalMetric {
  /** Without the configurable prefix (default `inference_`). */
  name: string;
  kind: Kind;
  unit: string;
  help: string;
  sources: SourceMetric[];
}

const v = (name: string, kind: Kind): SourceMetric => ({ engine: 'vllm', name: `vllm:${name}`, kind });
const s = (name: string, kind: Kind): SourceMetric => ({ engine: 'sglang', name: `sglang:${name}`, kind });

export const CANONICAL: readonly CanonicalMetric[] = [
  { name: 'requests_running', kind: 'gauge', unit: '', help: 'Requests being processed (in the running batch).', sources: [v('num_requests_running', 'gauge'), s('num_running_reqs', 'gauge'), { engine: 'tgi', name: 'tgi_batch_current_size', kind: 'gauge' }] },
  {
    name: 'requests_waiting',
    kind: 'gauge',
    unit: '',
    help: 'Requests queued, not yet scheduled.',
    sources: [v('num_requests_waiting', 'gauge'), s('num_queue_reqs', 'gauge'), { engine: 'tgi', name: 'tgi_queue_size', kind: 'gauge' }, { engine: 'triton', name: 'nv_inference_pending_request_count', kind: 'gauge' }],
  },
  { name: 'kv_cache_usage_ratio', kind: 'gauge', unit: 'ratio', help: 'KV-cache (token pool) in use, 0–1.', sources: [v('kv_cache_usage_perc', 'gauge'), v('gpu_cache_usage_perc', 'gauge'), s('token_usage', 'gauge')] },
  {
    name: 'prompt_tokens_total',
    kind: 'counter',
    unit: '',
    help: 'Prompt (input) tokens processed.',
    sources: [v('prompt_tokens', 'counter'), s('prompt_tokens', 'counter'), { engine: 'tgi', name: 'tgi_request_input_length', kind: 'histogram', part: { from: '_sum', to: '' } }],
  },
  {
    name: 'generation_tokens_total',
    kind: 'counter',
    unit: '',
    help: 'Tokens generated.',
    sources: [v('generation_tokens', 'counter'), s('generation_tokens', 'counter'), { engine: 'tgi', name: 'tgi_request_generated_tokens', kind: 'histogram', part: { from: '_sum', to: '' } }],
  },
  {
    name: 'requests_total',
    kind: 'counter',
    unit: '',
    help: 'Requests finished successfully (vLLM: by finished_reason).',
    sources: [v('request_success', 'counter'), { engine: 'tgi', name: 'tgi_request_success', kind: 'counter' }, { engine: 'triton', name: 'nv_inference_request_success', kind: 'counter' }],
  },
  {
    name: 'request_failures_total',
    kind: 'counter',
    unit: '',
    help: 'Requests that failed.',
    sources: [{ engine: 'tgi', name: 'tgi_request_failure', kind: 'counter' }, { engine: 'triton', name: 'nv_inference_request_failure', kind: 'counter' }],
  },
  { name: 'time_to_first_token_seconds', kind: 'histogram', unit: 'seconds', help: 'Time to first token.', sources: [v('time_to_first_token_seconds', 'histogram'), s('time_to_first_token_seconds', 'histogram')] },
  {
    name: 'inter_token_latency_seconds',
    kind: 'histogram',
    unit: 'seconds',
    help: 'Time between output tokens (TGI: a request\'s mean time per token).',
    sources: [
      v('inter_token_latency_seconds', 'histogram'),
      v('time_per_output_token_seconds', 'histogram'),
      s('inter_token_latency_seconds', 'histogram'),
      s('time_per_output_token_seconds', 'histogram'),
      { engine: 'tgi', name: 'tgi_request_mean_time_per_token_duration', kind: 'histogram' },
    ],
  },
  {
    name: 'e2e_request_latency_seconds',
    kind: 'histogram',
    unit: 'seconds',
    help: 'Request latency, arrival to last token (Triton: only _sum, from its cumulative microseconds).',
    sources: [
      v('e2e_request_latency_seconds', 'histogram'),
      s('e2e_request_latency_seconds', 'histogram'),
      { engine: 'tgi', name: 'tgi_request_duration', kind: 'histogram' },
      { engine: 'triton', name: 'nv_inference_request_duration_us', kind: 'counter', scale: 1e-6, part: { from: '', to: '_sum' } },
    ],
  },
  {
    name: 'request_queue_time_seconds',
    kind: 'histogram',
    unit: 'seconds',
    help: 'Time waiting to be scheduled (Triton: only _sum).',
    sources: [
      v('request_queue_time_seconds', 'histogram'),
      { engine: 'tgi', name: 'tgi_request_queue_duration', kind: 'histogram' },
      { engine: 'triton', name: 'nv_inference_queue_duration_us', kind: 'counter', scale: 1e-6, part: { from: '', to: '_sum' } },
    ],
  },
  { name: 'request_prefill_time_seconds', kind: 'histogram', unit: 'seconds', help: 'Prompt processing time.', sources: [v('request_prefill_time_seconds', 'histogram')] },
  { name: 'request_decode_time_seconds', kind: 'histogram', unit: 'seconds', help: 'Decode time, first to last token.', sources: [v('request_decode_time_seconds', 'histogram')] },
  { name: 'preemptions_total', kind: 'counter', unit: '', help: 'Requests preempted (KV cache pressure).', sources: [v('num_preemptions', 'counter')] },
  { name: 'prefix_cache_queries_total', kind: 'counter', unit: '', help: 'Prefix-cache lookups, in tokens.', sources: [v('prefix_cache_queries', 'counter')] },
  { name: 'prefix_cache_hits_total', kind: 'counter', unit: '', help: 'Prefix-cache hits, in tokens.', sources: [v('prefix_cache_hits', 'counter')] },
  { name: 'gpu_utilization_ratio', kind: 'gauge', unit: 'ratio', help: 'GPU utilization as the engine reports it, 0–1.', sources: [{ engine: 'triton', name: 'nv_gpu_utilization', kind: 'gauge' }] },
];

/** Labels renamed on the canonical series: the engine's own name → canonical. */
export const LABEL_RENAMES: Record<Engine, Record<string, string>> = {
  // vLLM's `engine` is the engine index ("0"); `engine` now names the server kind.
  vllm: { engine: 'engine_index' },
  sglang: {},
  tgi: {},
  triton: { model: 'model_name', version: 'model_version' },
};

/** What one exposed series (or OTLP metric) name maps to. */
export interface NameMapping {
  canonical: string;
  engine: Engine;
  scale: number;
}

const SUFFIXES: Record<Kind, string[]> = {
  gauge: [''],
  counter: ['', '_total', '_created'],
  histogram: ['', '_bucket', '_sum', '_count', '_created'],
};

/**
 * Every exposed name (series names, and OTLP metric names, which are family
 * names) → its canonical name, built once: the hot path is one Map lookup.
 */
export function buildNameMap(prefix: string, engines: readonly Engine[]): Map<string, NameMapping> {
  const m = new Map<string, NameMapping>();
  const on = new Set(engines);
  for (const c of CANONICAL) {
    const base = `${prefix}${c.kind === 'counter' ? c.name.replace(/_total$/, '') : c.name}`;
    for (const src of c.sources) {
      if (!on.has(src.engine)) continue;
      const names = src.engine === 'vllm' ? [src.name, src.name.replace(/^vllm:/, 'vllm_')] : [src.name];
      const scale = src.scale ?? 1;
      for (const n of names) {
        if (src.part) {
          m.set(`${n}${src.part.from}`, { canonical: `${base}${src.part.to || (c.kind === 'counter' ? '_total' : '')}`, engine: src.engine, scale });
          continue;
        }
        const srcBase = src.kind === 'counter' ? n.replace(/_total$/, '') : n;
        for (const suf of SUFFIXES[src.kind]) {
          // A counter's series is `<name>_total` whether or not the engine spells the suffix (TGI and Triton do not).
          const target = c.kind === 'counter' && src.kind === 'counter' && suf === '' ? `${base}_total` : `${base}${suf}`;
          m.set(`${srcBase}${suf}`, { canonical: target, engine: src.engine, scale: suf === '_bucket' || suf === '_count' || suf === '_created' ? 1 : scale });
        }
      }
    }
  }
  return m;
}
