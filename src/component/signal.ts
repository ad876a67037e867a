import type { Logs, Metrics, PromWrite, Traces } from '../pdata/proto.js';

export type Signal = 'traces' | 'metrics' | 'logs';
export const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];

/**
 * Metrics travel in one of two shapes and are converted at most once:
 * OTLP as received from SDKs, or Prometheus series as received by remote-write.
 */
export interface PromMetrics {
  readonly format: 'prw';
  request: PromWrite;
}
export type MetricsData = Metrics | PromMetrics;

export function isPromMetrics(m: MetricsData): m is PromMetrics {
  return (m as PromMetrics).format === 'prw';
}

export interface SignalData {
  traces: Traces;
  metrics: MetricsData;
  logs: Logs;
}
