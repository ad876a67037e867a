import { Type, type Static } from '@sinclair/typebox';
import { re2Pattern } from './patterns.js';

const Names = (def: string[], description: string) => Type.Array(Type.String({ minLength: 1 }), { default: def, description });

/** Attributes that carry prompt and completion content (a `*` matches any run of characters). */
export const DEFAULT_CONTENT_ATTRIBUTES = [
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.system_instructions',
  'gen_ai.prompt',
  'gen_ai.completion',
  'gen_ai.prompt.*',
  'gen_ai.completion.*',
  'gen_ai.tool.call.arguments',
  'gen_ai.tool.call.result',
  'input.value',
  'output.value',
  'llm.input_messages.*',
  'llm.output_messages.*',
  'llm.prompts',
  'llm.prompts.*',
  'llm.prompt_template.variables',
];

/** Events (span events, or log records by event name) whose attributes and body are content. */
export const DEFAULT_CONTENT_EVENTS = [
  'gen_ai.content.prompt',
  'gen_ai.content.completion',
  'gen_ai.system.message',
  'gen_ai.user.message',
  'gen_ai.assistant.message',
  'gen_ai.tool.message',
  'gen_ai.choice',
  'gen_ai.client.inference.operation.details',
];

/** Attributes of content events that describe the message rather than hold it. */
export const DEFAULT_EVENT_KEEP = [
  'event.name',
  'gen_ai.system',
  'gen_ai.provider.name',
  'gen_ai.operation.name',
  'gen_ai.request.model',
  'gen_ai.response.model',
  'gen_ai.response.id',
  'gen_ai.response.finish_reasons',
  'role',
  'index',
  'finish_reason',
  'id',
];

export const BUILTIN_PATTERNS = ['email', 'phone', 'card', 'api_key'] as const;

export const RedactionSchema = Type.Object(
  {
    action: Type.Union([Type.Literal('drop'), Type.Literal('hash'), Type.Literal('mask')], {
      default: 'drop',
      description: 'drop: remove the value; hash: replace it by `sha256:<hex>` (`hmac-sha256:<hex>` with hash_key); mask: replace only what the patterns match.',
    }),
    content_attributes: Names(DEFAULT_CONTENT_ATTRIBUTES, 'Span and log attributes holding content (`*` wildcard).'),
    content_events: Names(DEFAULT_CONTENT_EVENTS, 'Span events and log events whose attributes and body hold content.'),
    event_keep_attributes: Names(DEFAULT_EVENT_KEEP, 'Attributes of content events that are kept as they are.'),
    patterns: Type.Array(Type.Union(BUILTIN_PATTERNS.map((p) => Type.Literal(p))), {
      default: [...BUILTIN_PATTERNS],
      description:
        'Built-in patterns applied by `mask`: email; phone (9–15 digits with separators or a leading +); card (13–19 digits passing the Luhn check); api_key (OpenAI/Anthropic sk-…, AWS AKIA…, GitHub, Slack, Google, Hugging Face tokens, Bearer …).',
    }),
    custom_patterns: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_.-]+$', description: 'Pattern name, used in replacement as {name}.' }),
          regex: Type.String({ minLength: 1, description: 'Regular expression in RE2 syntax (run by re2js in time linear in the text; lookaround and backreferences are refused by validation).' }),
        },
        { additionalProperties: false },
      ),
      { default: [], description: 'More patterns for `mask`, as RE2 regular expressions (linear time, so a prompt can never stall the gateway).' },
    ),
    replacement: Type.String({ default: '[REDACTED:{name}]', description: 'What a masked match becomes; {name} is the pattern name.' }),
    hash_key: Type.String({ default: '', description: 'Key for HMAC-SHA256 hashing (recommended: plain hashes of short texts can be guessed).' }),
    keep_length: Type.Boolean({
      default: true,
      description: 'Leave the original length, in characters, as `<key>.length` (a redacted log body: tollgate.redaction.body.length).',
    }),
  },
  { additionalProperties: false, description: 'Drops, hashes or masks prompt and completion content in spans, span events and GenAI log events.' },
);
export type RedactionConfig = Static<typeof RedactionSchema>;

export function validateRedaction(cfg: RedactionConfig): string[] {
  const out: string[] = [];
  const c = cfg as Partial<RedactionConfig>;
  (c.custom_patterns ?? []).forEach((p, i) => {
    try {
      re2Pattern(p.name, p.regex);
    } catch (err) {
      out.push(`custom_patterns[${i}].regex: not accepted by the linear-time engine (RE2 syntax; no lookaround or backreferences): ${(err as Error).message}`);
    }
  });
  return out;
}
