import type { RequestContext } from '../component/context.js';
import { ConsumerError } from '../errors/consumererror.js';
import type { QueuedRequest } from './queue.js';

/**
 * Part of a request the destination refused while accepting the rest
 * (OTLP `partial_success`). The stack counts these items as dropped.
 */
export interface PartialRejection {
  readonly rejectedItems: number;
  readonly message?: string;
}

/** What a send yields: nothing (all accepted) or the part that was refused. */
export type SendOutcome = PartialRejection | void;

/**
 * An exporter's own I/O: encode, send, map the answer. Throws a ConsumerError
 * (permanent, retryable, throttled) on failure; anything else thrown counts as
 * retryable. `signal` aborts when the attempt's timeout passes.
 */
export type SendFn<T> = (data: T, ctx: RequestContext, signal: AbortSignal) => Promise<SendOutcome>;

/** One layer of the stack: sends a queued request, maybe several times. */
export type Sender<T> = (req: QueuedRequest<T>) => Promise<SendOutcome>;

/**
 * A send that got part of the request out before it failed: `remainder` is
 * what is still to send (as the collector's partial errors carry the data to
 * retry). The retry layer resends only the remainder, the stack counts only
 * its items when it gives up, and the persistent queue stores the remainder
 * in place of the request, so progress survives a restart.
 */
export class PartialSendError<T> extends ConsumerError {
  constructor(
    err: ConsumerError,
    readonly remainder: QueuedRequest<T>,
  ) {
    super(err.kind, err.code, err.message, { retryAfterMs: err.retryAfterMs, status: err.status, cause: err });
    this.name = 'PartialSendError';
  }
}

/** The part of `req` still to send after `err`: its remainder if the send made progress, else all of it. */
export function remainderOf<T>(err: unknown, req: QueuedRequest<T>): QueuedRequest<T> {
  return err instanceof PartialSendError ? err.remainder : req;
}
