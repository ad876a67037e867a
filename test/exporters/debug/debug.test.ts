import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { debugExporterFactory } from '../../../src/exporters/debug/factory.js';
import { createSampler } from '../../../src/exporters/debug/sampler.js';
import type { DebugConfig } from '../../../src/exporters/debug/config.js';
import type { Signal } from '../../../src/component/signal.js';
import { validateAgainst } from '../../../src/config/validate.js';
import { decodeJSON, encodeJSON, logsFromJSON, metricsFromJSON, tracesFromJSON } from '../../../src/pdata/otlpjson.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { captureLogger } from '../../helpers/capturelogger.js';
import { metricValue } from '../../helpers/telemetry.js';

const HOST = { health: () => 'ok' as const };
const fixture = <S extends Signal>(s: S) => decodeJSON(s, readFileSync(new URL(`../../../../test/fixtures/otlp/${s}.json`, import.meta.url), 'utf8'));

function config(over: Partial<DebugConfig> = {}): DebugConfig {
  const cfg: any = { ...over };
  assert.deepEqual(validateAgainst(debugExporterFactory.schema, cfg, 'exporters.debug'), []);
  return cfg;
}

async function run(signal: Signal, data: unknown, cfg: DebugConfig) {
  const { logger, lines } = captureLogger();
  const telemetry = new SelfTelemetry({ processMetrics: false });
  const exp = debugExporterFactory.create[signal]!({ id: 'debug', kind: 'exporter', logger, telemetry }, cfg);
  await exp.start(HOST);
  await exp.consume(data as any, {});
  await exp.shutdown();
  return { lines, telemetry };
}

const spanNames = (t: any): string[] => t.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans.map((s: any) => s.name)));

test('defaults are the collector debug exporter defaults', () => {
  assert.deepEqual(config(), { verbosity: 'basic', sampling_initial: 2, sampling_thereafter: 1, use_internal_logger: true });
});

test('basic: one line per batch with the counts, under the collector field names', async () => {
  const traces = fixture('traces');
  const { lines, telemetry } = await run('traces', traces, config());
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.msg, 'Traces');
  assert.equal(lines[0]!['resource spans'], traces.resourceSpans!.length);
  assert.equal(lines[0]!.spans, spanNames(traces).length);
  assert.equal(await metricValue(telemetry, 'otelcol_exporter_sent_spans', { exporter: 'debug' }), spanNames(traces).length);
});

test('normal: one line per span after the summary', async () => {
  const traces = fixture('traces');
  const { lines } = await run('traces', traces, config({ verbosity: 'normal' }));
  const spans = lines.filter((l) => l.msg === 'span');
  assert.deepEqual(spans.map((l) => l.name), spanNames(traces));
  assert.match(spans[0]!.trace_id, /^[0-9a-f]{32}$/);
  assert.equal(lines.length, 1 + spans.length);
});

test('detailed: each span as a complete OTLP JSON request that decodes back to it', async () => {
  const traces = fixture('traces');
  const { lines } = await run('traces', traces, config({ verbosity: 'detailed' }));
  const spans = lines.filter((l) => l.msg === 'span');
  assert.equal(spans.length, spanNames(traces).length);
  const first = tracesFromJSON(spans[0]!.otlp);
  const rs0 = traces.resourceSpans![0]!;
  const expected = { resourceSpans: [{ ...rs0, scopeSpans: [{ ...rs0.scopeSpans![0]!, spans: [rs0.scopeSpans![0]!.spans![0]!] }] }] };
  assert.equal(encodeJSON('traces', first), encodeJSON('traces', expected));
});

test('normal and detailed: metrics log one line per data point, logs one per record', async () => {
  const metrics = fixture('metrics');
  const m = await run('metrics', metrics, config({ verbosity: 'detailed' }));
  assert.equal(m.lines[0]!.msg, 'Metrics');
  const points = m.lines.filter((l) => l.msg === 'data point');
  assert.equal(points.length, m.lines[0]!['data points']);
  for (const p of points) assert.equal(metricsFromJSON(p.otlp).resourceMetrics!.length, 1);

  const logs = fixture('logs');
  const l = await run('logs', logs, config({ verbosity: 'normal' }));
  assert.equal(l.lines[0]!.msg, 'Logs');
  assert.equal(l.lines.filter((x) => x.msg === 'log record').length, l.lines[0]!['log records']);
  void logsFromJSON;
});

test('remote-write metrics: summary and one line per sample, labels by name', async () => {
  const prw = {
    format: 'prw' as const,
    request: {
      timeseries: [
        { labels: [{ name: '__name__', value: 'vllm:num_requests_running' }, { name: 'model_name', value: 'llama' }], samples: [{ value: 3, timestamp: 1000 }, { value: NaN, timestamp: 2000 }] },
      ],
    },
  };
  const { lines } = await run('metrics', prw, config({ verbosity: 'normal' }));
  assert.equal(lines[0]!['data points'], 2);
  const samples = lines.filter((l) => l.msg === 'sample');
  assert.deepEqual(samples.map((s) => [s.labels.model_name, s.value, s.timestamp]), [
    ['llama', 3, '1000'],
    ['llama', 'NaN', '2000'],
  ]);
});

test('sampling: the first sampling_initial batches of a second, then every sampling_thereafter-th', async () => {
  let now = 5000;
  const sample = createSampler(2, 3, () => now);
  const seq = Array.from({ length: 8 }, () => sample());
  assert.deepEqual(seq, [true, true, false, false, true, false, false, true]);
  now = 6000;
  assert.equal(sample(), true);

  // Through the exporter: 5 batches in one go with initial 1, thereafter 100 → one summary line.
  const { logger, lines } = captureLogger();
  const exp = debugExporterFactory.create.logs!({ id: 'debug', kind: 'exporter', logger, telemetry: new SelfTelemetry({ processMetrics: false }) }, config({ sampling_initial: 1, sampling_thereafter: 100 }));
  await exp.start(HOST);
  for (let i = 0; i < 5; i++) await exp.consume(fixture('logs'), {});
  await exp.shutdown();
  // A second boundary may fall inside the loop, letting one more through.
  assert.ok(lines.length >= 1 && lines.length <= 2, `logged ${lines.length} of 5 batches`);
});
