// The persistent sending queue: an exporter whose `sending_queue.storage` is
// set gets it instead of the memory queue (queuefactory.ts).
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { StorageSchema } from './config.js';
import type { QueueSettings } from '../queuefactory.js';
import type { StorageConfig } from './config.js';
import { PersistentQueue } from './queue.js';

export { StorageSchema, type StorageConfig } from './config.js';
export { PersistentQueue, type PersistentQueueOptions } from './queue.js';

/** Directory of one exporter's queue for one signal: `<directory>/<exporter id>-<signal>`. */
export function queueDir(directory: string, id: string, signal: string): string {
  return join(directory, `${id.replace(/[^A-Za-z0-9_.-]/g, '_')}-${signal}`);
}

/** The in-place storage keys with their defaults filled (they arrive without them from the sending_queue union). */
export function storageSettings(st: Partial<StorageConfig> & { directory: string }): StorageConfig {
  return Value.Default(StorageSchema, { ...st }) as StorageConfig;
}

export function createPersistentQueue<T>(set: QueueSettings<T>, given: Partial<StorageConfig> & { directory: string }): PersistentQueue<T> {
  const st = storageSettings(given);
  return new PersistentQueue<T>({
    id: set.id,
    signal: set.signal,
    dir: queueDir(st.directory, set.id, set.signal),
    maxBytes: st.max_bytes,
    maxRequests: set.cfg.queue_size,
    segmentBytes: st.segment_bytes,
    fsync: st.fsync,
    consumers: set.cfg.num_consumers,
    codec: set.codec,
    logger: set.logger,
    telemetry: set.telemetry,
    onSize: set.onSize,
  });
}
