import { Type, type Static } from '@sinclair/typebox';
import { Duration } from '../../config/types.js';

/** The OpenTelemetry Collector's batch processor keys and defaults. */
export const BatchSchema = Type.Object(
  {
    send_batch_size: Type.Integer({
      default: 8192,
      minimum: 0,
      description: 'Items (spans, data points, log records) that trigger a send regardless of the timeout; 0 sends on the timeout only.',
    }),
    timeout: Duration('200ms', 'Longest a batch waits before it is sent; 0 sends at once (batches form only from splitting).'),
    send_batch_max_size: Type.Integer({
      default: 0,
      minimum: 0,
      description:
        'Upper bound on items per batch, ≥ send_batch_size; larger batches are split inside resources, scopes, metrics (by data point) and remote-write series (by sample). 0: no limit.',
    }),
    metadata_keys: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description:
        'Client metadata keys (case-insensitive; needs include_metadata on the receiver): each value combination is batched on its own, and only these keys travel on with the batch.',
    }),
    metadata_cardinality_limit: Type.Integer({
      default: 1000,
      minimum: 0,
      description:
        'Most metadata value combinations pending at once; more are refused (permanent TG_BATCH_CARDINALITY, counted as dropped). 0: no limit.',
    }),
  },
  { additionalProperties: false, description: 'Gathers spans, metric points and log records into larger batches, passing downstream errors back to the sender.' },
);

export type BatchConfig = Static<typeof BatchSchema>;

export function validateBatch(c: BatchConfig): string[] {
  const out: string[] = [];
  if (c.send_batch_max_size > 0 && c.send_batch_max_size < c.send_batch_size) {
    out.push('send_batch_max_size: must be greater than or equal to send_batch_size');
  }
  const seen = new Set<string>();
  for (const k of c.metadata_keys) {
    const l = k.toLowerCase();
    if (seen.has(l)) out.push(`metadata_keys: duplicate entry "${k}" (keys are case-insensitive)`);
    seen.add(l);
  }
  return out;
}
