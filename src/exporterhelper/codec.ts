import type { RequestContext } from '../component/context.js';
import { isPromMetrics, type Signal, type SignalData } from '../component/signal.js';
import { EncodedOtlp, EncodedPrw, otlpBytes, toEncodedPrw } from '../pdata/batch.js';
import { scanWriteRequest } from '../pdata/prw/scan.js';
import { readStored, storedSize, writeStored } from '../pdata/prw/stored.js';

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
import type { QueuedRequest } from './queue.js';

/**
 * Turns a queued request into bytes and back, for queues that keep requests
 * outside the heap (the persistent queue). The context (tenant, metadata,
 * receiver) travels with the data, so a request replayed after a restart is
 * sent exactly as it would have been.
 */
export interface RequestCodec<T> {
  encode(req: QueuedRequest<T>): Uint8Array;
  decode(bytes: Uint8Array): QueuedRequest<T>;
}

// Frame (all integers big-endian):
//   u8 version (1) | u8 kind | u32 items | u32 ctxLen | ctx JSON (ctxLen bytes) | protobuf payload
// The payload is the OTLP Export*ServiceRequest or the remote-write 1.0
// WriteRequest, so a frame's data can be inspected with any protobuf tool.
// OTLP goes in as the bytes it arrived in (an encoded batch is not encoded
// again) and comes back as an encoded batch (a scan, no decode).
// Remote-write series (kind 5) are stored as the wire bytes they arrived in
// with their index (pdata/prw/stored.ts): read back, they are a batch again
// without a scan. Kind 3 (a bare WriteRequest, written by earlier builds) is
// still read, and scanned.
const VERSION = 1;
const HEADER = 10;
const enum Kind {
  Traces = 1,
  OtlpMetrics = 2,
  PromMetrics = 3,
  Logs = 4,
  PromEncoded = 5,
}

const KIND_SIGNAL: Record<number, Signal> = {
  [Kind.Traces]: 'traces',
  [Kind.OtlpMetrics]: 'metrics',
  [Kind.PromMetrics]: 'metrics',
  [Kind.Logs]: 'logs',
  [Kind.PromEncoded]: 'metrics',
};
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function frame(kind: Kind, req: QueuedRequest<unknown>, payload: Uint8Array): Uint8Array {
  return frameWith(kind, req, payload.length, (out, pos) => out.set(payload, pos));
}

/** A frame whose payload of `size` bytes `write` puts at `pos` (no intermediate copy). */
function frameWith(kind: Kind, req: QueuedRequest<unknown>, size: number, write: (out: Buffer, pos: number) => void): Uint8Array {
  const ctx = ctxJson(req.ctx);
  const ctxBytes = ctx ? utf8.encode(ctx) : new Uint8Array(0);
  const out = Buffer.allocUnsafe(HEADER + ctxBytes.length + size);
  out[0] = VERSION;
  out[1] = kind;
  out.writeUInt32BE(req.items >>> 0, 2);
  out.writeUInt32BE(ctxBytes.length, 6);
  out.set(ctxBytes, HEADER);
  write(out, HEADER + ctxBytes.length);
  return out;
}

function ctxJson(ctx: RequestContext): string {
  if (ctx.metadata === undefined && ctx.tenant === undefined && ctx.receiver === undefined) return '';
  return JSON.stringify({ metadata: ctx.metadata, tenant: ctx.tenant, receiver: ctx.receiver });
}

interface Unframed {
  kind: Kind;
  items: number;
  ctx: RequestContext;
  payload: Uint8Array;
}

function unframe(bytes: Uint8Array, signal: Signal): Unframed {
  if (bytes.length < HEADER) throw new Error(`queued request is ${bytes.length} bytes, shorter than its ${HEADER}-byte header`);
  if (bytes[0] !== VERSION) throw new Error(`queued request has frame version ${bytes[0]}; this build reads version ${VERSION}`);
  const kind = bytes[1] as Kind;
  if (KIND_SIGNAL[kind] !== signal) throw new Error(`queued request holds ${KIND_SIGNAL[kind] ?? `unknown kind ${kind}`}, expected ${signal}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const items = dv.getUint32(2);
  const ctxLen = dv.getUint32(6);
  if (HEADER + ctxLen > bytes.length) throw new Error('queued request is truncated (context runs past the end)');
  const ctx: RequestContext = ctxLen === 0 ? {} : prune(JSON.parse(fromUtf8.decode(bytes.subarray(HEADER, HEADER + ctxLen))));
  return { kind, items, ctx, payload: bytes.subarray(HEADER + ctxLen) };
}

function prune(o: Record<string, unknown>): RequestContext {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null) out[k] = v;
  return out as RequestContext;
}

const tracesCodec: RequestCodec<SignalData['traces']> = {
  encode: (req) => frame(Kind.Traces, req, otlpBytes('traces', req.data)),
  decode(bytes) {
    const u = unframe(bytes, 'traces');
    return { data: EncodedOtlp.scan('traces', u.payload), ctx: u.ctx, items: u.items };
  },
};

const logsCodec: RequestCodec<SignalData['logs']> = {
  encode: (req) => frame(Kind.Logs, req, otlpBytes('logs', req.data)),
  decode(bytes) {
    const u = unframe(bytes, 'logs');
    return { data: EncodedOtlp.scan('logs', u.payload), ctx: u.ctx, items: u.items };
  },
};

const metricsCodec: RequestCodec<SignalData['metrics']> = {
  encode(req) {
    const d = req.data;
    if (isPromMetrics(d)) {
      const e = toEncodedPrw(d);
      return frameWith(Kind.PromEncoded, req, storedSize(e), (out, pos) => writeStored(e, out, pos));
    }
    return frame(Kind.OtlpMetrics, req, otlpBytes('metrics', d));
  },
  decode(bytes) {
    const u = unframe(bytes, 'metrics');
    const data: SignalData['metrics'] =
      u.kind === Kind.PromEncoded
        ? readStored(asBuffer(u.payload))
        : u.kind === Kind.PromMetrics
          ? new EncodedPrw([scanWriteRequest(asBuffer(u.payload), false).part])
          : EncodedOtlp.scan('metrics', u.payload);
    return { data, ctx: u.ctx, items: u.items };
  },
};

const CODECS: { [S in Signal]: RequestCodec<SignalData[S]> } = { traces: tracesCodec, metrics: metricsCodec, logs: logsCodec };

/** The codec of a signal's requests: OTLP protobuf, or remote-write 1.0 for Prometheus-shaped metrics. */
export function signalCodec<S extends Signal>(signal: S): RequestCodec<SignalData[S]> {
  return CODECS[signal];
}
