// Deep copies for fan-out: a consumer that mutates data gets its own copy
// (component/consumer.ts, ownership rule).
//
// An encoded batch is copied by copying its entry list: its bytes are never
// written (a component that changes content decodes its own objects,
// batch.ts ownOtlp), so copies share them safely.
//
// A copy is an encode then a decode with the generated codecs: straight-line
// code with no reflection, exact for every field the schemas know (64-bit
// integers, NaN bit patterns such as the Prometheus stale marker), and its
// bytes fields share one fresh buffer instead of one allocation each.
// The copy is a decoded message: unset fields read their defaults from the
// prototype and 64-bit integers are Long (see proto.ts).
import { WriteRequest, type Logs, type Metrics, type PromWrite, type Traces } from './proto.js';
import { decodeProto, encodeProto } from './otlpjson.js';
import { isEncodedOtlp, isEncodedPrw, isPromMetrics, signalBatch, type Signal, type SignalData } from './signal.js';

/** A deep copy of a remote-write request. */
export function clonePromWrite(w: PromWrite): PromWrite {
  return WriteRequest.decode(WriteRequest.encode(w).finish());
}

/**
 * A deep copy of one batch. Metrics may be OTLP or a Prometheus
 * remote-write batch ({format: 'prw', request}); each is copied in its shape.
 */
export function cloneData<S extends Signal>(signal: S, data: SignalData[S]): SignalData[S] {
  if (isEncodedOtlp(data)) return data.clone() as SignalData[S];
  const b = signalBatch(signal, data);
  switch (b.signal) {
    case 'traces':
      return decodeProto('traces', encodeProto('traces', b.data as Traces)) as SignalData[S];
    case 'logs':
      return decodeProto('logs', encodeProto('logs', b.data as Logs)) as SignalData[S];
    default: {
      const m = b.data;
      if (isEncodedPrw(m)) return m.clone() as SignalData[S];
      if (isPromMetrics(m)) return { format: 'prw', request: clonePromWrite(m.request) } as SignalData[S];
      return decodeProto('metrics', encodeProto('metrics', m as Metrics)) as SignalData[S];
    }
  }
}
