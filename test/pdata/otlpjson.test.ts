import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  PdataDecodeError,
  decodeJSON,
  decodeProto,
  encodeJSON,
  encodeProto,
  logsFromJSON,
  logsToJSON,
  metricsFromJSON,
  metricsToJSON,
  responseFromJSON,
  responseToJSON,
  rpcStatusFromJSON,
  rpcStatusToJSON,
  tracesFromJSON,
  tracesToJSON,
  type JsonObject,
} from '../../src/pdata/otlpjson.js';
import type { Signal } from '../../src/pdata/signal.js';
import { Long, RpcStatus, type ISpan, type Traces } from '../../src/pdata/proto.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const golden = (signal: Signal): string => readFileSync(`${ROOT}test/fixtures/otlp/${signal}.json`, 'utf8');
const TO_JSON = { traces: tracesToJSON, metrics: metricsToJSON, logs: logsToJSON } as const;
const FROM_JSON = { traces: tracesFromJSON, metrics: metricsFromJSON, logs: logsFromJSON } as const;

/** JSON in the golden layout: two-space indent, trailing newline. */
const pretty = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

function firstSpan(t: Traces): ISpan {
  return t.resourceSpans![0]!.scopeSpans![0]!.spans![0]!;
}

/** Minimal trace request around one span's JSON. */
const spanDoc = (span: JsonObject): JsonObject => ({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });

describe('OTLP JSON golden files', () => {
  for (const signal of ['traces', 'metrics', 'logs'] as const) {
    it(`${signal}: JSON → protobuf bytes → JSON reproduces the golden file`, () => {
      const text = golden(signal);
      const bytes = encodeProto(signal, decodeJSON(signal, text));
      const back = decodeProto(signal, bytes);
      const json = (TO_JSON[signal] as (d: typeof back) => JsonObject)(back);
      assert.deepEqual(json, JSON.parse(text));
      // Byte-exact too: the golden is written in canonical field order.
      assert.equal(pretty(json), text);
    });

    it(`${signal}: JSON → JSON without protobuf is lossless`, () => {
      const text = golden(signal);
      const data = (FROM_JSON[signal] as (v: unknown) => object)(JSON.parse(text));
      assert.equal(pretty((TO_JSON[signal] as (d: object) => JsonObject)(data)), text);
      assert.deepEqual(JSON.parse(encodeJSON(signal, decodeJSON(signal, text))), JSON.parse(text));
    });

    it(`${signal}: encodeJSON output is one line`, () => {
      const line = encodeJSON(signal, decodeJSON(signal, golden(signal)));
      assert.ok(!line.includes('\n'));
    });

    it(`${signal}: decodeJSON accepts UTF-8 bytes`, () => {
      const text = golden(signal);
      assert.deepEqual(decodeJSON(signal, Buffer.from(text)), decodeJSON(signal, text));
    });
  }
});

