// The official OpenTelemetry JS SDK as a test client: exporters of every
// OTLP flavour, and providers that keep what the application produced so a
// test can compare it with what the gateway received.
import * as grpc from '@grpc/grpc-js';
import type { LoggerOptions } from '@opentelemetry/api-logs';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPLogExporter as LogsGrpc } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as LogsJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as LogsProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as MetricsGrpc } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as MetricsJson } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as MetricsProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as TraceGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as TraceJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as TraceProto } from '@opentelemetry/exporter-trace-otlp-proto';
import type { Resource } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/** The three OTLP transports the SDKs offer. */
export type OtlpFlavor = 'grpc' | 'http/protobuf' | 'http/json';
export const FLAVORS: readonly OtlpFlavor[] = ['grpc', 'http/protobuf', 'http/json'];

export interface Target {
  grpcPort: number;
  httpPort: number;
  host?: string;
  /** Compress requests with gzip. */
  gzip?: boolean;
  /** Extra HTTP headers / gRPC metadata. */
  headers?: Record<string, string>;
  /** Per-export timeout (ms). */
  timeoutMillis?: number;
  /** gRPC channel credentials (TLS); HTTP agent options (TLS). */
  grpcCredentials?: grpc.ChannelCredentials;
  httpAgentOptions?: { ca?: Buffer | string };
  scheme?: 'http' | 'https';
  /** HTTP path instead of the signal's default (/v1/traces, ...). */
  urlPath?: string;
}

type Compression = NonNullable<ConstructorParameters<typeof TraceJson>[0]>['compression'];

function common(t: Target, flavor: OtlpFlavor, path: string) {
  const host = t.host ?? '127.0.0.1';
  const scheme = t.scheme ?? 'http';
  const compression = (t.gzip ? 'gzip' : 'none') as Compression;
  if (flavor === 'grpc') {
    const metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(t.headers ?? {})) metadata.set(k, v);
    return {
      url: `${scheme}://${host}:${t.grpcPort}`,
      compression,
      metadata,
      timeoutMillis: t.timeoutMillis ?? 10_000,
      ...(t.grpcCredentials ? { credentials: t.grpcCredentials } : {}),
    };
  }
  return {
    url: `${scheme}://${host}:${t.httpPort}${t.urlPath ?? path}`,
    compression,
    headers: t.headers ?? {},
    timeoutMillis: t.timeoutMillis ?? 10_000,
    ...(t.httpAgentOptions ? { httpAgentOptions: t.httpAgentOptions } : {}),
  };
}

export function traceExporter(flavor: OtlpFlavor, t: Target): SpanExporter {
  const c = common(t, flavor, '/v1/traces') as any;
  return flavor === 'grpc' ? new TraceGrpc(c) : flavor === 'http/protobuf' ? new TraceProto(c) : new TraceJson(c);
}

export function metricExporter(flavor: OtlpFlavor, t: Target, temporality = AggregationTemporality.CUMULATIVE): PushMetricExporter {
  const c = { ...(common(t, flavor, '/v1/metrics') as any), temporalityPreference: temporality };
  return flavor === 'grpc' ? new MetricsGrpc(c) : flavor === 'http/protobuf' ? new MetricsProto(c) : new MetricsJson(c);
}

export function logExporter(flavor: OtlpFlavor, t: Target): LogRecordExporter {
  const c = common(t, flavor, '/v1/logs') as any;
  return flavor === 'grpc' ? new LogsGrpc(c) : flavor === 'http/protobuf' ? new LogsProto(c) : new LogsJson(c);
}

/** One export call through an SDK exporter, as a promise of its result. */
export function exportOnce<T>(exporter: { export(items: T, cb: (r: ExportResult) => void): void }, items: T): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(items, resolve));
}

/** Like exportOnce, but fails with the exporter's error when the export was not a success. */
export async function exportOk<T>(exporter: { export(items: T, cb: (r: ExportResult) => void): void }, items: T): Promise<void> {
  const r = await exportOnce(exporter, items);
  if (r.code !== ExportResultCode.SUCCESS) throw new Error(`export failed: ${r.error?.message ?? 'unknown error'}`);
}

/** A tracer whose finished spans are kept in memory (then sent by the test with any exporter). */
export function recordingTracer(resource: Resource) {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(memory)] });
  return {
    provider,
    tracer: (name: string, version?: string, schemaUrl?: string) => provider.getTracer(name, version, schemaUrl ? { schemaUrl } : undefined),
    finished: (): ReadableSpan[] => memory.getFinishedSpans(),
    shutdown: () => provider.shutdown(),
  };
}

/** Collects on demand: the test decides when a collection is taken and where it goes. */
class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export function recordingMeter(resource: Resource, views: ViewOptions[] = [], temporality = AggregationTemporality.CUMULATIVE) {
  const reader = new OnDemandReader({ aggregationTemporalitySelector: () => temporality });
  const provider = new MeterProvider({ resource, readers: [reader], views });
  return {
    provider,
    meter: (name: string, version?: string, schemaUrl?: string) => provider.getMeter(name, version, schemaUrl ? { schemaUrl } : undefined),
    collect: async (): Promise<ResourceMetrics> => {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length) throw errors[0];
      return resourceMetrics;
    },
    shutdown: () => provider.shutdown(),
  };
}

export function recordingLogger(resource: Resource) {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
  return {
    provider,
    logger: (name: string, version?: string, options?: LoggerOptions) => provider.getLogger(name, version, options),
    finished: (): ReadableLogRecord[] => memory.getFinishedLogRecords(),
    shutdown: () => provider.shutdown(),
  };
}

/** Shuts down exporters (closing their gRPC channels / HTTP agents). */
export async function shutdownAll(...exporters: Array<{ shutdown(): Promise<void> }>): Promise<void> {
  await Promise.all(exporters.map((e) => e.shutdown()));
}
