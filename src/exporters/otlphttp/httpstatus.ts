import { ErrorCode } from '../../errors/codes.js';
import { ConsumerError, permanentError, retryableError, throttledError } from '../../errors/consumererror.js';
import { parseRetryAfter } from '../../util/retryafter.js';

/** Statuses the OTLP/HTTP specification calls retryable. */
const RETRYABLE = new Set([429, 502, 503, 504]);


/**
 * An OTLP/HTTP error response as a ConsumerError: 429/502/503/504 are retried
 * (honouring Retry-After), every other status is permanent. `detail` is the
 * google.rpc.Status message of the body, when there was one.
 */
export function httpError(status: number, url: string, detail: string | undefined, retryAfter: string | undefined): ConsumerError {
  const message = `HTTP ${status} from ${url}${detail ? `: ${detail}` : ''}`;
  if (!RETRYABLE.has(status)) return permanentError(ErrorCode.EXPORT_PERMANENT, message, { status });
  const delay = parseRetryAfter(retryAfter);
  if (delay !== undefined) return throttledError(ErrorCode.EXPORT_RETRYABLE, message, delay, { status });
  return retryableError(ErrorCode.EXPORT_RETRYABLE, message, { status });
}
