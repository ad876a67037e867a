import { Type, type Static } from '@sinclair/typebox';
import { existsSync, statSync } from 'node:fs';
import { Duration } from '../../config/types.js';
import { NoEffect } from '../../config/noeffect.js';

/** The collector's default directory on Linux. */
export const DEFAULT_FILE_STORAGE_DIRECTORY = '/var/lib/otelcol/file_storage';

const NO_COMPACTION = 'the persistent queue is an append-only log that deletes delivered segments; it never needs compacting.';

/**
 * The collector's `file_storage` extension (contrib, 0.165 keys and defaults).
 * In Tollgate it backs the persistent sending queue of every exporter that
 * names it (`sending_queue.storage: file_storage[/name]`).
 */
export const FileStorageSchema = Type.Object(
  {
    directory: Type.String({
      default: DEFAULT_FILE_STORAGE_DIRECTORY,
      minLength: 1,
      description:
        'Directory of the queues: each exporter and signal naming this extension gets `<directory>/<exporter id>-<signal>/`. Must exist unless create_directory.',
    }),
    max_size: Type.Integer({
      default: 0,
      minimum: 0,
      description: "Largest size of one queue's undelivered data, in bytes (the persistent queue's max_bytes); 0: the persistent queue's default, 1 GiB.",
    }),
    fsync: Type.Boolean({ default: false, description: 'Sync each write to disk before acknowledging it (data survives a power loss, not just a crash).' }),
    create_directory: Type.Boolean({ default: false, description: 'Create the directory (and its parents) if it does not exist.' }),
    directory_permissions: Type.String({
      default: '0750',
      pattern: '^0?[0-7]{3}$',
      description: 'Permissions (octal) of the directory when create_directory creates it.',
    }),
    timeout: Type.Optional(NoEffect(Duration('1s'), "there is no database lock to wait for (the collector's bbolt open timeout).")),
    recreate: Type.Optional(NoEffect(Type.Boolean(), 'the queue keeps its data across restarts; delete the directory to start empty.')),
    compaction: Type.Optional(
      NoEffect(
        Type.Object(
          {
            directory: Type.Optional(Type.String()),
            on_start: Type.Optional(Type.Boolean()),
            on_rebound: Type.Optional(Type.Boolean()),
            rebound_needed_threshold_mib: Type.Optional(Type.Integer({ minimum: 0 })),
            rebound_trigger_threshold_mib: Type.Optional(Type.Integer({ minimum: 0 })),
            max_transaction_size: Type.Optional(Type.Integer({ minimum: 0 })),
            check_interval: Type.Optional(Duration('5s')),
            cleanup_on_start: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        NO_COMPACTION,
      ),
    ),
  },
  {
    additionalProperties: false,
    description: 'Storage for persistent sending queues: exporters name it in sending_queue.storage, as in the collector.',
  },
);
export type FileStorageConfig = Static<typeof FileStorageSchema>;

/** The collector's checks: the directory must exist (unless it will be created) and be a directory. */
export function validateFileStorage(c: FileStorageConfig): string[] {
  if (!existsSync(c.directory)) {
    return c.create_directory ? [] : [`directory: "${c.directory}" must exist (or set create_directory: true)`];
  }
  return statSync(c.directory).isDirectory() ? [] : [`directory: "${c.directory}" is not a directory`];
}
