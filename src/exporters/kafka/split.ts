/**
 * Cuts a batch into the pieces that become Kafka messages:
 *  1. by partition key (trace ID, or resource attributes: shapes.ts, keys.ts), when configured;
 *  2. by size (here): a piece whose encoding is over the byte budget is cut into
 *     smaller ones along its leaves (spans, data points, log records, series),
 *     keeping the resource/scope structure; a single leaf that alone is over
 *     the budget cannot be sent and is reported as dropped.
 *
 * The common case (no key, batch under the limit) costs one encode.
 */
export interface Shape<T, L> {
  leaves(data: T): L[];
  build(leaves: readonly L[]): T;
  items(leaves: readonly L[]): number;
}

export interface Piece<T> {
  key: string | undefined;
  data: T;
}

export interface Message<T> {
  key: string | undefined;
  value: Buffer;
  items: number;
  /** The part of the batch the value encodes (what is sent again if this message is not). */
  data: T;
}

export interface Packed<T> {
  messages: Message<T>[];
  /** Items in leaves that alone exceed the budget. */
  tooLargeItems: number;
  /** Encoded size of the largest such leaf, for the log line. */
  tooLargeBytes: number;
}

/**
 * Encodes `piece` and cuts it until every part fits `budget` bytes. Parts are
 * cut by leaf count in proportion to the overshoot, so uniform data needs one
 * round of re-encoding.
 */
export function pack<T, L>(
  shape: Shape<T, L>,
  pieces: readonly Piece<T>[],
  encode: (data: T) => Buffer,
  budgetFor: (key: string | undefined) => number,
): Packed<T> {
  const out: Packed<T> = { messages: [], tooLargeItems: 0, tooLargeBytes: 0 };
  for (const p of pieces) packOne(shape, p.key, p.data, undefined, encode, budgetFor(p.key), out);
  return out;
}

function packOne<T, L>(
  shape: Shape<T, L>,
  key: string | undefined,
  data: T,
  leaves: L[] | undefined,
  encode: (data: T) => Buffer,
  budget: number,
  out: Packed<T>,
): void {
  const value = encode(data);
  if (value.length <= budget) {
    const ls = leaves ?? shape.leaves(data);
    out.messages.push({ key, value, items: shape.items(ls), data });
    return;
  }
  const ls = leaves ?? shape.leaves(data);
  if (ls.length <= 1) {
    out.tooLargeItems += shape.items(ls);
    out.tooLargeBytes = Math.max(out.tooLargeBytes, value.length);
    return;
  }
  const parts = Math.min(ls.length, Math.max(2, Math.ceil(value.length / budget)));
  const per = Math.ceil(ls.length / parts);
  for (let i = 0; i < ls.length; i += per) {
    const sub = ls.slice(i, i + per);
    packOne(shape, key, shape.build(sub), sub, encode, budget, out);
  }
}
