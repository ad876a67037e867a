// The OpenTelemetry JS SDK's trace exporters (gRPC, HTTP/protobuf, HTTP/JSON)
// send to a running gateway; every span is read back from the file
// exporter's output and compared field by field with what the SDK recorded.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type SpanContext } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ISpan, Traces } from '../../../src/pdata/proto.js';
import { FLAVORS, exportOk, recordingTracer, traceExporter, type OtlpFlavor } from '../../helpers/otlp-sdk.js';
import { startFileGateway, type FileGateway } from './filegateway.js';
import { flavorOf, hex, hrNanos, nanos, tagAttrs, tagJsAttrs } from './normalize.js';

const SCHEMA = 'https://opentelemetry.io/schemas/1.30.0';
const REMOTE_PARENT: SpanContext = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
  traceState: new TraceState('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'),
};
const LINKED: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.NONE,
  traceState: new TraceState('vendor=linked'),
};
const ROOT_ATTRS = {
  'attr.string': 'checkout',
  'attr.bool': true,
  'attr.int': 42,
  'attr.double': 3.25,
  'attr.string_array': ['a', 'b'],
  'attr.bool_array': [true, false],
  'attr.int_array': [1, 2, 3],
  'attr.double_array': [1.5, 2.5],
};

let gw: FileGateway;
const sent = new Map<OtlpFlavor, ReadableSpan[]>();
let received: Traces[] = [];

/** What an application would do: a server span with children of every kind. */
function produce(flavor: OtlpFlavor): ReadableSpan[] {
  const rec = recordingTracer(
    resourceFromAttributes({ 'service.name': 'checkout', 'test.flavor': flavor, 'res.int': 7, 'res.double': 0.5, 'res.bool': true, 'res.array': ['x', 'y'] }),
  );
  const tracer = rec.tracer('scope-a', '1.2.3', SCHEMA);
  const root = tracer.startSpan(
    'GET /checkout',
    { kind: SpanKind.SERVER, attributes: ROOT_ATTRS, startTime: [1_700_000_000, 123_456_789], links: [{ context: LINKED, attributes: { 'link.reason': 'retry-of', 'link.n': 2 } }] },
    trace.setSpanContext(ROOT_CONTEXT, REMOTE_PARENT),
  );
  root.addEvent('cache.miss', { 'event.key': 'cart:42', 'event.n': 3 }, [1_700_000_000, 500_000_000]);
  root.addEvent('retry', undefined, [1_700_000_000, 600_000_000]);
  const parentCtx = trace.setSpan(ROOT_CONTEXT, root);
  const kinds = [SpanKind.INTERNAL, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER];
  kinds.forEach((kind, i) => {
    const child = tracer.startSpan(`child-${SpanKind[kind]}`, { kind, attributes: { 'child.index': i }, startTime: [1_700_000_000, 200_000_000 + i] }, parentCtx);
    if (kind === SpanKind.CLIENT) child.setStatus({ code: SpanStatusCode.OK });
    child.end([1_700_000_000, 300_000_000 + i]);
  });
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream timeout' });
  root.end([1_700_000_001, 0]);
  const other = rec.tracer('scope-b').startSpan('background', { startTime: [1_700_000_002, 0] });
  other.end([1_700_000_002, 1]);
  return rec.finished();
}

before(async () => {
  gw = await startFileGateway();
  try {
    for (const flavor of FLAVORS) {
      const spans = produce(flavor);
      sent.set(flavor, spans);
      // gzip on the binary flavours, plain JSON: both paths of the receiver.
      const exporter = traceExporter(flavor, { grpcPort: gw.grpcPort, httpPort: gw.httpPort, gzip: flavor !== 'http/json' });
      await exportOk(exporter, spans);
      await exporter.shutdown();
    }
    received = (await gw.stopAndRead()).traces;
  } finally {
    await gw.stop();
  }
});

after(() => gw?.stop());

function requestOf(flavor: OtlpFlavor): Traces {
  const found = received.filter((r) => r.resourceSpans?.some((rs) => flavorOf(rs.resource?.attributes) === flavor));
  assert.equal(found.length, 1, `one request from ${flavor} in the file`);
  return found[0]!;
}

