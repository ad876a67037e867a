// Groups a gpu_shared correction is summed by: the values of a few span
// attributes (model, provider, operation, showback dimensions) of the spans
// it applies to. Interned, so a retained interval holds one reference, and
// bounded: past `max` distinct groups, new ones share one overflow group.
import type { IKeyValue } from '../../pdata/proto.js';
import { anyToString, type Attrs } from '../../genai/attrs.js';
import { SHOWBACK_PREFIX } from '../../genai/conventions.js';

export interface AdjustmentGroup {
  /** The attributes, as written into a late span's tollgate.gpucost.adjustment.groups. */
  readonly attrs: IKeyValue[];
}

const OVERFLOW: AdjustmentGroup = Object.freeze({ attrs: [{ key: 'otel.metric.overflow', value: { boolValue: true } }] });

export class AdjustmentGroups {
  private readonly groups = new Map<string, AdjustmentGroup>();
  private readonly keys: readonly string[];

  constructor(
    keys: readonly string[],
    private readonly max = 10_000,
  ) {
    this.keys = keys;
  }

  of(attrs: Attrs | null | undefined): AdjustmentGroup {
    const picked: Array<[string, string]> = [];
    for (const k of this.keys) {
      const v = valueOf(attrs, k);
      if (v !== undefined) picked.push([k, v]);
    }
    for (const kv of attrs ?? []) {
      const k = kv.key ?? '';
      if (k.startsWith(SHOWBACK_PREFIX) && !this.keys.includes(k)) {
        const v = anyToString(kv.value);
        if (v !== undefined) picked.push([k, v]);
      }
    }
    let id = '';
    for (const [k, v] of picked) id += `${k}\u0001${v}\u0002`;
    let g = this.groups.get(id);
    if (g) return g;
    if (this.groups.size >= this.max) return OVERFLOW;
    g = { attrs: picked.map(([key, v]) => ({ key, value: { stringValue: v } })) };
    this.groups.set(id, g);
    return g;
  }
}

function valueOf(attrs: Attrs | null | undefined, key: string): string | undefined {
  for (const kv of attrs ?? []) if (kv.key === key) return anyToString(kv.value);
  return undefined;
}
