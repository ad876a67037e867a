// The GenAI attribute names Tollgate reads and writes, in one table.
//
// Current names follow the OpenTelemetry GenAI semantic conventions (v1.41).
// Emitters that predate them (older OpenTelemetry instrumentations, vLLM's own
// tracing, OpenInference) use other names; RENAMES maps each to its current
// name. Values Tollgate derives go under `tollgate.genai.*` (DERIVED), because
// the conventions define no span attributes for them and a future
// `gen_ai.*` name must not collide with ours.
import type { Attrs } from './attrs.js';
import { findAttr } from './attrs.js';

/** Current GenAI semantic-convention attribute names. */
export const GENAI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  /** Part of gen_ai.usage.input_tokens read from a provider-managed cache. */
  cacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  /** Part of gen_ai.usage.input_tokens written to a provider-managed cache. */
  cacheCreationInputTokens: 'gen_ai.usage.cache_creation.input_tokens',
  /** Part of gen_ai.usage.output_tokens spent on reasoning. */
  reasoningOutputTokens: 'gen_ai.usage.reasoning.output_tokens',
  finishReasons: 'gen_ai.response.finish_reasons',
  /** The request was made in streaming mode (boolean). */
  requestStream: 'gen_ai.request.stream',
  /** Client-side time to the first chunk of a streaming response, s. */
  timeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  responseId: 'gen_ai.response.id',
  tokenType: 'gen_ai.token.type',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  systemInstructions: 'gen_ai.system_instructions',
  errorType: 'error.type',
  /** Cost in USD, the name OpenLIT writes and its dashboards read. */
  cost: 'gen_ai.usage.cost',
} as const;

/** Attributes Tollgate derives on LLM request spans (all seconds unless named otherwise). */
export const DERIVED = {
  /** Which convention the span arrived in: genai | genai_legacy | vllm | openinference. */
  convention: 'tollgate.genai.convention',
  /** Request start to first output token, s. */
  timeToFirstToken: 'tollgate.genai.time_to_first_token',
  /** Where the TTFT came from: attribute | prefill_span | event. */
  timeToFirstTokenSource: 'tollgate.genai.time_to_first_token.source',
  /** Decode time / (output tokens − 1), s: the inter-token latency. */
  timePerOutputToken: 'tollgate.genai.time_per_output_token',
  /** Output tokens / request duration. */
  outputTokensPerSecond: 'tollgate.genai.output_tokens_per_second',
  /** Time waiting to be scheduled, s. */
  queueTime: 'tollgate.genai.queue_time',
  /** Prompt processing time, s. */
  prefillTime: 'tollgate.genai.prefill_time',
  /** First to last output token, s. */
  decodeTime: 'tollgate.genai.decode_time',
  /** End-to-end request duration as the server measured it (vLLM e2e), else the span's duration, s. */
  requestDuration: 'tollgate.genai.request.duration',
  /** Where gen_ai.request.model came from when the span did not name it: resource | static | engine_metrics | unknown. */
  modelSource: 'tollgate.genai.model.source',
} as const;

/** Showback dimensions the genai processor resolves: `tollgate.showback.<name>`. */
export const SHOWBACK_PREFIX = 'tollgate.showback.';

