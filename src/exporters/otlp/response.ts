import $protobuf from 'protobufjs/minimal.js';
import type { Signal } from '../../component/signal.js';
import { ErrorCode } from '../../errors/codes.js';
import { permanentError } from '../../errors/consumererror.js';
import { int64ToNumber, RpcStatus, type IRpcStatus, type Int64 } from '../../pdata/proto.js';
import type { SendOutcome } from '../../exporterhelper/send.js';

/** Export*ServiceResponse.partial_success → what the stack counts as dropped. */
export function partialOutcome(signal: Signal, resp: unknown): SendOutcome {
  const ps = (resp as { partialSuccess?: Record<string, unknown> | null } | null)?.partialSuccess;
  if (!ps) return;
  const field = signal === 'traces' ? 'rejectedSpans' : signal === 'metrics' ? 'rejectedDataPoints' : 'rejectedLogRecords';
  const rejected = int64ToNumber(ps[field] as Int64 | null | undefined);
  const message = typeof ps.errorMessage === 'string' && ps.errorMessage !== '' ? ps.errorMessage : undefined;
  if (rejected <= 0) return; // a warning-only partial success carries nothing to count
  return { rejectedItems: rejected, ...(message ? { message } : {}) };
}

export const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

/** google.rpc.RetryInfo{retry_delay: Duration{seconds, nanos}} → ms. */
export function decodeRetryInfoMs(bytes: Uint8Array): number | undefined {
  const r = $protobuf.Reader.create(bytes);
  let ms: number | undefined;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 !== 1 || (tag & 7) !== 2) {
      r.skipType(tag & 7);
      continue;
    }
    const end = r.uint32() + r.pos;
    let seconds = 0;
    let nanos = 0;
    while (r.pos < end) {
      const t = r.uint32();
      if (t >>> 3 === 1) seconds = int64ToNumber(r.int64() as Int64);
      else if (t >>> 3 === 2) nanos = r.int32();
      else r.skipType(t & 7);
    }
    ms = seconds * 1000 + nanos / 1e6;
  }
  return ms;
}

/** The delay a google.rpc.Status asks for in its RetryInfo detail, if any. */
export function retryDelayOf(status: IRpcStatus | undefined): number | undefined {
  for (const d of status?.details ?? []) {
    if (d.type_url === RETRY_INFO_TYPE && d.value) return decodeRetryInfoMs(d.value);
  }
  return undefined;
}

export function decodeRpcStatus(bytes: Uint8Array): IRpcStatus | undefined {
  try {
    return RpcStatus.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Prometheus-shaped metrics have no OTLP form here; refusing them is counted as a drop with this error. */
export function promMetricsRefused(id: string) {
  return permanentError(
    ErrorCode.UNSUPPORTED_DATA,
    `exporter ${id} sends OTLP; Prometheus remote-write metrics cannot be forwarded over OTLP (route them to a prometheusremotewrite exporter)`,
  );
}
