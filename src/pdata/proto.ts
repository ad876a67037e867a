// Typed names for the generated protobuf codecs (src/gen, from proto/).
//
// The rest of the code imports messages from here, never from #gen directly,
// so the long generated namespaces appear in one place.
//
// Every message has two faces:
//   - a value (`Span`): the generated class with static encode/decode/create;
//   - a type (`ISpan`): the plain-object shape (`$Properties`) that encode
//     accepts and decode returns. Work with plain objects; decode's result is
//     a class instance whose unset fields read their defaults from the
//     prototype (0, "", empty array, empty bytes, null for oneof members and
//     `optional` fields), and only set fields are own properties.
//
// 64-bit integers (int64, uint64, sint64, fixed64, sfixed64) are typed
// `number | Long`. decode always yields a Long, even for zero defaults, and so
// does the OTLP JSON decoder; encode accepts a number, a Long, or a decimal
// string. A number is exact only up to 2^53, so OTLP nanosecond timestamps
// must stay Long (or bigint, via int64ToBigInt) to keep full precision.
// Take `Long` from this module: protobufjs loads the `long` package through
// require (its CommonJS build), while `import Long from 'long'` gets the ESM
// build, a different class, so `instanceof` would fail across the two.
// Long.isLong(v) works with either.
// Decoded `bytes` fields are views into the buffer that was decoded, not
// copies: keep that buffer alive and unmodified while the message is in use.
import $protobuf from 'protobufjs/minimal.js';
import type LongClass from 'long';
import { opentelemetry, google } from '#gen/otlp.js';
import { prometheus, io } from '#gen/prompb.js';

const collector = opentelemetry.proto.collector;
const trace = opentelemetry.proto.trace.v1;
const metrics = opentelemetry.proto.metrics.v1;
const logs = opentelemetry.proto.logs.v1;
const common = opentelemetry.proto.common.v1;
const prw2 = io.prometheus.write.v2;

// Alias namespaces for the type positions below.
import otlpCollectorTrace = opentelemetry.proto.collector.trace.v1;
import otlpCollectorMetrics = opentelemetry.proto.collector.metrics.v1;
import otlpCollectorLogs = opentelemetry.proto.collector.logs.v1;
import otlpT = opentelemetry.proto.trace.v1;
import otlpM = opentelemetry.proto.metrics.v1;
import otlpL = opentelemetry.proto.logs.v1;
import otlpC = opentelemetry.proto.common.v1;
import otlpR = opentelemetry.proto.resource.v1;
import gRpc = google.rpc;
import prom = prometheus;
import promV2 = io.prometheus.write.v2;

// ---- OTLP export requests and responses ------------------------------------
export const ExportTraceServiceRequest = collector.trace.v1.ExportTraceServiceRequest;
export const ExportTraceServiceResponse = collector.trace.v1.ExportTraceServiceResponse;
export const ExportTracePartialSuccess = collector.trace.v1.ExportTracePartialSuccess;
export const ExportMetricsServiceRequest = collector.metrics.v1.ExportMetricsServiceRequest;
export const ExportMetricsServiceResponse = collector.metrics.v1.ExportMetricsServiceResponse;
export const ExportMetricsPartialSuccess = collector.metrics.v1.ExportMetricsPartialSuccess;
export const ExportLogsServiceRequest = collector.logs.v1.ExportLogsServiceRequest;
export const ExportLogsServiceResponse = collector.logs.v1.ExportLogsServiceResponse;
export const ExportLogsPartialSuccess = collector.logs.v1.ExportLogsPartialSuccess;
export type IExportTraceServiceRequest = otlpCollectorTrace.ExportTraceServiceRequest.$Properties;
export type IExportTraceServiceResponse = otlpCollectorTrace.ExportTraceServiceResponse.$Properties;
export type IExportTracePartialSuccess = otlpCollectorTrace.ExportTracePartialSuccess.$Properties;
export type IExportMetricsServiceRequest = otlpCollectorMetrics.ExportMetricsServiceRequest.$Properties;
export type IExportMetricsServiceResponse = otlpCollectorMetrics.ExportMetricsServiceResponse.$Properties;
export type IExportMetricsPartialSuccess = otlpCollectorMetrics.ExportMetricsPartialSuccess.$Properties;
export type IExportLogsServiceRequest = otlpCollectorLogs.ExportLogsServiceRequest.$Properties;
export type IExportLogsServiceResponse = otlpCollectorLogs.ExportLogsServiceResponse.$Properties;
export type IExportLogsPartialSuccess = otlpCollectorLogs.ExportLogsPartialSuccess.$Properties;

/** One batch of each signal, as it travels through pipelines. */
export type Traces = IExportTraceServiceRequest;
export type Metrics = IExportMetricsServiceRequest;
export type Logs = IExportLogsServiceRequest;

