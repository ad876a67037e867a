// Components take the signal types from here; they are defined once, in pdata/signal.ts.
export { SIGNALS, isEncodedOtlp, isOtlp, isOtlpObjects, isPromMetrics, signalBatch } from '../pdata/signal.js';
export type { AnySignalData, MetricsData, OtlpBatchData, OtlpData, PromMetrics, Signal, SignalBatch, SignalData } from '../pdata/signal.js';
