/**
 * Batch → Kafka messages: choose the encoding, cut by partition key and by
 * `producer.max_message_bytes`, encode. Pure (no I/O), so it is tested and
 * benchmarked on its own.
 */
import { isEncodedOtlp, isPromMetrics, type MetricsData, type PromMetrics, type Signal, type SignalData } from '../../component/signal.js';
import { mergeData, readOtlp, readProm, type EncodedOtlp } from '../../pdata/batch.js';
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

/**
 * An encoded batch as OTLP protobuf messages without a key: the bytes as
 * they arrived when they fit, else cut at resource / scope / item
 * boundaries into parts under the budget (no decoding either way).
 */
export function packEncoded<S extends Signal>(e: EncodedOtlp<S>, budget: number): Packed<EncodedOtlp<S>> {
  const out: Packed<EncodedOtlp<S>> = { messages: [], tooLargeItems: 0, tooLargeBytes: 0 };
  if (e.bytes <= budget) {
    out.messages.push({ key: undefined, value: e.toBuffer(), items: e.items, data: e });
    return out;
  }
  // Cut a copy: the batch itself stays whole for a later retry.
  const rest = e.clone();
  let room = budget;
  while (rest.entries.length > 0) {
    const part = rest.take(room, 'bytes');
    if (part.bytes <= budget) {
      out.messages.push({ key: undefined, value: part.toBuffer(), items: part.items, data: part });
      room = budget;
    } else if (part.items <= 1) {
      out.tooLargeItems += part.items;
      out.tooLargeBytes = Math.max(out.tooLargeBytes, part.bytes);
    } else {
      // Cuts estimate the prefixes they add; when a part comes out over, cut it again tighter.
      rest.entries.unshift(...part.entries);
      rest.items += part.items;
      rest.bytes += part.bytes;
      room = Math.max(1, Math.floor(room * 0.9));
    }
  }
  return out;
}

/** The plan of an encoded batch written as OTLP protobuf: its unsent part merges back by concatenation. */
function encodedPlan<S extends Signal>(signal: S, e: EncodedOtlp<S>, budget: number): Plan<SignalData[S]> {
  return {
    encoding: 'otlp_proto',
    converted: [],
    merge: (ms) =>
      mergeData(
        signal,
        ms.map((m) => m.data),
      ),
    ...(packEncoded(e, budget) as unknown as Packed<SignalData[S]>),
  };
}

// A metrics plan holds messages of one shape only; these guards let its merge say which.
const isPromMessage = (m: Message<MetricsData>): m is Message<PromMetrics> => isPromMetrics(m.data);
const isOtlpMessage = (m: Message<MetricsData>): m is Message<Metrics> => !isPromMetrics(m.data);

/** The planner of one signal under one config; choices are made once, here. */
export function planner<S extends Signal>(signal: S, cfg: KafkaExporterConfig): Planner<S> {
  switch (signal) {
    case 'traces': {
      const encoding: KafkaEncoding = cfg.traces.encoding ?? cfg.encoding;
      const encode = encoding === 'otlp_json' ? jsonTraces : protoTraces;
      const byKey = cfg.partition_traces_by_id;
      const split = byKey ? tracesByTraceId : one<Traces>;
      return ((d: SignalData['traces'], budgetFor: BudgetFor): Plan<SignalData['traces']> => {
        if (!byKey && encoding === 'otlp_proto' && isEncodedOtlp(d)) return encodedPlan<'traces'>('traces', d as EncodedOtlp<'traces'>, budgetFor(undefined));
        return { encoding, converted: [], merge: mergeTraces, ...pack(tracesShape, split(readOtlp('traces', d)), encode, budgetFor) } as Plan<
          SignalData['traces']
        >;
      }) as Planner<S>;
    }
    case 'logs': {
      const encoding: KafkaEncoding = cfg.logs.encoding ?? cfg.encoding;
      const encode = encoding === 'otlp_json' ? jsonLogs : protoLogs;
      const byKey = cfg.partition_logs_by_resource_attributes;
      const split = byKey ? logsByResource : one<Logs>;
      return ((d: SignalData['logs'], budgetFor: BudgetFor): Plan<SignalData['logs']> => {
        if (!byKey && encoding === 'otlp_proto' && isEncodedOtlp(d)) return encodedPlan<'logs'>('logs', d as EncodedOtlp<'logs'>, budgetFor(undefined));
        return { encoding, converted: [], merge: mergeLogs, ...pack(logsShape, split(readOtlp('logs', d)), encode, budgetFor) } as Plan<SignalData['logs']>;
      }) as Planner<S>;
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
        // (An encoded batch is read through its decoded view: the messages are cut by series.)
        if (isPromMetrics(d)) return prw({ format: 'prw', request: readProm(d) }, budgetFor, []);
        if (!byKey && encoding === 'otlp_proto' && isEncodedOtlp(d))
          return encodedPlan<'metrics'>('metrics', d as EncodedOtlp<'metrics'>, budgetFor(undefined));
        const md = readOtlp('metrics', d);
        if (encoding === 'prometheus_remote_write') {
          const t = otlpToPromWriteWithDrops(md);
          return prw({ format: 'prw', request: t.request }, budgetFor, t.dropped);
        }
        const packed = pack(metricsShape, byKey ? metricsByResource(md) : one(md), encode, budgetFor);
        return { encoding, converted: [], merge: (ms) => mergeMetrics(ms.filter(isOtlpMessage)), ...packed };
      }) as Planner<S>;
    }
  }
}
