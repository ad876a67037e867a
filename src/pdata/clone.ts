// Deep copies for fan-out: a consumer that mutates data gets its own copy
// (component/consumer.ts, ownership rule).
//
// A copy is an encode then a decode with the generated codecs: straight-line
// code with no reflection, exact for every field the schemas know (64-bit
// integers, NaN bit patterns such as the Prometheus stale marker), and its
// bytes fields share one fresh buffer instead of one allocation each.
// The copy is a decoded message: unset fields read their defaults from the
// prototype and 64-bit integers are Long (see proto.ts).
import { WriteRequest, type Logs, type PromWrite, type Traces } from './proto.js';
import { decodeProto, encodeProto } from './otlpjson.js';
import { isPromMetrics, type MetricsData, type Signal, type SignalData } from './signal.js';

/** A deep copy of a remote-write request. */
export function clonePromWrite(w: PromWrite): PromWrite {
  return WriteRequest.decode(WriteRequest.encode(w).finish());
}

const CLONE: { [S in Signal]: (data: SignalData[S]) => SignalData[S] } = {
  traces: (t: Traces) => decodeProto('traces', encodeProto('traces', t)),
  metrics: (m: MetricsData) =>
    isPromMetrics(m) ? { format: 'prw', request: clonePromWrite(m.request) } : decodeProto('metrics', encodeProto('metrics', m)),
  logs: (l: Logs) => decodeProto('logs', encodeProto('logs', l)),
};

/**
 * A deep copy of one batch. Metrics may be OTLP or a Prometheus
 * remote-write batch ({format: 'prw', request}); each is copied in its shape.
 */
export function cloneData<S extends Signal>(signal: S, data: SignalData[S]): SignalData[S] {
  return CLONE[signal](data);
}
