/**
 * Batch → Kafka messages: choose the encoding, cut by partition key and by
 * `producer.max_message_bytes`, encode. Pure (no I/O), so it is tested and
 * benchmarked on its own.
 */
import { isPromMetrics, type MetricsData, type PromMetrics, type Signal, type SignalData } from '../../component/signal.js';
import { encodeJSON, encodeProto } from '../../pdata/otlpjson.js';
import { WriteRequest, type Logs, type Metrics, type Traces } from '../../pdata/proto.js';
import { otlpToPromWriteWithDrops, type TranslateDrop } from '../../translator/prometheus/index.js';
import type { KafkaEncoding, KafkaExporterConfig } from './config.js';
import { logsByResource, metricsByResource, promByJobInstance } from './keys.js';
import { logsShape, metricsShape, promShape, tracesByTraceId, tracesShape } from './shapes.js';
import { pack, type Message, type Packed, type Piece, type Shape } from './split.js';

export interface Plan<T = SignalData[Signal]> extends Packed<T> {
  encoding: KafkaEncoding;
  /** Points the OTLP → remote-write translation left out, by reason. */
  converted: TranslateDrop[];
  /** One batch holding the data of `messages` (the part of a request still to send). */
  merge(messages: readonly Message<T>[]): T;
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

export type Planner<S extends Signal> = (data: SignalData[S], budgetFor: BudgetFor) => Plan<SignalData[S]>;

function one<T>(data: T): Piece<T>[] {
  return [{ key: undefined, data }];
}

/** Merging messages' data is rebuilding one batch from all their leaves. */
function mergeBy<T, L>(shape: Shape<T, L>): (messages: readonly Message<T>[]) => T {
  return (messages) => shape.build(messages.flatMap((m) => shape.leaves(m.data)));
}

const mergeTraces = mergeBy(tracesShape);
const mergeLogs = mergeBy(logsShape);
const mergeMetrics = mergeBy(metricsShape);
const mergeProm = mergeBy(promShape);

// A metrics plan holds messages of one shape only; these guards let its merge say which.
const isPromMessage = (m: Message<MetricsData>): m is Message<PromMetrics> => isPromMetrics(m.data);
const isOtlpMessage = (m: Message<MetricsData>): m is Message<Metrics> => !isPromMetrics(m.data);

/** The planner of one signal under one config; choices are made once, here. */
export function planner<S extends Signal>(signal: S, cfg: KafkaExporterConfig): Planner<S> {
  switch (signal) {
    case 'traces': {
      const encoding: KafkaEncoding = cfg.traces.encoding ?? cfg.encoding;
      const encode = encoding === 'otlp_json' ? jsonTraces : protoTraces;
      const split = cfg.partition_traces_by_id ? tracesByTraceId : one<Traces>;
      return ((d: Traces, budgetFor: BudgetFor): Plan<Traces> => ({
        encoding,
        converted: [],
        merge: mergeTraces,
        ...pack(tracesShape, split(d), encode, budgetFor),
      })) as Planner<S>;
    }
    case 'logs': {
      const encoding: KafkaEncoding = cfg.logs.encoding ?? cfg.encoding;
      const encode = encoding === 'otlp_json' ? jsonLogs : protoLogs;
      const split = cfg.partition_logs_by_resource_attributes ? logsByResource : one<Logs>;
      return ((d: Logs, budgetFor: BudgetFor): Plan<Logs> => ({
        encoding,
        converted: [],
        merge: mergeLogs,
        ...pack(logsShape, split(d), encode, budgetFor),
      })) as Planner<S>;
    }
    default: {
      const encoding: KafkaEncoding = cfg.metrics.encoding ?? cfg.encoding;
      const byKey = cfg.partition_metrics_by_resource_attributes;
      const encode = encoding === 'otlp_json' ? jsonMetrics : protoMetrics;
      const prw = (pm: PromMetrics, budgetFor: BudgetFor, converted: TranslateDrop[]): Plan<MetricsData> => {
        const packed = pack(promShape, byKey ? promByJobInstance(pm) : one(pm), protoPrw, budgetFor);
        return { encoding: 'prometheus_remote_write', converted, merge: (ms) => mergeProm(ms.filter(isPromMessage)), ...packed };
      };
      return ((d: MetricsData, budgetFor: BudgetFor): Plan<MetricsData> => {
        // Remote-write series are never converted: they go out as the WriteRequest they came in as.
        if (isPromMetrics(d)) return prw(d, budgetFor, []);
        if (encoding === 'prometheus_remote_write') {
          const t = otlpToPromWriteWithDrops(d);
          return prw({ format: 'prw', request: t.request }, budgetFor, t.dropped);
        }
        const packed = pack(metricsShape, byKey ? metricsByResource(d) : one(d), encode, budgetFor);
        return { encoding, converted: [], merge: (ms) => mergeMetrics(ms.filter(isOtlpMessage)), ...packed };
      }) as Planner<S>;
    }
  }
}
