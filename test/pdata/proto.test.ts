import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceResponse,
  Long,
  MetricType,
  ResetHint,
  Span,
  WriteRequest,
  WriteV2Request,
  int64IsZero,
  int64ToBigInt,
  int64ToNumber,
  int64ToString,
  type IWriteV2Request,
  type PromWrite,
} from '../../src/pdata/proto.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('generated codecs', () => {
  it('decode every 64-bit field to a Long, defaults included', () => {
    const s = Span.decode(Span.encode({ startTimeUnixNano: Long.fromString('1700000000123456789', true) }).finish());
    assert.ok(s.startTimeUnixNano instanceof Long);
    assert.equal(s.startTimeUnixNano.toString(), '1700000000123456789');
    assert.equal((s.startTimeUnixNano as Long).unsigned, true); // fixed64
    assert.ok(Long.isLong(s.endTimeUnixNano) && (s.endTimeUnixNano as Long).isZero());
  });

  it('use the OTLP field numbers and wire types', () => {
    // Span: trace_id = 1 (bytes), kind = 6 (varint), start_time_unix_nano = 7 (fixed64), flags = 16 (fixed32).
    const bytes = Span.encode({ traceId: Buffer.alloc(16, 0xab), kind: 2, startTimeUnixNano: 1, flags: 0x301 }).finish();
    assert.equal(hex(bytes), `0a10${'ab'.repeat(16)}3002390100000000000000850101030000`);
    // NumberDataPoint.as_int is sfixed64 = 6; HistogramDataPoint.bucket_counts is packed fixed64 = 6.
    const md = ExportMetricsServiceRequest.encode({
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ gauge: { dataPoints: [{ asInt: -1 }] } }] }] }],
    }).finish();
    assert.ok(hex(md).endsWith('31ffffffffffffffff'));
    // LogRecord.observed_time_unix_nano = 11 (fixed64), event_name = 12.
    const lr = ExportLogsServiceRequest.encode({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ observedTimeUnixNano: 2, eventName: 'e' }] }] }] }).finish();
    assert.ok(hex(lr).endsWith('5902000000000000006201' + '65'));
  });

  it('encode partial_success with the OTLP numbers', () => {
    const b = ExportTraceServiceResponse.encode({ partialSuccess: { rejectedSpans: 5, errorMessage: 'x' } }).finish();
    assert.equal(hex(b), '0a05' + '0805' + '120178');
  });
});

describe('remote-write codecs', () => {
  it('write 1.0: field numbers of the Prometheus schema', () => {
    const w: PromWrite = {
      timeseries: [{ labels: [{ name: '__name__', value: 'up' }], samples: [{ value: 1, timestamp: 1700000000000 }] }],
      metadata: [{ type: MetricType.GAUGE, metricFamilyName: 'up', help: 'h', unit: 'u' }],
    };
    const bytes = WriteRequest.encode(w).finish();
    const back = WriteRequest.decode(bytes);
    assert.equal(back.timeseries[0]!.labels![0]!.name, '__name__');
    assert.equal(back.timeseries[0]!.samples![0]!.timestamp!.toString(), '1700000000000');
    assert.equal(back.metadata[0]!.type, MetricType.GAUGE);
    // Sample{value = 1, timestamp = 2}: 09 <double 1.0> 10 02.
    const ts = WriteRequest.encode({ timeseries: [{ samples: [{ value: 1, timestamp: 2 }] }] }).finish();
    assert.equal(hex(ts), '0a0d' + '120b' + '09000000000000f03f' + '1002');
    // WriteRequest.metadata = 3; MetricMetadata help = 4, unit = 5.
    const md = WriteRequest.encode({ metadata: [{ help: 'h', unit: 'u' }] }).finish();
    assert.equal(hex(md), '1a06' + '220168' + '2a0175');
  });

  it('write 1.0: native histograms, exemplars and the stale-marker NaN survive', () => {
    const stale = Buffer.from('7ff0000000000002', 'hex').readDoubleBE(0);
    const w: PromWrite = {
      timeseries: [{
        labels: [{ name: '__name__', value: 'x' }],
        samples: [{ value: stale, timestamp: 5 }],
        exemplars: [{ labels: [{ name: 'trace_id', value: 'abc' }], value: 2, timestamp: 6 }],
        histograms: [{
          countInt: 10, sum: 3.5, schema: -1, zeroThreshold: 1e-128, zeroCountInt: 1,
          positiveSpans: [{ offset: -2, length: 2 }], positiveDeltas: [3, -1], resetHint: ResetHint.GAUGE, timestamp: 7,
        }],
      }],
    };
    const back = WriteRequest.decode(WriteRequest.encode(w).finish());
    const ts = back.timeseries[0]!;
    const bits = Buffer.alloc(8);
    bits.writeDoubleBE(ts.samples![0]!.value!, 0);
    assert.equal(bits.toString('hex'), '7ff0000000000002');
    assert.equal(ts.exemplars![0]!.labels![0]!.value, 'abc');
    const h = ts.histograms![0]!;
    assert.equal(h.countInt!.toString(), '10');
    assert.equal(h.schema, -1);
    assert.deepEqual(h.positiveSpans!.map((s) => ({ ...s })), [{ offset: -2, length: 2 }]);
    assert.deepEqual(h.positiveDeltas!.map((d) => d.toString()), ['3', '-1']);
    assert.equal(h.resetHint, ResetHint.GAUGE);
  });

  it('write 2.0: symbols = 4, timeseries = 5, both start-timestamp revisions', () => {
    const req: IWriteV2Request = {
      symbols: ['', '__name__', 'up'],
      timeseries: [{
        labelsRefs: [1, 2],
        samples: [{ value: 1, timestamp: 10, startTimestamp: 3 }],
        metadata: { type: 2, helpRef: 0, unitRef: 0 },
        createdTimestamp: 4,
      }],
    };
    const bytes = WriteV2Request.encode(req).finish();
    assert.equal(bytes[0], 0x22); // field 4, length-delimited
    const back = WriteV2Request.decode(bytes);
    assert.deepEqual(back.symbols, ['', '__name__', 'up']);
    const ts = back.timeseries[0]!;
    assert.deepEqual(ts.labelsRefs, [1, 2]);
    assert.equal(ts.samples![0]!.startTimestamp!.toString(), '3');
    assert.equal(ts.createdTimestamp!.toString(), '4');
    assert.equal(ts.metadata!.type, 2);
  });
});

describe('int64 helpers', () => {
  it('convert exactly', () => {
    const l = Long.fromString('1700000000123456789', true);
    assert.equal(int64ToString(l), '1700000000123456789');
    assert.equal(int64ToBigInt(l), 1700000000123456789n);
    assert.equal(int64ToNumber(Long.fromNumber(42)), 42);
    assert.equal(int64ToString(7), '7');
    assert.equal(int64ToString(null), '0');
    assert.equal(int64ToBigInt(Long.fromString('-5')), -5n);
    assert.ok(int64IsZero(undefined) && int64IsZero(0) && int64IsZero(Long.UZERO) && !int64IsZero(Long.ONE));
  });
});
