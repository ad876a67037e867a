// Components take the signal types from here; they are defined once, in pdata/signal.ts.
export { SIGNALS, isOtlp, isPromMetrics, signalBatch } from '../pdata/signal.js';
export type { AnySignalData, MetricsData, OtlpData, PromMetrics, Signal, SignalBatch, SignalData } from '../pdata/signal.js';
