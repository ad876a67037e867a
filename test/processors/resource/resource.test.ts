import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CreateSettings } from '../../../src/component/factory.js';
import type { Signal } from '../../../src/component/signal.js';
import { validateAgainst } from '../../../src/config/validate.js';
import { EncodedOtlp, readOtlp } from '../../../src/pdata/batch.js';
import { resourceAttrs, resourcesOf } from '../../helpers/otlpparts.js';
import { ExportTraceServiceRequest, ScopeSpans, type Logs, type Metrics, type Traces } from '../../../src/pdata/proto.js';
import { ResourceSchema, type ResourceConfig } from '../../../src/processors/resource/config.js';
import { resourceFactory } from '../../../src/processors/resource/factory.js';
import { ResourceProcessor } from '../../../src/processors/resource/resource.js';
import { FACTORIES, factoriesByKind } from '../../../src/components.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { SinkConsumer, sinkExporterFactory } from '../../helpers/sink.js';
import { PushReceiver, pushReceiverFactory } from '../../helpers/testfactories.js';
import { attr, logs, metric, metrics, prom, traces } from '../batch/build.js';
import { validConfig } from '../../helpers/validconfig.js';

function settings(): CreateSettings {
  return { id: 'resource', kind: 'processor', logger: silentLogger(), telemetry: new SelfTelemetry({ processMetrics: false }) };
}

function config(partial: Record<string, unknown>): ResourceConfig {
  const cfg = validConfig(ResourceSchema, structuredClone(partial), 'processors.resource');
  assert.deepEqual(resourceFactory.validate?.(cfg), []);
  return cfg;
}

async function run<S extends Signal>(signal: S, partial: Record<string, unknown>, data: any, ctx = {}) {
  const sink = new SinkConsumer({ signal });
  await new ResourceProcessor(settings(), config(partial), signal, sink).consume(data, ctx);
  return sink.calls[0]!.data;
}

const ACTIONS = {
  attributes: [
    { key: 'deployment.environment', value: 'prod', action: 'upsert' },
    { key: 'service.name', value: 'ignored', action: 'insert' },
    { key: 'host.name', action: 'delete' },
    { key: 'user.email', action: 'hash' },
    { key: 'tenant', from_context: 'metadata.x-tenant', action: 'insert' },
  ],
};

function check(resourceAttrs: any[] | null | undefined) {
  assert.equal(attr(resourceAttrs, 'deployment.environment'), 'prod');
  assert.equal(attr(resourceAttrs, 'service.name'), 'api');
  assert.equal(attr(resourceAttrs, 'host.name'), undefined);
  assert.equal(attr(resourceAttrs, 'user.email'), '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
  assert.equal(attr(resourceAttrs, 'tenant'), 'acme');
}

const RES = { 'service.name': 'api', 'host.name': 'h1', 'user.email': 'hello' };
const CTX = { metadata: { 'x-tenant': ['acme'] } };

test('traces, logs and OTLP metrics: actions apply to every resource', async () => {
  const t = (await run('traces', ACTIONS, traces({ attrs: RES, scopes: [{ items: 1 }] }, { attrs: RES, scopes: [{ items: 1 }] }), CTX)) as Traces;
  for (const rs of t.resourceSpans!) check(rs.resource!.attributes!);
  const l = (await run('logs', ACTIONS, logs({ attrs: RES, scopes: [{ items: 1 }] }), CTX)) as Logs;
  check(l.resourceLogs![0]!.resource!.attributes!);
  const m = (await run('metrics', ACTIONS, metrics({ attrs: RES, scopes: [{ metrics: [metric('m', 1)] }] }), CTX)) as Metrics;
  check(m.resourceMetrics![0]!.resource!.attributes!);
  const round = ExportTraceServiceRequest.decode(ExportTraceServiceRequest.encode(t).finish());
  check(round.resourceSpans[0]!.resource!.attributes);
});

test('an encoded batch stays encoded: only the resources change, the spans are the bytes that came in', async () => {
  const src = traces({ attrs: RES, scopes: [{ items: 3 }] }, { attrs: RES, scopes: [{ items: 2 }] });
  const bytes = Buffer.from(ExportTraceServiceRequest.encode(src).finish());
  const out = await run('traces', ACTIONS, EncodedOtlp.scan('traces', bytes), CTX);
  assert.ok(out instanceof EncodedOtlp, 'no decoded objects handed on');
  assert.equal(out.items, 5);
  const t = readOtlp('traces', out);
  for (let i = 0; i < resourcesOf(t).length; i++) check(resourceAttrs(t, i));
  // Every ScopeSpans is byte for byte what was received.
  const scopes = (d: Traces) => (d.resourceSpans ?? []).flatMap((rs) => (rs.scopeSpans ?? []).map((ss) => Buffer.from(ScopeSpans.encode(ss).finish()).toString('hex')));
  assert.deepEqual(scopes(t), scopes(ExportTraceServiceRequest.decode(bytes)));
});

test('a batch without a resource gets one when an action writes', async () => {
  const data = ExportTraceServiceRequest.decode(ExportTraceServiceRequest.encode({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 's' }] }] }] }).finish());
  assert.equal(data.resourceSpans[0]!.resource, null);
  const out = (await run('traces', { attributes: [{ key: 'k', value: 'v', action: 'insert' }] }, data)) as Traces;
  assert.equal(attr(out.resourceSpans![0]!.resource!.attributes, 'k'), 'v');
  const untouched = (await run('traces', { attributes: [{ key: 'k', action: 'delete' }] }, ExportTraceServiceRequest.decode(ExportTraceServiceRequest.encode({ resourceSpans: [{}] }).finish()))) as Traces;
  assert.equal(untouched.resourceSpans![0]!.resource, null);
});

