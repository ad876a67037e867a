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
  const opts = { status, grpcCode: grpcCodeOfHttpStatus(status) };
  if (!RETRYABLE.has(status)) return permanentError(ErrorCode.EXPORT_PERMANENT, message, opts);
  const delay = parseRetryAfter(retryAfter);
  if (delay !== undefined) return throttledError(ErrorCode.EXPORT_RETRYABLE, message, delay, opts);
  return retryableError(ErrorCode.EXPORT_RETRYABLE, message, opts);
}

/**
 * An HTTP status as the gRPC code the collector's otlphttp exporter gives it
 * (its NewStatusFromMsgAndHTTPCode), so a receiver upstream answers what the
 * collector answers: 400 InvalidArgument, 401 Unauthenticated, 403
 * PermissionDenied, 404 Unimplemented, 429 ResourceExhausted, 502/503/504
 * Unavailable, anything else Unknown (which receivers answer 500).
 */
export function grpcCodeOfHttpStatus(status: number): number {
  switch (status) {
    case 400:
      return 3;
    case 401:
      return 16;
    case 403:
      return 7;
    case 404:
      return 12;
    case 429:
      return 8;
    case 502:
    case 503:
    case 504:
      return 14;
    default:
      return 2;
  }
}
