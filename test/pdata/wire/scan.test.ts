// The wire scan against protobufjs and the .proto files: every request it
// accepts decodes and has the items it counted; malformed input (truncated,
// bad lengths, wrong wire types, wrong ID sizes, garbage nested deep) is
// refused with a message naming the field, and never crashes it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { EncodedOtlp } from '../../../src/pdata/encoded.js';
import { countItems } from '../../../src/pdata/count.js';
import { decodeJSON, decodeProto, encodeProto, logsToJSON, metricsToJSON, PdataDecodeError, tracesToJSON } from '../../../src/pdata/otlpjson.js';
import type { Signal } from '../../../src/pdata/signal.js';
import { Kind, MESSAGES } from '../../../src/pdata/wire/schema.js';
import { rng as mulberry32 } from '../../helpers/prwgen.js';
import { spanAt } from '../../helpers/otlpparts.js';
import { richTraces } from './requests.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const fixture = (s: Signal) => decodeJSON(s, readFileSync(`${ROOT}test/fixtures/otlp/${s}.json`, 'utf8'));
const TO_JSON = { traces: tracesToJSON, metrics: metricsToJSON, logs: logsToJSON } as Record<Signal, (d: never) => unknown>;

/** Scan result: items, or the refusal message. */
function scan(signal: Signal, bytes: Uint8Array): { items: number } | { error: string } {
  try {
    return { items: EncodedOtlp.scan(signal, bytes).items };
  } catch (e) {
    assert.ok(e instanceof PdataDecodeError, `scan threw ${String(e)} instead of a PdataDecodeError`);
    return { error: e.message };
  }
}

function refused(signal: Signal, bytes: Uint8Array, message: RegExp): void {
  const r = scan(signal, bytes);
  assert.ok('error' in r, `expected a refusal matching ${message}, got ${JSON.stringify(r)}`);
  assert.match(r.error, message);
}

// ---- hand-made protobuf ---------------------------------------------------------

function varint(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}
const len = (no: number, body: number[]): number[] => [...varint(no * 8 + 2), ...varint(body.length), ...body];
const str = (no: number, s: string): number[] => len(no, [...Buffer.from(s)]);
const bytesOf = (n: number, fill = 1): number[] => new Array(n).fill(fill);
/** An ExportTraceServiceRequest holding one span with these fields. */
const oneSpan = (span: number[], scope: number[] = []): Uint8Array => Uint8Array.from(len(1, len(2, [...scope, ...len(2, span)])));
const validSpan = [...len(1, bytesOf(16)), ...len(2, bytesOf(8)), ...str(5, 'op')];

