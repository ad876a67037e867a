// OTLP exemplars → Prometheus exemplars.
import type { IExemplar, ILabel, IPromExemplar } from '../../pdata/proto.js';
import { cachedLabelName } from './labels.js';
import { anyValueToString, nanosToMillis, toHex, toNumber } from './values.js';

/** OpenMetrics caps an exemplar's label text at 128 characters; attributes past that are left off. */
const MAX_EXEMPLAR_RUNES = 128;

/** An OTLP exemplar as a Prometheus one: trace_id/span_id in hex, then its filtered attributes when they fit. */
export function exemplar(ex: IExemplar): IPromExemplar {
  const labels: ILabel[] = [];
  let runes = 0;
  const tid = toHex(ex.traceId);
  if (tid !== '' && !/^0+$/.test(tid)) {
    labels.push({ name: 'trace_id', value: tid });
    runes += 8 + tid.length;
  }
  const sid = toHex(ex.spanId);
  if (sid !== '' && !/^0+$/.test(sid)) {
    labels.push({ name: 'span_id', value: sid });
    runes += 7 + sid.length;
  }
  const extra: ILabel[] = [];
  for (const kv of ex.filteredAttributes ?? []) {
    const value = anyValueToString(kv.value);
    const name = cachedLabelName(kv.key ?? '');
    if (name === '') continue;
    runes += [...name].length + [...value].length;
    extra.push({ name, value });
  }
  if (runes <= MAX_EXEMPLAR_RUNES) labels.push(...extra);
  return {
    labels,
    value: ex.asInt != null ? toNumber(ex.asInt) : (ex.asDouble ?? 0),
    timestamp: nanosToMillis(ex.timeUnixNano),
  };
}
