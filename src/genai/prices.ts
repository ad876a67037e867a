// The GPU price table: GPU model → USD per GPU-hour, by named tier.
//
// Prices are configuration with a cited source (config/gpu-prices.yaml),
// never constants in code. Shared by the gpucost processor and loadgen, so a
// load test's expected costs use exactly the prices the gateway applies.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The embedded default table shipped with the package. */
export const DEFAULT_PRICES_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'config', 'gpu-prices.yaml');

export interface TierPrice {
  usd_per_gpu_hour: number;
  source?: string;
}

export interface GpuPriceEntry {
  /** Case-insensitive substrings of reported model names; the entry's own name always matches. */
  match?: string[];
  tiers: Record<string, TierPrice>;
}

export interface PriceTableSpec {
  currency?: string;
  default_tier?: string;
  gpus: Record<string, GpuPriceEntry>;
}

export type PriceLookup =
  | { ok: true; gpu: string; tier: string; usdPerGpuHour: number }
  | { ok: false; reason: 'unknown_gpu' | 'unknown_price'; gpu?: string; tier: string };

/** Problems with a table, as `path: problem` lines. */
export function checkPriceTable(spec: unknown, where: string): string[] {
  const out: string[] = [];
  if (!spec || typeof spec !== 'object') return [`${where}: must be a map with a "gpus" key`];
  const s = spec as Record<string, unknown>;
  if (s.currency !== undefined && s.currency !== 'USD') out.push(`${where}.currency: only USD is supported`);
  if (s.default_tier !== undefined && typeof s.default_tier !== 'string') out.push(`${where}.default_tier: must be a string`);
  const gpus = s.gpus;
  if (!gpus || typeof gpus !== 'object' || Array.isArray(gpus)) return [...out, `${where}.gpus: required, a map of GPU model → entry`];
  for (const [name, e] of Object.entries(gpus as Record<string, unknown>)) {
    const p = `${where}.gpus.${name}`;
    if (!e || typeof e !== 'object') {
      out.push(`${p}: must be a map with "tiers"`);
      continue;
    }
    const entry = e as Record<string, unknown>;
    if (entry.match !== undefined && (!Array.isArray(entry.match) || entry.match.some((m) => typeof m !== 'string' || m === ''))) {
      out.push(`${p}.match: must be a list of non-empty strings`);
    }
    const tiers = entry.tiers;
    if (!tiers || typeof tiers !== 'object' || Array.isArray(tiers)) {
      out.push(`${p}.tiers: required, a map of tier → {usd_per_gpu_hour, source}`);
      continue;
    }
    for (const [tier, t] of Object.entries(tiers as Record<string, unknown>)) {
      const price = (t as TierPrice | null)?.usd_per_gpu_hour;
      if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0) out.push(`${p}.tiers.${tier}.usd_per_gpu_hour: must be a positive number`);
    }
  }
  return out;
}

export function loadPriceFile(path: string): PriceTableSpec {
  const file = path === '' ? DEFAULT_PRICES_FILE : path;
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`price table ${file}: ${(err as Error).message}`);
  }
  const problems = checkPriceTable(doc, file);
  if (problems.length) throw new Error(`price table ${problems.join('; ')}`);
  return doc as PriceTableSpec;
}

/** Entries of `over` replace same-named entries of `base`. */
export function mergePriceTables(base: PriceTableSpec, over: Partial<PriceTableSpec> | undefined): PriceTableSpec {
  if (!over) return base;
  return {
    currency: 'USD',
    default_tier: over.default_tier ?? base.default_tier,
    gpus: { ...base.gpus, ...(over.gpus ?? {}) },
  };
}

/**
 * Resolves reported GPU model names ("NVIDIA A100-SXM4-80GB") to table
 * entries. Results are cached per name: the set of names a fleet reports is
 * small, and the hot path then costs one Map lookup.
 */
export class PriceTable {
  readonly defaultTier: string;
  private readonly patterns: Array<{ needle: string; gpu: string }> = [];
  private readonly cache = new Map<string, string | null>();

  constructor(private readonly spec: PriceTableSpec) {
    this.defaultTier = spec.default_tier ?? 'on_demand';
    for (const [gpu, e] of Object.entries(spec.gpus)) {
      for (const m of [gpu, ...(e.match ?? [])]) this.patterns.push({ needle: m.toUpperCase(), gpu });
    }
    // Longest needle first, so "A100-80GB" beats "A100" when both are listed.
    this.patterns.sort((a, b) => b.needle.length - a.needle.length);
  }

  /** The table entry name for a reported model name, or undefined. */
  resolve(reported: string): string | undefined {
    let hit = this.cache.get(reported);
    if (hit === undefined) {
      const up = reported.toUpperCase();
      hit = null;
      if (this.spec.gpus[reported]) hit = reported;
      else for (const p of this.patterns) if (up.includes(p.needle)) {
        hit = p.gpu;
        break;
      }
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(reported, hit);
    }
    return hit ?? undefined;
  }

  lookup(reported: string, tier: string = this.defaultTier): PriceLookup {
    const gpu = this.resolve(reported);
    if (!gpu) return { ok: false, reason: 'unknown_gpu', tier };
    const p = this.spec.gpus[gpu]!.tiers[tier];
    if (!p) return { ok: false, reason: 'unknown_price', gpu, tier };
    return { ok: true, gpu, tier, usdPerGpuHour: p.usd_per_gpu_hour };
  }

  gpus(): string[] {
    return Object.keys(this.spec.gpus);
  }
}
