// Redaction of a whole decoded request, shared by the processor and by
// capture (which can apply the same rules before a request reaches disk).
import type { ILogRecord, Logs, Traces } from '../../pdata/proto.js';
import { getString, ownAttrs } from '../../genai/attrs.js';
import type { Redactor } from './redactor.js';

export const BODY_LENGTH = 'tollgate.redaction.body.length';

/** Redacts span attributes and message events in place. */
export function redactTraces(r: Redactor, data: Traces): void {
  for (const rs of data.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        if ((span.attributes?.length ?? 0) > 0) r.redactAttrs(ownAttrs(span), false);
        for (const ev of span.events ?? []) {
          if ((ev.attributes?.length ?? 0) === 0) continue;
          r.redactAttrs(ownAttrs(ev), r.isContentEvent(ev.name));
        }
      }
    }
  }
}

/** Redacts GenAI events sent as log records (body and attributes) in place. */
export function redactLogs(r: Redactor, keepLength: boolean, data: Logs): void {
  for (const rl of data.resourceLogs ?? []) {
    for (const sl of rl.scopeLogs ?? []) {
      for (const rec of sl.logRecords ?? []) redactRecord(r, keepLength, rec);
    }
  }
}

function redactRecord(r: Redactor, keepLength: boolean, rec: ILogRecord): void {
  const event = rec.eventName || getString(rec.attributes, 'event.name');
  const content = r.isContentEvent(event);
  if ((rec.attributes?.length ?? 0) > 0) r.redactAttrs(ownAttrs(rec), content);
  if (content && rec.body) {
    const red = r.redactValue(rec.body);
    if (red !== undefined) {
      rec.body = red.value;
      if (keepLength) ownAttrs(rec).push({ key: BODY_LENGTH, value: { intValue: red.length } });
    }
  }
}
