import { isEncodedOtlp, isOtlp, isPromMetrics, type Signal, type SignalData } from '../../component/signal.js';
import { ErrorCode } from '../../errors/codes.js';
import { permanentError } from '../../errors/consumererror.js';
import { readOtlp, readProm } from '../../pdata/batch.js';
import { encodeJSON, encodeProto } from '../../pdata/otlpjson.js';
import { WriteRequest, type PromWrite } from '../../pdata/proto.js';

/**
 * One record of the file: a line of OTLP JSON (the Export*ServiceRequest, as
 * the collector's file exporter writes it), or for `proto` the protobuf
 * request after its 4-byte big-endian length (the collector's framing).
 *
 * Remote-write metrics are not converted to OTLP: in json format they are
 * written as `{"prometheusRemoteWrite": <WriteRequest in proto3 JSON>}` on
 * their own line, so a reader tells them apart by the top-level key.
 */
export type Encoder<S extends Signal> = (data: SignalData[S]) => Uint8Array;

export function jsonEncoder<S extends Signal>(signal: S): Encoder<S> {
  return (data) => {
    if (isPromMetrics(data)) return Buffer.from(`{"prometheusRemoteWrite":${JSON.stringify(promWriteToJSON(readProm(data as SignalData['metrics'])))}}\n`);
    if (isOtlp(data)) return Buffer.from(`${encodeJSON(signal, readOtlp(signal, data))}\n`);
    throw new Error(`file exporter: no JSON encoding for this ${signal} batch`);
  };
}

export function protoEncoder<S extends Signal>(signal: S): Encoder<S> {
  return (data) => {
    if (!isOtlp(data)) {
      throw permanentError(
        ErrorCode.UNSUPPORTED_DATA,
        'file exporter with format proto holds only OTLP requests; Prometheus remote-write metrics need format json',
      );
    }
    if (isEncodedOtlp(data)) {
      // The bytes as received, entry after entry, behind the length: no encoding.
      const out = Buffer.allocUnsafe(4 + data.bytes);
      out.writeUInt32BE(data.bytes, 0);
      let pos = 4;
      for (const e of data.entries) {
        out.set(e.buf, pos);
        pos += e.buf.length;
      }
      return out;
    }
    const body = encodeProto(signal, readOtlp(signal, data));
    const out = Buffer.allocUnsafe(4 + body.length);
    out.writeUInt32BE(body.length, 0);
    out.set(body, 4);
    return out;
  };
}

/**
 * A WriteRequest in proto3 JSON (lowerCamelCase keys, int64 as strings,
 * non-finite doubles as "NaN"/"Infinity"). JSON has one NaN, so the stale
 * marker's bit pattern is not kept: the file is for reading, not replay.
 */
export function promWriteToJSON(w: PromWrite): unknown {
  return WriteRequest.toObject(WriteRequest.create(w), { json: true, longs: String, enums: String });
}
