// What a replay did, counted as it goes, printed at the end.
import type { Damage } from '../capture/reader.js';

export type Counts = Record<string, number>;

export interface ReplaySummary {
  target: string;
  source: string;
  passes: number;
  durationMs: number;
  /** Offset added to every timestamp in the first pass, ms (with --shift-timestamps). */
  shiftMs?: number;
  requests: {
    /** Requests read from the source (first pass). */
    read: number;
    /** Of those, the ones the filters kept (first pass). */
    matched: number;
    /** Requests made to the target (remote-write requests spread over lanes count once per part). */
    sent: number;
    accepted: number;
    /** Answered with a refusal that is not retried, by status. */
    refused: Counts;
    /** Still failing when retries ran out, by status ("network" when no answer). */
    failed: Counts;
    /** Not sent: the target cannot take them, or they could not be decoded; by reason. */
    unsendable: Counts;
    retries: number;
  };
  items: {
    sent: number;
    accepted: number;
    /** By status; "partial" for items a target rejected inside an accepted request. */
    refused: Counts;
    failed: Counts;
    unsendable: number;
    /** Points an OTLP → remote-write translation left out, by reason. */
    untranslatable: Counts;
  };
  damage: Damage[];
  fileErrors: Array<{ file: string; error: string }>;
  /** The first messages of refusals and failures. */
  errors: string[];
}

export function emptySummary(target: string, source: string): ReplaySummary {
  return {
    target,
    source,
    passes: 0,
    durationMs: 0,
    requests: { read: 0, matched: 0, sent: 0, accepted: 0, refused: {}, failed: {}, unsendable: {}, retries: 0 },
    items: { sent: 0, accepted: 0, refused: {}, failed: {}, unsendable: 0, untranslatable: {} },
    damage: [],
    fileErrors: [],
    errors: [],
  };
}

export function bump(c: Counts, key: string, n = 1): void {
  if (n > 0) c[key] = (c[key] ?? 0) + n;
}

export function total(c: Counts): number {
  let n = 0;
  for (const k in c) n += c[k]!;
  return n;
}

/** True when everything was sent and accepted and the capture was whole. */
export function clean(s: ReplaySummary): boolean {
  return (
    total(s.requests.refused) === 0 &&
    total(s.requests.failed) === 0 &&
    total(s.requests.unsendable) === 0 &&
    total(s.items.refused) === 0 &&
    s.damage.length === 0 &&
    s.fileErrors.length === 0
  );
}

function counts(c: Counts): string {
  const ks = Object.keys(c).sort();
  return ks.length === 0 ? '0' : `${total(c)} (${ks.map((k) => `${k}: ${c[k]}`).join(', ')})`;
}

/** The summary as text lines. */
export function formatSummary(s: ReplaySummary): string {
  const L: string[] = [];
  L.push(`replay: ${s.source} → ${s.target}`);
  L.push(`  passes ${s.passes}, ${(s.durationMs / 1000).toFixed(2)} s${s.shiftMs !== undefined ? `, timestamps shifted by ${s.shiftMs} ms` : ''}`);
  const r = s.requests;
  L.push(`  requests: read ${r.read}, matched ${r.matched}, sent ${r.sent}, accepted ${r.accepted}, retries ${r.retries}`);
  L.push(`    refused ${counts(r.refused)}; failed ${counts(r.failed)}; not sendable ${counts(r.unsendable)}`);
  const i = s.items;
  L.push(`  items: sent ${i.sent}, accepted ${i.accepted}, refused ${counts(i.refused)}, failed ${counts(i.failed)}, not sendable ${i.unsendable}`);
  if (total(i.untranslatable) > 0) L.push(`    left out translating to remote-write: ${counts(i.untranslatable)}`);
  for (const f of s.fileErrors) L.push(`  unreadable: ${f.error}`);
  for (const d of s.damage) L.push(`  damage: ${d.file} @${d.offset} (+${d.length} bytes) ${d.kind}: ${d.reason}`);
  for (const e of s.errors) L.push(`  error: ${e}`);
  return `${L.join('\n')}\n`;
}
