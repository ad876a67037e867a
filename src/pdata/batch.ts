// The one API components use on batches, whatever shape a batch is in
// (signal.ts): decoded OTLP objects, encoded OTLP (bytes + index), or
// Prometheus series. No component walks a batch's protobuf by hand for
// these operations:
//   countItems (count.ts), cloneData (clone.ts), byteSize, mergeData,
//   splitData — the batch operations; cheap on encoded batches (index
//   look-ups, list concatenation, cuts at indexed boundaries);
//   readOtlp / ownOtlp — decoded objects, for components that read or
//   change content (decoding happens here, once, only when asked);
//   otlpBytes / toEncoded — the protobuf request, for exporters and queues
//   (encoded batches are sent as they arrived).
//
// A shape registers its operations in SHAPES by its `format`; the
// remote-write shape (`prw`) implements the same interface (count, clone,
// merge, split, byte size).
import { ErrorCode } from '../errors/codes.js';
import { permanentError } from '../errors/consumererror.js';
import { cloneData } from './clone.js';
import { countItems } from './count.js';
import { EncodedOtlp } from './encoded.js';
import { OBJECT_OPS, promOps } from './objectsplit.js';
import { encodeProto } from './otlpjson.js';
import { Resource, TimeSeries, WriteRequest, type IResource } from './proto.js';
import { isEncodedOtlp, isOtlpObjects, isPromMetrics, type OtlpData, type PromMetrics, type Signal, type SignalData } from './signal.js';
import type { Unit } from './wire/cut.js';
import { fieldValue, replaceField } from './wire/splice.js';

export type { Unit } from './wire/cut.js';
export { cloneData, countItems, EncodedOtlp };

/** What every batch shape offers (the operations batching and queues need). */
export interface BatchShape<T> {
  count(d: T): number;
  clone(d: T): T;
  /** Encoded size, as the collector's `bytes` sizer measures it (the protobuf request). */
  byteSize(d: T): number;
  /** One batch holding every part in order; the parts are consumed. */
  merge(parts: T[]): T;
  /**
   * [head, rest]: head holds the first `n` items (unit items), or what fits
   * in `n` bytes (unit bytes, at least one item); `d` is consumed.
   * 0 < n < size of d in that unit.
   */
  split(d: T, n: number, unit: Unit): [T, T];
}

const encodedShape: BatchShape<EncodedOtlp> = {
  count: (d) => d.items,
  clone: (d) => d.clone(),
  byteSize: (d) => d.bytes,
  merge(parts) {
    const [first, ...more] = parts;
    if (!first) throw new Error('merge of no batches');
    return more.length === 0 ? first : first.append(...more);
  },
  split(d, n, unit) {
    const head = d.take(n, unit);
    return [head, d];
  },
};

function objectShape<S extends Signal>(signal: S): BatchShape<OtlpData[S]> {
  const ops = OBJECT_OPS[signal];
  return {
    count: (d) => countItems(signal, d as SignalData[S]),
    clone: (d) => cloneData(signal, d as SignalData[S]) as OtlpData[S],
    byteSize: (d) => encodeProto(signal, d).length,
    merge: (parts) => ops.merge(parts),
    split(d, n, unit) {
      if (unit === 'items') return [ops.take(d, n), d];
      // Bytes: cut the encoded form (exact sizes), and hand back encoded halves.
      const e = EncodedOtlp.encode(signal, d);
      const head = e.take(n, 'bytes');
      return [head as unknown as OtlpData[S], e as unknown as OtlpData[S]];
    },
  };
}

/** Encoded size of one series, for splitting remote-write requests by bytes. */
function seriesBytes(ts: unknown): number {
  const n = TimeSeries.encode(ts as never).finish().length;
  return 1 + Math.ceil(Math.log2(n + 1) / 7) + n;
}

