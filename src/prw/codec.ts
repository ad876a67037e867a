import { WriteRequest, WriteV2Request, type IWriteV2Request, type PromWrite } from '../pdata/proto.js';
import { snappyDecode, snappyEncode } from './snappy.js';

/** Remote-write protocol constants (DESIGN.md, "Remote-write 1.0/2.0"). */
export const PRW_V1_CONTENT_TYPE = 'application/x-protobuf';
export const PRW_V1_PROTO = 'prometheus.WriteRequest';
export const PRW_V2_PROTO = 'io.prometheus.write.v2.Request';
export const PRW_V2_CONTENT_TYPE = `application/x-protobuf;proto=${PRW_V2_PROTO}`;
export const PRW_V1_VERSION = '0.1.0';
export const PRW_V2_VERSION = '2.0.0';
export const HEADER_VERSION = 'x-prometheus-remote-write-version';
export const HEADER_SAMPLES_WRITTEN = 'x-prometheus-remote-write-samples-written';
export const HEADER_HISTOGRAMS_WRITTEN = 'x-prometheus-remote-write-histograms-written';
export const HEADER_EXEMPLARS_WRITTEN = 'x-prometheus-remote-write-exemplars-written';

/** Stale marker: the NaN Prometheus writes when a series disappears. Its bits must survive every hop. */
export const STALE_NAN_BITS = 0x7ff0000000000002n;
export const STALE_NAN: number = (() => {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setBigUint64(0, STALE_NAN_BITS);
  return dv.getFloat64(0);
})();

const bitsView = new DataView(new ArrayBuffer(8));
/** The IEEE-754 bits of a double (distinguishes NaN payloads, unlike ===). */
export function float64Bits(v: number): bigint {
  bitsView.setFloat64(0, v);
  return bitsView.getBigUint64(0);
}

export function isStaleNaN(v: number): boolean {
  return v !== v && float64Bits(v) === STALE_NAN_BITS;
}

export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}

/** Decodes a remote-write 1.0 WriteRequest (uncompressed protobuf). */
export function decodeWriteRequest(bytes: Uint8Array): PromWrite {
  try {
    return WriteRequest.decode(bytes);
  } catch (err) {
    throw new DecodeError(`undecodable protobuf WriteRequest: ${(err as Error).message}`);
  }
}

/** Decodes a remote-write 2.0 Request (uncompressed protobuf). */
export function decodeWriteV2Request(bytes: Uint8Array): IWriteV2Request {
  try {
    return WriteV2Request.decode(bytes);
  } catch (err) {
    throw new DecodeError(`undecodable protobuf io.prometheus.write.v2.Request: ${(err as Error).message}`);
  }
}

/**
 * Encodes a WriteRequest to protobuf bytes with the generated codec. A
 * hand-written two-pass (size, then write into an exact buffer) encoder was
 * tried: no faster in isolation (about 2 µs/series either way on
 * 1000-series batches) and no measurable gain in benchmarks/remote-write on
 * the shared 2-core machine, so the generated one stays.
 */
export function encodeWriteRequest(req: PromWrite): Uint8Array {
  return WriteRequest.encode(req).finish();
}

/** Encodes and Snappy-compresses a WriteRequest: a remote-write 1.0 body. */
export function compressWriteRequest(req: PromWrite): Buffer {
  return snappyEncode(encodeWriteRequest(req));
}

/** Decompresses and decodes a remote-write 1.0 body. */
export function decompressWriteRequest(body: Uint8Array, maxDecompressed = 256 * 1024 * 1024): PromWrite {
  return decodeWriteRequest(snappyDecode(body, maxDecompressed));
}

export interface PointCounts {
  samples: number;
  histograms: number;
  exemplars: number;
}

/** Samples, native histograms and exemplars in a request. */
export function countPromWrite(req: PromWrite): PointCounts {
  let samples = 0;
  let histograms = 0;
  let exemplars = 0;
  const series = req.timeseries;
  if (series) {
    for (let i = 0; i < series.length; i++) {
      const ts = series[i]!;
      samples += ts.samples?.length ?? 0;
      histograms += ts.histograms?.length ?? 0;
      exemplars += ts.exemplars?.length ?? 0;
    }
  }
  return { samples, histograms, exemplars };
}

/** Metric points as self-telemetry counts them: samples plus native histograms. */
export function promWritePoints(req: PromWrite): number {
  const c = countPromWrite(req);
  return c.samples + c.histograms;
}
