// The persistent sending queue: an exporter whose `sending_queue.storage` is
// set gets it instead of the memory queue (queuefactory.ts).
import { join } from 'node:path';
import type { QueueSettings } from '../queuefactory.js';
import type { StorageConfig } from './config.js';
import { PersistentQueue } from './queue.js';

export { StorageSchema, type StorageConfig } from './config.js';
export { PersistentQueue, type PersistentQueueOptions } from './queue.js';

/** Directory of one exporter's queue for one signal: `<directory>/<exporter id>-<signal>`. */
export function queueDir(directory: string, id: string, signal: string): string {
  return join(directory, `${id.replace(/[^A-Za-z0-9_.-]/g, '_')}-${signal}`);
}

export function createPersistentQueue<T>(set: QueueSettings<T>, st: StorageConfig): PersistentQueue<T> {
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
