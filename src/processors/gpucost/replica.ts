// Which GPUs serve the spans of one resource, and at what price.
//
// Resolved once per ResourceSpans (every span of it comes from the same
// process): resource attributes first, then what DCGM metrics taught the
// inventory about the pod or host.
import type { IResource } from '../../pdata/proto.js';
import { firstNumber, firstString } from '../../genai/attrs.js';
import type { PriceTable } from '../../genai/prices.js';
import type { GpucostConfig } from './config.js';
import type { GpuSource } from './gpusource.js';

/** Why the GPU methods cannot price a resource's spans. */
export type GpuUnpricedReason = 'unknown_gpu' | 'unknown_gpu_count' | 'unknown_price' | 'unknown_replica';

export interface Priced {
  ok: true;
  /** GPU model as named in the price table. */
  gpu: string;
  count: number;
  tier: string;
  usdPerGpuHour: number;
  /** $/s of the replica: count × price / 3600. */
  c: number;
  /** Replica identity for the shared model (undefined when the resource names none). */
  replica?: string;
}

export interface Unpriced {
  ok: false;
  reason: GpuUnpricedReason;
  /** Reported model, when known. */
  gpu?: string;
  tier: string;
}

export type ReplicaPrice = Priced | Unpriced;

export class ReplicaResolver {
  private readonly keys: GpucostConfig['resource_attributes'];
  private readonly tier: string;

  constructor(
    cfg: GpucostConfig,
    private readonly table: PriceTable,
    private readonly gpus: GpuSource,
    private readonly needReplica: boolean,
  ) {
    this.keys = cfg.resource_attributes;
    this.tier = cfg.tier !== '' ? cfg.tier : table.defaultTier;
  }

  resolve(resource: IResource | null | undefined, nowMs = Date.now()): ReplicaPrice {
    const attrs = resource?.attributes;
    const k = this.keys;
    let model = firstString(attrs, k.gpu_model);
    let count = firstNumber(attrs, k.gpu_count);
    if (model === undefined || count === undefined) {
      const learned = this.gpus.lookup({ host: firstString(attrs, k.host), pod: firstString(attrs, k.pod), namespace: firstString(attrs, k.namespace) }, nowMs);
      if (learned) {
        model ??= learned.model;
        count ??= learned.count;
      }
    }
    const tier = firstString(attrs, k.price_tier) ?? this.tier;
    if (model === undefined) return { ok: false, reason: 'unknown_gpu', tier };
    if (count === undefined || !(count > 0) || !Number.isInteger(count)) return { ok: false, reason: 'unknown_gpu_count', gpu: model, tier };
    const p = this.table.lookup(model, tier);
    if (!p.ok) return { ok: false, reason: p.reason, gpu: p.gpu ?? model, tier };
    let replica: string | undefined;
    if (this.needReplica) {
      const id = firstString(attrs, k.replica);
      if (id === undefined) return { ok: false, reason: 'unknown_replica', gpu: p.gpu, tier };
      // Same replica name on other GPUs or at another price is another cost stream.
      replica = `${id}\u0000${p.gpu}\u0000${count}\u0000${p.usdPerGpuHour}`;
    }
    return { ok: true, gpu: p.gpu, count, tier, usdPerGpuHour: p.usdPerGpuHour, c: (count * p.usdPerGpuHour) / 3600, replica };
  }
}
