import { Type, type Static } from '@sinclair/typebox';

const Names = (def: string[], description: string) => Type.Array(Type.String({ minLength: 1 }), { default: def, description });

export const GenaiSchema = Type.Object(
  {
    keep_original_attributes: Type.Boolean({
      default: false,
      description: 'Keep the old attribute names (gen_ai.system, llm.token_count.*, gen_ai.latency.*, ...) next to the current ones.',
    }),
    derive_timings: Type.Boolean({
      default: true,
      description: 'Derive time to first token, time per output token, output tokens per second, queue/prefill/decode time.',
    }),
    fill_request_model: Type.Boolean({
      default: true,
      description: 'Copy gen_ai.response.model to gen_ai.request.model when a span names only the former (vLLM).',
    }),
    mark_convention: Type.Boolean({ default: true, description: 'Write tollgate.genai.convention (the emitter convention recognized).' }),
    prefill_span_names: Names(['prefill'], 'Names of child spans covering prompt processing; their end is the first token.'),
    decode_span_names: Names(['decode'], 'Names of child spans covering token generation.'),
    queue_span_names: Names(['queue'], 'Names of child spans covering time waiting to be scheduled.'),
    first_token_event_names: Names(['gen_ai.first_token', 'first_token'], 'Span events marking the first output token.'),
  },
  {
    additionalProperties: false,
    description: 'Normalizes LLM spans (vLLM, OpenInference, older GenAI names) to the current OpenTelemetry GenAI conventions and derives TTFT, inter-token latency and throughput.',
  },
);
export type GenaiConfig = Static<typeof GenaiSchema>;
