import { retryableError } from '../errors/consumererror.js';
import { ErrorCode } from '../errors/codes.js';
import { PartialSendError, type SendFn, type Sender } from './send.js';

/**
 * Bounds one attempt. The send gets an AbortSignal that fires at the deadline;
 * the attempt fails then with a retryable TG_EXPORT_TIMEOUT even if the send
 * ignores the signal. timeoutMs <= 0 means no deadline (the collector's 0).
 *
 * `settlesOnAbort`: the send stops soon after the signal and reports how far
 * it got (a PartialSendError with the remainder); the attempt then waits for
 * it, so the next attempt starts from that remainder and never overlaps it.
 */
export function createTimeoutSender<T>(timeoutMs: number, send: SendFn<T>, settlesOnAbort = false): Sender<T> {
  if (timeoutMs <= 0) {
    const never = new AbortController().signal;
    return async (req) => send(req.data, req.ctx, never);
  }
  return (req) => {
    const ac = new AbortController();
    let sending: ReturnType<typeof send>;
    try {
      sending = send(req.data, req.ctx, ac.signal);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = retryableError(ErrorCode.EXPORT_TIMEOUT, `send did not finish within ${timeoutMs}ms`);
        ac.abort(err);
        if (!settlesOnAbort) reject(err);
      }, timeoutMs);
      sending.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e) => {
          clearTimeout(timer);
          reject(ac.signal.aborted && !(e instanceof PartialSendError) ? ac.signal.reason : e);
        },
      );
    });
  };
}