/** Attributes the gpucost processor writes. */
export const COST = {
  /** USD; the name OpenLIT writes and its dashboards read. */
  cost: GENAI.cost,
  /** Which method priced the span (CostMethod). */
  method: 'tollgate.cost.method',
  /** Price used, USD per GPU-hour (GPU methods). */
  pricePerGpuHour: 'tollgate.gpucost.price_per_gpu_hour',
  /** Price-table tier used (on_demand, spot, capacity_block, ...). */
  tier: 'tollgate.gpucost.tier',
  /** GPU model as named in the price table. */
  gpuModel: 'tollgate.gpucost.gpu.model',
  gpuCount: 'tollgate.gpucost.gpu.count',
  /** token_price: the table entry that priced the span, `<provider>/<model>`. */
  tokenPriceEntry: 'tollgate.cost.token_price.entry',
  /** true when the span could not be priced; never a $0 cost. */
  unpriced: 'tollgate.gpucost.unpriced',
  /** Why (UnpricedReason). */
  unpricedReason: 'tollgate.gpucost.unpriced.reason',
  /** gpu_shared: the span arrived after overlapping spans of its replica had been priced. */
  late: 'tollgate.gpucost.late',
  /** gpu_shared: priced before its time because max_pending_spans was reached. */
  early: 'tollgate.gpucost.early',
  /** gpu_shared, late spans: USD taken off the spans priced before this one arrived (≤ 0). */
  adjustment: 'tollgate.gpucost.adjustment',
  /** The adjustment split by the attributes of the spans it applies to: [{<attribute>: value, ..., amount}]. */
  adjustmentGroups: 'tollgate.gpucost.adjustment.groups',
  /** Some of the spans this one overlaps were forgotten (correction_window): the adjustment is partial. */
  adjustmentIncomplete: 'tollgate.gpucost.adjustment.incomplete',
} as const;

/** How a span was priced. */
export type CostMethod = 'gpu_exclusive' | 'gpu_shared' | 'token_price' | 'reported';
export const COST_METHODS: readonly CostMethod[] = ['gpu_exclusive', 'gpu_shared', 'token_price', 'reported'];

/** Emitter conventions the genai processor recognizes. */
export type Convention = 'genai' | 'genai_legacy' | 'openllmetry' | 'openlit' | 'vllm' | 'openinference';
export const CONVENTIONS: readonly Convention[] = ['genai', 'genai_legacy', 'openllmetry', 'openlit', 'vllm', 'openinference'];
/** The conventions loadgen can emit (a subset: OpenLLMetry and OpenLIT spans are recognized, not simulated). */
export type EmittedConvention = 'genai' | 'genai_legacy' | 'vllm' | 'openinference';
export const EMITTED_CONVENTIONS: readonly EmittedConvention[] = ['genai', 'genai_legacy', 'vllm', 'openinference'];

/** How an old value becomes a current one. */
export type ValueKind = 'string' | 'int' | 'double';

export interface Rename {
  readonly from: string;
  readonly to: string;
  readonly kind: ValueKind;
  readonly convention: Convention;
}

/**
 * Old name → current name. When both are present, the current one wins and
 * the old one is only removed (or kept) as configured. When two old names map
 * to one current name, the first in this table wins.
 */