describe('64-bit integers', () => {
  it('keeps nanosecond timestamps exact through protobuf', () => {
    const t = decodeProto('traces', encodeProto('traces', decodeJSON('traces', golden('traces'))));
    const span = firstSpan(t);
    assert.ok(Long.isLong(span.startTimeUnixNano));
    assert.ok(span.startTimeUnixNano instanceof Long, 'decoded Long is the class proto.ts exports');
    assert.equal(span.startTimeUnixNano.toString(), '1700000000123456789');
    assert.equal(span.endTimeUnixNano!.toString(), '1700000002987654321');
    // 2^53 + 1 cannot be a JS number; it survives as text and Long.
    const attr = span.attributes!.find((a) => a.key === 'gen_ai.usage.input_tokens')!;
    assert.equal(attr.value!.intValue!.toString(), '9007199254740993');
  });

  it('keeps the full unsigned and signed ranges', () => {
    const t = tracesFromJSON(spanDoc({ startTimeUnixNano: '18446744073709551615' }));
    const back = decodeProto('traces', encodeProto('traces', t));
    assert.equal((tracesToJSON(back) as any).resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano, '18446744073709551615');
    const min = tracesFromJSON(spanDoc({ attributes: [{ key: 'k', value: { intValue: '-9223372036854775808' } }] }));
    const out = tracesToJSON(decodeProto('traces', encodeProto('traces', min))) as any;
    assert.equal(out.resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue, '-9223372036854775808');
  });

  it('converts values around every precision boundary exactly', () => {
    const signed = ['0', '1', '-1', '4294967295', '4294967296', '-4294967296', '9007199254740991', '9007199254740992',
      '-9007199254740993', '123456789012345', '-123456789012345', '9223372036854775807', '-9223372036854775808'];
    const unsigned = ['1', '4294967296', '9007199254740993', '9223372036854775808', '18446744073709551615'];
    const doc = {
      resourceSpans: [{
        scopeSpans: [{
          spans: unsigned.map((u) => ({ startTimeUnixNano: u })).concat([
            { attributes: signed.map((s, i) => ({ key: `k${i}`, value: { intValue: s } })) } as any,
          ]),
        }],
      }],
    };
    const expected = {
      resourceSpans: [{
        scopeSpans: [{
          spans: [
            ...unsigned.map((u) => ({ startTimeUnixNano: u })),
            { attributes: signed.map((s, i) => ({ key: `k${i}`, value: { intValue: s } })) },
          ],
        }],
      }],
    };
    const viaJson = tracesFromJSON(doc);
    assert.deepEqual(tracesToJSON(viaJson), expected);
    assert.deepEqual(tracesToJSON(decodeProto('traces', encodeProto('traces', viaJson))), expected);
  });

  it('accepts JSON numbers and writes strings', () => {
    const t = tracesFromJSON(spanDoc({ startTimeUnixNano: 1700000000000000000, attributes: [{ key: 'n', value: { intValue: 5 } }] }));
    const span = tracesToJSON(t) as any;
    assert.equal(span.resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano, '1700000000000000000');
    assert.equal(span.resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue, '5');
  });

  it('writes plain numbers in int64 fields as decimal strings', () => {
    const json = tracesToJSON({ resourceSpans: [{ scopeSpans: [{ spans: [{ startTimeUnixNano: 1700000000123, endTimeUnixNano: 0 }] }] }] });
    assert.deepEqual(json, { resourceSpans: [{ scopeSpans: [{ spans: [{ startTimeUnixNano: '1700000000123' }] }] }] });
  });
});

