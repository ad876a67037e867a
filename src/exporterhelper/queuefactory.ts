import type { Logger } from 'pino';
import type { Signal } from '../component/signal.js';
import type { SelfTelemetry } from '../telemetry/selftelemetry.js';
import type { RequestCodec } from './codec.js';
import type { QueueConfig } from './config.js';
import { createMemoryQueue } from './memoryqueue.js';
import { createPersistentQueue } from './persistent/index.js';
import type { SendingQueue } from './queue.js';

/** Everything a queue implementation may need; the stack builds one per exporter and signal. */
export interface QueueSettings<T> {
  /** Exporter ID (`type[/name]`). */
  readonly id: string;
  readonly signal: Signal;
  /** The exporter's validated `sending_queue` section. */
  readonly cfg: QueueConfig;
  /** Bytes ⇄ request, for queues that store requests outside the heap. */
  readonly codec: RequestCodec<T>;
  readonly logger: Logger;
  readonly telemetry: SelfTelemetry;
  /** Report the number of waiting requests whenever it changes (otelcol_exporter_queue_size). */
  onSize(size: number): void;
}

/** The memory queue, or the persistent one when `sending_queue.storage` is set. */
export function createQueue<T>(set: QueueSettings<T>): SendingQueue<T> {
  const storage = set.cfg.storage;
  if (typeof storage === 'string') throw new Error(`sending_queue.storage: extension ${storage} was not resolved to its settings`);
  if (storage) return createPersistentQueue(set, storage);
  return createMemoryQueue<T>({
    capacity: set.cfg.queue_size,
    consumers: set.cfg.num_consumers,
    blocking: set.cfg.block_on_overflow || set.cfg.blocking === true,
    onSize: set.onSize,
  });
}
