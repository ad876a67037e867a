// The OpenTelemetry JS SDK's log exporters (gRPC, HTTP/protobuf, HTTP/JSON)
// send to a running gateway; every record is read back from the file
// exporter's output and compared field by field with what the SDK recorded.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ILogRecord, Logs } from '../../../src/pdata/proto.js';
import { FLAVORS, exportOk, logExporter, recordingLogger, type OtlpFlavor } from '../../helpers/otlp-sdk.js';
import { startFileGateway, type FileGateway } from './filegateway.js';
import { flavorOf, hex, hrNanos, nanos, tagAny, tagAttrs, tagJs, tagJsAttrs } from './normalize.js';

const SPAN = trace.setSpanContext(ROOT_CONTEXT, { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', traceFlags: TraceFlags.SAMPLED });
const BYTES = Uint8Array.from([0, 1, 2, 253, 254, 255]);

/** Bodies of every AnyValue type, each at a different severity. */
const RECORDS: Array<{ severityNumber: SeverityNumber; severityText: string; body: unknown }> = [
  { severityNumber: SeverityNumber.TRACE, severityText: 'TRACE', body: 'plain text body' },
  { severityNumber: SeverityNumber.DEBUG, severityText: 'DEBUG', body: { prompt_tokens: 812, model: 'llama-3-70b', nested: { ok: true, ratio: 0.25 } } },
  { severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: BYTES },
  { severityNumber: SeverityNumber.INFO2, severityText: 'INFO2', body: [1, 'two', false, 4.5] },
  { severityNumber: SeverityNumber.WARN, severityText: 'WARN', body: 42 },
  { severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 2.5 },
  { severityNumber: SeverityNumber.FATAL4, severityText: 'FATAL4', body: false },
];

let gw: FileGateway;
const sent = new Map<OtlpFlavor, ReadableLogRecord[]>();
let received: Logs[] = [];

function produce(flavor: OtlpFlavor): ReadableLogRecord[] {
  const rec = recordingLogger(resourceFromAttributes({ 'service.name': 'router', 'test.flavor': flavor }));
  const logger = rec.logger('router-logs', '2.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0', attributes: { 'scope.attr': 'yes' } });
  RECORDS.forEach((r, i) => {
    logger.emit({
      ...r,
      body: r.body as never,
      timestamp: [1_700_000_100 + i, 7],
      observedTimestamp: [1_700_000_100 + i, 9],
      attributes: {
        'log.index': i,
        'log.kvlist': { user: 'u-1', tier: 2 },
        'log.bytes': BYTES,
        'log.array': ['x', 1],
        'log.double': 0.75,
      },
      ...(i % 2 === 0 ? { context: SPAN } : {}),
      ...(i === 0 ? { eventName: 'gen_ai.evaluation.result' } : {}),
    });
  });
  return rec.finished();
}

before(async () => {
  gw = await startFileGateway();
  try {
    for (const flavor of FLAVORS) {
      const records = produce(flavor);
      sent.set(flavor, records);
      const exporter = logExporter(flavor, { grpcPort: gw.grpcPort, httpPort: gw.httpPort, gzip: flavor === 'http/protobuf' });
      await exportOk(exporter, records);
      await exporter.shutdown();
    }
    received = (await gw.stopAndRead()).logs;
  } finally {
    await gw.stop();
  }
});

after(() => gw?.stop());

function requestOf(flavor: OtlpFlavor): Logs {
  const found = received.filter((r) => r.resourceLogs?.some((rl) => flavorOf(rl.resource?.attributes) === flavor));
  assert.equal(found.length, 1, `one request from ${flavor} in the file`);
  return found[0]!;
}

for (const flavor of FLAVORS) {
  test(`${flavor}: every log record arrives with body, severity, times, attributes, trace context and scope`, () => {
    const req = requestOf(flavor);
    const records = sent.get(flavor)!;
    assert.equal(req.resourceLogs!.length, 1);
    const rl = req.resourceLogs![0]!;
    assert.deepEqual(tagAttrs(rl.resource?.attributes), tagJsAttrs(records[0]!.resource.attributes as Record<string, unknown>));
    assert.equal(rl.scopeLogs!.length, 1);
    const sl = rl.scopeLogs![0]!;
    const scope = records[0]!.instrumentationScope;
    assert.equal(sl.scope?.name, scope.name);
    assert.equal(sl.scope?.version, scope.version);
    assert.equal(sl.schemaUrl, scope.schemaUrl);
    assert.deepEqual(tagAttrs(sl.scope?.attributes), { 'scope.attr': { s: 'yes' } });
    const got: ILogRecord[] = sl.logRecords ?? [];
    assert.equal(got.length, records.length);
    records.forEach((r, i) => {
      const g = got[i]!;
      assert.deepEqual(tagAny(g.body), tagJs(r.body), `record ${i}: body`);
      assert.equal(g.severityNumber ?? 0, r.severityNumber);
      assert.equal(g.severityText ?? '', r.severityText);
      assert.equal(nanos(g.timeUnixNano), hrNanos(r.hrTime));
      assert.equal(nanos(g.observedTimeUnixNano), hrNanos(r.hrTimeObserved));
      assert.deepEqual(tagAttrs(g.attributes), tagJsAttrs(r.attributes as Record<string, unknown>), `record ${i}: attributes`);
      assert.equal(hex(g.traceId), r.spanContext?.traceId ?? '');
      assert.equal(hex(g.spanId), r.spanContext?.spanId ?? '');
      assert.equal((g.flags ?? 0) & 0xff, r.spanContext?.traceFlags ?? 0);
      assert.equal(g.eventName ?? '', r.eventName ?? '');
    });
  });
}

test('bodies and severities, literally (independent of the SDK model)', () => {
  const got = requestOf('grpc').resourceLogs![0]!.scopeLogs![0]!.logRecords!;
  assert.deepEqual(
    got.map((g) => [g.severityNumber, tagAny(g.body)]),
    [
      [1, { s: 'plain text body' }],
      [5, { kv: { prompt_tokens: { i: '812' }, model: { s: 'llama-3-70b' }, nested: { kv: { ok: { b: true }, ratio: { d: 0.25 } } } } }],
      [9, { bytes: '000102fdfeff' }],
      [10, { a: [{ i: '1' }, { s: 'two' }, { b: false }, { d: 4.5 }] }],
      [13, { i: '42' }],
      [17, { d: 2.5 }],
      [24, { b: false }],
    ],
  );
  assert.deepEqual(tagAttrs(got[0]!.attributes)['log.kvlist'], { kv: { user: { s: 'u-1' }, tier: { i: '2' } } });
  assert.deepEqual(tagAttrs(got[0]!.attributes)['log.bytes'], { bytes: '000102fdfeff' });
  assert.equal(got[0]!.eventName, 'gen_ai.evaluation.result');
  assert.equal(hex(got[0]!.traceId), '5b8efff798038103d269b633813fc60c');
});