// ---- Common ------------------------------------------------------------------
export const AnyValue = common.AnyValue;
export const ArrayValue = common.ArrayValue;
export const KeyValueList = common.KeyValueList;
export const KeyValue = common.KeyValue;
export const InstrumentationScope = common.InstrumentationScope;
export const EntityRef = common.EntityRef;
export const Resource = opentelemetry.proto.resource.v1.Resource;
export type IAnyValue = otlpC.AnyValue.$Properties;
export type IArrayValue = otlpC.ArrayValue.$Properties;
export type IKeyValueList = otlpC.KeyValueList.$Properties;
export type IKeyValue = otlpC.KeyValue.$Properties;
export type IInstrumentationScope = otlpC.InstrumentationScope.$Properties;
export type IEntityRef = otlpC.EntityRef.$Properties;
export type IResource = otlpR.Resource.$Properties;

// ---- Traces ------------------------------------------------------------------
export const ResourceSpans = trace.ResourceSpans;
export const ScopeSpans = trace.ScopeSpans;
export const Span = trace.Span;
export const SpanEvent = trace.Span.Event;
export const SpanLink = trace.Span.Link;
/** The status of a span (not google.rpc.Status: that is RpcStatus). */
export const SpanStatus = trace.Status;
export const SpanKind = trace.Span.SpanKind;
export const StatusCode = trace.Status.StatusCode;
export const SpanFlags = trace.SpanFlags;
export type IResourceSpans = otlpT.ResourceSpans.$Properties;
export type IScopeSpans = otlpT.ScopeSpans.$Properties;
export type ISpan = otlpT.Span.$Properties;
export type ISpanEvent = otlpT.Span.Event.$Properties;
export type ISpanLink = otlpT.Span.Link.$Properties;
export type ISpanStatus = otlpT.Status.$Properties;
export type SpanKind = otlpT.Span.SpanKind;
export type StatusCode = otlpT.Status.StatusCode;
export type SpanFlags = otlpT.SpanFlags;

// ---- Metrics -----------------------------------------------------------------
export const ResourceMetrics = metrics.ResourceMetrics;
export const ScopeMetrics = metrics.ScopeMetrics;
export const Metric = metrics.Metric;
export const Gauge = metrics.Gauge;
export const Sum = metrics.Sum;
export const Histogram = metrics.Histogram;
export const ExponentialHistogram = metrics.ExponentialHistogram;
export const Summary = metrics.Summary;
export const NumberDataPoint = metrics.NumberDataPoint;
export const HistogramDataPoint = metrics.HistogramDataPoint;
export const ExponentialHistogramDataPoint = metrics.ExponentialHistogramDataPoint;
export const ExponentialHistogramBuckets = metrics.ExponentialHistogramDataPoint.Buckets;
export const SummaryDataPoint = metrics.SummaryDataPoint;
export const ValueAtQuantile = metrics.SummaryDataPoint.ValueAtQuantile;
export const Exemplar = metrics.Exemplar;
export const AggregationTemporality = metrics.AggregationTemporality;
export const DataPointFlags = metrics.DataPointFlags;
export type IResourceMetrics = otlpM.ResourceMetrics.$Properties;
export type IScopeMetrics = otlpM.ScopeMetrics.$Properties;
export type IMetric = otlpM.Metric.$Properties;
export type IGauge = otlpM.Gauge.$Properties;
export type ISum = otlpM.Sum.$Properties;
export type IHistogram = otlpM.Histogram.$Properties;
export type IExponentialHistogram = otlpM.ExponentialHistogram.$Properties;
export type ISummary = otlpM.Summary.$Properties;
export type INumberDataPoint = otlpM.NumberDataPoint.$Properties;
export type IHistogramDataPoint = otlpM.HistogramDataPoint.$Properties;
export type IExponentialHistogramDataPoint = otlpM.ExponentialHistogramDataPoint.$Properties;
export type IExponentialHistogramBuckets = otlpM.ExponentialHistogramDataPoint.Buckets.$Properties;
export type ISummaryDataPoint = otlpM.SummaryDataPoint.$Properties;
export type IValueAtQuantile = otlpM.SummaryDataPoint.ValueAtQuantile.$Properties;
export type IExemplar = otlpM.Exemplar.$Properties;
export type AggregationTemporality = otlpM.AggregationTemporality;
export type DataPointFlags = otlpM.DataPointFlags;

