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
import type { EmittedConvention } from '../genai/conventions.js';
import { Rng } from './rng.js';
import { ttftNs, type SimRequest } from './simulate.js';

export type Protocol = 'grpc' | 'http/protobuf' | 'http/json';

export interface EmitOptions {
  /** OTLP endpoint: `http://host:4318` (HTTP; /v1/traces is added) or `http://host:4317` (gRPC). */
  endpoint: string;
  protocol: Protocol;
  headers?: Record<string, string>;
  convention: EmittedConvention;
  /** Resource attributes naming each replica's GPUs (tollgate.gpu.model/count). */
  gpuAttributes: boolean;
  /** Sends at 1× = real time, 10× = ten times faster; 0 = as fast as the gateway takes them. */
  speed: number;
  seed: number;
  /** Seconds: each span is exported a random 0–exportJitter s after it ends. */
  exportJitter?: number;
  /** Span attribute carrying a request's tenant. */
  tenantAttribute?: string;
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

/** The convention a request is emitted in: API models are an application's CLIENT spans in the current GenAI names. */
function conventionOf(r: SimRequest, conv: EmittedConvention): EmittedConvention {
  return r.model.api ? 'genai' : conv;
}

/** vLLM's finish reason strings (vllm/v1/engine/__init__.py FINISH_REASON_STRINGS). */
const VLLM_FINISH: Record<SimRequest['finishReason'], string> = { stop: 'stop', length: 'length', error: 'error' };

/**
 * What vLLM's own tracing writes on its `llm_request` span, attribute for
 * attribute: vllm/v1/engine/output_processor.py, OutputProcessor.do_tracing,
 * at vLLM commit d07822605346f767b672503c9aae85aa23ef2d82 (names from
 * vllm/tracing/utils.py SpanAttributes at 0bf3270fe12361d1f31f8955f17e5bc5dde6780e).
 * No model, provider or operation: vLLM sets none. Request parameters are
 * written only when truthy (top_p, max_tokens, temperature, n). A request
 * that produced no token still gets a time to first token of 0.0 (the
 * default of RequestStateStats.first_token_latency) and, since its
 * first_token_ts is 0, a prefill time of −scheduled_ts and an inference time
 * of −scheduled_ts: vLLM computes them as differences of wall-clock stamps.
 */
function vllmAttributes(r: SimRequest, baseNs: bigint, requestId: string): Attributes {
  const s = (ns: number) => ns / 1e9;
  const scheduledTs = Number(baseNs + BigInt(r.startNs + r.queueNs)) / 1e9;
  const produced = r.outputTokens > 0;
  const prefill = produced ? s(r.prefillNs) : -scheduledTs;
  const decode = produced ? s(r.decodeNs) : 0;
  return {
    'gen_ai.latency.time_to_first_token': produced ? s(r.queueNs + r.prefillNs) : 0,
    'gen_ai.latency.e2e': s(r.endNs - r.startNs),
    'gen_ai.latency.time_in_queue': s(r.queueNs),
    'gen_ai.usage.prompt_tokens': r.inputTokens,
    'gen_ai.usage.completion_tokens': r.outputTokens,
    'gen_ai.latency.time_in_model_prefill': prefill,
    'gen_ai.latency.time_in_model_decode': decode,
    'gen_ai.latency.time_in_model_inference': produced ? prefill + decode : -scheduledTs,
    'gen_ai.request.id': requestId,
    'gen_ai.response.finish_reasons': JSON.stringify([VLLM_FINISH[r.finishReason]]),
    'gen_ai.request.top_p': 0.95,
    'gen_ai.request.max_tokens': r.model.output_tokens.max,
    'gen_ai.request.temperature': 0.7,
    'gen_ai.request.n': 1,
  };
}

/** Attributes of the request span in the chosen convention. */
function requestAttributes(r: SimRequest, conv: EmittedConvention, responseId: string, baseNs: bigint, tenantKey: string): Attributes {
  const m = r.model;
  const tokens = { in: r.inputTokens, out: r.outputTokens };
  const finish = [r.finishReason];
  let a: Attributes;
  switch (conv) {
    case 'genai':
      a = {
        'gen_ai.operation.name': m.operation,
        'gen_ai.provider.name': m.provider,
        'gen_ai.request.model': m.name,
        'gen_ai.response.model': m.name,
        'gen_ai.response.id': responseId,
        'gen_ai.response.finish_reasons': finish,
        'gen_ai.usage.input_tokens': tokens.in,
        'gen_ai.usage.output_tokens': tokens.out,
      };
      if (r.cacheReadTokens > 0) a['gen_ai.usage.cache_read.input_tokens'] = r.cacheReadTokens;
      if (r.cacheCreationTokens > 0) a['gen_ai.usage.cache_creation.input_tokens'] = r.cacheCreationTokens;
      if (r.reasoningTokens > 0) a['gen_ai.usage.reasoning.output_tokens'] = r.reasoningTokens;
      if (m.api) a['gen_ai.request.stream'] = true;
      break;
    case 'genai_legacy':
      a = {
        'gen_ai.operation.name': m.operation,
        'gen_ai.system': m.provider,
        'gen_ai.request.model': m.name,
        'gen_ai.response.model': m.name,
        'gen_ai.response.id': responseId,
        'gen_ai.response.finish_reasons': finish,
        'gen_ai.usage.prompt_tokens': tokens.in,
        'gen_ai.usage.completion_tokens': tokens.out,
      };
      break;
    case 'vllm':
      a = vllmAttributes(r, baseNs, responseId);
      break;
    case 'openinference':
      a = {
        'openinference.span.kind': 'LLM',
        'llm.model_name': m.name,
        'llm.provider': m.provider,
        'llm.token_count.prompt': tokens.in,
        'llm.token_count.completion': tokens.out,
        'llm.token_count.total': tokens.in + tokens.out,
      };
      if (r.cacheReadTokens > 0) a['llm.token_count.prompt_details.cache_read'] = r.cacheReadTokens;
      if (r.cacheCreationTokens > 0) a['llm.token_count.prompt_details.cache_write'] = r.cacheCreationTokens;
      if (r.reasoningTokens > 0) a['llm.token_count.completion_details.reasoning'] = r.reasoningTokens;
      break;
  }
  if (r.tenant !== undefined) a[tenantKey] = r.tenant;
  return a;
}

function spanName(r: SimRequest, conv: EmittedConvention): string {
  if (conv === 'vllm') return 'llm_request';
  if (conv === 'openinference') return 'ChatCompletion';
  return `${r.model.operation} ${r.model.name}`;
}

/** A replica's resource: the process that served (or, for an API model, made) the calls. */
function resourceOf(r: SimRequest, o: EmitOptions, rng: Rng): Attributes {
  const conv = conventionOf(r, o.convention);
  if (r.model.api) return { 'service.name': r.model.service_name ?? 'chat-app', 'service.instance.id': r.replica };
  let res: Attributes;
  if (conv === 'vllm') {
    // vllm/tracing/otel.py init_tracer: Resource.create({vllm.instrumenting_module_name, vllm.process_id}),
    // which adds service.name from OTEL_SERVICE_NAME; the pod name is what a Kubernetes deployment
    // sets through OTEL_RESOURCE_ATTRIBUTES (vLLM itself names no instance).
    res = {
      'service.name': r.model.service_name ?? 'vllm',
      'vllm.instrumenting_module_name': 'vllm.llm_engine',
      'vllm.process_id': String(1000 + rng.int(60000)),
      'k8s.pod.name': r.replica,
    };
  } else {
    res = { 'service.name': r.model.service_name ?? 'llm-serving', 'service.instance.id': r.replica, 'host.name': `gpu-node-${r.replica}` };
  }
  if (o.gpuAttributes && r.model.gpu) {
    res['tollgate.gpu.model'] = r.model.gpu.model;
    res['tollgate.gpu.count'] = r.model.gpu.count;
  }
  return res;
}

/**
 * Emits every request (in the order they end, as a server would report
 * them, each delayed by up to `exportJitter` s when set), paced by `speed`,
 * and waits until the SDK has exported them all. `baseNs` is the Unix time
 * of the timeline's zero.
 */
export async function emitRequests(requests: readonly SimRequest[], baseNs: bigint, o: EmitOptions): Promise<EmitResult> {
  const rng = new Rng(o.seed ^ 0x5eed);
  const ids: EmitResult['ids'] = new Array(requests.length);
  const counters: CountingExporter[] = [];
  const providers = new Map<string, BasicTracerProvider>();
  const providerFor = (r: SimRequest): BasicTracerProvider => {
    let p = providers.get(r.replica);
    if (p) return p;
    const exporter = new CountingExporter(exporterFor(o));
    counters.push(exporter);
    p = new BasicTracerProvider({
      resource: resourceFromAttributes(resourceOf(r, o, rng)),
      idGenerator: new SeededIds(rng),
      spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 100_000, maxExportBatchSize: 1000, scheduledDelayMillis: 100 })],
    });
    providers.set(r.replica, p);
    return p;
  };
  // Create every provider up front so ids do not depend on the pacing.
  for (const r of requests) providerFor(r);

  const jitter = new Rng(o.seed ^ 0x7177e5);
  const order = requests
    .map((r) => ({ r, sendNs: r.endNs + (o.exportJitter ? Math.round(jitter.next() * o.exportJitter * 1e9) : 0) }))
    .sort((a, b) => a.sendNs - b.sendNs || a.r.index - b.r.index);
  const wallStart = Date.now();
  const firstSend = order[0]?.sendNs ?? 0;
  let sent = 0;
  for (const { r, sendNs } of order) {
    if (o.speed > 0) {
      const due = wallStart + (sendNs - firstSend) / 1e6 / o.speed;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    }
    const conv = conventionOf(r, o.convention);
    const tracer = providerFor(r).getTracer(conv === 'vllm' ? 'vllm.tracing.otel' : 'tollgate-loadgen');
    ids[r.index] = emitOne(tracer, r, baseNs, conv, o.tenantAttribute ?? 'tenant.id');
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

function emitOne(
  tracer: ReturnType<BasicTracerProvider['getTracer']>,
  r: SimRequest,
  baseNs: bigint,
  conv: EmittedConvention,
  tenantKey: string,
): { traceId: string; spanId: string } {
  const start = baseNs + BigInt(r.startNs);
  const end = baseNs + BigInt(r.endNs);
  const ttft = ttftNs(r);
  const firstToken = ttft === undefined ? undefined : start + BigInt(ttft);
  const kind = r.model.api ? SpanKind.CLIENT : conv === 'openinference' ? SpanKind.INTERNAL : SpanKind.SERVER;
  const span: Span = tracer.startSpan(spanName(r, conv), { kind, startTime: hr(start) });
  const { traceId, spanId } = span.spanContext();
  const responseId = conv === 'vllm' ? `chatcmpl-${spanId}${traceId.slice(0, 16)}` : `resp-${spanId}`;
  span.setAttributes(requestAttributes(r, conv, responseId, baseNs, tenantKey));
  // vLLM sets no status and no error.type: a failure is its finish reason "error".
  if (r.error && conv !== 'vllm') {
    span.setAttribute('error.type', r.error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: `request failed: ${r.error}` });
  }
  if (conv === 'genai' && !r.model.api) {
    // Phases as child spans: queue, prefill (ends with the first token), decode.
    const ctx = trace.setSpan(context.active(), span);
    const child = (name: string, a: bigint, b: bigint) => tracer.startSpan(name, { kind: SpanKind.INTERNAL, startTime: hr(a) }, ctx).end(hr(b));
    const queued = start + BigInt(r.queueNs);
    child('queue', start, queued);
    if (firstToken !== undefined) {
      child('prefill', queued, firstToken);
      child('decode', firstToken, end);
    }
  } else if (firstToken !== undefined && conv !== 'vllm') {
    // The first token as an event: what client instrumentations of streaming calls record.
    span.addEvent(conv === 'genai_legacy' ? 'gen_ai.first_token' : conv === 'openinference' ? 'first_token' : 'gen_ai.first_token', hr(firstToken));
  }
  span.end(hr(end));
  return { traceId, spanId };
}
