// What an instrumented inference service records through the OpenTelemetry
// SDK: spans (server + client children, events, links, error status), metrics
// of every instrument kind, and log records with string and map bodies.
import { SpanKind, SpanStatusCode, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { recordingLogger, recordingMeter, recordingTracer } from '../helpers/otlp-sdk.js';

export function makeSpans(): ReadableSpan[] {
  const rec = recordingTracer(resourceFromAttributes({ 'service.name': 'inference-api', 'deployment.environment': 'test', 'host.cores': 8 }));
  const tracer = rec.tracer('tollgate.test.kafka', '0.1.0');
  for (let t = 0; t < 20; t++) {
    const root = tracer.startSpan(`POST /v1/chat/completions ${t}`, {
      kind: SpanKind.SERVER,
      attributes: { 'gen_ai.request.model': `model-${t % 3}`, 'gen_ai.usage.input_tokens': 100 + t, 'gen_ai.temperature': 0.5 + t / 100, stream: t % 2 === 0, tags: ['a', `t${t}`] },
      startTime: [1_700_000_000 + t, 1_000],
    });
    root.addEvent('gen_ai.content.prompt', { 'event.index': t }, [1_700_000_000 + t, 2_000]);
    const ctx = trace.setSpan(ROOT_CONTEXT, root);
    for (let c = 0; c < 4; c++) {
      const child = tracer.startSpan(`step-${c}`, { kind: SpanKind.CLIENT, attributes: { 'step.n': c }, startTime: [1_700_000_000 + t, 3_000 + c] }, ctx);
      if (c === 3) child.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream 503' });
      child.end([1_700_000_000 + t, 9_000 + c]);
    }
    root.end([1_700_000_001 + t, 0]);
  }
  const other = rec.tracer('second-scope').startSpan('cache.lookup', { links: [{ context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 }, attributes: { why: 'retry' } }] });
  other.end();
  return rec.finished();
}

export async function makeMetrics(): Promise<ResourceMetrics> {
  const rec = recordingMeter(resourceFromAttributes({ 'service.name': 'inference-api', 'k8s.pod.name': 'vllm-0' }));
  const meter = rec.meter('tollgate.test.kafka');
  const tokens = meter.createCounter('gen_ai.client.token.usage.total', { unit: '{token}' });
  const running = meter.createUpDownCounter('vllm.num_requests_running');
  const latency = meter.createHistogram('gen_ai.client.operation.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.01, 0.1, 1, 10] } });
  const util = meter.createGauge('gpu.utilization', { unit: '1' });
  for (let i = 0; i < 10; i++) {
    const attrs = { 'gen_ai.request.model': `model-${i % 4}`, 'gen_ai.token.type': i % 2 ? 'input' : 'output' };
    tokens.add(10 * i + 1, attrs);
    running.add(i % 3 - 1, { 'model_name': `model-${i % 4}` });
    latency.record(0.005 * (i + 1) ** 2, attrs);
    util.record(i / 10, { gpu: String(i % 2) });
  }
  const out = await rec.collect();
  await rec.shutdown();
  return out;
}

export function makeLogs(): ReadableLogRecord[] {
  const rec = recordingLogger(resourceFromAttributes({ 'service.name': 'inference-api' }));
  const logger = rec.logger('tollgate.test.kafka');
  for (let i = 0; i < 30; i++) {
    logger.emit({
      severityNumber: i % 2 ? SeverityNumber.WARN : SeverityNumber.INFO,
      severityText: i % 2 ? 'WARN' : 'INFO',
      body: i % 3 === 0 ? { event: 'request', n: i, nested: { ok: true } } : `log line ${i} ✓`,
      attributes: { 'log.index': i, 'log.ratio': i / 7 },
      timestamp: [1_700_000_100 + i, 500],
    });
  }
  return rec.finished();
}