test('remote-write metrics pass untouched (no resource)', async () => {
  const pw = prom('up', 1, 1);
  const before = JSON.stringify(pw);
  const out = await run('metrics', ACTIONS, pw, CTX);
  assert.equal(out, pw);
  assert.equal(JSON.stringify(out), before);
});

test('config: the collector keys; bad actions are reported with their path', () => {
  const cfg: Record<string, unknown> = {};
  assert.deepEqual(validateAgainst(ResourceSchema, cfg, 'processors.resource'), []);
  assert.deepEqual(cfg, { attributes: [] });
  assert.deepEqual(resourceFactory.validate!({ attributes: [{ key: 'a', action: 'upsert' }] }), [
    'attributes.0: action upsert needs one of value, from_attribute or from_context',
  ]);
});

test('in a pipeline: resource then attributes, data reaches the exporter changed', async () => {
  const sinks = sinkExporterFactory();
  const svc = new Service(
    {
      receivers: { testpush: null },
      processors: {
        resource: { attributes: [{ key: 'cloud.region', value: 'eu-west-1', action: 'upsert' }] },
        'attributes/strip': { actions: [{ key: 'secret', action: 'delete' }] },
      },
      exporters: { testsink: null },
      service: {
        telemetry: { metrics: { address: '' } },
        pipelines: { traces: { receivers: ['testpush'], processors: ['resource', 'attributes/strip'], exporters: ['testsink'] } },
      },
    },
    { logger: silentLogger(), factories: factoriesByKind([...FACTORIES, sinks, pushReceiverFactory]) },
  );
  await svc.start();
  try {
    await PushReceiver.byId.get('testpush')!.push('traces', traces({ attrs: { 'service.name': 'api' }, scopes: [{ items: 2, attrs: { secret: 's', keep: 'k' } }] }));
    const got = sinks.sinks.get('testsink/traces')!.calls[0]!.data as Traces;
    assert.equal(attr(got.resourceSpans![0]!.resource!.attributes, 'cloud.region'), 'eu-west-1');
    for (const s of got.resourceSpans![0]!.scopeSpans![0]!.spans!) {
      assert.equal(attr(s.attributes, 'secret'), undefined);
      assert.equal(attr(s.attributes, 'keep'), 'k');
    }
  } finally {
    await svc.shutdown();
  }
});
