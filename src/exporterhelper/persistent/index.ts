// The persistent sending queue, registered with the exporter helper stack: an
// exporter whose `sending_queue.storage` is set gets it instead of the memory
// queue. Importing this module (src/components.ts does) registers it.
import { join } from 'node:path';
import { registerStorageQueue, type QueueSettings } from '../queuefactory.js';
import type { StorageConfig } from './config.js';
import { PersistentQueue } from './queue.js';

export { StorageSchema, type StorageConfig } from './config.js';
export { PersistentQueue, type PersistentQueueOptions } from './queue.js';

/** Directory of one exporter's queue for one signal: `<directory>/<exporter id>-<signal>`. */
export function queueDir(directory: string, id: string, signal: string): string {
  return join(directory, `${id.replace(/[^A-Za-z0-9_.-]/g, '_')}-${signal}`);
}

export function createPersistentQueue<T>(set: QueueSettings<T>): PersistentQueue<T> {
  const st = set.cfg.storage as StorageConfig;
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

registerStorageQueue(createPersistentQueue);
