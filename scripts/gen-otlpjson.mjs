// The field table of the OTLP JSON codec (src/pdata/otlpjson.ts), generated from the proto
// descriptors in proto/ so it cannot drift from the protobuf codecs. Used by gen-proto.mjs, which
// writes it to src/gen/otlpjson-fields.{js,d.ts} and checks it with --check.
//
// Each message is a list of fields in .proto declaration order (also the JSON output order):
// { name, type, repeated?, oneof?, optional?, values?, json? }, where type is a JSON kind
// (string, bool, int32, uint32, double, int64, uint64, bytes, traceId, spanId, enum) or the name of
// another message of the table.
import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';

const require = createRequire(import.meta.url);
const protobuf = require('protobufjs');

/** The messages the codec starts from; everything they reach is included. */
const ROOTS = [
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
  'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
  'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse',
  'google.rpc.Status',
];

/** Table names where a message's own name would be ambiguous (they appear in error messages). */
const RENAME = {
  'opentelemetry.proto.trace.v1.Span.Event': 'SpanEvent',
  'opentelemetry.proto.trace.v1.Span.Link': 'SpanLink',
  'opentelemetry.proto.trace.v1.Status': 'SpanStatus',
  'google.rpc.Status': 'RpcStatus',
};

// Fixed-width and zigzag types map onto the JSON kinds of the same range.
const SCALAR = {
  string: 'string',
  bool: 'bool',
  int32: 'int32',
  sint32: 'int32',
  sfixed32: 'int32',
  uint32: 'uint32',
  fixed32: 'uint32',
  double: 'double',
  float: 'double',
  int64: 'int64',
  sint64: 'int64',
  sfixed64: 'int64',
  uint64: 'uint64',
  fixed64: 'uint64',
  bytes: 'bytes',
};

/** OTLP ids are bytes written as hex in JSON (the OTLP specification), every other bytes field base64. */
const HEX_IDS = { traceId: 'traceId', spanId: 'spanId', parentSpanId: 'spanId' };

const fullName = (t) => t.fullName.replace(/^\./, '');

export function otlpJsonFields(protoDir) {
  const root = new protobuf.Root();
  // Files and their imports are named relative to protoDir; protobufjs bundles google/protobuf/*.
  root.resolvePath = (_origin, target) => (protobuf.common[target] || isAbsolute(target) ? target : join(protoDir, target));
  root.loadSync(FILES);
  root.resolveAll();

  const names = new Map(); // full name → table name
  const out = {};
  const queue = ROOTS.map((r) => root.lookupType(r));
  const nameOf = (t) => {
    const full = fullName(t);
    let n = names.get(full);
    if (n === undefined) {
      n = RENAME[full] ?? t.name;
      for (const [other, taken] of names) if (taken === n) throw new Error(`otlpjson fields: ${full} and ${other} would both be named ${n}; add one to RENAME`);
      names.set(full, n);
      queue.push(t);
    }
    return n;
  };
  for (const t of queue) nameOf(t);
  for (let i = 0; i < queue.length; i++) {
    const t = queue[i];
    const fields = [];
    for (const f of t.fieldsArray) {
      const d = { name: f.name };
      if (f.resolvedType instanceof protobuf.Type) d.type = nameOf(f.resolvedType);
      else if (f.resolvedType instanceof protobuf.Enum) {
        d.type = 'enum';
        d.values = { ...f.resolvedType.values };
      } else if (f.type === 'bytes' && HEX_IDS[f.name] && fullName(t).startsWith('opentelemetry.')) d.type = HEX_IDS[f.name];
      else if (SCALAR[f.type]) d.type = SCALAR[f.type];
      else throw new Error(`otlpjson fields: ${fullName(t)}.${f.name} has unsupported type ${f.type}`);
      if (f.repeated) d.repeated = true;
      if (f.partOf) {
        // proto3 `optional` is a synthetic oneof; both give explicit presence.
        if (f.options?.proto3_optional || f.partOf.name === `_${f.name}`) d.optional = true;
        else d.oneof = f.partOf.name;
      }
      // google.protobuf.Any without a type registry: {"@type": url, "value": base64}.
      if (fullName(t) === 'google.protobuf.Any' && f.name === 'type_url') d.json = '@type';
      fields.push(d);
    }
    out[names.get(fullName(t))] = fields;
  }
  return out;
}

/** The .proto files that hold the messages above (imports are resolved through protoDir). */
export const FILES = [
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
  'google/rpc/status.proto',
];

export function otlpJsonFieldsModule(protoDir, header) {
  const table = otlpJsonFields(protoDir);
  const js = `${header}// OTLP JSON field table: see scripts/gen-otlpjson.mjs.\nexport const OTLP_JSON_MESSAGES = ${JSON.stringify(table, null, 1)};\n`;
  const dts = `${header}export interface OtlpJsonFieldDef {
  /** Property name in the generated codec's objects (lowerCamelCase). */
  readonly name: string;
  /** A JSON kind (string, bool, int32, uint32, double, int64, uint64, bytes, traceId, spanId, enum) or a message of the table. */
  readonly type: string;
  readonly repeated?: boolean;
  /** Member of this oneof (explicit presence). */
  readonly oneof?: string;
  /** proto3 \`optional\` (explicit presence). */
  readonly optional?: boolean;
  /** Enum values by name, for type 'enum'. */
  readonly values?: Readonly<Record<string, number>>;
  /** JSON key when it is not \`name\` (google.protobuf.Any's "@type"). */
  readonly json?: string;
}
export declare const OTLP_JSON_MESSAGES: Readonly<Record<string, readonly OtlpJsonFieldDef[]>>;
`;
  return { js, dts };
}
