import { ConsumerError, asConsumerError } from '../errors/consumererror.js';
import { ErrorCode } from '../errors/codes.js';
import type { RetryPolicy } from './backoff.js';
import type { QueuedRequest } from './queue.js';
import { PartialSendError, remainderOf, type Sender } from './send.js';

/** Waits `ms`, or less if `stop` fires first. */
export type Sleep = (ms: number, stop?: AbortSignal) => Promise<void>;

export const sleep: Sleep = (ms, stop) =>
  new Promise<void>((resolve) => {
    if (stop?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      stop?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop?.addEventListener('abort', done, { once: true });
  });

export interface RetryOptions {
  policy: RetryPolicy;
  /**
   * Fires at shutdown: waits end early and each request gets one last attempt,
   * so the queue drains without retry loops (as the collector stops its retry
   * sender before draining the queue).
   */
  stop?: AbortSignal;
  sleep?: Sleep;
  /** Told about every failed attempt that will be retried. */
  onRetry?(err: ConsumerError, delayMs: number, attempt: number): void;
}

/**
 * Retries failed attempts as the policy decides. Permanent errors come back
 * unchanged; when retries run out (or shutdown ends them) the last error comes
 * back under TG_RETRIES_EXHAUSTED / TG_SHUTTING_DOWN, keeping its kind, status
 * and server-requested delay so a receiver upstream can still answer with them.
 */
export function createRetrySender<T>(next: Sender<T>, o: RetryOptions): Sender<T> {
  const wait = o.sleep ?? sleep;
  return async (first) => {
    const run = o.policy.begin();
    let req = first;
    for (let attempt = 1; ; attempt++) {
      const last = o.stop?.aborted === true;
      try {
        return await next(req);
      } catch (e) {
        // A send that made progress hands back what is left: only that is sent again.
        req = remainderOf(e, req);
        const err = asConsumerError(e, ErrorCode.EXPORT_RETRYABLE);
        if (err.kind === 'permanent') throw withRest(err, first, req);
        if (last) throw withRest(giveUp(err, ErrorCode.SHUTTING_DOWN, `not retried: shutting down (attempt ${attempt}): ${err.message}`), first, req);
        const d = run.next(err);
        // A first attempt that may not be retried (retry disabled) fails with its own error.
        if (!d.retry && attempt === 1) throw withRest(err, first, req);
        if (!d.retry)
          throw withRest(giveUp(err, ErrorCode.RETRIES_EXHAUSTED, `giving up after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${err.message}`), first, req);
        o.onRetry?.(err, d.delayMs, attempt);
        await wait(d.delayMs, o.stop);
      }
    }
  };
}

function giveUp(err: ConsumerError, code: string, message: string): ConsumerError {
  return new ConsumerError(err.kind, code, message, { retryAfterMs: err.retryAfterMs, status: err.status, grpcCode: err.grpcCode, cause: err });
}

/** The final error, carrying the remainder when attempts got part of the request out. */
function withRest<T>(err: ConsumerError, first: QueuedRequest<T>, rest: QueuedRequest<T>): ConsumerError {
  if (rest === first) return err;
  return err instanceof PartialSendError && err.remainder === rest ? err : new PartialSendError(err, rest);
}
