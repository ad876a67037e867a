// The attributes the gpucost processor writes on a span.
import { removeAttr, setAttr, type Attrs } from '../../genai/attrs.js';
import { COST, type CostMethod } from '../../genai/conventions.js';
import type { TokenPriceLookup } from '../../genai/tokenprices.js';
import type { AdjustmentGroup } from './groups.js';
import type { Priced } from './replica.js';

/** Why a span has no cost. */
export type UnpricedReason =
  | 'unknown_gpu'
  | 'unknown_gpu_count'
  | 'unknown_price'
  | 'unknown_replica'
  | 'zero_duration'
  | 'negative_duration'
  | 'unknown_model_price'
  | 'unknown_tokens'
  | 'failed_without_usage'
  | 'reported_zero_cost';

export function writeGpuCost(attrs: Attrs, cost: number, method: CostMethod, p: Priced): void {
  setAttr(attrs, COST.cost, { doubleValue: cost });
  setAttr(attrs, COST.method, { stringValue: method });
  setAttr(attrs, COST.pricePerGpuHour, { doubleValue: p.usdPerGpuHour });
  setAttr(attrs, COST.tier, { stringValue: p.tier });
  setAttr(attrs, COST.gpuModel, { stringValue: p.gpu });
  setAttr(attrs, COST.gpuCount, { intValue: p.count });
}

export function writeTokenCost(attrs: Attrs, cost: number, hit: Extract<TokenPriceLookup, { ok: true }>): void {
  setAttr(attrs, COST.cost, { doubleValue: cost });
  setAttr(attrs, COST.method, { stringValue: 'token_price' });
  setAttr(attrs, COST.tokenPriceEntry, { stringValue: `${hit.provider}/${hit.model}` });
}

export function markReported(attrs: Attrs): void {
  setAttr(attrs, COST.method, { stringValue: 'reported' });
}

export function markUnpriced(attrs: Attrs, reason: UnpricedReason, gpu: string | undefined, tier: string | undefined): void {
  removeAttr(attrs, COST.cost);
  setAttr(attrs, COST.unpriced, { boolValue: true });
  setAttr(attrs, COST.unpricedReason, { stringValue: reason });
  if (tier !== undefined) setAttr(attrs, COST.tier, { stringValue: tier });
  if (gpu !== undefined) setAttr(attrs, COST.gpuModel, { stringValue: gpu });
}

/**
 * A late span's corrections: the total (≤ 0) and its split by the groups of
 * the spans it applies to, which the genaimetrics connector books against
 * those groups' series.
 */
export function writeAdjustment(attrs: Attrs, credits: ReadonlyArray<readonly [AdjustmentGroup, number]> | undefined, incomplete: boolean): number {
  setAttr(attrs, COST.late, { boolValue: true });
  let total = 0;
  if (credits && credits.length > 0) {
    for (const [, v] of credits) total += v;
    setAttr(attrs, COST.adjustment, { doubleValue: total });
    setAttr(attrs, COST.adjustmentGroups, {
      arrayValue: {
        values: credits.map(([g, v]) => ({ kvlistValue: { values: [...g.attrs, { key: 'amount', value: { doubleValue: v } }] } })),
      },
    });
  }
  if (incomplete) setAttr(attrs, COST.adjustmentIncomplete, { boolValue: true });
  return total;
}