// ---- Logs --------------------------------------------------------------------
export const ResourceLogs = logs.ResourceLogs;
export const ScopeLogs = logs.ScopeLogs;
export const LogRecord = logs.LogRecord;
export const SeverityNumber = logs.SeverityNumber;
export const LogRecordFlags = logs.LogRecordFlags;
export type IResourceLogs = otlpL.ResourceLogs.$Properties;
export type IScopeLogs = otlpL.ScopeLogs.$Properties;
export type ILogRecord = otlpL.LogRecord.$Properties;
export type SeverityNumber = otlpL.SeverityNumber;
export type LogRecordFlags = otlpL.LogRecordFlags;

// ---- google.rpc.Status (OTLP/HTTP error body, gRPC status details) ----------
export const RpcStatus = google.rpc.Status;
export const ProtobufAny = google.protobuf.Any;
export type IRpcStatus = gRpc.Status.$Properties;
export type IProtobufAny = google.protobuf.Any.$Properties;

// ---- Prometheus remote-write 1.0 (package prometheus) -----------------------
// Prom-prefixed where the OTLP side already has the name.
export const WriteRequest = prometheus.WriteRequest;
export const TimeSeries = prometheus.TimeSeries;
export const Label = prometheus.Label;
export const Sample = prometheus.Sample;
export const PromExemplar = prometheus.Exemplar;
export const PromHistogram = prometheus.Histogram;
export const BucketSpan = prometheus.BucketSpan;
export const MetricMetadata = prometheus.MetricMetadata;
export const MetricType = prometheus.MetricMetadata.MetricType;
export const ResetHint = prometheus.Histogram.ResetHint;
export type IWriteRequest = prom.WriteRequest.$Properties;
export type ITimeSeries = prom.TimeSeries.$Properties;
export type ILabel = prom.Label.$Properties;
export type ISample = prom.Sample.$Properties;
export type IPromExemplar = prom.Exemplar.$Properties;
export type IPromHistogram = prom.Histogram.$Properties;
export type IBucketSpan = prom.BucketSpan.$Properties;
export type IMetricMetadata = prom.MetricMetadata.$Properties;
export type MetricType = prom.MetricMetadata.MetricType;
export type ResetHint = prom.Histogram.ResetHint;

/** A remote-write 1.0 request: the second shape metrics travel in. */
export type PromWrite = IWriteRequest;

// ---- Prometheus remote-write 2.0 (io.prometheus.write.v2) -------------------
export const WriteV2Request = prw2.Request;
export const WriteV2TimeSeries = prw2.TimeSeries;
export const WriteV2Sample = prw2.Sample;
export const WriteV2Exemplar = prw2.Exemplar;
export const WriteV2Histogram = prw2.Histogram;
export const WriteV2BucketSpan = prw2.BucketSpan;
export const WriteV2Metadata = prw2.Metadata;
export const WriteV2MetricType = prw2.Metadata.MetricType;
export const WriteV2ResetHint = prw2.Histogram.ResetHint;
export type IWriteV2Request = promV2.Request.$Properties;
export type IWriteV2TimeSeries = promV2.TimeSeries.$Properties;
export type IWriteV2Sample = promV2.Sample.$Properties;
export type IWriteV2Exemplar = promV2.Exemplar.$Properties;
export type IWriteV2Histogram = promV2.Histogram.$Properties;
export type IWriteV2BucketSpan = promV2.BucketSpan.$Properties;
export type IWriteV2Metadata = promV2.Metadata.$Properties;
export type WriteV2MetricType = promV2.Metadata.MetricType;
export type WriteV2ResetHint = promV2.Histogram.ResetHint;

// ---- 64-bit integers ---------------------------------------------------------
/** The Long class the codecs produce (see the header). */
export const Long = $protobuf.util.Long as unknown as typeof LongClass;
export type Long = LongClass;
// Without it protobufjs silently decodes 64-bit fields to rounded numbers.
if (!Long) throw new Error('protobufjs could not load the "long" package: 64-bit fields would lose precision');

/** How the codecs represent every 64-bit integer field. */
export type Int64 = number | Long;

/** Exact value of a 64-bit field as a bigint (signedness as stored). */
export function int64ToBigInt(v: Int64 | null | undefined): bigint {
  if (v == null) return 0n;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  return BigInt(v.toString());
}

/** Exact decimal text of a 64-bit field, as OTLP JSON writes it. */
export function int64ToString(v: Int64 | null | undefined): string {
  if (v == null) return '0';
  return typeof v === 'number' ? String(Math.trunc(v)) : v.toString();
}

/** Value of a 64-bit field as a number: exact up to 2^53, rounded above. */
export function int64ToNumber(v: Int64 | null | undefined): number {
  if (v == null) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** True when a 64-bit field holds zero (its proto3 default). */
export function int64IsZero(v: Int64 | null | undefined): boolean {
  if (v == null) return true;
  return typeof v === 'number' ? v === 0 : v.isZero();
}