describe('OTLP JSON encoding rules', () => {
  it('writes ids as lowercase hex and accepts any case', () => {
    const t = tracesFromJSON(spanDoc({ traceId: '5B8EFFF798038103D269B633813FC60C', spanId: 'EEE19B7EC3C1B174' }));
    const span = firstSpan(t);
    assert.deepEqual(Buffer.from(span.traceId!), Buffer.from('5b8efff798038103d269b633813fc60c', 'hex'));
    const out = tracesToJSON(t) as any;
    assert.equal(out.resourceSpans[0].scopeSpans[0].spans[0].traceId, '5b8efff798038103d269b633813fc60c');
    assert.equal(out.resourceSpans[0].scopeSpans[0].spans[0].spanId, 'eee19b7ec3c1b174');
  });

  it('treats an empty id as unset', () => {
    const t = tracesFromJSON(spanDoc({ parentSpanId: '', name: 'root' }));
    assert.deepEqual(tracesToJSON(t), spanDoc({ name: 'root' }));
  });

  it('writes enums as integers and accepts their names', () => {
    const t = tracesFromJSON(spanDoc({ kind: 'SPAN_KIND_SERVER', status: { code: 'STATUS_CODE_ERROR' } }));
    assert.deepEqual(tracesToJSON(t), spanDoc({ kind: 2, status: { code: 2 } }));
    // proto3 enums are open: unknown numbers are kept.
    assert.deepEqual(tracesToJSON(tracesFromJSON(spanDoc({ kind: 42 }))), spanDoc({ kind: 42 }));
  });

  it('accepts snake_case keys and ignores unknown keys', () => {
    const t = tracesFromJSON({
      resource_spans: [{ scope_spans: [{ spans: [{ span_id: 'eee19b7ec3c1b174', start_time_unix_nano: '5', futureField: { x: 1 } }] }] }],
      somethingNew: true,
    });
    assert.deepEqual(tracesToJSON(t), spanDoc({ spanId: 'eee19b7ec3c1b174', startTimeUnixNano: '5' }));
  });

  it('treats null as the default value', () => {
    const t = tracesFromJSON(spanDoc({ name: null, attributes: null, status: null, kind: null }));
    assert.deepEqual(tracesToJSON(t), spanDoc({}));
  });

  it('omits defaults but keeps oneof and optional fields that are set to zero', () => {
    const m = metricsFromJSON({
      resourceMetrics: [{
        scopeMetrics: [{
          metrics: [
            { name: '', gauge: { dataPoints: [{ asDouble: 0, flags: 0, timeUnixNano: '0' }] } },
            { histogram: { dataPoints: [{ count: '0', sum: 0, min: 0, bucketCounts: [], explicitBounds: [] }] } },
          ],
        }],
      }],
    });
    assert.deepEqual(metricsToJSON(m), {
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ gauge: { dataPoints: [{ asDouble: 0 }] } }, { histogram: { dataPoints: [{ sum: 0, min: 0 }] } }] }] }],
    });
  });

  it('writes non-finite doubles as strings', () => {
    const m = metricsFromJSON({
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ histogram: { dataPoints: [{ explicitBounds: [1, 'Infinity'], max: '-Infinity', sum: 'NaN' }] } }] }] }],
    });
    const dp = (metricsToJSON(m) as any).resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.dataPoints[0];
    assert.deepEqual(dp, { sum: 'NaN', explicitBounds: [1, 'Infinity'], max: '-Infinity' });
  });

  it('writes bytes attributes as base64 and accepts URL-safe base64', () => {
    const t = tracesFromJSON(spanDoc({ attributes: [{ key: 'b', value: { bytesValue: '-_8' } }] }));
    const v = firstSpan(t).attributes![0]!.value!;
    assert.deepEqual([...v.bytesValue!], [0xfb, 0xff]);
    assert.deepEqual((tracesToJSON(t) as any).resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value, { bytesValue: '+/8=' });
  });

  it('reads decoded messages whose unset fields live on the prototype', () => {
    const decoded = decodeProto('traces', encodeProto('traces', { resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'x' }] }] }] }));
    assert.deepEqual(tracesToJSON(decoded), spanDoc({ name: 'x' }));
  });
});

