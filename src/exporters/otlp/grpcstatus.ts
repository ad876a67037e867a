import { status as Status, type ServiceError } from '@grpc/grpc-js';
import { ErrorCode } from '../../errors/codes.js';
import { ConsumerError, permanentError, retryableError, throttledError } from '../../errors/consumererror.js';
import { decodeRpcStatus, retryDelayOf } from './response.js';

/** Codes the OTLP specification calls retryable (RESOURCE_EXHAUSTED only with RetryInfo). */
const RETRYABLE = new Set<number>([Status.CANCELLED, Status.DEADLINE_EXCEEDED, Status.ABORTED, Status.OUT_OF_RANGE, Status.UNAVAILABLE, Status.DATA_LOSS]);

/**
 * A failed gRPC Export call as a ConsumerError, by the OTLP/gRPC rules (as the
 * collector's otlp exporter): retryable codes are retried, honouring the
 * RetryInfo delay in `grpc-status-details-bin` when the server sent one;
 * RESOURCE_EXHAUSTED is retried only with RetryInfo; everything else is permanent.
 */
export function grpcError(err: ServiceError, target: string): ConsumerError {
  const name = Status[err.code] ?? String(err.code);
  const message = `gRPC ${name} from ${target}: ${err.details || err.message}`;
  const bin = err.metadata?.get('grpc-status-details-bin')[0];
  const delay = bin instanceof Buffer ? retryDelayOf(decodeRpcStatus(bin)) : undefined;
  const retryable = RETRYABLE.has(err.code) || (err.code === Status.RESOURCE_EXHAUSTED && delay !== undefined);
  // The code travels on, so a receiver upstream answers with it (as the collector passes the status through).
  const opts = { cause: err, grpcCode: err.code };
  if (!retryable) return permanentError(ErrorCode.EXPORT_PERMANENT, message, opts);
  if (delay !== undefined) return throttledError(ErrorCode.EXPORT_RETRYABLE, message, delay, opts);
  return retryableError(ErrorCode.EXPORT_RETRYABLE, message, opts);
}
