// OTLP AnyValue helpers for the attribute actions: values from config,
// copies, string forms, hashing and type conversion, with the collector's
// semantics (pdata Value.AsString, strconv parsing, attraction hashing).
import { createHash } from 'node:crypto';
import { Long, type IAnyValue, type IKeyValue } from '../../pdata/proto.js';

export type ValueKind = 'string' | 'bool' | 'int' | 'double' | 'array' | 'kvlist' | 'bytes' | 'empty';

/** Which member of the oneof is set (decoded messages read unset members as null from the prototype). */
export function kindOf(v: IAnyValue | null | undefined): ValueKind {
  if (!v) return 'empty';
  if (v.stringValue != null) return 'string';
  if (v.boolValue != null) return 'bool';
  if (v.intValue != null) return 'int';
  if (v.doubleValue != null) return 'double';
  if (v.arrayValue != null) return 'array';
  if (v.kvlistValue != null) return 'kvlist';
  if (v.bytesValue != null) return 'bytes';
  return 'empty';
}

/**
 * A maker of fresh AnyValues for a config value (string, number, bool, list,
 * map), built once. Each call returns a new object, so no two items share one
 * (a later processor may change a value in place).
 */
export function valueMaker(raw: unknown): () => IAnyValue {
  switch (typeof raw) {
    case 'string':
      return () => ({ stringValue: raw });
    case 'boolean':
      return () => ({ boolValue: raw });
    case 'number':
      // YAML 1 and 1.0 both arrive as the number 1: whole numbers become ints, as the collector reads YAML ints.
      if (Number.isInteger(raw)) {
        const l = Long.fromNumber(raw);
        return () => ({ intValue: l });
      }
      return () => ({ doubleValue: raw });
    default: {
      const fixed = fromRaw(raw);
      return () => copyValue(fixed);
    }
  }
}

function fromRaw(raw: unknown): IAnyValue {
  if (Array.isArray(raw)) return { arrayValue: { values: raw.map(fromRaw) } };
  if (raw !== null && typeof raw === 'object') {
    return { kvlistValue: { values: Object.entries(raw as Record<string, unknown>).map(([key, v]) => ({ key, value: fromRaw(v) })) } };
  }
  if (raw === null || raw === undefined) return {};
  return valueMaker(raw)();
}

/** A deep copy (bytes share their buffer: nothing writes into them). */
export function copyValue(v: IAnyValue | null | undefined): IAnyValue {
  switch (kindOf(v)) {
    case 'string':
      return { stringValue: v!.stringValue };
    case 'bool':
      return { boolValue: v!.boolValue };
    case 'int':
      return { intValue: v!.intValue };
    case 'double':
      return { doubleValue: v!.doubleValue };
    case 'bytes':
      return { bytesValue: v!.bytesValue };
    case 'array':
      return { arrayValue: { values: (v!.arrayValue!.values ?? []).map(copyValue) } };
    case 'kvlist':
      return { kvlistValue: { values: (v!.kvlistValue!.values ?? []).map((kv: IKeyValue) => ({ key: kv.key, value: copyValue(kv.value) })) } };
    default:
      return {};
  }
}

function intOf(v: IAnyValue): Long {
  const i = v.intValue!;
  return typeof i === 'number' ? Long.fromNumber(i) : Long.fromBits(i.low, i.high, false);
}

/** The value as plain JSON-able data (for the string form of lists and maps). */
function toRaw(v: IAnyValue | null | undefined): unknown {
  switch (kindOf(v)) {
    case 'string':
      return v!.stringValue;
    case 'bool':
      return v!.boolValue;
    case 'int': {
      const l = intOf(v!);
      // Exact integers stay numbers when JSON can carry them; larger ones keep their digits.
      return l.lessThanOrEqual(Number.MAX_SAFE_INTEGER) && l.greaterThanOrEqual(Number.MIN_SAFE_INTEGER) ? l.toNumber() : l.toString();
    }
    case 'double':
      return v!.doubleValue;
    case 'bytes':
      return Buffer.from(v!.bytesValue!).toString('base64');
    case 'array':
      return (v!.arrayValue!.values ?? []).map(toRaw);
    case 'kvlist': {
      const o: Record<string, unknown> = {};
      for (const kv of v!.kvlistValue!.values ?? []) o[kv.key ?? ''] = toRaw(kv.value);
      return o;
    }
    default:
      return null;
  }
}

