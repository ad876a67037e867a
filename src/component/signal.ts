// Components take the signal types from here; they are defined once, in pdata/signal.ts.
export { SIGNALS, isEncodedOtlp, isEncodedPrw, isOtlp, isOtlpObjects, isPromMetrics, isPromObjects, signalBatch } from '../pdata/signal.js';
export type { AnySignalData, MetricsData, OtlpBatchData, OtlpData, PromData, PromMetrics, Signal, SignalBatch, SignalData } from '../pdata/signal.js';
