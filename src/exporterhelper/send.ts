import type { RequestContext } from '../component/context.js';
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