describe('wire schema', () => {
  it('agrees with proto/ on every field number, type and repetition', () => {
    const root = new protobuf.Root();
    // Imports in proto/ are relative to proto/ itself.
    root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : `${ROOT}proto/${target}`);
    root.loadSync([
      'opentelemetry/proto/collector/trace/v1/trace_service.proto',
      'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
      'opentelemetry/proto/collector/logs/v1/logs_service.proto',
    ]);
    root.resolveAll();
    const protoName: Record<string, string> = {
      SpanEvent: 'Span.Event',
      SpanLink: 'Span.Link',
      SpanStatus: 'Status',
      ExponentialHistogramBuckets: 'ExponentialHistogramDataPoint.Buckets',
      ValueAtQuantile: 'SummaryDataPoint.ValueAtQuantile',
    };
    const all = new Map<string, protobuf.Type>();
    const walk = (ns: protobuf.NamespaceBase) => {
      for (const o of ns.nestedArray) {
        if (o instanceof protobuf.Type) all.set(o.fullName.replace(/^\.opentelemetry\.proto\.[a-z.]+\.v1\./, ''), o);
        if (o instanceof protobuf.Namespace || o instanceof protobuf.Type) walk(o as protobuf.NamespaceBase);
      }
    };
    walk(root);
    const kindOf = (f: protobuf.Field): Kind | string => {
      if (f.resolvedType instanceof protobuf.Type) return f.resolvedType.fullName.replace(/^\.opentelemetry\.proto\.[a-z.]+\.v1\./, '');
      if (f.resolvedType instanceof protobuf.Enum) return Kind.Varint;
      if (f.repeated && (f.type === 'fixed64' || f.type === 'double')) return Kind.PackedI64;
      if (f.repeated && f.type === 'uint64') return Kind.PackedVarint;
      switch (f.type) {
        case 'string':
          return Kind.String;
        case 'bytes':
          return Kind.Bytes;
        case 'fixed64':
        case 'sfixed64':
        case 'double':
          return Kind.I64;
        case 'fixed32':
          return Kind.I32;
        default:
          return Kind.Varint;
      }
    };
    for (const [name, def] of MESSAGES) {
      const t = all.get(protoName[name] ?? name);
      assert.ok(t, `no message ${name} in proto/`);
      const numbers = Object.values(t.fields)
        .map((f) => f.id)
        .sort((a, b) => a - b);
      const mine = def.fields.flatMap((f) => (f ? [f.no] : []));
      assert.deepEqual(mine, numbers, `${name}: field numbers`);
      for (const f of Object.values(t.fields)) {
        const d = def.fields[f.id];
        assert.ok(d, `${name}.${f.name}: field ${f.id} missing from the wire schema`);
        const want = kindOf(f);
        const got = d.kind === Kind.Message ? (protoName[d.msg ?? ''] ?? d.msg) : d.kind;
        // IDs are bytes with a size rule on top.
        const gotBase = got === Kind.TraceId || got === Kind.SpanId ? Kind.Bytes : got;
        assert.equal(gotBase, want, `${name}.${f.name}: kind`);
        assert.equal(d.repeated, f.repeated, `${name}.${f.name}: repeated`);
        if (d.kind === Kind.TraceId || d.kind === Kind.SpanId) assert.match(f.name, d.kind === Kind.TraceId ? /^traceId$/ : /^(spanId|parentSpanId)$/);
      }
    }
  });
});

describe('wire scan: valid requests', () => {
  for (const signal of ['traces', 'metrics', 'logs'] as Signal[]) {
    it(`indexes the ${signal} fixture: items as counted on the decoded request, entries that are the request`, () => {
      const bytes = encodeProto(signal, fixture(signal) as never);
      const e = EncodedOtlp.scan(signal, bytes);
      assert.equal(e.items, countItems(signal, decodeProto(signal, bytes)));
      assert.ok(e.items > 0);
      assert.deepEqual(e.toBuffer(), Buffer.from(bytes));
      assert.equal(e.bytes, bytes.length);
      assert.deepEqual(TO_JSON[signal](e.decode() as never), TO_JSON[signal](fixture(signal) as never));
    });
  }

  it('accepts an empty request, empty IDs (unset, as the collector does) and unknown fields, which stay', () => {
    assert.equal(EncodedOtlp.scan('traces', new Uint8Array(0)).items, 0);
    const unknown = [...varint(99 * 8 + 0), 5, ...varint(98 * 8 + 1), ...bytesOf(8), ...len(97, [1, 2, 3]), ...varint(96 * 8 + 5), 1, 2, 3, 4];
    const group = [...varint(95 * 8 + 3), ...varint(1 * 8 + 0), 7, ...varint(95 * 8 + 4)];
    const span = [...len(1, []), ...len(4, []), ...str(5, 'root'), ...unknown, ...group];
    const bytes = oneSpan(span);
    const e = EncodedOtlp.scan('traces', bytes);
    assert.equal(e.items, 1);
    assert.deepEqual(e.toBuffer(), Buffer.from(bytes), 'unknown fields are forwarded as they came');
    assert.equal(spanAt(e.decode()).name, 'root');
  });

  it('accepts packed and unpacked repeated numbers', () => {
    const point = [...len(6, bytesOf(16, 0)), ...varint(6 * 8 + 1), ...bytesOf(8, 0), ...len(7, bytesOf(8, 0))];
    const metric = [...str(1, 'h'), ...len(9, len(1, point))];
    const req = Uint8Array.from(len(1, len(2, len(2, metric))));
    assert.deepEqual(scan('metrics', req), { items: 1 });
    const dp = decodeProto('metrics', req).resourceMetrics?.[0]?.scopeMetrics?.[0]?.metrics?.[0]?.histogram?.dataPoints?.[0];
    assert.equal(dp?.bucketCounts?.length, 3);
  });
});

