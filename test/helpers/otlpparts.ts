// Reaching into decoded OTLP requests in tests without asserting fields
// present: each helper walks the optional levels and fails the test with a
// clear message when the part it looks for is missing.
import assert from 'node:assert/strict';
import type { IResource, ISpan, Logs, Metrics, Traces } from '../../src/pdata/proto.js';

/** Every span of a request, in order. */
export function spansOf(t: Traces): ISpan[] {
  return (t.resourceSpans ?? []).flatMap((rs) => (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? []));
}

/** The i-th span of a request (the first by default). */
export function spanAt(t: Traces, i = 0): ISpan {
  const s = spansOf(t)[i];
  assert.ok(s, `the request has no span ${i}`);
  return s;
}

/** The resource of each resource entry (null where an entry has none). */
export function resourcesOf(d: Traces | Metrics | Logs): Array<IResource | null> {
  const groups: Array<{ resource?: IResource | null }> =
    'resourceSpans' in d ? (d.resourceSpans ?? []) : 'resourceMetrics' in d ? (d.resourceMetrics ?? []) : 'resourceLogs' in d ? (d.resourceLogs ?? []) : [];
  return groups.map((g) => g.resource ?? null);
}

/** The attributes of the i-th resource entry's resource. */
export function resourceAttrs(d: Traces | Metrics | Logs, i = 0): NonNullable<IResource['attributes']> {
  const r = resourcesOf(d)[i];
  assert.ok(r, `resource entry ${i} has no resource`);
  return r.attributes ?? [];
}
