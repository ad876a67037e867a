// Sends the simulated requests as spans through the OpenTelemetry JS SDK,
// in one of the conventions the genai processor recognizes. Each replica is
// its own TracerProvider (a replica is a process with its own resource).
import { SpanKind, SpanStatusCode, context, trace, type Attributes, type HrTime, type Span } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type IdGenerator, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Convention } from '../genai/conventions.js';
import { Rng } from './rng.js';
import { ttftNs, type SimRequest } from './simulate.js';

export type Protocol = 'grpc' | 'http/protobuf' | 'http/json';

export interface EmitOptions {
  /** OTLP endpoint: `http://host:4318` (HTTP; /v1/traces is added) or `http://host:4317` (gRPC). */
  endpoint: string;
  protocol: Protocol;
  headers?: Record<string, string>;
  convention: Convention;
  /** Resource attributes naming each replica's GPUs (tollgate.gpu.model/count). */
  gpuAttributes: boolean;
  /** Sends at 1× = real time, 10× = ten times faster; 0 = as fast as the gateway takes them. */
  speed: number;
  seed: number;
  /** Deadline of one export, retries included (ms). */
  exportTimeoutMs?: number;
  onProgress?: (sent: number) => void;
}

export interface EmitResult {
  exported: number;
  failed: number;
  lastError?: string;
  /** Trace and span id (hex) of each request's span, by request index. */
  ids: Array<{ traceId: string; spanId: string }>;
}

/** Counts what the SDK managed to deliver, since the batch processor only logs failures. */
class CountingExporter implements SpanExporter {
  exported = 0;
  failed = 0;
  lastError: string | undefined;
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    this.inner.export(spans, (r) => {
      if (r.code === ExportResultCode.SUCCESS) this.exported += spans.length;
      else {
        this.failed += spans.length;
        this.lastError = r.error?.message ?? 'export failed';
      }
      done(r);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** Ids from the run's seed, so a run is reproducible to the byte. */
class SeededIds implements IdGenerator {
  constructor(private readonly rng: Rng) {}
  generateTraceId(): string {
    return Buffer.from(this.rng.bytes(16)).toString('hex');
  }
  generateSpanId(): string {
    return Buffer.from(this.rng.bytes(8)).toString('hex');
  }
}

function exporterFor(o: EmitOptions): SpanExporter {
  const headers = o.headers ?? {};
  const timeoutMillis = o.exportTimeoutMs ?? 30_000;
  const base = o.endpoint.replace(/\/+$/, '');
  if (o.protocol === 'grpc') return new GrpcExporter({ url: base, timeoutMillis });
  const url = base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
  return o.protocol === 'http/json' ? new JsonExporter({ url, headers, timeoutMillis }) : new ProtoExporter({ url, headers, timeoutMillis });
}

const hr = (ns: bigint): HrTime => [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];

/** Attributes of the request span in the chosen convention. */
function requestAttributes(r: SimRequest, conv: Convention, responseId: string): Attributes {
  const m = r.model;
  const tokens = { in: r.inputTokens, out: r.outputTokens };
  const finish = [r.finishReason];
  switch (conv) {
    case 'genai':
      return {
        'gen_ai.operation.name': m.operation,
        'gen_ai.provider.name': m.provider,
        'gen_ai.request.model': m.name,
        'gen_ai.response.model': m.name,
        'gen_ai.response.id': responseId,
        'gen_ai.response.finish_reasons': finish,
        'gen_ai.usage.input_tokens': tokens.in,
        'gen_ai.usage.output_tokens': tokens.out,
      };
    case 'genai_legacy':
      return {
        'gen_ai.operation.name': m.operation,
        'gen_ai.system': m.provider,
        'gen_ai.request.model': m.name,
        'gen_ai.response.model': m.name,
        'gen_ai.response.id': responseId,
        'gen_ai.response.finish_reasons': finish,
        'gen_ai.usage.prompt_tokens': tokens.in,
        'gen_ai.usage.completion_tokens': tokens.out,
      };
    case 'vllm': {
      const ttft = ttftNs(r);
      const a: Attributes = {
        'gen_ai.response.model': m.name,
        'gen_ai.request.id': responseId,
        'gen_ai.usage.prompt_tokens': tokens.in,
        'gen_ai.usage.completion_tokens': tokens.out,
        'gen_ai.latency.time_in_queue': r.queueNs / 1e9,
        'gen_ai.latency.e2e': (r.endNs - r.startNs) / 1e9,
        'gen_ai.latency.time_in_model_prefill': r.prefillNs / 1e9,
        'gen_ai.latency.time_in_model_decode': r.decodeNs / 1e9,
      };
      if (ttft !== undefined) a['gen_ai.latency.time_to_first_token'] = ttft / 1e9;
      return a;
    }
    case 'openinference':
      return {
        'openinference.span.kind': 'LLM',
        'llm.model_name': m.name,
        'llm.provider': m.provider,
        'llm.token_count.prompt': tokens.in,
        'llm.token_count.completion': tokens.out,
        'llm.token_count.total': tokens.in + tokens.out,
      };
  }
}

function spanName(r: SimRequest, conv: Convention): string {
  if (conv === 'vllm') return 'llm_request';
  if (conv === 'openinference') return 'ChatCompletion';
  return `${r.model.operation} ${r.model.name}`;
}

/**
 * Emits every request (in the order they end, as a server would report
 * them), paced by `speed`, and waits until the SDK has exported them all.
 * `baseNs` is the Unix time of the timeline's zero.
 */
export async function emitRequests(requests: readonly SimRequest[], baseNs: bigint, o: EmitOptions): Promise<EmitResult> {
  const rng = new Rng(o.seed ^ 0x5eed);
  const ids: EmitResult['ids'] = new Array(requests.length);
  const counters: CountingExporter[] = [];
  const providers = new Map<string, BasicTracerProvider>();
  const providerFor = (r: SimRequest): BasicTracerProvider => {
    let p = providers.get(r.replica);
    if (p) return p;
    const res: Attributes = {
      'service.name': 'llm-serving',
      'service.instance.id': r.replica,
      'host.name': `gpu-node-${r.replica}`,
    };
    if (o.gpuAttributes) {
      res['tollgate.gpu.model'] = r.model.gpu.model;
      res['tollgate.gpu.count'] = r.model.gpu.count;
    }
    const exporter = new CountingExporter(exporterFor(o));
    counters.push(exporter);
    p = new BasicTracerProvider({
      resource: resourceFromAttributes(res),
      idGenerator: new SeededIds(rng),
      spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 100_000, maxExportBatchSize: 1000, scheduledDelayMillis: 100 })],
    });
    providers.set(r.replica, p);
    return p;
  };
  // Create every provider up front so ids do not depend on the pacing.
  for (const r of requests) providerFor(r);

