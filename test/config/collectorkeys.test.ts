// Collector 0.165 config shapes Tollgate accepts: current and deprecated
// component names, settings accepted with no effect (reported, never silent),
// self-metrics readers and `level: none`, the file_storage extension behind
// sending_queue.storage, and the compatibility report.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { factoriesByKind } from '../../src/components.js';
import { collectorCompat } from '../../src/config/compat.js';
import { parseConfigText } from '../../src/config/load.js';
import { metricsListeners } from '../../src/config/telemetry.js';
import { validateConfig } from '../../src/config/validate.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-collectorkeys-'));
const check = (yaml: string) => validateConfig(parseConfigText(yaml, 'test'), factoriesByKind());

const PIPE = (exp: string) => `receivers: {otlp: {protocols: {grpc: {endpoint: 127.0.0.1:0}}}}\n${exp}`;

test("the collector's current exporter names and its deprecated ones both select the same exporter", () => {
  const r = check(
    PIPE(`exporters:
  otlp_grpc: {endpoint: a:4317}
  otlp: {endpoint: a:4317}
  otlp_http: {endpoint: http://a:4318}
  otlphttp: {endpoint: http://a:4318}
  prometheus_remote_write: {endpoint: http://a/api/v1/write}
service:
  pipelines:
    traces: {receivers: [otlp], exporters: [otlp_grpc, otlp, otlp_http, otlphttp]}
    metrics: {receivers: [otlp], exporters: [prometheus_remote_write]}
`),
  );
  assert.deepEqual(r.problems, []);
  const types = [...(r.config?.components.values() ?? [])].filter((c) => c.kind === 'exporter').map((c) => [c.id, c.factory.type]);
  assert.deepEqual(types, [
    ['otlp_grpc', 'otlp'],
    ['otlp', 'otlp'],
    ['otlp_http', 'otlphttp'],
    ['otlphttp', 'otlphttp'],
    ['prometheus_remote_write', 'prometheusremotewrite'],
  ]);
});

test('settings with no effect are accepted and listed with why; defaults the user did not write are not', () => {
  const r = check(
    PIPE(`exporters:
  otlp_grpc:
    endpoint: a:4317
    balancer_name: round_robin
    read_buffer_size: 1024
    compression: zstd
    sending_queue: {sizer: items, queue_size: 5000, batch: {flush_timeout: 1s, min_size: 100}}
service:
  telemetry:
    logs: {level: INFO, encoding: console, sampling: {enabled: true, tick: 10s, initial: 10, thereafter: 100}}
    metrics: {level: detailed, readers: [{pull: {exporter: {prometheus: {host: 127.0.0.1, port: 0, without_units: true}}}}]}
    resource: {service.name: gw}
  pipelines: {traces: {receivers: [otlp], exporters: [otlp_grpc]}}
`),
  );
  assert.deepEqual(r.problems, []);
  const paths = r.config?.noEffect.map((s) => s.path);
  assert.deepEqual(paths, [
    'exporters.otlp_grpc.read_buffer_size',
    'exporters.otlp_grpc.compression: "zstd"',
    'exporters.otlp_grpc.sending_queue.sizer: "items"',
    'exporters.otlp_grpc.sending_queue.batch',
    'service.telemetry.logs.encoding: "console"',
    'service.telemetry.logs.sampling',
    'service.telemetry.metrics.level: "detailed"',
    'service.telemetry.metrics.readers[0].pull.exporter.prometheus.without_units',
    'service.telemetry.resource',
  ]);
  for (const s of r.config?.noEffect ?? []) assert.ok(s.why.length > 10, `${s.path} says why`);
});

test('self-metrics: readers give the listeners, level none turns them off, address stays an alternative', () => {
  const svc = (t: string) =>
    check(PIPE(`exporters: {debug: {}}\nservice:\n  telemetry: ${t}\n  pipelines: {traces: {receivers: [otlp], exporters: [debug]}}\n`));
  const listeners = (t: string) => {
    const r = svc(t);
    assert.deepEqual(r.problems, []);
    return r.config ? metricsListeners(r.config.service.telemetry.metrics) : [];
  };
  assert.deepEqual(listeners('{}'), ['127.0.0.1:8888']);
  assert.deepEqual(listeners('{metrics: {readers: [{pull: {exporter: {prometheus: {host: 0.0.0.0, port: 9464}}}}]}}'), ['0.0.0.0:9464']);
  assert.deepEqual(listeners('{metrics: {level: none}}'), []);
  assert.deepEqual(listeners('{metrics: {level: none, readers: [{pull: {exporter: {prometheus: {port: 1}}}}]}}'), []);
  assert.deepEqual(listeners('{metrics: {address: "127.0.0.1:1234"}}'), ['127.0.0.1:1234']);
  assert.deepEqual(svc('{metrics: {address: ":1", readers: [{pull: {exporter: {prometheus: {port: 1}}}}]}}').problems, [
    'service.telemetry.metrics: set either readers or address, not both',
  ]);
  assert.deepEqual(svc('{metrics: {readers: []}}').problems, [
    'service.telemetry.metrics.readers: collector telemetry metrics reader should exist when metric level is not none',
  ]);
});

