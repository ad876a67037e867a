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
import { clonePromWrite } from './clone.js';
import { countPromWritePoints } from './count.js';
import { EncodedPrw } from './prw/encoded.js';
import { Resource, WriteRequest, type IResource, type PromWrite } from './proto.js';
import {
  isEncodedOtlp,
  isEncodedPrw,
  isOtlpObjects,
  isPromMetrics,
  type OtlpData,
  type PromData,
  type PromMetrics,
  type Signal,
  type SignalData,
} from './signal.js';
import type { Unit } from './wire/cut.js';
import { fieldValue, replaceField } from './wire/splice.js';

export type { Unit } from './wire/cut.js';
export { cloneData, countItems, EncodedOtlp, EncodedPrw };

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

// Prometheus series: encoded batches (EncodedPrw) work on their index;
// decoded ones are counted and cloned as objects, and encoded once for a
// merge with encoded parts or a split by bytes.
const promShape: BatchShape<PromData> = {
  count: (d) => (isEncodedPrw(d) ? d.points : countPromWritePoints(d.request)),
  clone: (d) => (isEncodedPrw(d) ? d.clone() : { format: 'prw', request: clonePromWrite(d.request) }),
  byteSize: (d) => (isEncodedPrw(d) ? d.bytes : WriteRequest.encode(d.request).finish().length),
  merge(parts) {
    const [first, ...more] = parts;
    if (!first || more.length === 0) return first as PromData;
    if (!parts.some(isEncodedPrw)) return promOps.merge(parts as never) as unknown as PromMetrics;
    return toEncodedPrw(first).append(...more.map(toEncodedPrw));
  },
  split(d, n, unit) {
    if (isEncodedPrw(d)) return [d.take(n, unit), d];
    if (unit === 'items') return [promOps.take(d as never, n) as unknown as PromMetrics, d];
    const e = EncodedPrw.encode(d.request);
    return [e.take(n, 'bytes'), e];
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
  if (isPromMetrics(first)) return promShape.merge(parts as PromData[]) as SignalData[S];
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

// ---- Prometheus series ------------------------------------------------------------

function notProm(): Error {
  return permanentError(ErrorCode.UNSUPPORTED_DATA, 'this metrics batch holds OTLP metrics, not Prometheus remote-write series');
}

/**
 * The series as a decoded WriteRequest, to read only: an encoded batch is
 * decoded once and the view is kept with the batch for later readers.
 * Callers must not modify what they get (use ownProm for that).
 */
export function readProm(d: SignalData['metrics']): PromWrite {
  if (!isPromMetrics(d)) throw notProm();
  return isEncodedPrw(d) ? d.readView() : d.request;
}

/**
 * The series as a decoded WriteRequest the caller may change: a component
 * that owns `d` calls this and hands on `{format: 'prw', request}` instead
 * of `d`. Decoded batches are returned as they are.
 */
export function ownProm(d: SignalData['metrics']): PromWrite {
  if (!isPromMetrics(d)) throw notProm();
  return isEncodedPrw(d) ? d.takeView() : d.request;
}

/** The series as an encoded batch (decoded series are encoded once, with labels sorted where they were not). */
export function toEncodedPrw(d: PromData): EncodedPrw {
  return isEncodedPrw(d) ? d : EncodedPrw.encode(d.request);
}

/** The remote-write 1.0 WriteRequest of a Prometheus batch: the received bytes when it is encoded. */
export function promBytes(d: PromData): Buffer {
  if (isEncodedPrw(d)) return d.toBuffer();
  const b = WriteRequest.encode(d.request).finish();
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
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
