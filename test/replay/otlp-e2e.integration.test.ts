import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  FLAVORS,
  exportOk,
  logExporter,
  metricExporter,
  recordingLogger,
  recordingMeter,
  recordingTracer,
  shutdownAll,
  traceExporter,
} from '../helpers/otlp-sdk.js';
import { replay, tollgate } from './cli.js';
import { fileGateway } from './synth.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-replay-otlp-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Capture → replay → file exporter. A gateway with `capture` on its otlp
 * receiver takes traffic from the official OpenTelemetry SDK exporters over
 * gRPC, HTTP/protobuf and HTTP/JSON (gzip too) and writes it with the file
 * exporter. Its capture is then replayed into fresh gateways, over HTTP and
 * over gRPC: their file exporters must write exactly what the first one did.
 */
test('capture → replay into a fresh Tollgate → file exporter output identical to the original gateway\'s', { timeout: 90_000 }, async () => {
  const capDir = join(dir, 'capture');
  const original = await fileGateway(dir, 'original', { capture: { path: join(capDir, 'otlp.tgcap'), headers: ['x-team'] } });
  const resource = resourceFromAttributes({ 'service.name': 'chat-api', 'service.instance.id': 'pod-1' });
  const tracer = recordingTracer(resource);
  const meter = recordingMeter(resource);
  const logger = recordingLogger(resource);
  let originalText: string;
  try {
    const t = tracer.tracer('replay-test', '1.0.0');
    for (let i = 0; i < 3; i++) {
      const s = t.startSpan(`chat gpt-4o #${i}`, { kind: SpanKind.CLIENT, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 100 + i } });
      s.addEvent('gen_ai.evaluation.result', { 'gen_ai.evaluation.score': 0.5 + i / 10 });
      s.setStatus({ code: i === 2 ? SpanStatusCode.ERROR : SpanStatusCode.OK });
      s.end();
    }
    const m = meter.meter('replay-test');
    const tokens = m.createHistogram('gen_ai.client.token.usage', { unit: '{token}' });
    const reqs = m.createCounter('app.requests');
    tokens.record(120, { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.token.type': 'input' });
    tokens.record(33, { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.token.type': 'output' });
    reqs.add(5, { route: '/chat' });
    const l = logger.logger('replay-test');
    l.emit({ severityNumber: SeverityNumber.INFO, body: 'request served', attributes: { 'gen_ai.request.model': 'gpt-4o' } });
    l.emit({ severityNumber: SeverityNumber.WARN, body: { structured: true, n: 3 } as never });

    const target = { grpcPort: original.grpcPort, httpPort: original.httpPort, headers: { 'x-team': 'payments', authorization: 'Bearer do-not-capture' } };
    // One flavour after another (each export awaited), so the arrival order is the processing order.
    for (const flavor of FLAVORS) {
      for (const gzip of flavor === 'grpc' ? [false] : [false, true]) {
        const te = traceExporter(flavor, { ...target, gzip });
        const me = metricExporter(flavor, { ...target, gzip });
        const le = logExporter(flavor, { ...target, gzip });
        await exportOk(te, tracer.finished());
        await exportOk(me, await meter.collect());
        await exportOk(le, logger.finished());
        await shutdownAll(te, me, le);
      }
    }
    originalText = await original.stopAndRead();
  } finally {
    await original.stop();
    await Promise.all([tracer.shutdown(), meter.shutdown(), logger.shutdown()]);
  }
  const lines = originalText.split('\n').filter(Boolean);
  assert.equal(lines.length, 15, 'five transports × three signals reached the original file exporter');
  assert.equal(readdirSync(capDir).length, 1);

  const inspect = await tollgate(['capture', 'inspect', capDir, '--json']);
  assert.equal(inspect.code, 0, inspect.stderr);
  const rep = JSON.parse(inspect.stdout) as { requests: number; byProtocol: Record<string, number>; topModels: Array<{ model: string }> };
  assert.equal(rep.requests, 15);
  assert.deepEqual(rep.byProtocol, { otlp_grpc: 3, otlp_http: 12 });
  assert.equal(rep.topModels[0]!.model, 'gpt-4o');

  for (const via of ['http', 'grpc'] as const) {
    const fresh = await fileGateway(dir, `replayed-${via}`);
    try {
      const url = via === 'http' ? `http://127.0.0.1:${fresh.httpPort}` : `grpc://127.0.0.1:${fresh.grpcPort}`;
      const r = await replay([capDir, '--target', url, '--concurrency', '1']);
      assert.equal(r.code, 0, `${via}: ${r.stderr}\n${JSON.stringify(r.summary)}`);
      assert.equal(r.summary.requests.sent, 15);
      assert.equal(r.summary.requests.accepted, 15);
      assert.equal(await fresh.stopAndRead(), originalText, `replay over ${via}: the file exporter wrote something else`);
    } finally {
      await fresh.stop();
    }
  }
});
