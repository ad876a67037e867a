import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CreateSettings } from '../../../src/component/factory.js';
import type { PromMetrics, Signal } from '../../../src/component/signal.js';
import { validateAgainst } from '../../../src/config/validate.js';
import { ExportLogsServiceRequest, ExportMetricsServiceRequest, ExportTraceServiceRequest, type Logs, type Metrics, type Traces } from '../../../src/pdata/proto.js';
import { AttributesProcessor } from '../../../src/processors/attributes/attributes.js';
import { AttributesSchema, type AttributesConfig } from '../../../src/processors/attributes/config.js';
import { attributesFactory } from '../../../src/processors/attributes/factory.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { SinkConsumer } from '../../helpers/sink.js';
import { attr, logs, metric, metrics, prom, traces } from '../batch/build.js';
import { validConfig } from '../../helpers/validconfig.js';

function settings(): CreateSettings {
  return { id: 'attributes', kind: 'processor', logger: silentLogger(), telemetry: new SelfTelemetry({ processMetrics: false }) };
}

function config(partial: Record<string, unknown>): AttributesConfig {
  const cfg = validConfig(AttributesSchema, structuredClone(partial), 'processors.attributes');
  assert.deepEqual(attributesFactory.validate?.(cfg), []);
  return cfg;
}

async function run<S extends Signal>(signal: S, partial: Record<string, unknown>, data: any, ctx = {}) {
  const sink = new SinkConsumer({ signal });
  const p = new AttributesProcessor(settings(), config(partial), signal, sink);
  await p.consume(data, ctx);
  assert.equal(sink.calls.length, 1);
  return sink.calls[0]!.data;
}

/** Attributes of each span, as plain values. */
function spanAttrs(t: Traces): Array<Record<string, unknown>> {
  return t.resourceSpans!.flatMap((rs) =>
    rs.scopeSpans!.flatMap((ss) => ss.spans!.map((s) => Object.fromEntries((s.attributes ?? []).map((a) => [a.key, attr(s.attributes, a.key!)])))),
  );
}

const oneSpan = (attrs: Record<string, string | number | boolean> = {}) => traces({ attrs: { 'service.name': 'api' }, scopes: [{ items: ['GET /'], attrs }] });

test('insert sets a key only when it is absent', async () => {
  const out = await run('traces', { actions: [{ key: 'env', value: 'prod', action: 'insert' }, { key: 'a', value: 'new', action: 'insert' }] }, oneSpan({ a: 'old' }));
  assert.deepEqual(spanAttrs(out), [{ a: 'old', env: 'prod' }]);
});

test('update changes a key only when it is present; upsert does both', async () => {
  const out = await run(
    'traces',
    {
      actions: [
        { key: 'a', value: 1, action: 'update' },
        { key: 'missing', value: 1, action: 'update' },
        { key: 'b', value: true, action: 'upsert' },
        { key: 'c', value: 2.5, action: 'upsert' },
      ],
    },
    oneSpan({ a: 'x', b: 'y' }),
  );
  assert.deepEqual(spanAttrs(out), [{ a: 1, b: true, c: 2.5 }]);
  const span = out.resourceSpans![0]!.scopeSpans![0]!.spans![0]!;
  assert.notEqual(span.attributes!.find((a: any) => a.key === 'a')!.value!.intValue, null, 'a whole number is written as an int');
});

test('from_attribute copies another attribute; nothing happens when it is missing', async () => {
  const out = await run(
    'traces',
    {
      actions: [
        { key: 'copy', from_attribute: 'src', action: 'upsert' },
        { key: 'none', from_attribute: 'absent', action: 'upsert' },
      ],
    },
    oneSpan({ src: 'value' }),
  );
  assert.deepEqual(spanAttrs(out), [{ src: 'value', copy: 'value' }]);
});

test('from_context reads client metadata: one value as a string, several as a list', async () => {
  const out = await run(
    'traces',
    {
      actions: [
        { key: 'tenant', from_context: 'metadata.X-Tenant', action: 'insert' },
        { key: 'groups', from_context: 'metadata.groups', action: 'insert' },
        { key: 'legacy', from_context: 'x-tenant', action: 'insert' },
        { key: 'nothing', from_context: 'metadata.absent', action: 'insert' },
      ],
    },
    oneSpan(),
    { metadata: { 'x-tenant': ['acme'], groups: ['a', 'b'] } },
  );
  const span = out.resourceSpans![0]!.scopeSpans![0]!.spans![0]!;
  assert.equal(attr(span.attributes, 'tenant'), 'acme');
  assert.equal(attr(span.attributes, 'legacy'), 'acme');
  assert.deepEqual(
    span.attributes!.find((a: any) => a.key === 'groups')!.value!.arrayValue!.values!.map((v: any) => v.stringValue),
    ['a', 'b'],
  );
  assert.equal(attr(span.attributes, 'nothing'), undefined);
});