  const order = [...requests].sort((a, b) => a.endNs - b.endNs || a.index - b.index);
  const wallStart = Date.now();
  const firstEnd = order.length ? order[0]!.endNs : 0;
  let sent = 0;
  for (const r of order) {
    if (o.speed > 0) {
      const due = wallStart + (r.endNs - firstEnd) / 1e6 / o.speed;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    }
    ids[r.index] = emitOne(providerFor(r).getTracer('tollgate-loadgen'), r, baseNs, o.convention);
    sent++;
    o.onProgress?.(sent);
    // Bound the SDK's queue: the batch processor drops spans once it is full.
    if (sent % 5000 === 0) await flushAll(providers.values());
  }
  await flushAll(providers.values());
  await Promise.all([...providers.values()].map((p) => p.shutdown().catch(() => undefined)));
  const exported = counters.reduce((s, c) => s + c.exported, 0);
  const failed = counters.reduce((s, c) => s + c.failed, 0);
  const lastError = counters.map((c) => c.lastError).find((e) => e !== undefined);
  return { exported, failed, lastError, ids };
}

/** Waits for every queued span to be exported; failures are counted by CountingExporter, not thrown. */
async function flushAll(providers: Iterable<BasicTracerProvider>): Promise<void> {
  await Promise.all([...providers].map((p) => p.forceFlush().catch(() => undefined)));
}

function emitOne(tracer: ReturnType<BasicTracerProvider['getTracer']>, r: SimRequest, baseNs: bigint, conv: Convention): { traceId: string; spanId: string } {
  const start = baseNs + BigInt(r.startNs);
  const end = baseNs + BigInt(r.endNs);
  const ttft = ttftNs(r);
  const firstToken = ttft === undefined ? undefined : start + BigInt(ttft);
  const kind = conv === 'openinference' ? SpanKind.INTERNAL : SpanKind.SERVER;
  const span: Span = tracer.startSpan(spanName(r, conv), { kind, startTime: hr(start) });
  const { traceId, spanId } = span.spanContext();
  span.setAttributes(requestAttributes(r, conv, `resp-${spanId}`));
  if (r.error) {
    span.setAttribute('error.type', r.error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: `request failed: ${r.error}` });
  }
  if (conv === 'genai') {
    // Phases as child spans: queue, prefill (ends with the first token), decode.
    const ctx = trace.setSpan(context.active(), span);
    const child = (name: string, a: bigint, b: bigint) => tracer.startSpan(name, { kind: SpanKind.INTERNAL, startTime: hr(a) }, ctx).end(hr(b));
    const queued = start + BigInt(r.queueNs);
    child('queue', start, queued);
    if (firstToken !== undefined) {
      child('prefill', queued, firstToken);
      child('decode', firstToken, end);
    }
  } else if ((conv === 'genai_legacy' || conv === 'openinference') && firstToken !== undefined) {
    span.addEvent(conv === 'genai_legacy' ? 'gen_ai.first_token' : 'first_token', hr(firstToken));
  }
  span.end(hr(end));
  return { traceId, spanId };
}
