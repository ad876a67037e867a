import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Duration, parseDuration } from '../config/types.js';
import { StorageSchema } from './persistent/config.js';
import { NoEffect, NoEffectValues } from '../config/noeffect.js';

/**
 * Config sections of the exporter helper stack, under the collector's key
 * names and defaults, so a collector exporter config works unchanged.
 * Exporters spread `helperProps()` into their own schema.
 */

export const RetrySchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'false: one attempt.' }),
    initial_interval: Duration('5s', 'Wait after the first failure.'),
    randomization_factor: Type.Number({ default: 0.5, minimum: 0, maximum: 1, description: 'Jitter: each wait is drawn from interval × [1 − f, 1 + f].' }),
    multiplier: Type.Number({ default: 1.5, minimum: 1, description: 'Growth of the interval.' }),
    max_interval: Duration('30s', 'Upper bound of one wait.'),
    max_elapsed_time: Duration('300s', 'Give up after this long since the first attempt (TG_RETRIES_EXHAUSTED); 0 means never.'),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'Retries of retryable failures, with exponential backoff and jitter; a throttled error waits at least the delay the server asked for.',
  },
);
export type RetryConfig = Static<typeof RetrySchema>;

/**
 * The one set of retry defaults (the collector's retry_on_failure: 5 s first wait, ×1.5, at most 30 s
 * between attempts, ±50 % jitter, give up after 300 s), taken from the schema. Exporters get them
 * through their config; the remote-write shards and `tollgate replay` use them too.
 */
export const RETRY_DEFAULTS = Value.Default(RetrySchema, {}) as RetryConfig;

const Sizer = (description: string, def?: string) =>
  Type.Union([Type.Literal('requests'), Type.Literal('items'), Type.Literal('bytes')], { description, ...(def ? { default: def } : {}) });

/**
 * `sending_queue.batch`: the collector's exporter-side batching (flush_timeout,
 * min_size, max_size, sizer, partition). The key shapes are the collector's;
 * their meaning belongs to the data path's batcher.
 */
export const QueueBatchSchema = NoEffect(
  Type.Object(
    {
      flush_timeout: Type.Optional(Duration('200ms', 'A batch is sent after this long even if smaller than min_size.')),
      min_size: Type.Optional(Type.Integer({ minimum: 0, description: 'Size (in the sizer\'s unit) at which a batch is sent.' })),
      max_size: Type.Optional(Type.Integer({ minimum: 0, description: 'Largest batch; larger requests are split. 0: no limit.' })),
      sizer: Type.Optional(Sizer('Unit of min_size and max_size; default: the queue\'s sizer.')),
      partition: Type.Optional(
        Type.Object(
          {
            metadata_keys: Type.Optional(Type.Array(Type.String(), { description: 'Client metadata keys whose values get batches of their own.' })),
            cache_size: Type.Optional(Type.Integer({ minimum: 1, description: 'Partitions kept at once.' })),
            idle_timeout: Type.Optional(Duration('90s', 'A partition empty this long is removed.')),
          },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false, description: "Batching in front of the exporter's sends (the collector's exporter batcher)." },
  ),
  'requests are sent as they were queued; put the batch processor in the pipeline to batch.',
);

export const QueueSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'false: the pipeline waits for the send, retries included.' }),
    num_consumers: Type.Integer({ default: 10, minimum: 1, description: 'Requests sent concurrently from the queue.' }),
    queue_size: Type.Integer({ default: 1000, minimum: 1, description: 'Capacity, in batches (export requests); full: new data is refused with the retryable TG_QUEUE_FULL.' }),
    sizer: NoEffectValues(Sizer('Unit of queue_size: requests (export requests).', 'requests'), {
      items: 'queue_size counts requests (export requests), not items.',
      bytes: 'queue_size counts requests (export requests), not bytes.',
    }),
    block_on_overflow: Type.Boolean({ default: false, description: 'Memory queue: wait for room instead of refusing when the queue is full.' }),
    blocking: Type.Optional(Type.Boolean({ description: 'The older name of block_on_overflow (either one set true blocks).' })),
    wait_for_result: NoEffectValues(
      Type.Boolean({ default: false, description: 'consume() returns once the request is queued; `enabled: false` makes the pipeline wait for the send.' }),
      { true: 'consume() still returns once the request is queued; set sending_queue.enabled: false to wait for the send and get its error.' },
    ),
    batch: Type.Optional(QueueBatchSchema),
    // Selects the persistent (on-disk) queue: see persistent/config.ts.
    storage: Type.Optional(
      // In a union the validator fills no defaults: the in-place object's keys are optional here and the
      // persistent queue takes its defaults from StorageSchema (storageSettings).
      Type.Union([Type.String({ pattern: '^file_storage(/.+)?$' }), Type.Composite([Type.Pick(StorageSchema, ['directory']), Type.Partial(Type.Omit(StorageSchema, ['directory']))], { additionalProperties: false })], {
        description:
          'Persistent (on-disk) queue: the ID of a `file_storage` extension (as the collector: `file_storage/queue`), or the queue configured in place (Tollgate: directory, max_bytes, segment_bytes, fsync).',
      }),
    ),
  },
  { additionalProperties: false, default: {}, description: 'The sending queue: consume() returns once a request is queued; absent storage, the queue is in memory.' },
);
export type QueueConfig = Static<typeof QueueSchema>;

/** `sending_queue` of exporters whose queue is off unless configured (debug, as in the collector). */
export const OptionalQueueSchema = Type.Object(QueueSchema.properties, {
  additionalProperties: false,
  description: 'A sending queue in front of the exporter; off unless this section is present.',
});

/** `timeout`, `retry_on_failure`, `sending_queue`, for spreading into an exporter's schema. */
export function helperProps(timeoutDefault = '5s') {
  return {
    timeout: Duration(timeoutDefault, 'Deadline of one send attempt (TG_EXPORT_TIMEOUT, retryable); 0 means none.'),
    retry_on_failure: RetrySchema,
    sending_queue: QueueSchema,
  };
}

/**
 * What the stack reads from an exporter's (validated) config. A missing
 * section means that layer is off, so exporters without retry or queue keys
 * (debug, file) use the same stack.
 */
export interface HelperConfig {
  timeout?: string | number;
  retry_on_failure?: RetryConfig;
  sending_queue?: QueueConfig;
}

/** Retry settings in milliseconds. */
export interface BackoffSettings {
  initialMs: number;
  randomizationFactor: number;
  multiplier: number;
  maxIntervalMs: number;
  /** 0 = no limit. */
  maxElapsedMs: number;
}

export function backoffSettings(r: RetryConfig): BackoffSettings {
  return {
    initialMs: parseDuration(r.initial_interval),
    randomizationFactor: r.randomization_factor,
    multiplier: r.multiplier,
    maxIntervalMs: parseDuration(r.max_interval),
    maxElapsedMs: parseDuration(r.max_elapsed_time),
  };
}