/** The collector's Value.AsString: numbers as ES6 writes them, bytes as base64, lists and maps as JSON. */
export function valueToString(v: IAnyValue | null | undefined): string {
  switch (kindOf(v)) {
    case 'string':
      return v!.stringValue!;
    case 'bool':
      return v!.boolValue ? 'true' : 'false';
    case 'int':
      return intOf(v!).toString();
    case 'double':
      return String(v!.doubleValue);
    case 'bytes':
      return Buffer.from(v!.bytesValue!).toString('base64');
    case 'array':
    case 'kvlist':
      return JSON.stringify(toRaw(v));
    default:
      return '';
  }
}

/**
 * The `hash` action's value: hex SHA-256 of the value's bytes (UTF-8 strings,
 * one byte 1/0 for bools, 8 little-endian bytes for ints and doubles), as the
 * collector has done since v0.79 (SHA-1 before). Other types hash to "".
 */
export function hashValue(v: IAnyValue | null | undefined): IAnyValue {
  let bytes: Uint8Array | undefined;
  switch (kindOf(v)) {
    case 'string':
      bytes = Buffer.from(v!.stringValue!, 'utf8');
      break;
    case 'bool':
      bytes = Uint8Array.of(v!.boolValue ? 1 : 0);
      break;
    case 'int': {
      const l = intOf(v!);
      const b = Buffer.allocUnsafe(8);
      b.writeInt32LE(l.low, 0);
      b.writeInt32LE(l.high, 4);
      bytes = b;
      break;
    }
    case 'double': {
      const b = Buffer.allocUnsafe(8);
      b.writeDoubleLE(v!.doubleValue!, 0);
      bytes = b;
      break;
    }
    default:
      break;
  }
  return { stringValue: bytes ? createHash('sha256').update(bytes).digest('hex') : '' };
}

const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INF_RE = /^([+-]?)inf(?:inity)?$/i;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64): digits with an optional sign, in int64 range. */
function parseInt64(s: string): Long | undefined {
  if (!INT_RE.test(s)) return undefined;
  const b = BigInt(s);
  if (b < INT64_MIN || b > INT64_MAX) return undefined;
  return Long.fromString(b.toString(), false, 10);
}

/** strconv.ParseFloat(s, 64) for decimal forms, inf/infinity and nan. */
function parseFloat64(s: string): number | undefined {
  if (FLOAT_RE.test(s)) return Number(s);
  const inf = INF_RE.exec(s);
  if (inf) return inf[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(s)) return Number.NaN;
  return undefined;
}

export type ConvertedType = 'int' | 'double' | 'string';

/**
 * The `convert` action: the value as `to`, or undefined to leave it as it is
 * (already that type, or not convertible, as the collector does).
 */
export function convertValue(v: IAnyValue | null | undefined, to: ConvertedType): IAnyValue | undefined {
  const k = kindOf(v);
  switch (to) {
    case 'int':
      switch (k) {
        case 'double': {
          const d = v!.doubleValue!;
          return Number.isFinite(d) ? { intValue: Long.fromNumber(Math.trunc(d)) } : undefined;
        }
        case 'bool':
          return { intValue: Long.fromNumber(v!.boolValue ? 1 : 0) };
        case 'string': {
          const l = parseInt64(v!.stringValue!);
          return l ? { intValue: l } : undefined;
        }
        default:
          return undefined;
      }
    case 'double':
      switch (k) {
        case 'int':
          return { doubleValue: intOf(v!).toNumber() };
        case 'bool':
          return { doubleValue: v!.boolValue ? 1 : 0 };
        case 'string': {
          const d = parseFloat64(v!.stringValue!);
          return d === undefined ? undefined : { doubleValue: d };
        }
        default:
          return undefined;
      }
    case 'string':
      return k === 'string' ? undefined : { stringValue: valueToString(v) };
  }
}

/** Strict equality of an attribute value with a config value (type and value). */
export function equalsRaw(v: IAnyValue | null | undefined, raw: unknown): boolean {
  switch (typeof raw) {
    case 'string':
      return kindOf(v) === 'string' && v!.stringValue === raw;
    case 'boolean':
      return kindOf(v) === 'bool' && v!.boolValue === raw;
    case 'number': {
      const k = kindOf(v);
      if (k === 'double') return v!.doubleValue === raw;
      if (k === 'int') return Number.isInteger(raw) && intOf(v!).equals(Long.fromNumber(raw));
      return false;
    }
    default:
      return JSON.stringify(toRaw(v)) === JSON.stringify(raw);
  }
}
