/**
 * Batch → Kafka messages: choose the encoding, cut by partition key and by
 * `producer.max_message_bytes`, encode. Pure (no I/O), so it is tested and
 * benchmarked on its own.
 */
import { isPromMetrics, type PromMetrics, type Signal, type SignalData } from '../../component/signal.js';
import { encodeJSON, encodeProto } from '../../pdata/otlpjson.js';
import { WriteRequest, type Logs, type Metrics, type Traces } from '../../pdata/proto.js';
import { otlpToPromWriteWithDrops, type TranslateDrop } from '../../translator/prometheus/index.js';
import type { KafkaEncoding, KafkaExporterConfig } from './config.js';
import { logsByResource, metricsByResource, promByJobInstance } from './keys.js';
import { logsShape, metricsShape, promShape, tracesByTraceId, tracesShape } from './shapes.js';
import { pack, type Packed, type Piece } from './split.js';

export interface Plan extends Packed {
  encoding: KafkaEncoding;
  /** Points the OTLP → remote-write translation left out, by reason. */
  converted: TranslateDrop[];
}

/** Bytes left for a message's value once its key and headers are paid for. */
export type BudgetFor = (key: string | undefined) => number;

function buf(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

const protoTraces = (d: Traces) => buf(encodeProto('traces', d));
const jsonTraces = (d: Traces) => Buffer.from(encodeJSON('traces', d));
const protoMetrics = (d: Metrics) => buf(encodeProto('metrics', d));
const jsonMetrics = (d: Metrics) => Buffer.from(encodeJSON('metrics', d));
const protoLogs = (d: Logs) => buf(encodeProto('logs', d));
const jsonLogs = (d: Logs) => Buffer.from(encodeJSON('logs', d));
const protoPrw = (d: PromMetrics) => buf(WriteRequest.encode(d.request).finish());

export type Planner<S extends Signal> = (data: SignalData[S], budgetFor: BudgetFor) => Plan;

function one<T>(data: T): Piece<T>[] {
  return [{ key: undefined, data }];
}

/** The planner of one signal under one config; choices are made once, here. */
export function planner<S extends Signal>(signal: S, cfg: KafkaExporterConfig): Planner<S> {
  switch (signal) {
    case 'traces': {
      const encoding: KafkaEncoding = cfg.traces.encoding ?? cfg.encoding;
      const encode = encoding === 'otlp_json' ? jsonTraces : protoTraces;
      const split = cfg.partition_traces_by_id ? tracesByTraceId : one<Traces>;
      return ((d: Traces, budgetFor: BudgetFor): Plan => ({ encoding, converted: [], ...pack(tracesShape, split(d), encode, budgetFor) })) as Planner<S>;
    }
    case 'logs': {
      const encoding: KafkaEncoding = cfg.logs.encoding ?? cfg.encoding;
      const encode = encoding === 'otlp_json' ? jsonLogs : protoLogs;
      const split = cfg.partition_logs_by_resource_attributes ? logsByResource : one<Logs>;
      return ((d: Logs, budgetFor: BudgetFor): Plan => ({ encoding, converted: [], ...pack(logsShape, split(d), encode, budgetFor) })) as Planner<S>;
    }
    default: {
      const encoding: KafkaEncoding = cfg.metrics.encoding ?? cfg.encoding;
      const byKey = cfg.partition_metrics_by_resource_attributes;
      const encode = encoding === 'otlp_json' ? jsonMetrics : protoMetrics;
      const prw = (pm: PromMetrics, budgetFor: BudgetFor, converted: TranslateDrop[]): Plan => ({
        encoding: 'prometheus_remote_write',
        converted,
        ...pack(promShape, byKey ? promByJobInstance(pm) : one(pm), protoPrw, budgetFor),
      });
      return ((d: SignalData['metrics'], budgetFor: BudgetFor): Plan => {
        // Remote-write series are never converted: they go out as the WriteRequest they came in as.
        if (isPromMetrics(d)) return prw(d, budgetFor, []);
        if (encoding === 'prometheus_remote_write') {
          const t = otlpToPromWriteWithDrops(d);
          return prw({ format: 'prw', request: t.request }, budgetFor, t.dropped);
        }
        return { encoding, converted: [], ...pack(metricsShape, byKey ? metricsByResource(d) : one(d), encode, budgetFor) };
      }) as Planner<S>;
    }
  }
}