test('delete removes a key and every key matching pattern', async () => {
  const out = await run(
    'traces',
    { actions: [{ key: 'password', action: 'delete' }, { pattern: '^http\\.request\\.header\\.', action: 'delete' }] },
    oneSpan({ password: 'x', 'http.request.header.cookie': 'c', 'http.request.header.auth': 'a', keep: 'k' }),
  );
  assert.deepEqual(spanAttrs(out), [{ keep: 'k' }]);
});

test('hash replaces values with hex SHA-256 of their bytes, as the collector does', async () => {
  const out = await run(
    'traces',
    { actions: [{ key: 's', action: 'hash' }, { key: 'i', action: 'hash' }, { key: 'n', action: 'hash' }, { key: 'd', action: 'hash' }, { pattern: '^b', action: 'hash' }] },
    oneSpan({ s: 'hello', i: 1, n: -2, d: 1.5, b: true, keep: 'k' }),
  );
  assert.deepEqual(spanAttrs(out), [
    {
      s: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
      i: '7c9fa136d4413fa6173637e883b6998d32e1d675f88cddff9dcbcf331820f4b8',
      n: '81b37f7f8b78762feb067131152a700548754f937a0668c1f327d2ee1a2d2801',
      d: 'e163f8cb0f7067a7fc78ca859a77f849aea3214f38fb75b884e4a16be725c905',
      b: '4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a',
      keep: 'k',
    },
  ]);
});

test('extract pulls named groups (Go (?P<name>) syntax too) into attributes', async () => {
  const out = await run(
    'traces',
    { actions: [{ key: 'http.url', pattern: '^/api/(?P<version>v\\d+)/users/(?<user_id>\\d+)(?:\\?(?P<query>.*))?$', action: 'extract' }] },
    oneSpan({ 'http.url': '/api/v2/users/42', user_id: 'old' }),
  );
  assert.deepEqual(spanAttrs(out), [{ 'http.url': '/api/v2/users/42', user_id: '42', version: 'v2', query: '' }]);
  const none = await run('traces', { actions: [{ key: 'http.url', pattern: '^/x/(?P<a>.*)$', action: 'extract' }] }, oneSpan({ 'http.url': '/api' }));
  assert.deepEqual(spanAttrs(none), [{ 'http.url': '/api' }]);
});

test('convert changes types as the collector does, leaving values that do not convert', async () => {
  const out = await run(
    'traces',
    {
      actions: [
        { key: 'si', action: 'convert', converted_type: 'int' },
        { key: 'bad', action: 'convert', converted_type: 'int' },
        { key: 'di', action: 'convert', converted_type: 'int' },
        { key: 'bi', action: 'convert', converted_type: 'int' },
        { key: 'sd', action: 'convert', converted_type: 'double' },
        { key: 'id', action: 'convert', converted_type: 'double' },
        { key: 'is', action: 'convert', converted_type: 'string' },
        { key: 'ds', action: 'convert', converted_type: 'string' },
        { key: 'bs', action: 'convert', converted_type: 'string' },
      ],
    },
    oneSpan({ si: '-42', bad: '4x', di: 3.9, bi: true, sd: '1e3', id: 7, is: 12, ds: 0.5, bs: false }),
  );
  assert.deepEqual(spanAttrs(out), [{ si: -42, bad: '4x', di: 3, bi: 1, sd: 1000, id: 7, is: '12', ds: '0.5', bs: 'false' }]);
  const span = out.resourceSpans![0]!.scopeSpans![0]!.spans![0]!;
  assert.notEqual(span.attributes!.find((a: any) => a.key === 'id')!.value!.doubleValue, null, 'int 7 became a double');
});

