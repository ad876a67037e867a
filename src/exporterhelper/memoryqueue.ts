import { retryableError } from '../errors/consumererror.js';
import { ErrorCode } from '../errors/codes.js';
import type { QueuedRequest, SendingQueue } from './queue.js';

export interface MemoryQueueOptions {
  /** Capacity in requests (batches). */
  capacity: number;
  /** Requests delivered concurrently. */
  consumers: number;
  /** Wait for room instead of refusing when full. */
  blocking?: boolean;
  /** Told the number of waiting requests whenever it changes (queue-size gauge). */
  onSize?(size: number): void;
}

/**
 * A bounded in-memory sending queue: a ring buffer drained by `consumers`
 * loops. Full → offer() rejects with a retryable TG_QUEUE_FULL (or waits, when
 * blocking), so the receiver refuses and the client keeps the data.
 * shutdown() stops intake and resolves once every waiting request has been
 * handed to deliver and every delivery has settled. What deliver rejects is
 * gone: the stack has counted it by then.
 */
export function createMemoryQueue<T>(o: MemoryQueueOptions): SendingQueue<T> {
  const cap = o.capacity;
  const ring: Array<QueuedRequest<T> | undefined> = new Array(cap);
  let head = 0;
  let count = 0;
  let state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  const idle: Array<() => void> = []; // consumers waiting for a request
  const blocked: Array<{ go: () => void; fail: (e: Error) => void }> = []; // blocking offers waiting for room
  let loops: Promise<void>[] = [];
  let stopping: Promise<void> | undefined;
  const onSize = o.onSize ?? (() => {});

  const push = (req: QueuedRequest<T>) => {
    ring[(head + count) % cap] = req;
    count++;
    onSize(count);
    idle.shift()?.();
  };

  const take = (): QueuedRequest<T> | undefined => {
    const req = ring[head];
    ring[head] = undefined;
    head = (head + 1) % cap;
    count--;
    onSize(count);
    blocked.shift()?.go();
    return req;
  };

  const closed = () => retryableError(ErrorCode.SHUTTING_DOWN, 'exporter is shutting down; not accepting data');

  async function loop(deliver: (req: QueuedRequest<T>) => Promise<void>): Promise<void> {
    for (;;) {
      if (count === 0) {
        if (state !== 'running') return;
        await new Promise<void>((r) => idle.push(r));
        continue;
      }
      const req = take()!;
      try {
        await deliver(req);
      } catch {
        // Counted and logged by the stack; the memory queue does not keep it.
      }
    }
  }

  return {
    async offer(req) {
      for (;;) {
        if (state === 'stopping' || state === 'stopped') throw closed();
        if (count < cap) return push(req);
        if (!o.blocking) throw retryableError(ErrorCode.QUEUE_FULL, `sending queue is full (${cap} requests); retry later`);
        await new Promise<void>((go, fail) => blocked.push({ go, fail }));
      }
    },
    async start(deliver) {
      if (state !== 'new') return;
      state = 'running';
      loops = Array.from({ length: o.consumers }, () => loop(deliver));
    },
    shutdown() {
      stopping ??= (async () => {
        const wasRunning = state === 'running';
        state = 'stopping';
        for (const b of blocked.splice(0)) b.fail(closed());
        for (const wake of idle.splice(0)) wake();
        if (wasRunning) await Promise.all(loops);
        state = 'stopped';
      })();
      return stopping;
    },
    size: () => count,
    capacity: () => cap,
  };
}
