// Comparable forms of OTLP values, so a test can check value *types* (an int
// stays an int, bytes stay bytes) as well as values, on both sides: what the
// OpenTelemetry SDK recorded and what came back out of the gateway. Keys are
// sorted so the forms also serve as stable JSON lines.
import { int64ToString, type IAnyValue, type IKeyValue, type Int64 } from '../../src/pdata/proto.js';

export type Tagged =
  | { s: string }
  | { b: boolean }
  | { i: string }
  | { d: number }
  | { a: Tagged[] }
  | { kv: Record<string, Tagged> }
  | { bytes: string }
  | { empty: true };

/** An OTLP AnyValue as received. */
export function tagAny(v: IAnyValue | null | undefined): Tagged {
  if (!v) return { empty: true };
  if (v.stringValue != null) return { s: v.stringValue };
  if (v.boolValue != null) return { b: v.boolValue };
  if (v.intValue != null) return { i: int64ToString(v.intValue as Int64) };
  if (v.doubleValue != null) return { d: v.doubleValue };
  if (v.arrayValue != null) return { a: (v.arrayValue.values ?? []).map(tagAny) };
  if (v.kvlistValue != null) return { kv: tagAttrs(v.kvlistValue.values) };
  if (v.bytesValue != null) return { bytes: hex(v.bytesValue) };
  return { empty: true };
}

export function tagAttrs(kvs: IKeyValue[] | null | undefined): Record<string, Tagged> {
  const out: Record<string, Tagged> = {};
  for (const kv of kvs ?? []) out[kv.key ?? ''] = tagAny(kv.value);
  return sorted(out);
}

/** A JavaScript value as the OpenTelemetry JS SDK puts it on the wire. */
export function tagJs(v: unknown): Tagged {
  if (v === null || v === undefined) return { empty: true };
  if (typeof v === 'string') return { s: v };
  if (typeof v === 'boolean') return { b: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { i: String(v) } : { d: v };
  if (v instanceof Uint8Array) return { bytes: hex(v) };
  if (Array.isArray(v)) return { a: v.map(tagJs) };
  if (typeof v === 'object') return { kv: tagJsAttrs(v as Record<string, unknown>) };
  throw new Error(`unexpected value ${String(v)}`);
}

export function tagJsAttrs(o: Record<string, unknown> | undefined): Record<string, Tagged> {
  const out: Record<string, Tagged> = {};
  for (const [k, v] of Object.entries(o ?? {})) out[k] = tagJs(v);
  return sorted(out);
}

export const hex = (b: Uint8Array | null | undefined): string => Buffer.from(b ?? new Uint8Array(0)).toString('hex');

function sorted(o: Record<string, Tagged>): Record<string, Tagged> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
