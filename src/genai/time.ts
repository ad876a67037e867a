// Span timestamps are nanoseconds since the epoch in 64-bit fields (Long once
// decoded, numbers when built by hand). Around 1.7e18 they exceed 2^53, so a
// difference is taken in 64-bit arithmetic first and only then made a number.
import { Long, type Int64 } from '../pdata/proto.js';

/** a − b in nanoseconds, exact while the difference is below 2^53 ns (104 days). */
export function nanosDiff(a: Int64 | null | undefined, b: Int64 | null | undefined): number {
  if (a == null || b == null) return NaN;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  // fixed64 fields decode as unsigned Longs: make them signed, or an earlier `a` wraps around to 2^64.
  return Long.fromValue(a).toSigned().subtract(Long.fromValue(b).toSigned()).toNumber();
}

/** a − b in seconds. */
export function secondsBetween(a: Int64 | null | undefined, b: Int64 | null | undefined): number {
  return nanosDiff(a, b) / 1e9;
}

export function isZeroTime(v: Int64 | null | undefined): boolean {
  if (v == null) return true;
  return typeof v === 'number' ? v === 0 : Long.fromValue(v).isZero();
}

/** Nanoseconds as a bigint, for exact keys and arithmetic away from hot paths. */
export function nanosBig(v: Int64 | null | undefined): bigint {
  if (v == null) return 0n;
  return typeof v === 'number' ? BigInt(Math.trunc(v)) : BigInt(Long.fromValue(v).toString());
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex of an id (trace or span id); '' when absent. */
export function idHex(id: Uint8Array | null | undefined): string {
  if (!id || id.length === 0) return '';
  let s = '';
  for (let i = 0; i < id.length; i++) s += HEX[id[i]!]!;
  return s;
}