describe('OTLP JSON decoding errors', () => {
  const cases: Array<[string, string, string | RegExp]> = [
    ['not JSON', '{"resourceSpans": [', /^invalid JSON: /],
    ['an array at the top', '[]', 'expected a JSON object for ExportTraceServiceRequest, got an array'],
    ['a string at the top', '"hello"', 'expected a JSON object for ExportTraceServiceRequest, got "hello"'],
    ['resourceSpans not an array', '{"resourceSpans": {}}', 'resourceSpans: expected an array, got an object'],
    ['a span that is not an object', '{"resourceSpans":[{"scopeSpans":[{"spans":[1]}]}]}',
      'resourceSpans[0].scopeSpans[0].spans[0]: expected a JSON object for Span, got 1'],
    ['a bad traceId', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}',
      'resourceSpans[0].scopeSpans[0].spans[0].traceId: invalid traceId "zz": expected 32 hex characters'],
    ['a base64 traceId', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"W47/95gDgQPSabYzgT/GDA=="}]}]}]}',
      /spans\[0\]\.traceId: invalid traceId "W47\/95gDgQPSabYzgT\/GDA==": expected 32 hex characters$/],
    ['a short spanId', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":"abcd"}]}]}]}',
      /spans\[0\]\.spanId: invalid spanId "abcd": expected 16 hex characters$/],
    ['a numeric parentSpanId', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"parentSpanId":12}]}]}]}',
      /parentSpanId: invalid parentSpanId 12: expected 16 hex characters$/],
    ['a bad link id', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"links":[{},{"traceId":"xyz"}]}]}]}]}',
      /spans\[0\]\.links\[1\]\.traceId: invalid traceId "xyz"/],
    ['a non-decimal timestamp', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"12abc"}]}]}]}',
      /startTimeUnixNano: expected an unsigned 64-bit integer as a decimal string or number, got "12abc"$/],
    ['a negative timestamp', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"-1"}]}]}]}',
      /startTimeUnixNano: expected an unsigned 64-bit integer, got "-1"$/],
    ['a timestamp over 2^64', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"18446744073709551616"}]}]}]}',
      /startTimeUnixNano: unsigned 64-bit integer out of range: "18446744073709551616"$/],
    ['a number timestamp far beyond 2^64', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":1.5e300}]}]}]}',
      /startTimeUnixNano: unsigned 64-bit integer out of range: 1\.5e\+300$/],
    ['a number timestamp of exactly 2^64', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"endTimeUnixNano":18446744073709551616}]}]}]}',
      /endTimeUnixNano: unsigned 64-bit integer out of range: 18446744073709552000$/],
    ['a signed number below -2^63', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"k","value":{"intValue":-1e19}}]}]}]}]}',
      /intValue: signed 64-bit integer out of range: -10000000000000000000$/],
    ['a fractional timestamp', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"endTimeUnixNano":1.5}]}]}]}',
      /endTimeUnixNano: expected an unsigned 64-bit integer as a decimal string or number, got 1.5$/],
    ['a name that is not a string', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":5}]}]}]}',
      /spans\[0\]\.name: expected a string, got 5$/],
    ['a negative count', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"droppedAttributesCount":-1}]}]}]}',
      /droppedAttributesCount: expected an unsigned 32-bit integer, got -1$/],
    ['an unknown enum name', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SPAN_KIND_SIDEWAYS"}]}]}]}',
      /spans\[0\]\.kind: unknown enum value "SPAN_KIND_SIDEWAYS"$/],
    ['an enum name inherited from Object.prototype', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"toString"}]}]}]}',
      /spans\[0\]\.kind: unknown enum value "toString"$/],
    ['a bool as a string', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"k","value":{"boolValue":"yes"}}]}]}]}]}',
      /attributes\[0\]\.value\.boolValue: expected true or false, got "yes"$/],
    ['two AnyValue members', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"k","value":{"stringValue":"a","intValue":"1"}}]}]}]}]}',
      /attributes\[0\]\.value: AnyValue sets both stringValue and intValue, which are exclusive$/],
    ['bad base64', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"k","value":{"bytesValue":"not base64!"}}]}]}]}]}',
      /value\.bytesValue: expected base64 bytes, got "not base64!"$/],
    ['a bad double', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"k","value":{"doubleValue":"fast"}}]}]}]}]}',
      /value\.doubleValue: expected a number, got "fast"$/],
  ];
  for (const [what, text, expected] of cases) {
    it(`rejects ${what}`, () => {
      assert.throws(
        () => decodeJSON('traces', text),
        (e: unknown) => {
          assert.ok(e instanceof PdataDecodeError, `expected PdataDecodeError, got ${String(e)}`);
          if (typeof expected === 'string') assert.equal(e.message, expected);
          else assert.match(e.message, expected);
          return true;
        },
      );
    });
  }

  it('names the place and the reason separately', () => {
    try {
      decodeJSON('traces', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}');
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof PdataDecodeError);
      assert.equal(e.name, 'PdataDecodeError');
      assert.equal(e.path, 'resourceSpans[0].scopeSpans[0].spans[0].traceId');
      assert.equal(e.reason, 'invalid traceId "zz": expected 32 hex characters');
    }
  });

  it('rejects bad metrics and logs documents too', () => {
    assert.throws(
      () => decodeJSON('metrics', '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"sum":{"dataPoints":[{"asInt":"x"}]}}]}]}]}'),
      { name: 'PdataDecodeError', message: /^resourceMetrics\[0\]\.scopeMetrics\[0\]\.metrics\[0\]\.sum\.dataPoints\[0\]\.asInt: expected a signed 64-bit integer/ },
    );
    assert.throws(
      () => decodeJSON('metrics', '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{},"sum":{}}]}]}]}'),
      { name: 'PdataDecodeError', message: /Metric sets both gauge and sum, which are exclusive$/ },
    );
    assert.throws(
      () => decodeJSON('logs', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":1.5}]}]}]}'),
      { name: 'PdataDecodeError', message: /^resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.severityNumber: expected a signed 32-bit integer, got 1.5$/ },
    );
  });

  it('stops at 100 levels of nesting instead of exhausting the stack', () => {
    let value = '{"stringValue":"leaf"}';
    for (let i = 0; i < 200; i++) value = `{"arrayValue":{"values":[${value}]}}`;
    const text = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"deep","value":${value}}]}]}]}]}`;
    assert.throws(() => decodeJSON('traces', text), { name: 'PdataDecodeError', message: /nesting deeper than 100 levels$/ });
  });
});

describe('protobuf helpers', () => {
  it('wraps protobuf decoding errors in PdataDecodeError', () => {
    // Field 1, length-delimited, claims 16 bytes but only 1 follows.
    assert.throws(() => decodeProto('traces', Uint8Array.from([0x0a, 0x10, 0x01])), (e: unknown) => {
      assert.ok(e instanceof PdataDecodeError);
      assert.match(e.message, /^invalid protobuf ExportTraceServiceRequest: /);
      assert.ok(e.cause instanceof Error);
      return true;
    });
    assert.throws(() => decodeProto('logs', Uint8Array.from([0x0f])), { name: 'PdataDecodeError', message: /^invalid protobuf ExportLogsServiceRequest: / });
  });

  it('rejects strings that are not UTF-8', () => {
    const bytes = Buffer.from(encodeProto('traces', { resourceSpans: [{ schemaUrl: 'ab' }] }));
    bytes[bytes.length - 1] = 0xff;
    assert.throws(() => decodeProto('traces', bytes), { name: 'PdataDecodeError', message: /^invalid protobuf ExportTraceServiceRequest: .*utf-8/ });
  });

  it('decodes an empty body as an empty request', () => {
    assert.deepEqual(tracesToJSON(decodeProto('traces', new Uint8Array(0))), {});
  });

  it('skips unknown protobuf fields', () => {
    const known = encodeProto('traces', { resourceSpans: [{ schemaUrl: 'u' }] });
    // Append field 99 (varint 7) to the request: tag = 99 << 3 | 0 = 792 → 0x98 0x06.
    const withUnknown = Buffer.concat([known, Buffer.from([0x98, 0x06, 0x07])]);
    assert.deepEqual(Buffer.from(encodeProto('traces', decodeProto('traces', withUnknown))), Buffer.from(known));
  });
});

describe('responses and google.rpc.Status', () => {
  it('encodes partial success with int64 counts as strings', () => {
    assert.deepEqual(responseToJSON('traces', { partialSuccess: { rejectedSpans: 3, errorMessage: 'bad spans' } }), {
      partialSuccess: { rejectedSpans: '3', errorMessage: 'bad spans' },
    });
    assert.deepEqual(responseToJSON('metrics', { partialSuccess: { rejectedDataPoints: Long.fromNumber(2) } }), {
      partialSuccess: { rejectedDataPoints: '2' },
    });
    assert.deepEqual(responseToJSON('logs', {}), {});
    const back = responseFromJSON('logs', { partialSuccess: { rejectedLogRecords: '7' } });
    assert.equal(back.partialSuccess!.rejectedLogRecords!.toString(), '7');
  });

  it('round-trips google.rpc.Status through JSON and protobuf', () => {
    const status = { code: 3, message: 'invalid traceId', details: [{ type_url: 'type.googleapis.com/x.Y', value: Buffer.from([1, 2]) }] };
    const json = rpcStatusToJSON(status);
    assert.deepEqual(json, { code: 3, message: 'invalid traceId', details: [{ '@type': 'type.googleapis.com/x.Y', value: 'AQI=' }] });
    const decoded = RpcStatus.decode(RpcStatus.encode(rpcStatusFromJSON(json)).finish());
    assert.deepEqual(rpcStatusToJSON(decoded), json);
    assert.deepEqual(rpcStatusToJSON({ code: 0, message: '' }), {});
  });
});
