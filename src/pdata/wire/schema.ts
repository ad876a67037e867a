// The OTLP messages as the wire scanner sees them: for each message, what
// each field number must look like on the wire, and which messages are the
// items a batch counts (spans, log records, metric data points).
//
// Written out here (not reflected from the .proto at run time) so the scan
// is straight table look-ups; test/pdata/wire/schema.test.ts checks every
// entry against proto/ with protobufjs's reflection, so the two cannot drift.

/** How a field is checked. */
export const enum Kind {
  /** Not in the schema: skipped by its wire type, kept in pass-through. */
  Unknown = 0,
  /** int32/int64/uint32/uint64/sint32/bool/enum: one varint. */
  Varint,
  /** fixed64/sfixed64/double. */
  I64,
  /** fixed32. */
  I32,
  /** string: length-delimited, valid UTF-8. */
  String,
  /** bytes: length-delimited, anything. */
  Bytes,
  /** A trace ID: 16 bytes, or empty (unset). */
  TraceId,
  /** A span ID: 8 bytes, or empty (unset). */
  SpanId,
  /** A nested message. */
  Message,
  /** repeated fixed64/double: packed (length a multiple of 8) or one per field. */
  PackedI64,
  /** repeated uint64: packed varints or one per field. */
  PackedVarint,
}

export interface FieldDef {
  readonly no: number;
  /** JSON (lowerCamelCase) name, for error messages. */
  readonly name: string;
  readonly kind: Kind;
  readonly repeated: boolean;
  /** Message name for Kind.Message. */
  readonly msg?: string;
}

export interface MessageDef {
  readonly name: string;
  /** Field number → definition, dense (undefined for unknown numbers). */
  readonly fields: ReadonlyArray<FieldDef | undefined>;
  /** Kind by field number, for the scan loop; numbers past the end are unknown. */
  readonly kinds: Uint8Array;
  /** Nested message by field number. */
  readonly children: ReadonlyArray<MessageDef | undefined>;
  /** One of these is one item of a batch (span, log record, data point). */
  readonly item: boolean;
  /** Counts toward the nesting limit (AnyValue, as the collector counts it). */
  readonly nests: boolean;
  /** Some field leads to items: the scan adds up what they hold. */
  readonly holdsItems: boolean;
}

type Spec = [no: number, name: string, kind: Kind | string, repeated?: 'r'];

const attrs = (no: number): Spec => [no, 'attributes', 'KeyValue', 'r'];

