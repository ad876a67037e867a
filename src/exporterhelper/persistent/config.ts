import { Type, type Static } from '@sinclair/typebox';

/**
 * `sending_queue.storage`: the persistent (on-disk) queue.
 *
 * Differs from the OpenTelemetry Collector, where `storage` names a
 * `file_storage` extension (`storage: file_storage/queue`): Tollgate's queue is
 * its own append-only log and is configured in place. A collector config that
 * names an extension (a string) is refused: `sending_queue.storage: must be object`.
 */
export const StorageSchema = Type.Object(
  {
    directory: Type.String({
      minLength: 1,
      description: 'Directory of the queue files; each exporter and signal gets `<directory>/<exporter id>-<signal>/`.',
    }),
    max_bytes: Type.Integer({ default: 1024 ** 3, minimum: 1, description: 'Upper bound of queued (undelivered) data, in bytes; a full queue refuses new data with a retryable error.' }),
    segment_bytes: Type.Integer({ default: 16 * 1024 ** 2, minimum: 4096, description: 'Size at which the log starts a new segment file (minimum 4096); segments are deleted once delivered.' }),
    fsync: Type.Boolean({ default: true, description: 'Sync each write to disk before acknowledging it (data survives a power loss, not just a crash).' }),
  },
  { additionalProperties: false, description: 'Persistent sending queue (write-ahead log on disk).' },
);
export type StorageConfig = Static<typeof StorageSchema>;
