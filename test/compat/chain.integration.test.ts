// Chained with the real collector 0.165, both ways: an application (the
// official OpenTelemetry JS SDK exporters) → collector → Tollgate → file, and
// application → Tollgate → collector → file, for traces, metrics and logs, over
// gRPC, HTTP/protobuf and HTTP/JSON from the application (gzip), and the hop
// between the gateways over OTLP/HTTP with zstd or OTLP/gRPC with gzip. What the
// last hop's file exporter wrote is compared item by item: both chains must
// write the same items, and as many as the application sent.
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/waitfor.js';
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
  type OtlpFlavor,
} from '../helpers/otlp-sdk.js';
import { listening, scratchDir, startGateway, type GatewayKind } from './gateway.js';

type SignalName = 'traces' | 'metrics' | 'logs';
type Hop = 'otlp_http zstd' | 'otlp_grpc gzip';

const RESOURCE = resourceFromAttributes({ 'service.name': 'compat-app', 'service.instance.id': 'i-1' });
const N = 20;

/** The items of OTLP JSON lines, each with its resource and scope, as sorted canonical strings. */
function items(file: string, signal: SignalName): string[] {
  if (!existsSync(file)) return [];
  const out: string[] = [];
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, canon(x)]),
          )
        : v;
  const attrs = (a: unknown) => JSON.stringify(canon(((a as { key: string }[] | undefined) ?? []).slice().sort((x, y) => x.key.localeCompare(y.key))));
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const req = JSON.parse(line) as Record<
      string,
      { resource?: { attributes?: unknown }; scopeSpans?: unknown[]; scopeMetrics?: unknown[]; scopeLogs?: unknown[] }[]
    >;
    const top = signal === 'traces' ? 'resourceSpans' : signal === 'metrics' ? 'resourceMetrics' : 'resourceLogs';
    for (const r of req[top] ?? []) {
      const res = attrs(r.resource?.attributes);
      const scopes = (r.scopeSpans ?? r.scopeMetrics ?? r.scopeLogs ?? []) as {
        scope?: { name?: string };
        spans?: unknown[];
        metrics?: unknown[];
        logRecords?: unknown[];
      }[];
      for (const s of scopes) {
        for (const it of s.spans ?? s.metrics ?? s.logRecords ?? []) {
          const o = { ...(it as Record<string, unknown>) };
          if (o.attributes) o.attributes = JSON.parse(attrs(o.attributes));
          out.push(JSON.stringify(canon({ resource: JSON.parse(res), scope: s.scope?.name, item: o })));
        }
      }
    }
  }
  return out.sort();
}

/** Records one set of items; the returned function sends that same set each time it is called. */
async function recorded(signal: SignalName): Promise<(flavor: OtlpFlavor, grpcPort: number, httpPort: number) => Promise<void>> {
  if (signal === 'traces') {
    const rec = recordingTracer(RESOURCE);
    const t = rec.tracer('compat-scope', '1.0.0');
    for (let i = 0; i < N; i++) t.startSpan(`op-${i}`, { attributes: { 'gen_ai.request.model': 'm', i, ok: i % 2 === 0, ratio: i / 3 } }).end();
    const spans = rec.finished();
    return async (flavor, grpcPort, httpPort) => {
      const exp = traceExporter(flavor, { grpcPort, httpPort, gzip: true });
      await exportOk(exp, spans);
      await shutdownAll(exp);
    };
  }
  if (signal === 'metrics') {
    const rec = recordingMeter(RESOURCE);
    const m = rec.meter('compat-scope', '1.0.0');
    const c = m.createCounter('requests', { unit: '{request}' });
    const h = m.createHistogram('latency', { unit: 's' });
    for (let i = 0; i < N; i++) {
      c.add(i + 1, { route: `r${i % 4}` });
      h.record(i / 10, { route: `r${i % 4}` });
    }
    const data = await rec.collect();
    return async (flavor, grpcPort, httpPort) => {
      const exp = metricExporter(flavor, { grpcPort, httpPort, gzip: true });
      await exportOk(exp, data);
      await shutdownAll(exp);
    };
  }
  const rec = recordingLogger(RESOURCE);
  const l = rec.logger('compat-scope', '1.0.0');
  for (let i = 0; i < N; i++) l.emit({ body: `line ${i}`, severityNumber: SeverityNumber.INFO, severityText: 'INFO', attributes: { i } });
  const logs = rec.finished();
  return async (flavor, grpcPort, httpPort) => {
    const exp = logExporter(flavor, { grpcPort, httpPort, gzip: true });
    await exportOk(exp, logs);
    await shutdownAll(exp);
  };
}

