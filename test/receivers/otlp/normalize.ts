// Comparable forms of OTLP values, so a test can check value *types* (an int
// stays an int, bytes stay bytes) as well as values, on both sides.
import type { HrTime } from '@opentelemetry/api';
import { Long, int64ToString, type IKeyValue, type Int64 } from '../../../src/pdata/proto.js';
import { tagAttrs } from '../../helpers/tagged.js';

export { hex, tagAny, tagAttrs, tagJs, tagJsAttrs, type Tagged } from '../../helpers/tagged.js';

export const nanos = (v: Int64 | null | undefined): string => int64ToString(v);

export const hrNanos = (hr: HrTime): string => (BigInt(hr[0]) * 1_000_000_000n + BigInt(hr[1])).toString();

export const num = (v: Int64 | null | undefined): number => (v == null ? 0 : typeof v === 'number' ? v : Long.fromValue(v).toNumber());

/** The `test.flavor` resource attribute tests put on what each client sends. */
export function flavorOf(resourceAttrs: IKeyValue[] | null | undefined): string | undefined {
  const t = tagAttrs(resourceAttrs)['test.flavor'];
  return t && 's' in t ? t.s : undefined;
}