export const RENAMES: readonly Rename[] = [
  // Older OpenTelemetry GenAI conventions (before v1.37) and their instrumentations.
  { from: 'gen_ai.system', to: GENAI.providerName, kind: 'string', convention: 'genai_legacy' },
  { from: 'gen_ai.usage.prompt_tokens', to: GENAI.inputTokens, kind: 'int', convention: 'genai_legacy' },
  { from: 'gen_ai.usage.completion_tokens', to: GENAI.outputTokens, kind: 'int', convention: 'genai_legacy' },
  // OpenLLMetry (traceloop opentelemetry-semantic-conventions-ai): before 0.5.0 the cache counts had
  // underscores (gen_ai.usage.cache_read_input_tokens); gen_ai.usage.reasoning_tokens is still its own
  // name in 0.5.x (OpenLIT writes the same name).
  { from: 'gen_ai.usage.cache_read_input_tokens', to: GENAI.cacheReadInputTokens, kind: 'int', convention: 'openllmetry' },
  { from: 'gen_ai.usage.cache_creation_input_tokens', to: GENAI.cacheCreationInputTokens, kind: 'int', convention: 'openllmetry' },
  { from: 'gen_ai.usage.reasoning_tokens', to: GENAI.reasoningOutputTokens, kind: 'int', convention: 'openllmetry' },
  { from: 'llm.usage.reasoning_tokens', to: GENAI.reasoningOutputTokens, kind: 'int', convention: 'openllmetry' },
  // OpenLIT's OpenAI instrumentation also writes OpenAI's own usage field names.
  { from: 'gen_ai.usage.completion_tokens_details.reasoning_tokens', to: GENAI.reasoningOutputTokens, kind: 'int', convention: 'openlit' },
  { from: 'gen_ai.usage.prompt_tokens_details.cached_tokens', to: GENAI.cacheReadInputTokens, kind: 'int', convention: 'openlit' },
  { from: 'gen_ai.usage.prompt_tokens_details.cache_creation_tokens', to: GENAI.cacheCreationInputTokens, kind: 'int', convention: 'openlit' },
  // vLLM's own tracing (vllm/tracing/utils.py SpanAttributes): seconds as doubles.
  { from: 'gen_ai.latency.time_to_first_token', to: DERIVED.timeToFirstToken, kind: 'double', convention: 'vllm' },
  { from: 'gen_ai.latency.e2e', to: DERIVED.requestDuration, kind: 'double', convention: 'vllm' },
  { from: 'gen_ai.latency.time_in_queue', to: DERIVED.queueTime, kind: 'double', convention: 'vllm' },
  { from: 'gen_ai.latency.time_in_model_prefill', to: DERIVED.prefillTime, kind: 'double', convention: 'vllm' },
  { from: 'gen_ai.latency.time_in_model_decode', to: DERIVED.decodeTime, kind: 'double', convention: 'vllm' },
  // OpenInference (Arize Phoenix instrumentations).
  { from: 'llm.model_name', to: GENAI.requestModel, kind: 'string', convention: 'openinference' },
  { from: 'llm.provider', to: GENAI.providerName, kind: 'string', convention: 'openinference' },
  { from: 'llm.system', to: GENAI.providerName, kind: 'string', convention: 'openinference' },
  { from: 'llm.token_count.prompt', to: GENAI.inputTokens, kind: 'int', convention: 'openinference' },
  { from: 'llm.token_count.completion', to: GENAI.outputTokens, kind: 'int', convention: 'openinference' },
  { from: 'llm.token_count.prompt_details.cache_read', to: GENAI.cacheReadInputTokens, kind: 'int', convention: 'openinference' },
  { from: 'llm.token_count.prompt_details.cache_write', to: GENAI.cacheCreationInputTokens, kind: 'int', convention: 'openinference' },
  { from: 'llm.token_count.completion_details.reasoning', to: GENAI.reasoningOutputTokens, kind: 'int', convention: 'openinference' },
];

/** Other attributes that mark a convention without being renamed. */
export const MARKERS: ReadonlyArray<readonly [string, Convention]> = [
  ['openinference.span.kind', 'openinference'],
  ['llm.token_count.total', 'openinference'],
  ['gen_ai.latency.time_in_scheduler', 'vllm'],
  ['gen_ai.latency.time_in_model_forward', 'vllm'],
  ['gen_ai.latency.time_in_model_execute', 'vllm'],
  ['gen_ai.latency.time_in_model_inference', 'vllm'],
  ['llm.request.type', 'openllmetry'],
  ['llm.usage.total_tokens', 'openllmetry'],
  ['gen_ai.is_streaming', 'openllmetry'],
  ['gen_ai.sdk.version', 'openlit'],
  ['gen_ai.server.time_to_first_token', 'openlit'],
  ['gen_ai.server.time_per_output_token', 'openlit'],
];

/** When a span shows marks of several conventions, the most specific wins (vLLM also uses the old token names). */
export const CONVENTION_RANK: Readonly<Record<Convention, number>> = { genai: 0, genai_legacy: 1, openllmetry: 2, openlit: 3, vllm: 4, openinference: 5 };

/** `openinference.span.kind` → `gen_ai.operation.name`, for spans that name no operation. */
export const OPENINFERENCE_OPERATIONS: Readonly<Record<string, string>> = {
  LLM: 'chat',
  EMBEDDING: 'embeddings',
  TOOL: 'execute_tool',
  AGENT: 'invoke_agent',
};

/** OpenLLMetry's `llm.request.type` (LLMRequestTypeValues) → `gen_ai.operation.name`, for spans that name no operation. */
export const OPENLLMETRY_OPERATIONS: Readonly<Record<string, string>> = {
  chat: 'chat',
  completion: 'text_completion',
  embedding: 'embeddings',
  rerank: 'rerank',
};