// Field numbers and types from proto/opentelemetry/proto/**.proto.
const SPECS: Record<string, Spec[]> = {
  ExportTraceServiceRequest: [[1, 'resourceSpans', 'ResourceSpans', 'r']],
  ExportMetricsServiceRequest: [[1, 'resourceMetrics', 'ResourceMetrics', 'r']],
  ExportLogsServiceRequest: [[1, 'resourceLogs', 'ResourceLogs', 'r']],

  // common / resource
  AnyValue: [
    [1, 'stringValue', Kind.String],
    [2, 'boolValue', Kind.Varint],
    [3, 'intValue', Kind.Varint],
    [4, 'doubleValue', Kind.I64],
    [5, 'arrayValue', 'ArrayValue'],
    [6, 'kvlistValue', 'KeyValueList'],
    [7, 'bytesValue', Kind.Bytes],
    [8, 'stringValueStrindex', Kind.Varint],
  ],
  ArrayValue: [[1, 'values', 'AnyValue', 'r']],
  KeyValueList: [[1, 'values', 'KeyValue', 'r']],
  KeyValue: [
    [1, 'key', Kind.String],
    [2, 'value', 'AnyValue'],
    [3, 'keyStrindex', Kind.Varint],
  ],
  InstrumentationScope: [[1, 'name', Kind.String], [2, 'version', Kind.String], attrs(3), [4, 'droppedAttributesCount', Kind.Varint]],
  EntityRef: [
    [1, 'schemaUrl', Kind.String],
    [2, 'type', Kind.String],
    [3, 'idKeys', Kind.String, 'r'],
    [4, 'descriptionKeys', Kind.String, 'r'],
  ],
  Resource: [attrs(1), [2, 'droppedAttributesCount', Kind.Varint], [3, 'entityRefs', 'EntityRef', 'r']],

  // traces
  ResourceSpans: [
    [1, 'resource', 'Resource'],
    [2, 'scopeSpans', 'ScopeSpans', 'r'],
    [3, 'schemaUrl', Kind.String],
  ],
  ScopeSpans: [
    [1, 'scope', 'InstrumentationScope'],
    [2, 'spans', 'Span', 'r'],
    [3, 'schemaUrl', Kind.String],
  ],
  Span: [
    [1, 'traceId', Kind.TraceId],
    [2, 'spanId', Kind.SpanId],
    [3, 'traceState', Kind.String],
    [4, 'parentSpanId', Kind.SpanId],
    [5, 'name', Kind.String],
    [6, 'kind', Kind.Varint],
    [7, 'startTimeUnixNano', Kind.I64],
    [8, 'endTimeUnixNano', Kind.I64],
    attrs(9),
    [10, 'droppedAttributesCount', Kind.Varint],
    [11, 'events', 'SpanEvent', 'r'],
    [12, 'droppedEventsCount', Kind.Varint],
    [13, 'links', 'SpanLink', 'r'],
    [14, 'droppedLinksCount', Kind.Varint],
    [15, 'status', 'SpanStatus'],
    [16, 'flags', Kind.I32],
  ],
  SpanEvent: [[1, 'timeUnixNano', Kind.I64], [2, 'name', Kind.String], attrs(3), [4, 'droppedAttributesCount', Kind.Varint]],
  SpanLink: [
    [1, 'traceId', Kind.TraceId],
    [2, 'spanId', Kind.SpanId],
    [3, 'traceState', Kind.String],
    attrs(4),
    [5, 'droppedAttributesCount', Kind.Varint],
    [6, 'flags', Kind.I32],
  ],
  SpanStatus: [
    [2, 'message', Kind.String],
    [3, 'code', Kind.Varint],
  ],

  // metrics
  ResourceMetrics: [
    [1, 'resource', 'Resource'],
    [2, 'scopeMetrics', 'ScopeMetrics', 'r'],
    [3, 'schemaUrl', Kind.String],
  ],
  ScopeMetrics: [
    [1, 'scope', 'InstrumentationScope'],
    [2, 'metrics', 'Metric', 'r'],
    [3, 'schemaUrl', Kind.String],
  ],
  Metric: [
    [1, 'name', Kind.String],
    [2, 'description', Kind.String],
    [3, 'unit', Kind.String],
    [5, 'gauge', 'Gauge'],
    [7, 'sum', 'Sum'],
    [9, 'histogram', 'Histogram'],
    [10, 'exponentialHistogram', 'ExponentialHistogram'],
    [11, 'summary', 'Summary'],
    [12, 'metadata', 'KeyValue', 'r'],
  ],
  Gauge: [[1, 'dataPoints', 'NumberDataPoint', 'r']],
  Sum: [
    [1, 'dataPoints', 'NumberDataPoint', 'r'],
    [2, 'aggregationTemporality', Kind.Varint],
    [3, 'isMonotonic', Kind.Varint],
  ],
  Histogram: [
    [1, 'dataPoints', 'HistogramDataPoint', 'r'],
    [2, 'aggregationTemporality', Kind.Varint],
  ],
  ExponentialHistogram: [
    [1, 'dataPoints', 'ExponentialHistogramDataPoint', 'r'],
    [2, 'aggregationTemporality', Kind.Varint],
  ],
  Summary: [[1, 'dataPoints', 'SummaryDataPoint', 'r']],
  NumberDataPoint: [
    [2, 'startTimeUnixNano', Kind.I64],
    [3, 'timeUnixNano', Kind.I64],
    [4, 'asDouble', Kind.I64],
    [5, 'exemplars', 'Exemplar', 'r'],
    [6, 'asInt', Kind.I64],
    attrs(7),
    [8, 'flags', Kind.Varint],
  ],
  HistogramDataPoint: [
    [2, 'startTimeUnixNano', Kind.I64],
    [3, 'timeUnixNano', Kind.I64],
    [4, 'count', Kind.I64],
    [5, 'sum', Kind.I64],
    [6, 'bucketCounts', Kind.PackedI64, 'r'],
    [7, 'explicitBounds', Kind.PackedI64, 'r'],
    [8, 'exemplars', 'Exemplar', 'r'],
    attrs(9),
    [10, 'flags', Kind.Varint],
    [11, 'min', Kind.I64],
    [12, 'max', Kind.I64],
  ],
  ExponentialHistogramDataPoint: [
    attrs(1),
    [2, 'startTimeUnixNano', Kind.I64],
    [3, 'timeUnixNano', Kind.I64],
    [4, 'count', Kind.I64],
    [5, 'sum', Kind.I64],
    [6, 'scale', Kind.Varint],
    [7, 'zeroCount', Kind.I64],
    [8, 'positive', 'ExponentialHistogramBuckets'],
    [9, 'negative', 'ExponentialHistogramBuckets'],
    [10, 'flags', Kind.Varint],
    [11, 'exemplars', 'Exemplar', 'r'],
    [12, 'min', Kind.I64],
    [13, 'max', Kind.I64],
    [14, 'zeroThreshold', Kind.I64],
  ],
  ExponentialHistogramBuckets: [
    [1, 'offset', Kind.Varint],
    [2, 'bucketCounts', Kind.PackedVarint, 'r'],
  ],
  SummaryDataPoint: [
    [2, 'startTimeUnixNano', Kind.I64],
    [3, 'timeUnixNano', Kind.I64],
    [4, 'count', Kind.I64],
    [5, 'sum', Kind.I64],
    [6, 'quantileValues', 'ValueAtQuantile', 'r'],
    attrs(7),
    [8, 'flags', Kind.Varint],
  ],
  ValueAtQuantile: [
    [1, 'quantile', Kind.I64],
    [2, 'value', Kind.I64],
  ],
  Exemplar: [
    [2, 'timeUnixNano', Kind.I64],
    [3, 'asDouble', Kind.I64],
    [4, 'spanId', Kind.SpanId],
    [5, 'traceId', Kind.TraceId],
    [6, 'asInt', Kind.I64],
    [7, 'filteredAttributes', 'KeyValue', 'r'],
  ],

  // logs
  ResourceLogs: [
    [1, 'resource', 'Resource'],
    [2, 'scopeLogs', 'ScopeLogs', 'r'],
    [3, 'schemaUrl', Kind.String],
  ],
  ScopeLogs: [
    [1, 'scope', 'InstrumentationScope'],
    [2, 'logRecords', 'LogRecord', 'r'],
    [3, 'schemaUrl', Kind.String],
  ],
  LogRecord: [
    [1, 'timeUnixNano', Kind.I64],
    [2, 'severityNumber', Kind.Varint],
    [3, 'severityText', Kind.String],
    [5, 'body', 'AnyValue'],
    attrs(6),
    [7, 'droppedAttributesCount', Kind.Varint],
    [8, 'flags', Kind.I32],
    [9, 'traceId', Kind.TraceId],
    [10, 'spanId', Kind.SpanId],
    [11, 'observedTimeUnixNano', Kind.I64],
    [12, 'eventName', Kind.String],
  ],
};

