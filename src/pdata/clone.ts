// Deep copies for fan-out: a consumer that mutates data gets its own copy
// (component/consumer.ts, ownership rule).
//
// A copy is an encode then a decode with the generated codecs: straight-line
// code with no reflection, exact for every field the schemas know (64-bit
// integers, NaN bit patterns such as the Prometheus stale marker), and its
// bytes fields share one fresh buffer instead of one allocation each.
// The copy is a decoded message: unset fields read their defaults from the
// prototype and 64-bit integers are Long (see proto.ts).
import { WriteRequest, type PromWrite } from './proto.js';
import { decodeProto, encodeProto, type OtlpData, type OtlpSignal } from './otlpjson.js';
import type { CountableData, PromWriteBatch } from './count.js';

/** A deep copy of a remote-write request. */
export function clonePromWrite(w: PromWrite): PromWrite {
  return WriteRequest.decode(WriteRequest.encode(w).finish());
}

/**
 * A deep copy of one batch. Metrics may be OTLP or a Prometheus
 * remote-write batch ({format: 'prw', request}); each is copied in its shape.
 */
export function cloneData<S extends OtlpSignal>(signal: S, data: CountableData[S]): CountableData[S] {
  if (signal === 'metrics' && (data as PromWriteBatch).format === 'prw') {
    const b = data as PromWriteBatch;
    return { format: 'prw', request: clonePromWrite(b.request) } as PromWriteBatch as CountableData[S];
  }
  const d = data as OtlpData[S];
  return decodeProto(signal, encodeProto(signal, d)) as CountableData[S];
}
