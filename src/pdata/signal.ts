// The signal types, defined once: what a pipeline of each signal carries.
//
// Every module names batches through these (component/signal.ts re-exports
// them for components). A batch of a signal is one of the shapes below, told
// apart at run time by `format` (decoded OTLP objects have none):
//   - decoded OTLP: the Export*ServiceRequest as objects (OtlpData);
//   - encoded OTLP (`otlp_proto`): the request's bytes plus an index
//     (EncodedOtlp, encoded.ts), what receivers of protobuf hand on;
//   - Prometheus series, for metrics: decoded objects (`prw`, PromMetrics)
//     or the remote-write bytes they arrived in plus an index (`prw_proto`,
//     EncodedPrw, prw/encoded.ts), what the remote-write receiver hands on.
// The guards here are the one place that tells shapes apart. Components do
// not walk a batch by hand: pdata/batch.ts is the API (count, clone, merge,
// split, size, and a decoded view for those that read or change content).
import type { EncodedOtlp } from './encoded.js';
import type { EncodedPrw } from './prw/encoded.js';
import type { Logs, Metrics, PromWrite, Traces } from './proto.js';

export type Signal = 'traces' | 'metrics' | 'logs';
export const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];

/** Each signal's batch in OTLP shape: the Export*ServiceRequest. */
export interface OtlpData {
  traces: Traces;
  metrics: Metrics;
  logs: Logs;
}

/**
 * Metrics in Prometheus shape: a remote-write request as received. Metrics are
 * converted between the two shapes at most once, and remote-write in →
 * remote-write out never passes through OTLP.
 */
export interface PromMetrics {
  readonly format: 'prw';
  request: PromWrite;
}

/** Prometheus series, decoded or encoded. */
export type PromData = PromMetrics | EncodedPrw;

/** A metrics batch: OTLP as SDKs send it (decoded or encoded), or Prometheus series as remote-write senders do (decoded or encoded). */
export type MetricsData = Metrics | EncodedOtlp<'metrics'> | PromData;

/** The batch type of each signal, as it travels through pipelines. */
export interface SignalData {
  traces: Traces | EncodedOtlp<'traces'>;
  metrics: MetricsData;
  logs: Logs | EncodedOtlp<'logs'>;
}

/** A batch of each signal in OTLP shape, decoded or encoded. */
export interface OtlpBatchData {
  traces: Traces | EncodedOtlp<'traces'>;
  metrics: Metrics | EncodedOtlp<'metrics'>;
  logs: Logs | EncodedOtlp<'logs'>;
}

/** A batch of any signal. */
export type AnySignalData = SignalData[Signal];

/** True for a metrics batch in Prometheus shape, decoded or encoded. */
export function isPromMetrics(d: AnySignalData): d is PromData {
  return 'format' in d && (d.format === 'prw' || d.format === 'prw_proto');
}

/** True for Prometheus series kept as remote-write bytes (EncodedPrw). */
export function isEncodedPrw(d: AnySignalData): d is EncodedPrw {
  return 'format' in d && d.format === 'prw_proto';
}

/** True for Prometheus series as decoded objects ({format: 'prw', request}). */
export function isPromObjects(d: AnySignalData): d is PromMetrics {
  return 'format' in d && d.format === 'prw';
}

/** True for a batch in OTLP shape, decoded or encoded. */
export function isOtlp<S extends Signal>(d: SignalData[S]): d is OtlpBatchData[S] & SignalData[S] {
  return !isPromMetrics(d);
}

/** True for an encoded OTLP batch (the bytes a request arrived in, indexed). */
export function isEncodedOtlp<S extends Signal>(d: SignalData[S]): d is EncodedOtlp<S> & SignalData[S] {
  return 'format' in d && d.format === 'otlp_proto';
}

/** True for a batch of decoded OTLP objects (what the OTLP codecs read and write). */
export function isOtlpObjects<S extends Signal>(d: SignalData[S]): d is OtlpData[S] & SignalData[S] {
  return !('format' in d && typeof d.format === 'string');
}

/**
 * A batch paired with its signal, as a union that narrows on `signal`. (A
 * switch on a generic `S` narrows neither `S` nor `SignalData[S]`: code that
 * handles each signal in turn switches on this instead of casting.)
 */
export type SignalBatch = { [S in Signal]: { readonly signal: S; readonly data: SignalData[S] } }[Signal];

export function signalBatch<S extends Signal>(signal: S, data: SignalData[S]): SignalBatch {
  // The one place the pair is asserted: the generic signature ties `data` to `signal`.
  return { signal, data } as SignalBatch;
}