const promShape: BatchShape<PromMetrics> = {
  count: (d) => countItems('metrics', d),
  clone: (d) => cloneData('metrics', d) as PromMetrics,
  byteSize: (d) => WriteRequest.encode(d.request).finish().length,
  merge: (parts) => promOps.merge(parts as never) as unknown as PromMetrics,
  split(d, n, unit) {
    if (unit === 'items') return [promOps.take(d as never, n) as unknown as PromMetrics, d];
    // Whole series while they fit (at least one); a series is not cut by bytes.
    const series = d.request.timeseries ?? [];
    let room = n;
    let k = 0;
    let points = 0;
    for (; k < series.length; k++) {
      const ts = series[k];
      if (!ts) break;
      const b = seriesBytes(ts);
      if (k > 0 && b > room) break;
      room -= b;
      points += (ts.samples?.length ?? 0) + (ts.histograms?.length ?? 0);
    }
    if (k >= series.length) return [d, { format: 'prw', request: { timeseries: [] } }];
    return [promOps.take(d as never, Math.max(1, points)) as unknown as PromMetrics, d];
  },
};

const OBJECT_SHAPES: { [S in Signal]: BatchShape<OtlpData[S]> } = {
  traces: objectShape('traces'),
  metrics: objectShape('metrics'),
  logs: objectShape('logs'),
};

/** The operations of `d`'s shape. */
export function shapeOf<S extends Signal>(signal: S, d: SignalData[S]): BatchShape<SignalData[S]> {
  if (isEncodedOtlp(d)) return encodedShape as unknown as BatchShape<SignalData[S]>;
  if (isPromMetrics(d)) return promShape as unknown as BatchShape<SignalData[S]>;
  return OBJECT_SHAPES[signal] as unknown as BatchShape<SignalData[S]>;
}

/** Encoded size of a batch: the protobuf request it makes (exact and free for encoded batches). */
export function byteSize<S extends Signal>(signal: S, d: SignalData[S]): number {
  return shapeOf(signal, d).byteSize(d);
}

/** Size of a batch in a sizer's unit (`requests` counts 1). */
export function sizeIn<S extends Signal>(signal: S, d: SignalData[S], unit: Unit | 'requests'): number {
  return unit === 'requests' ? 1 : unit === 'items' ? countItems(signal, d) : byteSize(signal, d);
}

/**
 * One batch from several, in order (the parts are consumed). Encoded and
 * decoded OTLP parts merge into an encoded batch (the decoded ones are
 * encoded); remote-write parts only with remote-write parts.
 */
export function mergeData<S extends Signal>(signal: S, parts: SignalData[S][]): SignalData[S] {
  const [first] = parts;
  if (!first) throw new Error('mergeData: no parts');
  if (parts.length === 1) return first;
  if (isPromMetrics(first)) return promShape.merge(parts as PromMetrics[]) as SignalData[S];
  let encoded = false;
  let decoded = false;
  for (const p of parts) {
    if (isEncodedOtlp(p)) encoded = true;
    else if (isPromMetrics(p)) throw new Error('mergeData: remote-write and OTLP batches cannot be merged');
    else decoded = true;
  }
  if (!encoded) return OBJECT_SHAPES[signal].merge(parts as OtlpData[S][]) as SignalData[S];
  if (!decoded) return encodedShape.merge(parts as unknown as EncodedOtlp[]) as unknown as SignalData[S];
  const all = parts.map((p) => (isEncodedOtlp(p) ? p : EncodedOtlp.encode(signal, p as OtlpData[S])));
  return encodedShape.merge(all as EncodedOtlp[]) as unknown as SignalData[S];
}

/** [head, rest] of a batch cut after `n` items or bytes (see BatchShape.split); `d` is consumed. */
export function splitData<S extends Signal>(signal: S, d: SignalData[S], n: number, unit: Unit = 'items'): [SignalData[S], SignalData[S]] {
  return shapeOf(signal, d).split(d, n, unit);
}

// ---- content ------------------------------------------------------------------

function notOtlp(signal: Signal): Error {
  return permanentError(ErrorCode.UNSUPPORTED_DATA, `this ${signal} batch holds Prometheus remote-write series, not OTLP`);
}

