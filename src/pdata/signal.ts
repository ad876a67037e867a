// The signal types, defined once: what a pipeline of each signal carries.
//
// Every module names batches through these (component/signal.ts re-exports
// them for components). A batch of a signal is one of the shapes below, told
// apart at run time by `format` (OTLP objects have none). A new shape of a
// batch, such as an encoded one (the bytes it arrived in plus an index), joins
// as another member of the signal's union with its own `format`; the guards
// here are the one place that tells shapes apart, so code that asks
// `isOtlp`/`isPromMetrics` keeps working when one is added.
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

/** A metrics batch: OTLP as SDKs send it, or Prometheus series as remote-write senders do. */
export type MetricsData = Metrics | PromMetrics;

/** The batch type of each signal, as it travels through pipelines. */
export interface SignalData {
  traces: Traces;
  metrics: MetricsData;
  logs: Logs;
}

/** A batch of any signal. */
export type AnySignalData = SignalData[Signal];

/** True for a metrics batch in Prometheus shape. */
export function isPromMetrics(d: AnySignalData): d is PromMetrics {
  return 'format' in d && d.format === 'prw';
}

/** True for a batch in OTLP shape (what the OTLP codecs read and write). */
export function isOtlp<S extends Signal>(d: SignalData[S]): d is OtlpData[S] & SignalData[S] {
  return !isPromMetrics(d);
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
