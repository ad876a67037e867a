// Small value conversions shared by the translator and the pull exporter.
import Long from 'long';
import type { IAnyValue } from '../../pdata/proto.js';

/** Bit pattern Prometheus uses to mark a series stale (a NaN that no computation produces). */
export const STALE_NAN_BITS = 0x7ff0000000000002n;
const staleView = new DataView(new ArrayBuffer(8));
staleView.setBigUint64(0, STALE_NAN_BITS);
export const STALE_NAN = staleView.getFloat64(0);

/** True when `v` is the stale marker (not just any NaN). */
export function isStaleNaN(v: number): boolean {
  if (v === v) return false;
  staleView.setFloat64(0, v);
  return staleView.getBigUint64(0) === STALE_NAN_BITS;
}

/** DataPointFlags.FLAG_NO_RECORDED_VALUE. */
export const FLAG_NO_RECORDED_VALUE = 1;

type Int64Like = number | Long | string | bigint | null | undefined;

/** A 64-bit count as a number (exact below 2^53, which every real count is). */
export function toNumber(v: Int64Like): number {
  if (v == null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  if (typeof v === 'bigint') return Number(v);
  return Long.isLong(v) ? v.toNumber() : Number(v);
}

const MILLION = Long.fromInt(1_000_000);

/** Unix nanoseconds → milliseconds, truncated, exact for any 64-bit timestamp. */
export function nanosToMillis(v: Int64Like): number {
  if (v == null) return 0;
  if (typeof v === 'number') return Math.floor(v / 1e6);
  if (typeof v === 'bigint') return Number(v / 1_000_000n);
  if (typeof v === 'string') return Number(BigInt(v) / 1_000_000n);
  return Long.isLong(v) ? v.div(MILLION).toNumber() : Math.floor(Number(v) / 1e6);
}

/** Nanoseconds as a bigint, for comparing start and end times exactly. */
export function nanosToBigInt(v: Int64Like): bigint {
  if (v == null) return 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  return BigInt(v.toString());
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
export function toHex(b: Uint8Array | null | undefined): string {
  if (!b) return '';
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!];
  return s;
}

/**
 * A float the way Go's strconv.FormatFloat(v, 'f', -1, 64) writes it: the
 * shortest digits that read back exactly, never in exponent form. Used for
 * `le` and `quantile` label values so they match what other OTLP → Prometheus
 * translators produce.
 */
export function formatFloat(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v !== v) return 'NaN';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const neg = s[0] === '-';
  const mant = s.slice(neg ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const dot = mant.indexOf('.');
  const digits = dot < 0 ? mant : mant.slice(0, dot) + mant.slice(dot + 1);
  const intLen = (dot < 0 ? mant.length : dot) + exp;
  let out: string;
  if (intLen <= 0) out = '0.' + '0'.repeat(-intLen) + digits;
  else if (intLen >= digits.length) out = digits + '0'.repeat(intLen - digits.length);
  else out = digits.slice(0, intLen) + '.' + digits.slice(intLen);
  return neg ? '-' + out : out;
}

/** An attribute value as label text: strings as-is, scalars in decimal, bytes base64, lists and maps as JSON. */
export function anyValueToString(v: IAnyValue | null | undefined): string {
  if (!v) return '';
  if (v.stringValue != null) return v.stringValue;
  if (v.boolValue != null) return v.boolValue ? 'true' : 'false';
  if (v.intValue != null) return typeof v.intValue === 'number' ? String(Math.trunc(v.intValue)) : v.intValue.toString();
  if (v.doubleValue != null) return formatFloat(v.doubleValue);
  if (v.bytesValue != null) return Buffer.from(v.bytesValue.buffer, v.bytesValue.byteOffset, v.bytesValue.byteLength).toString('base64');
  if (v.arrayValue != null || v.kvlistValue != null) return JSON.stringify(anyValueToJson(v));
  return '';
}

function anyValueToJson(v: IAnyValue | null | undefined): unknown {
  if (!v) return null;
  if (v.stringValue != null) return v.stringValue;
  if (v.boolValue != null) return v.boolValue;
  if (v.intValue != null) return typeof v.intValue === 'number' ? v.intValue : v.intValue.toNumber();
  if (v.doubleValue != null) return v.doubleValue;
  if (v.bytesValue != null) return Buffer.from(v.bytesValue).toString('base64');
  if (v.arrayValue != null) return (v.arrayValue.values ?? []).map(anyValueToJson);
  if (v.kvlistValue != null) {
    const o: Record<string, unknown> = {};
    for (const kv of v.kvlistValue.values ?? []) o[kv.key ?? ''] = anyValueToJson(kv.value);
    return o;
  }
  return null;
}
