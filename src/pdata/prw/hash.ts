// The series hash that picks a remote-write series' shard (and a Kafka
// partition's key order): computed once, by the scan, from the bytes of the
// label names and values (not their tags, so any valid encoding of one label
// set hashes the same). Four bytes per step through a DataView — a byte-wise
// FNV-1a costs ~1 ns per byte here, a third of the scan — then a final
// avalanche (murmur3's fmix32) so that `hash % shards` spreads evenly.

const PRIME = 0x01000193;
export const HASH_SEED = 0x811c9dc5 | 0;
const NAME_END = 0xff;
const VALUE_END = 0xfe;

/** Folds buf[s, e) into h. */
export function hashBytes(h: number, buf: Uint8Array, dv: DataView, s: number, e: number): number {
  let p = s;
  for (; p + 4 <= e; p += 4) h = Math.imul(h ^ dv.getInt32(p, true), PRIME);
  for (; p < e; p++) h = Math.imul(h ^ (buf[p] ?? 0), PRIME);
  return h;
}

/** Folds one label (name bytes, value bytes) into h. */
export function hashLabel(h: number, buf: Uint8Array, dv: DataView, ns: number, ne: number, vs: number, ve: number): number {
  h = Math.imul(hashBytes(h, buf, dv, ns, ne) ^ NAME_END, PRIME);
  return Math.imul(hashBytes(h, buf, dv, vs, ve) ^ VALUE_END, PRIME);
}

/** The final value of a hash (unsigned 32-bit). */
export function finishHash(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const encoder = new TextEncoder();

/** The same hash of label objects (what the scan computes for their encoding). */
export function hashLabelObjects(labels: ReadonlyArray<{ name?: string | null; value?: string | null }> | null | undefined): number {
  let h = HASH_SEED;
  for (const l of labels ?? []) {
    const n = encoder.encode(l.name ?? '');
    const v = encoder.encode(l.value ?? '');
    const b = new Uint8Array(n.length + v.length);
    b.set(n, 0);
    b.set(v, n.length);
    h = hashLabel(h, b, new DataView(b.buffer), 0, n.length, n.length, b.length);
  }
  return finishHash(h);
}
