import type { EncodedPrw } from '../../pdata/prw/encoded.js';
import { cutSeries } from '../../pdata/prw/cut.js';
import { M_STRIDE, S_STRIDE, copyRange, type Part } from '../../pdata/prw/part.js';

/**
 * Splitting an outgoing request into per-shard chunks, on the bytes.
 *
 * A series' shard is its label hash (computed by the receiver's scan) modulo
 * the shard count, so every sample of a series goes through the same shard,
 * which sends in order: samples of one series can never overtake each other
 * however many shards run (the out-of-order failure of parallel remote-write
 * senders). A chunk is a list of byte ranges of the request's buffers (no
 * copy yet: the shard copies them once, into the batch it compresses), bounded
 * by points and bytes so that batches built from chunks are too.
 */

/** Settles one incoming request once all of its chunks are sent, refused or abandoned. */
export interface ChunkOwner {
  settle(chunk: Chunk, outcome: ChunkOutcome): void;
}

export type ChunkOutcome = { kind: 'sent' } | { kind: 'rejected'; reason: string } | { kind: 'abandoned' };

export class Chunk {
  /** Byte ranges [starts[i], ends[i]) of bufs[i], in order; adjacent ranges of one buffer are joined. */
  readonly bufs: Buffer[] = [];
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  /** Samples plus native histograms. */
  points = 0;
  /** Exact encoded size (the ranges' total). */
  bytes = 0;
  /** Set once its owner has been told the outcome. */
  settled = false;

  constructor(
    /** Tenant header value, or undefined for none. */
    readonly tenant: string | undefined,
    readonly owner: ChunkOwner,
  ) {}

  add(buf: Buffer, start: number, end: number, points: number): void {
    const n = this.bufs.length;
    if (n > 0 && this.bufs[n - 1] === buf && this.ends[n - 1] === start) this.ends[n - 1] = end;
    else {
      this.bufs.push(buf);
      this.starts.push(start);
      this.ends.push(end);
    }
    this.points += points;
    this.bytes += end - start;
  }

  /** Copies the chunk's bytes into out at pos; returns the position after them. */
  copyTo(out: Uint8Array, pos: number): number {
    for (let i = 0; i < this.bufs.length; i++) pos = copyRange(this.bufs[i] as Buffer, this.starts[i] ?? 0, this.ends[i] ?? 0, out, pos);
    return pos;
  }
}

export interface PartitionLimits {
  shards: number;
  maxSamples: number;
  maxBytes: number;
}

/**
 * Splits a batch into chunks per shard, in batch order within each shard.
 * Returns one array per shard (empty when the shard gets nothing).
 */
export function partition(batch: EncodedPrw, lim: PartitionLimits, tenant: string | undefined, owner: ChunkOwner): Chunk[][] {
  const n = lim.shards;
  const out: Chunk[][] = Array.from({ length: n }, () => []);
  const current: Array<Chunk | undefined> = new Array(n);
  const place = (s: number, points: number, bytes: number): Chunk => {
    const c = current[s];
    if (c && ((c.points === 0 && c.bytes === 0) || (c.points + points <= lim.maxSamples && c.bytes + bytes <= lim.maxBytes))) return c;
    const fresh = new Chunk(tenant, owner);
    out[s]?.push(fresh);
    current[s] = fresh;
    return fresh;
  };
  for (const part of batch.parts) {
    const idx = part.series;
    const buf = part.buf;
    for (let i = part.first; i < part.last; i++) {
      const k = i * S_STRIDE;
      const start = (idx[k] ?? 0);
      const end = (idx[k + 1] ?? 0);
      const points = (idx[k + 2] ?? 0);
      const shard = ((idx[k + 3] ?? 0) >>> 0) % n;
      if (points <= lim.maxSamples) {
        place(shard, points, end - start).add(buf, start, end, points);
        continue;
      }
      // A series longer than a batch: cut its points (samples, then
      // histograms) in order; exemplars ride with the first piece.
      let rest: Part = part.slice(i, i + 1);
      for (;;) {
        const left = rest.points;
        if (left <= lim.maxSamples) {
          place(shard, left, rest.bytes).add(rest.buf, 0, rest.bytes, left);
          break;
        }
        const [head, tail] = cutSeries(rest, rest.first, lim.maxSamples);
        place(shard, head.points, head.bytes).add(head.buf, 0, head.bytes, head.points);
        rest = tail;
      }
    }
    const m = part.meta;
    for (let j = part.mfirst; j < part.mlast; j++) {
      const k = j * M_STRIDE;
      const start = (m[k] ?? 0);
      const end = (m[k + 1] ?? 0);
      place(((m[k + 2] ?? 0) >>> 0) % n, 0, end - start).add(buf, start, end, 0);
    }
  }
  return out;
}