for (const flavor of FLAVORS) {
  test(`${flavor}: every span arrives with resource, scope, ids, kind, times, attributes, events, links, status and trace state`, () => {
    const req = requestOf(flavor);
    const spans = sent.get(flavor)!;
    const flat: Array<{ span: ISpan; scope: { name: string; version: string; schemaUrl: string }; resource: Record<string, unknown> }> = [];
    for (const rs of req.resourceSpans ?? []) {
      for (const ss of rs.scopeSpans ?? []) {
        for (const span of ss.spans ?? []) {
          flat.push({
            span,
            scope: { name: ss.scope?.name ?? '', version: ss.scope?.version ?? '', schemaUrl: ss.schemaUrl ?? '' },
            resource: tagAttrs(rs.resource?.attributes),
          });
        }
      }
    }
    assert.equal(flat.length, spans.length, 'span count');
    for (const s of spans) {
      const ctx = s.spanContext();
      const got = flat.find((f) => hex(f.span.spanId) === ctx.spanId);
      assert.ok(got, `span ${s.name} received`);
      const { span } = got;
      assert.deepEqual(got.resource, tagJsAttrs(s.resource.attributes as Record<string, unknown>), `${s.name}: resource`);
      assert.deepEqual(
        got.scope,
        { name: s.instrumentationScope.name, version: s.instrumentationScope.version ?? '', schemaUrl: s.instrumentationScope.schemaUrl ?? '' },
        `${s.name}: scope`,
      );
      assert.equal(hex(span.traceId), ctx.traceId);
      assert.equal(hex(span.parentSpanId), s.parentSpanContext?.spanId ?? '');
      assert.equal(span.traceState ?? '', ctx.traceState?.serialize() ?? '', `${s.name}: trace state`);
      assert.equal((span.flags ?? 0) & 0xff, ctx.traceFlags, `${s.name}: trace flags`);
      assert.equal(span.name, s.name);
      assert.equal(span.kind ?? 0, s.kind + 1, `${s.name}: kind`); // API kinds start at INTERNAL = 0, OTLP at UNSPECIFIED = 0
      assert.equal(nanos(span.startTimeUnixNano), hrNanos(s.startTime));
      assert.equal(nanos(span.endTimeUnixNano), hrNanos(s.endTime));
      assert.deepEqual(tagAttrs(span.attributes), tagJsAttrs(s.attributes as Record<string, unknown>), `${s.name}: attributes`);
      assert.equal(span.droppedAttributesCount ?? 0, s.droppedAttributesCount);
      assert.deepEqual(
        (span.events ?? []).map((e) => ({ name: e.name, time: nanos(e.timeUnixNano), attrs: tagAttrs(e.attributes) })),
        s.events.map((e) => ({ name: e.name, time: hrNanos(e.time), attrs: tagJsAttrs(e.attributes as Record<string, unknown>) })),
        `${s.name}: events`,
      );
      assert.deepEqual(
        (span.links ?? []).map((l) => ({ traceId: hex(l.traceId), spanId: hex(l.spanId), traceState: l.traceState ?? '', attrs: tagAttrs(l.attributes) })),
        s.links.map((l) => ({
          traceId: l.context.traceId,
          spanId: l.context.spanId,
          traceState: l.context.traceState?.serialize() ?? '',
          attrs: tagJsAttrs(l.attributes as Record<string, unknown>),
        })),
        `${s.name}: links`,
      );
      assert.deepEqual({ code: span.status?.code ?? 0, message: span.status?.message ?? '' }, { code: s.status.code, message: s.status.message ?? '' }, `${s.name}: status`);
    }
  });
}

test('value types survive exactly (literal expectations, independent of the SDK model)', () => {
  const req = requestOf('http/json');
  const root = req.resourceSpans!.flatMap((rs) => rs.scopeSpans!.flatMap((ss) => ss.spans!)).find((s) => s.name === 'GET /checkout')!;
  assert.deepEqual(tagAttrs(root.attributes), {
    'attr.string': { s: 'checkout' },
    'attr.bool': { b: true },
    'attr.int': { i: '42' },
    'attr.double': { d: 3.25 },
    'attr.string_array': { a: [{ s: 'a' }, { s: 'b' }] },
    'attr.bool_array': { a: [{ b: true }, { b: false }] },
    'attr.int_array': { a: [{ i: '1' }, { i: '2' }, { i: '3' }] },
    'attr.double_array': { a: [{ d: 1.5 }, { d: 2.5 }] },
  });
  assert.equal(root.kind, 2); // SPAN_KIND_SERVER
  assert.equal(root.status?.code, 2); // STATUS_CODE_ERROR
  assert.equal(root.traceState, 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  assert.equal(hex(root.parentSpanId), 'b7ad6b7169203331');
  assert.equal(nanos(root.startTimeUnixNano), '1700000000123456789');
});
