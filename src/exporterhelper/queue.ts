import type { RequestContext } from '../component/context.js';

/** One export request as it waits in a sending queue. */
export interface QueuedRequest<T> {
  data: T;
  ctx: RequestContext;
  /** Items (spans, points, records) it holds, for self-telemetry. */
  items: number;
}

/**
 * A bounded queue between the pipeline and an exporter's senders.
 * - offer() resolves once the request is safely held (in memory, or on disk and
 *   synced for the persistent queue); when full it rejects with a retryable
 *   ConsumerError (code TG_QUEUE_FULL) so the receiver answers 429/503 and the
 *   client keeps the data. It never drops silently.
 * - start() runs consumers that hand each request to `deliver`. A request leaves
 *   the queue when deliver resolves, or when it throws a permanent error (then
 *   it is counted as dropped with the error's code).
 * - shutdown() stops intake and drains within the service's deadline; the
 *   persistent queue keeps what it could not deliver for the next start.
 */
export interface SendingQueue<T> {
  offer(req: QueuedRequest<T>): Promise<void>;
  start(deliver: (req: QueuedRequest<T>) => Promise<void>): Promise<void>;
  shutdown(): Promise<void>;
  /** Requests waiting (not counting those being delivered). */
  size(): number;
  capacity(): number;
  /**
   * True when a request whose deliver rejected with a retryable error stays in
   * the queue for a later attempt (the persistent queue). The stack then does
   * not count it as dropped. Absent/false: such a request is gone (memory queue).
   */
  readonly durable?: boolean;
}