describe('wire scan: malformed input is refused, naming the field', () => {
  it('refuses trace and span IDs of the wrong size everywhere they occur', () => {
    refused(
      'traces',
      oneSpan([...len(1, bytesOf(15)), ...len(2, bytesOf(8))]),
      /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.traceId: 15 bytes; a trace ID is 16 bytes/,
    );
    refused('traces', oneSpan([...len(1, bytesOf(16)), ...len(2, bytesOf(7))]), /spans\[0\]\.spanId: 7 bytes; a span ID is 8 bytes/);
    refused('traces', oneSpan([...validSpan, ...len(4, bytesOf(16))]), /spans\[0\]\.parentSpanId: 16 bytes/);
    const link = [...len(1, bytesOf(17)), ...len(2, bytesOf(8))];
    refused('traces', oneSpan([...validSpan, ...len(13, []), ...len(13, link)]), /spans\[0\]\.links\[1\]\.traceId: 17 bytes/);
    const rec = [...len(9, bytesOf(16)), ...len(10, bytesOf(4))];
    refused('logs', Uint8Array.from(len(1, len(2, len(2, rec)))), /resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.spanId: 4 bytes/);
    const exemplar = len(5, len(4, bytesOf(9)));
    const metric = [...str(1, 'g'), ...len(5, len(1, exemplar))];
    refused('metrics', Uint8Array.from(len(1, len(2, len(2, metric)))), /metrics\[0\]\.gauge\.dataPoints\[0\]\.exemplars\[0\]\.spanId: 9 bytes/);
  });

  it('counts the index of the bad element among its siblings', () => {
    const good = len(2, validSpan);
    const bad = len(2, [...len(1, bytesOf(3))]);
    const req = Uint8Array.from(len(1, [...len(1, []), ...len(2, [...good, ...good, ...str(3, 'x'), ...bad])]));
    refused('traces', req, /^invalid protobuf ExportTraceServiceRequest: resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[2\]\.traceId: 3 bytes/);
  });

  it('refuses wrong wire types for known fields', () => {
    refused('traces', oneSpan([...varint(5 * 8 + 0), 1]), /spans\[0\]\.name: wrong wire type: varint, expected length-delimited/);
    refused('traces', oneSpan([...validSpan, ...varint(7 * 8 + 0), 1]), /startTimeUnixNano: wrong wire type: varint, expected fixed64/);
    refused('traces', oneSpan([...validSpan, ...varint(16 * 8 + 1), ...bytesOf(8)]), /flags: wrong wire type: fixed64, expected fixed32/);
    refused('traces', Uint8Array.from([...varint(1 * 8 + 0), 1]), /resourceSpans\[0\]: wrong wire type/);
  });

  it('refuses truncated messages and lengths that run past their message', () => {
    refused('traces', Uint8Array.from([0x0a, 0x10, 0x01]), /length 16 runs past the end of the request/);
    // An inner length that fits the buffer but not its parent message (the schema URL after it).
    const inner = [...len(2, validSpan)];
    inner[1] = (inner[1] ?? 0) + 5;
    const rs = [...len(2, inner), ...str(3, 'https://example.com/schema')];
    refused('traces', Uint8Array.from(len(1, rs)), /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]: length \d+ runs past the end of its message/);
    refused('traces', oneSpan([...validSpan, ...varint(7 * 8 + 1), 1, 2, 3]), /startTimeUnixNano: truncated fixed64/);
    refused('traces', Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), /malformed length/);
    refused('traces', oneSpan([...validSpan, ...varint(10 * 8), 0xff, 0xff]), /droppedAttributesCount: truncated or malformed varint/);
  });

  it('refuses strings that are not UTF-8, invalid wire types, field 0 and stray end-group tags', () => {
    refused('traces', oneSpan([...validSpan.slice(0, -4), ...len(5, [0x6f, 0xff, 0x70])]), /spans\[0\]\.name: string is not valid UTF-8/);
    refused('traces', oneSpan([...validSpan, ...varint(50 * 8 + 6)]), /invalid wire type 6/);
    refused('traces', oneSpan([...validSpan, 0x00, 0x01]), /field number 0/);
    refused('traces', oneSpan([...validSpan, ...varint(50 * 8 + 4)]), /unexpected end-group/);
    refused('traces', oneSpan([...validSpan, ...varint(50 * 8 + 3), ...varint(51 * 8 + 4)]), /group of field 50 ended by the end tag of field 51/);
  });

  it('refuses packed numbers of a bad length', () => {
    const metric = [...str(1, 'h'), ...len(9, len(1, len(6, bytesOf(12, 0))))];
    refused('metrics', Uint8Array.from(len(1, len(2, len(2, metric)))), /histogram\.dataPoints\[0\]\.bucketCounts: packed fixed64 values of 12 bytes/);
  });

  it('stops at 100 nested AnyValues, as the collector does', () => {
    const nest = (levels: number): number[] => {
      let v = str(1, 'leaf');
      for (let i = 1; i < levels; i++) v = len(5, len(1, v));
      return v;
    };
    const kv = (levels: number) => len(9, [...str(1, 'deep'), ...len(2, nest(levels))]);
    assert.deepEqual(scan('traces', oneSpan([...validSpan, ...kv(100)])), { items: 1 });
    refused('traces', oneSpan([...validSpan, ...kv(101)]), /nesting deeper than 100 levels/);
  });

  it('never crashes on any truncation of a valid request, and what it accepts protobufjs decodes with the same items', () => {
    for (const signal of ['traces', 'metrics', 'logs'] as Signal[]) {
      const bytes = encodeProto(signal, fixture(signal) as never);
      for (let cut = 0; cut < bytes.length; cut++) {
        const r = scan(signal, bytes.subarray(0, cut));
        if ('items' in r) assert.equal(countItems(signal, decodeProto(signal, bytes.subarray(0, cut))), r.items, `${signal} cut at ${cut}`);
      }
    }
  });

  it('fuzz: mutated requests are refused or decode with the items counted (never a crash)', () => {
    const rnd = mulberry32(1234);
    const base = [
      ['traces', encodeProto('traces', richTraces(3, 2, 4))],
      ['traces', encodeProto('traces', fixture('traces') as never)],
      ['metrics', encodeProto('metrics', fixture('metrics') as never)],
      ['logs', encodeProto('logs', fixture('logs') as never)],
    ] as Array<[Signal, Uint8Array]>;
    let accepted = 0;
    let refusedN = 0;
    for (let i = 0; i < 3000; i++) {
      const pick = base[i % base.length];
      assert.ok(pick);
      const [signal, src] = pick;
      const b = Buffer.from(src);
      const edits = 1 + Math.floor(rnd() * 4);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(rnd() * b.length);
        const what = rnd();
        if (what < 0.5) b[at] = Math.floor(rnd() * 256);
        else if (what < 0.8) b[at] = (b[at] ?? 0) ^ (1 << Math.floor(rnd() * 8));
        else b[at] = 0x80 | (b[at] ?? 0); // a varint that keeps going
      }
      const r = scan(signal, b);
      if ('items' in r) {
        accepted++;
        let decoded;
        try {
          decoded = decodeProto(signal, b);
        } catch (e) {
          assert.fail(`scan accepted what protobufjs refuses (${(e as Error).message}): ${b.toString('hex')}`);
        }
        assert.equal(countItems(signal, decoded), r.items);
      } else refusedN++;
    }
    assert.ok(accepted > 50 && refusedN > 50, `both outcomes exercised (accepted ${accepted}, refused ${refusedN})`);
  });
});
