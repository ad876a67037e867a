/**
 * Errors that cross component boundaries say what they are, so that every
 * receiver and every exporter's retry policy can decide the same way:
 * - permanent: never retried; the items are counted as dropped with `code`.
 * - retryable: the sender (client or retry loop) should try again later.
 * - throttled: retryable, and the server named how long to wait.
 */
export type ErrorKind = 'permanent' | 'retryable' | 'throttled';

export interface ConsumerErrorOptions {
  /** Delay the downstream asked for, in ms (throttled only). */
  retryAfterMs?: number;
  /** Items of the request that were rejected, when only part was. */
  rejectedItems?: number;
  /** HTTP status the downstream answered, when there was one. */
  status?: number;
  /**
   * The downstream's answer as a gRPC status code (google.rpc.Code), when an
   * OTLP exporter got one: receivers pass it through to their client, as the
   * collector does (a 400 / INVALID_ARGUMENT from the next hop is answered
   * 400 / INVALID_ARGUMENT, not 500).
   */
  grpcCode?: number;
  cause?: unknown;
}

export class ConsumerError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly retryAfterMs: number | undefined;
  readonly rejectedItems: number | undefined;
  readonly status: number | undefined;
  readonly grpcCode: number | undefined;

  constructor(kind: ErrorKind, code: string, message: string, opts: ConsumerErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ConsumerError';
    this.kind = kind;
    this.code = code;
    this.retryAfterMs = opts.retryAfterMs;
    this.rejectedItems = opts.rejectedItems;
    this.status = opts.status;
    this.grpcCode = opts.grpcCode;
  }

  get retryable(): boolean {
    return this.kind !== 'permanent';
  }
}

export function permanentError(code: string, message: string, opts?: ConsumerErrorOptions): ConsumerError {
  return new ConsumerError('permanent', code, message, opts);
}

export function retryableError(code: string, message: string, opts?: ConsumerErrorOptions): ConsumerError {
  return new ConsumerError('retryable', code, message, opts);
}

export function throttledError(code: string, message: string, retryAfterMs: number, opts?: ConsumerErrorOptions): ConsumerError {
  return new ConsumerError('throttled', code, message, { ...opts, retryAfterMs });
}

/** Any thrown value as a ConsumerError; unknown errors are retryable, as the collector treats them. */
export function asConsumerError(err: unknown, fallbackCode = 'TG_INTERNAL'): ConsumerError {
  if (err instanceof ConsumerError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ConsumerError('retryable', fallbackCode, message, { cause: err });
}

export function isPermanent(err: unknown): boolean {
  return err instanceof ConsumerError && err.kind === 'permanent';
}