/** Decoded views already made for readers, by batch (the batch is not changed while it is read). */
const views = new WeakMap<EncodedOtlp, unknown>();

/**
 * The batch as decoded OTLP objects, to read only: an encoded batch is
 * decoded once and the view is kept with the batch for later readers.
 * Callers must not modify what they get (use ownOtlp for that).
 */
export function readOtlp<S extends Signal>(signal: S, d: SignalData[S]): OtlpData[S] {
  if (isOtlpObjects(d)) return d;
  if (!isEncodedOtlp(d)) throw notOtlp(signal);
  let v = views.get(d) as OtlpData[S] | undefined;
  if (!v) views.set(d, (v = d.decode() as OtlpData[S]));
  return v;
}

/**
 * The batch as decoded OTLP objects the caller may change: a component that
 * owns `d` (consume()'s ownership rule) calls this and hands the objects on
 * instead of `d`. Decoded batches are returned as they are.
 */
export function ownOtlp<S extends Signal>(signal: S, d: SignalData[S]): OtlpData[S] {
  if (isOtlpObjects(d)) return d;
  if (!isEncodedOtlp(d)) throw notOtlp(signal);
  // A view made for earlier readers of this very batch is the caller's now: they are done with it.
  const v = views.get(d) as OtlpData[S] | undefined;
  if (v) {
    views.delete(d);
    return v;
  }
  return d.decode() as OtlpData[S];
}

/** The batch as an encoded batch (decoded objects are encoded once). */
export function toEncoded<S extends Signal>(signal: S, d: SignalData[S]): EncodedOtlp<S> {
  if (isEncodedOtlp(d)) return d;
  if (!isOtlpObjects(d)) throw notOtlp(signal);
  return EncodedOtlp.encode(signal, d as OtlpData[S]);
}

/** The protobuf Export*ServiceRequest of an OTLP batch: the received bytes when it is encoded. */
export function otlpBytes<S extends Signal>(signal: S, d: SignalData[S]): Buffer {
  if (isEncodedOtlp(d)) return d.toBuffer();
  if (!isOtlpObjects(d)) throw notOtlp(signal);
  const b = encodeProto(signal, d as OtlpData[S]);
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

// ---- partial edits --------------------------------------------------------------

const RESOURCE_LISTS = { traces: 'resourceSpans', metrics: 'resourceMetrics', logs: 'resourceLogs' } as const;

/**
 * Runs `edit` on the Resource of every resource entry (null when an entry
 * has none). `edit` changes the resource in place, or returns a new one to
 * put in its place (e.g. for an entry that had none); returning undefined
 * means "nothing to write" for an entry without one. An encoded batch stays
 * encoded: only each entry's Resource is decoded and re-encoded, and
 * spliced back in front of the entry's untouched bytes. `d` is consumed.
 */
export function editResources<S extends Signal>(signal: S, d: SignalData[S], edit: (r: IResource | null) => IResource | undefined): SignalData[S] {
  if (isPromMetrics(d)) throw notOtlp(signal);
  if (isEncodedOtlp(d)) {
    let bytes = 0;
    d.entries = d.entries.map((e) => {
      const raw = fieldValue(e.buf, e.body, e.buf.length, 1);
      const before = raw === undefined ? null : Resource.decode(raw);
      const after = edit(before) ?? before;
      const out =
        after === null
          ? e
          : (({ buf, body }) => ({ buf, body, items: e.items }))(replaceField(1, e.buf, e.body, e.buf.length, 1, Resource.encode(after).finish()));
      bytes += out.buf.length;
      return out;
    });
    d.bytes = bytes;
    views.delete(d);
    return d;
  }
  const groups = (d as Record<string, Array<{ resource?: IResource | null }> | undefined>)[RESOURCE_LISTS[signal]];
  for (const g of groups ?? []) {
    const r = g.resource ?? null;
    const after = edit(r);
    if (after !== undefined && after !== r) g.resource = after;
  }
  return d;
}