test('actions apply in order and the result still encodes as OTLP', async () => {
  const out = await run(
    'traces',
    {
      actions: [
        { key: 'user', from_attribute: 'email', action: 'insert' },
        { key: 'user', action: 'hash' },
        { key: 'email', action: 'delete' },
        { key: 'list', value: ['a', 1, true], action: 'insert' },
        { key: 'map', value: { k: 'v' }, action: 'insert' },
      ],
    },
    oneSpan({ email: 'hello' }),
  );
  const round = ExportTraceServiceRequest.decode(ExportTraceServiceRequest.encode(out).finish());
  const span = round.resourceSpans![0]!.scopeSpans![0]!.spans![0]!;
  assert.equal(attr(span.attributes, 'user'), '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
  assert.equal(attr(span.attributes, 'email'), undefined);
  assert.equal(span.attributes!.find((a) => a.key === 'list')!.value!.arrayValue!.values!.length, 3);
  assert.equal(span.attributes!.find((a) => a.key === 'map')!.value!.kvlistValue!.values![0]!.key, 'k');
});

test('inserted values are not shared between items', async () => {
  const out = await run('traces', { actions: [{ key: 'x', value: 'v', action: 'insert' }] }, traces({ scopes: [{ items: 2 }] }));
  const [a, b] = out.resourceSpans![0]!.scopeSpans![0]!.spans!;
  assert.notEqual(a.attributes[0].value, b.attributes[0].value);
});

test('include: services (strict) and span_names (regexp) select spans', async () => {
  const data = traces(
    { attrs: { 'service.name': 'api' }, scopes: [{ items: ['GET /users', 'POST /users', 'GET /health'] }] },
    { attrs: { 'service.name': 'worker' }, scopes: [{ items: ['GET /users'] }] },
  );
  const out = await run('traces', { include: { match_type: 'strict', services: ['api'] }, actions: [{ key: 'm', value: 1, action: 'insert' }] }, data);
  assert.deepEqual(spanAttrs(out), [{ m: 1 }, { m: 1 }, { m: 1 }, {}]);
  const out2 = await run(
    'traces',
    { include: { match_type: 'regexp', span_names: ['^GET '] }, exclude: { match_type: 'strict', span_names: ['GET /health'] }, actions: [{ key: 'm', value: 1, action: 'insert' }] },
    traces({ scopes: [{ items: ['GET /users', 'POST /users', 'GET /health'] }] }),
  );
  assert.deepEqual(spanAttrs(out2), [{ m: 1 }, {}, {}]);
});

test('include: attributes and resources must all match; a key without value only needs to be present', async () => {
  const data = traces(
    { attrs: { 'service.name': 'api', env: 'prod' }, scopes: [{ items: ['a'], attrs: { 'http.method': 'GET', user: 'u' } }, { items: ['b'], attrs: { 'http.method': 'POST' } }] },
    { attrs: { 'service.name': 'api', env: 'dev' }, scopes: [{ items: ['c'], attrs: { 'http.method': 'GET', user: 'u' } }] },
  );
  const out = await run(
    'traces',
    {
      include: { match_type: 'strict', resources: [{ key: 'env', value: 'prod' }], attributes: [{ key: 'http.method', value: 'GET' }, { key: 'user' }] },
      actions: [{ key: 'user', action: 'delete' }],
    },
    data,
  );
  assert.deepEqual(spanAttrs(out), [{ 'http.method': 'GET' }, { 'http.method': 'POST' }, { 'http.method': 'GET', user: 'u' }]);
  const re = await run(
    'traces',
    { exclude: { match_type: 'regexp', resources: [{ key: 'env', value: '^pro' }] }, actions: [{ key: 'x', value: 1, action: 'insert' }] },
    traces({ attrs: { env: 'prod' }, scopes: [{ items: 1 }] }, { attrs: { env: 'dev' }, scopes: [{ items: 1 }] }),
  );
  assert.deepEqual(spanAttrs(re), [{}, { x: 1 }]);
});

test('include: libraries match the instrumentation scope', async () => {
  const out = await run(
    'traces',
    { include: { match_type: 'strict', libraries: [{ name: 'lib-a' }] }, actions: [{ key: 'x', value: 1, action: 'insert' }] },
    traces({ scopes: [{ name: 'lib-a', items: 1 }, { name: 'lib-b', items: 1 }] }),
  );
  assert.deepEqual(spanAttrs(out), [{ x: 1 }, {}]);
});

test('logs: actions apply to log records; log_bodies filter', async () => {
  const out = (await run(
    'logs',
    { include: { match_type: 'regexp', log_bodies: ['error'] }, actions: [{ key: 'alert', value: true, action: 'upsert' }] },
    logs({ scopes: [{ items: ['all fine', 'an error happened'] }] }),
  )) as Logs;
  const recs = out.resourceLogs![0]!.scopeLogs![0]!.logRecords!;
  assert.deepEqual(
    recs.map((r) => attr(r.attributes, 'alert')),
    [undefined, true],
  );
  ExportLogsServiceRequest.encode(out).finish();
});

test('metrics: actions apply to every data point of matching metrics; remote-write passes untouched', async () => {
  const out = (await run(
    'metrics',
    { include: { match_type: 'strict', metric_names: ['m1'] }, actions: [{ key: 'region', value: 'eu', action: 'insert' }] },
    metrics({ scopes: [{ metrics: [metric('m1', 2), metric('m2', 1, { sum: true })] }] }),
  )) as Metrics;
  const ms = out.resourceMetrics![0]!.scopeMetrics![0]!.metrics!;
  assert.deepEqual(
    ms.flatMap((m) => (m.gauge ?? m.sum)!.dataPoints!.map((d) => attr(d.attributes, 'region'))),
    ['eu', 'eu', undefined],
  );
  ExportMetricsServiceRequest.encode(out).finish();

  const pw = prom('up', 1, 1);
  const before = JSON.stringify(pw);
  const same = await run('metrics', { actions: [{ key: 'region', value: 'eu', action: 'insert' }] }, pw);
  assert.equal(same, pw);
  assert.equal(JSON.stringify(same as PromMetrics), before);
});

test('config problems are reported with their path', () => {
  const v = (actions: unknown[], extra: Record<string, unknown> = {}) => {
    const cfg: Record<string, unknown> = { actions, ...extra };
    const schema = validateAgainst(AttributesSchema, cfg, 'processors.attributes');
    return schema.length ? schema : (attributesFactory.validate?.(cfg as AttributesConfig) ?? []);
  };
  assert.deepEqual(v([{ key: 'a', action: 'rename' }]), ['actions.0.action: unsupported action "rename" (known: insert, update, upsert, delete, hash, extract, convert)']);
  assert.deepEqual(v([{ key: 'a', action: 'insert' }]), ['actions.0: action insert needs one of value, from_attribute or from_context']);
  assert.deepEqual(v([{ key: 'a', action: 'upsert', value: 1, from_attribute: 'b' }]), ['actions.0: only one of value, from_attribute or from_context may be set']);
  assert.deepEqual(v([{ action: 'delete' }]), ['actions.0: action delete needs key or pattern (or both)']);
  assert.deepEqual(v([{ key: 'a', action: 'extract', pattern: '(\\d+)' }]), ['actions.0.pattern: needs at least one named group, e.g. (?P<name>...)']);
  assert.deepEqual(v([{ key: 'a', action: 'convert', converted_type: 'bool' }]), ['actions.0.converted_type: must be one of int, double, string']);
  assert.match(v([{ pattern: '(', action: 'hash' }])[0]!, /^actions\.0\.pattern: invalid regular expression/);
  assert.deepEqual(v([{ key: 'a', action: 'INSERT', value: 1 }]), [], 'action names are case-insensitive');
  assert.deepEqual(v([], { include: { match_type: 'strict' } }), [
    'include: at least one of services, span_names, metric_names, log_bodies, log_severity_texts, attributes, resources, libraries must be set',
  ]);
  assert.deepEqual(v([], { include: { match_type: 'regexp', attributes: [{ key: 'a', value: 1 }] } }), ['include.attributes.0.value: must be a string with match_type regexp']);
  assert.deepEqual(v([{ key: 'a', action: 'insert', value: 1, typo: 1 }]), [
    'processors.attributes.actions.0.typo: unknown key (known: key, action, value, from_attribute, from_context, pattern, converted_type)',
  ]);
});

test('a filter that does not apply to the pipeline signal is refused when the pipeline is built', () => {
  const cfg = config({ include: { match_type: 'strict', span_names: ['x'] }, actions: [{ key: 'a', value: 1, action: 'insert' }] });
  assert.throws(() => new AttributesProcessor(settings(), cfg, 'logs', new SinkConsumer()), /processors\.attributes\.include: span_names cannot be used in a logs pipeline/);
});