/** Streaming flags other emitters write instead of `gen_ai.request.stream`. */
export const STREAM_FLAGS: readonly string[] = [GENAI.requestStream, 'gen_ai.is_streaming', 'llm.is_streaming'];

/**
 * `gen_ai.provider.name` values in the casing the conventions use; older
 * emitters wrote "OpenAI", "Anthropic" (OpenLLMetry before 0.48).
 */
export const WELL_KNOWN_PROVIDERS: readonly string[] = [
  'openai',
  'anthropic',
  'aws.bedrock',
  'azure.ai.inference',
  'azure.ai.openai',
  'cohere',
  'deepseek',
  'gcp.gemini',
  'gcp.gen_ai',
  'gcp.vertex_ai',
  'groq',
  'ibm.watsonx.ai',
  'mistral_ai',
  'perplexity',
  'x_ai',
];

/** vLLM's `gen_ai.response.finish_reasons` value for a request that failed inside the engine (vllm/v1/engine FinishReason.ERROR). */
export const VLLM_ERROR_FINISH = 'error';

/** Attributes whose presence makes a span an LLM request span (after normalization). */
const LLM_KEYS: readonly string[] = [GENAI.requestModel, GENAI.responseModel, GENAI.inputTokens, GENAI.outputTokens, GENAI.operationName];

/** True for a span describing one LLM request (current names; run the genai processor first for others). */
export function isLlmSpan(attrs: Attrs | null | undefined): attrs is Attrs {
  if (!attrs || attrs.length === 0) return false;
  for (const k of LLM_KEYS) if (findAttr(attrs, k)) return true;
  return false;
}

/** The span was a failure: status ERROR or an `error.type` attribute. */
export function isErrorSpan(statusCode: number | null | undefined, attrs: Attrs | null | undefined): boolean {
  return statusCode === 2 || findAttr(attrs, GENAI.errorType) !== undefined;
}

/** `error.type` of a failed span: its attribute, else `_OTHER` (the conventions' fallback); undefined on success. */
export function errorTypeOf(statusCode: number | null | undefined, attrs: Attrs | null | undefined): string | undefined {
  const kv = findAttr(attrs, GENAI.errorType);
  if (kv) {
    const v = kv.value;
    const s = v?.stringValue ?? (v?.intValue != null ? String(v.intValue) : undefined);
    return s !== undefined && s !== '' ? s : '_OTHER';
  }
  return statusCode === 2 ? '_OTHER' : undefined;
}

/** SERVER spans feed the gen_ai.server.* metrics; every other kind is a client's view of the call. */
export const SPAN_KIND_SERVER = 2;
export const SPAN_KIND_CLIENT = 3;

/** OTLP span kind codes by the names configs use. */
const SPAN_KIND_CODES: ReadonlyMap<string, number> = new Map([
  ['unspecified', 0],
  ['internal', 1],
  ['server', SPAN_KIND_SERVER],
  ['client', SPAN_KIND_CLIENT],
  ['producer', 4],
  ['consumer', 5],
]);

/** The codes of span kinds named in a config (the schema admits only the names above). */
export function spanKindCodes(names: readonly string[]): Set<number> {
  const out = new Set<number>();
  for (const n of names) {
    const c = SPAN_KIND_CODES.get(n);
    if (c !== undefined) out.add(c);
  }
  return out;
}

/** Semantic-convention bucket boundaries of the GenAI metrics. */
export const BUCKETS = {
  /** gen_ai.client.token.usage: 1, 4, 16, ..., 67108864 (×4). */
  tokenUsage: Array.from({ length: 14 }, (_, i) => 4 ** i),
  /** gen_ai.*.duration: 0.01, 0.02, 0.04, ..., 81.92 (×2). */
  duration: Array.from({ length: 14 }, (_, i) => Number((0.01 * 2 ** i).toFixed(2))),
  timeToFirstToken: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
  timePerOutputToken: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5],
  /** ai_request_cost_dollars, USD. */
  cost: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0],
} as const;
