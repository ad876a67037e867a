// Replacing one field of a message on the wire: the rest of the message is
// copied as bytes, only the new field and the outer length prefix are
// written. How a component that changed one small part of an encoded entry
// (e.g. its Resource) hands back bytes without encoding the whole entry.
import { fieldLocs } from './fields.js';
import { fieldSize, varintSize, writeVarint } from './write.js';

/**
 * The value of field `no` as a decoder sees it: the occurrences' values
 * concatenated (for a message field, that is their merge). Undefined when
 * the field is absent.
 */
export function fieldValue(buf: Uint8Array, start: number, end: number, no: number): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  for (const f of fieldLocs(buf, start, end)) if (f.no === no) parts.push(buf.subarray(f.value, f.end));
  const [only] = parts;
  if (only === undefined) return undefined;
  return parts.length === 1 ? only : Buffer.concat(parts);
}

/**
 * The length-delimited field `outerNo` whose message is buf[start, end) with
 * every occurrence of field `no` replaced by one holding `value` (removed
 * when `value` is undefined), at the place of the first occurrence (or
 * first, when there was none). Returns the new field and its value offset.
 */
export function replaceField(
  outerNo: number,
  buf: Uint8Array,
  start: number,
  end: number,
  no: number,
  value: Uint8Array | undefined,
): { buf: Buffer; body: number } {
  const locs = fieldLocs(buf, start, end);
  let bodyLen = 0;
  for (const f of locs) if (f.no !== no) bodyLen += f.end - f.start;
  if (value !== undefined) bodyLen += fieldSize(no, value.length);
  const out = Buffer.allocUnsafe(varintSize(outerNo * 8 + 2) + varintSize(bodyLen) + bodyLen);
  let pos = writeVarint(out, 0, outerNo * 8 + 2);
  pos = writeVarint(out, pos, bodyLen);
  const body = pos;
  let pending = value; // written at the first occurrence (or first of all when there is none)
  const place = (v: Uint8Array) => {
    pos = writeVarint(out, pos, no * 8 + 2);
    pos = writeVarint(out, pos, v.length);
    out.set(v, pos);
    pos += v.length;
    pending = undefined;
  };
  if (pending && !locs.some((f) => f.no === no)) place(pending);
  for (const f of locs) {
    if (f.no === no) {
      if (pending) place(pending);
      continue;
    }
    out.set(buf.subarray(f.start, f.end), pos);
    pos += f.end - f.start;
  }
  return { buf: out, body };
}