/** Expected item count in the last hop's file: spans and logs one each; metrics 2 metrics (counter, histogram). */
const EXPECTED: Record<SignalName, number> = { traces: N, metrics: 2, logs: N };

async function chain(
  first: GatewayKind,
  last: GatewayKind,
  signal: SignalName,
  flavor: OtlpFlavor,
  hop: Hop,
  send: Awaited<ReturnType<typeof recorded>>,
): Promise<string[]> {
  const dir = scratchDir(`${first}-${last}`);
  const out = join(dir, 'out.jsonl');
  const [g1, h1, g2, h2] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const tail = `service:\n  telemetry: {metrics: {level: none}}\n  pipelines:\n    ${signal}: {receivers: [otlp], exporters: [EXP]}\n`;
  const lastYaml = `receivers:\n  otlp:\n    protocols:\n      grpc: {endpoint: 127.0.0.1:${g2}}\n      http: {endpoint: 127.0.0.1:${h2}}\nexporters:\n  file: {path: ${out}}\n${tail.replace('EXP', 'file')}`;
  const exporter =
    hop === 'otlp_http zstd'
      ? `otlp_http: {endpoint: http://127.0.0.1:${h2}, compression: zstd, sending_queue: {enabled: false}}`
      : `otlp_grpc: {endpoint: 127.0.0.1:${g2}, tls: {insecure: true}, compression: gzip, sending_queue: {enabled: false}}`;
  const firstYaml = `receivers:\n  otlp:\n    protocols:\n      grpc: {endpoint: 127.0.0.1:${g1}}\n      http: {endpoint: 127.0.0.1:${h1}}\nexporters:\n  ${exporter}\n${tail.replace('EXP', exporter.split(':')[0] ?? '')}`;
  const b = await startGateway(last, lastYaml, async () => (await listening(g2)) && (await listening(h2)), dir);
  const a = await startGateway(first, firstYaml, async () => (await listening(g1)) && (await listening(h1)), dir);
  try {
    await send(flavor, g1, h1);
    await waitFor(() => items(out, signal).length >= EXPECTED[signal], `${EXPECTED[signal]} ${signal} items in ${out}`, 30_000, 100);
  } finally {
    await a.stop();
    await b.stop();
  }
  return items(out, signal);
}

describe('chained with the collector 0.165, both directions', { concurrency: 1 }, () => {
  for (const signal of ['traces', 'metrics', 'logs'] as const) {
    for (const flavor of FLAVORS) {
      const hop: Hop = flavor === 'http/json' ? 'otlp_grpc gzip' : 'otlp_http zstd';
      test(`${signal} from ${flavor} (gzip), gateways linked by ${hop}`, { timeout: 180_000 }, async () => {
        const send = await recorded(signal);
        const viaCollectorFirst = await chain('collector', 'tollgate', signal, flavor, hop, send);
        const viaTollgateFirst = await chain('tollgate', 'collector', signal, flavor, hop, send);
        assert.equal(viaCollectorFirst.length, EXPECTED[signal]);
        assert.deepEqual(viaTollgateFirst, viaCollectorFirst);
      });
    }
  }
});
