import type { Signal, SignalData } from '../../component/signal.js';
import { EncodedOtlp } from '../../pdata/encoded.js';
import { decodeJSON } from '../../pdata/otlpjson.js';
import { WriteRequest } from '../../pdata/proto.js';

export const KNOWN_ENCODINGS = new Set(['otlp_proto', 'otlp_json', 'prometheus_remote_write']);

/** A record whose payload cannot become pipeline data; `message` says why. */
export class RecordDecodeError extends Error {
  override name = 'RecordDecodeError';
}

/**
 * Payload bytes → pipeline data. `encoding` is the record's own header when
 * it has one, else the topic's configured encoding. OTLP protobuf stays the
 * record's bytes (checked and indexed, not decoded); remote-write records
 * become Prometheus-shaped metrics, never OTLP.
 */
export function decodeRecord<S extends Signal>(signal: S, encoding: string, value: Buffer | null): SignalData[S] {
  if (!value) throw new RecordDecodeError('record has no value');
  if (!KNOWN_ENCODINGS.has(encoding)) throw new RecordDecodeError(`unknown encoding "${encoding}"`);
  try {
    switch (encoding) {
      case 'otlp_proto':
        return EncodedOtlp.scan(signal, value) as SignalData[S];
      case 'otlp_json':
        return decodeJSON(signal, value);
      default:
        if (signal !== 'metrics') throw new RecordDecodeError(`encoding prometheus_remote_write carries metrics, not ${signal}`);
        return { format: 'prw', request: WriteRequest.decode(value) } as SignalData[S];
    }
  } catch (err) {
    if (err instanceof RecordDecodeError) throw err;
    throw new RecordDecodeError(`${encoding}: ${(err as Error).message}`, { cause: err });
  }
}