/** The items of a batch, as the collector counts them. */
const ITEMS = new Set(['Span', 'LogRecord', 'NumberDataPoint', 'HistogramDataPoint', 'ExponentialHistogramDataPoint', 'SummaryDataPoint']);

function compile(): Map<string, MessageDef> {
  const out = new Map<string, MessageDef>();
  for (const [name, specs] of Object.entries(SPECS)) {
    const max = Math.max(0, ...specs.map((s) => s[0]));
    const fields: Array<FieldDef | undefined> = new Array(max + 1).fill(undefined);
    const kinds = new Uint8Array(max + 1);
    for (const [no, fname, kind, rep] of specs) {
      const isMsg = typeof kind === 'string';
      fields[no] = { no, name: fname, kind: isMsg ? Kind.Message : kind, repeated: rep === 'r', ...(isMsg ? { msg: kind } : {}) };
      kinds[no] = isMsg ? Kind.Message : kind;
    }
    out.set(name, {
      name,
      fields,
      kinds,
      children: new Array(max + 1).fill(undefined),
      item: ITEMS.has(name),
      nests: name === 'AnyValue',
      holdsItems: false,
    });
  }
  for (const m of out.values()) {
    for (const f of m.fields) {
      if (f?.msg === undefined) continue;
      const child = out.get(f.msg);
      if (!child) throw new Error(`wire schema: ${m.name}.${f.name} refers to unknown message ${f.msg}`);
      (m.children as Array<MessageDef | undefined>)[f.no] = child;
    }
  }
  // holdsItems: some path of message fields leads to an item (fixed point over the graph).
  const holds = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const m of out.values()) {
      if (holds.has(m.name)) continue;
      if (m.children.some((c) => c !== undefined && (c.item || holds.has(c.name)))) {
        holds.add(m.name);
        grew = true;
      }
    }
  }
  for (const m of out.values()) (m as { holdsItems: boolean }).holdsItems = holds.has(m.name);
  return out;
}

export const MESSAGES: ReadonlyMap<string, MessageDef> = compile();

export function messageDef(name: string): MessageDef {
  const m = MESSAGES.get(name);
  if (!m) throw new Error(`wire schema: no message ${name}`);
  return m;
}