test('sending_queue.storage names a file_storage extension, which must be configured and enabled', () => {
  const cfg = (ext: string, enabled: string) =>
    PIPE(`exporters:
  otlp_grpc: {endpoint: a:4317, sending_queue: {storage: file_storage/q}}
extensions:
  ${ext}
service:
  extensions: [${enabled}]
  pipelines: {traces: {receivers: [otlp], exporters: [otlp_grpc]}}
`);
  const ok = check(cfg(`file_storage/q: {directory: ${dir}, fsync: true, max_size: 1048576}`, 'file_storage/q'));
  assert.deepEqual(ok.problems, []);
  const q = (ok.config?.components.get('exporters:otlp_grpc')?.config as { sending_queue: { storage: unknown } } | undefined)?.sending_queue;
  assert.deepEqual(q?.storage, { directory: dir, max_bytes: 1048576, segment_bytes: 16 * 1024 * 1024, fsync: true });
  assert.deepEqual(check(cfg(`file_storage/q: {directory: ${dir}}`, '')).problems, [
    'exporters.otlp_grpc.sending_queue.storage: extension "file_storage/q" is not enabled in service.extensions',
  ]);
  assert.deepEqual(check(cfg(`file_storage/other: {directory: ${dir}}`, 'file_storage/other')).problems, [
    'exporters.otlp_grpc.sending_queue.storage: extension "file_storage/q" is not configured under extensions',
  ]);
  assert.deepEqual(check(cfg(`file_storage/q: {directory: ${join(dir, 'missing')}}`, 'file_storage/q')).problems, [
    `extensions.file_storage/q.directory: "${join(dir, 'missing')}" must exist (or set create_directory: true)`,
  ]);
});

test('a choice list with the empty string shows it as ""', () => {
  const r = check(
    PIPE('exporters: {otlp_grpc: {endpoint: a:4317, compression: lz4}}\nservice: {pipelines: {traces: {receivers: [otlp], exporters: [otlp_grpc]}}}\n'),
  );
  assert.deepEqual(r.problems, ['exporters.otlp_grpc.compression: must be one of gzip, zstd, snappy, none, ""']);
});

test('the compatibility report: implemented, no effect, missing, refused', () => {
  const raw = parseConfigText(
    `receivers: {otlp: {protocols: {http: {endpoint: 127.0.0.1:0}}}, filelog: {include: [a]}}
processors: {transform: {}, batch: {}}
exporters: {otlp_grpc: {endpoint: a:4317, write_buffer_size: 1}, otlphttp: {}}
service:
  pipelines:
    traces: {receivers: [otlp], processors: [transform, batch], exporters: [otlp_grpc]}
    logs: {receivers: [filelog], exporters: [otlp_grpc]}
    profiles: {receivers: [otlp], exporters: [otlp_grpc]}
`,
    'test',
  );
  const r = collectorCompat(raw, factoriesByKind());
  assert.deepEqual(r.implemented, ['receivers.otlp', 'processors.batch', "exporters.otlp_grpc (Tollgate's otlp)", 'exporters.otlphttp']);
  assert.deepEqual(
    r.noEffect.map((s) => s.path),
    ['exporters.otlp_grpc.write_buffer_size'],
  );
  assert.deepEqual(r.missing, [
    'receivers.filelog: no receiver "filelog" in Tollgate',
    'processors.transform: no processor "transform" in Tollgate',
    'service.pipelines.profiles: Tollgate has no profiles signal',
  ]);
  assert.ok(r.problems.includes('exporters.otlphttp.endpoint: required (or traces_endpoint, metrics_endpoint and logs_endpoint)'), r.problems.join('\n'));
  assert.ok(
    r.problems.includes('service.pipelines.logs.receivers: at least one receiver is required') ||
      r.problems.some((p) => p.startsWith('service.pipelines.logs')),
    r.problems.join('\n'),
  );
});
