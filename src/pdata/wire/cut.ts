// Cutting one resource entry (ResourceSpans, ResourceMetrics, ResourceLogs)
// in two at an item boundary, on the wire: the first part holds the first
// `n` items (or at most `n` bytes), the second the rest. Fields that are not
// on the way to the items (resource, scope, schema URLs, a metric's name,
// unit and temporality, unknown fields) are copied into both parts, as the
// collector's split copies them. Whole sub-messages are copied as bytes:
// nothing is decoded, and only the length prefixes on the cut path are new.
import type { Signal } from '../signal.js';
import { scanMessage } from './scan.js';
import { messageDef, type MessageDef } from './schema.js';
import { fieldLocs as fieldsOf, type FieldLoc } from './fields.js';
import { fieldSize, varintSize, writeVarint, type Piece } from './write.js';

/** How items nest below a message: the fields that lead to them, and what each holds. */
interface Level {
  readonly def: MessageDef;
  /** Field number → the level below (LEAF: each occurrence is one item). */
  readonly children: ReadonlyMap<number, Level>;
}

const LEAF: Level = { def: messageDef('Span'), children: new Map() };

function level(name: string, children: Array<[number, Level]>): Level {
  return { def: messageDef(name), children: new Map(children) };
}

const points = (container: string): Level => level(container, [[1, LEAF]]);

export const LEVELS: { [S in Signal]: Level } = {
  traces: level('ResourceSpans', [[2, level('ScopeSpans', [[2, LEAF]])]]),
  logs: level('ResourceLogs', [[2, level('ScopeLogs', [[2, LEAF]])]]),
  metrics: level('ResourceMetrics', [
    [
      2,
      level('ScopeMetrics', [
        [
          2,
          level('Metric', [
            [5, points('Gauge')],
            [7, points('Sum')],
            [9, points('Histogram')],
            [10, points('ExponentialHistogram')],
            [11, points('Summary')],
          ]),
        ],
      ]),
    ],
  ]),
};

export type Unit = 'items' | 'bytes';

/** A message split in two: the bodies (without tag and length) and the items on each side. */
export interface Halves {
  head: Piece[];
  rest: Piece[];
  headItems: number;
  restItems: number;
}

function itemsOf(lv: Level, buf: Uint8Array, f: FieldLoc): number {
  return lv === LEAF ? 1 : scanMessage(buf, f.value, f.end, lv.def);
}

function header(no: number, len: number): Piece {
  const b = new Uint8Array(varintSize(no * 8 + 2) + varintSize(len));
  const p = writeVarint(b, 0, no * 8 + 2);
  writeVarint(b, p, len);
  return { buf: b, start: 0, end: b.length };
}

function len(ps: readonly Piece[]): number {
  let n = 0;
  for (const p of ps) n += p.end - p.start;
  return n;
}

/**
 * Splits the message buf[start, end) of level `lv` so that the head holds
 * `budget` items (unit items) or at most `budget` bytes of body (unit
 * bytes). Children that fit whole are copied whole; the one that does not is
 * split in turn. Fields off the item path are copied to both halves. With
 * `force`, the head gets at least one item whatever its size (so a cut
 * always makes progress; an item larger than the budget then goes alone).
 */
export function cutMessage(lv: Level, buf: Uint8Array, start: number, end: number, budget: number, unit: Unit, force = false): Halves {
  const fields = fieldsOf(buf, start, end);
  let shared = 0;
  for (const f of fields) if (!lv.children.has(f.no)) shared += f.end - f.start;
  let room = unit === 'items' ? budget : budget - shared;
  const head: Piece[] = [];
  const rest: Piece[] = [];
  let headItems = 0;
  let restItems = 0;
  let cut = false;
  for (const f of fields) {
    const child = lv.children.get(f.no);
    const whole: Piece = { buf, start: f.start, end: f.end };
    if (child === undefined) {
      head.push(whole);
      rest.push(whole);
      continue;
    }
    const items = itemsOf(child, buf, f);
    if (cut) {
      rest.push(whole);
      restItems += items;
      continue;
    }
    const size = unit === 'items' ? items : f.end - f.start;
    const mustTake = force && headItems === 0 && items > 0;
    if (size <= room || (mustTake && child === LEAF)) {
      head.push(whole);
      headItems += items;
      room -= size;
      if (room <= 0) cut = true;
      continue;
    }
    cut = true;
    // Does not fit whole: split it, if some of it fits (or something must be taken).
    if (child !== LEAF && items > 0) {
      const innerRoom = unit === 'items' ? room : room - (f.value - f.start) - 1;
      if (innerRoom > 0 || mustTake) {
        const h = cutMessage(child, buf, f.value, f.end, Math.max(innerRoom, 0), unit, mustTake);
        if (h.headItems > 0 && h.restItems > 0) {
          head.push(header(f.no, len(h.head)), ...h.head);
          rest.push(header(f.no, len(h.rest)), ...h.rest);
          headItems += h.headItems;
          restItems += h.restItems;
          continue;
        }
        if (h.headItems > 0) {
          // All of it went to the head (a forced single item): take it whole.
          head.push(whole);
          headItems += items;
          continue;
        }
      }
    }
    rest.push(whole);
    restItems += items;
  }
  return { head, rest, headItems, restItems };
}

/** Size of field `no` holding these pieces, tag and length included. */
export function wrappedSize(no: number, body: readonly Piece[]): number {
  return fieldSize(no, len(body));
}
