// Attribute access on OTLP KeyValue arrays, as decoded or as built by hand.
//
// Spans carry 10–30 attributes, so a linear scan beats building a Map per
// span; lookups here allocate nothing. Values follow the decoded shape: a
// oneof member that is unset reads null or undefined, 64-bit integers are
// `Long` after decode and numbers when built by hand.
import { Long, type IAnyValue, type IKeyValue } from '../pdata/proto.js';

export type Attrs = IKeyValue[];

export function findAttr(attrs: Attrs | null | undefined, key: string): IKeyValue | undefined {
  if (!attrs) return undefined;
  for (let i = 0; i < attrs.length; i++) if (attrs[i]!.key === key) return attrs[i];
  return undefined;
}

export function indexOfAttr(attrs: Attrs | null | undefined, key: string): number {
  if (!attrs) return -1;
  for (let i = 0; i < attrs.length; i++) if (attrs[i]!.key === key) return i;
  return -1;
}

export function hasAttr(attrs: Attrs | null | undefined, key: string): boolean {
  return indexOfAttr(attrs, key) >= 0;
}

/** A string value as written; numbers and booleans as their text; else undefined. */
export function anyToString(v: IAnyValue | null | undefined): string | undefined {
  if (!v) return undefined;
  if (v.stringValue != null) return v.stringValue;
  if (v.intValue != null) return typeof v.intValue === 'number' ? String(v.intValue) : v.intValue.toString();
  if (v.doubleValue != null) return String(v.doubleValue);
  if (v.boolValue != null) return String(v.boolValue);
  return undefined;
}

/** A numeric value (int, double, or a numeric string); undefined when absent or not a finite number. */
export function anyToNumber(v: IAnyValue | null | undefined): number | undefined {
  if (!v) return undefined;
  if (v.intValue != null) return typeof v.intValue === 'number' ? v.intValue : Long.fromValue(v.intValue).toNumber();
  if (v.doubleValue != null) return Number.isFinite(v.doubleValue) ? v.doubleValue : undefined;
  if (v.stringValue != null && v.stringValue.trim() !== '') {
    const n = Number(v.stringValue);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export function getString(attrs: Attrs | null | undefined, key: string): string | undefined {
  return anyToString(findAttr(attrs, key)?.value);
}

export function getNumber(attrs: Attrs | null | undefined, key: string): number | undefined {
  return anyToNumber(findAttr(attrs, key)?.value);
}

export function getBool(attrs: Attrs | null | undefined, key: string): boolean | undefined {
  const v = findAttr(attrs, key)?.value;
  if (!v) return undefined;
  if (v.boolValue != null) return v.boolValue;
  if (v.stringValue != null) return v.stringValue === 'true' ? true : v.stringValue === 'false' ? false : undefined;
  return undefined;
}

/** The first key of `keys` present as a non-empty string. */
export function firstString(attrs: Attrs | null | undefined, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const s = getString(attrs, k);
    if (s !== undefined && s !== '') return s;
  }
  return undefined;
}

export function firstNumber(attrs: Attrs | null | undefined, keys: readonly string[]): number | undefined {
  for (const k of keys) {
    const n = getNumber(attrs, k);
    if (n !== undefined) return n;
  }
  return undefined;
}

export const strValue = (s: string): IAnyValue => ({ stringValue: s });
export const intValue = (n: number): IAnyValue => ({ intValue: Math.trunc(n) });
export const doubleValue = (n: number): IAnyValue => ({ doubleValue: n });
export const boolValue = (b: boolean): IAnyValue => ({ boolValue: b });

/** Sets `key` to `value`, replacing an existing entry in place (keeps attribute order stable). */
export function setAttr(attrs: Attrs, key: string, value: IAnyValue): void {
  const i = indexOfAttr(attrs, key);
  if (i >= 0) attrs[i] = { key, value };
  else attrs.push({ key, value });
}

/** Sets `key` only when it is absent; returns whether it was set. */
export function setAttrIfAbsent(attrs: Attrs, key: string, value: IAnyValue): boolean {
  if (indexOfAttr(attrs, key) >= 0) return false;
  attrs.push({ key, value });
  return true;
}

export function removeAttr(attrs: Attrs, key: string): boolean {
  const i = indexOfAttr(attrs, key);
  if (i < 0) return false;
  attrs.splice(i, 1);
  return true;
}

/**
 * The attribute array of a decoded or hand-built message, made an own,
 * writable property. A decoded message without attributes reads a shared
 * empty array from its prototype: pushing onto that would leak into every
 * other message of the type.
 */
export function ownAttrs(holder: { attributes?: Attrs | null }): Attrs {
  if (!Object.prototype.hasOwnProperty.call(holder, 'attributes') || !holder.attributes) holder.attributes = [];
  return holder.attributes;
}

/** Plain JS value of an AnyValue, for tests, logs and JSON (ints beyond 2^53 become strings). */
export function anyToJs(v: IAnyValue | null | undefined): unknown {
  if (!v) return null;
  if (v.stringValue != null) return v.stringValue;
  if (v.boolValue != null) return v.boolValue;
  if (v.intValue != null) {
    if (typeof v.intValue === 'number') return v.intValue;
    const l = Long.fromValue(v.intValue);
    const n = l.toNumber();
    return Number.isSafeInteger(n) ? n : l.toString();
  }
  if (v.doubleValue != null) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(anyToJs);
  if (v.kvlistValue) return Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [kv.key, anyToJs(kv.value)]));
  if (v.bytesValue) return Buffer.from(v.bytesValue).toString('base64');
  return null;
}

/** Attributes as a plain object (last key wins), for tests and logs. */
export function attrsToObject(attrs: Attrs | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of attrs ?? []) out[kv.key ?? ''] = anyToJs(kv.value);
  return out;
}
