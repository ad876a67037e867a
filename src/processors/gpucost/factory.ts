import type { ProcessorFactory } from '../../component/factory.js';
import { loadPriceFile } from '../../genai/prices.js';
import { loadTokenPriceFile } from '../../genai/tokenprices.js';
import { GpucostSchema, validateGpucost, type GpucostConfig } from './config.js';
import { GpucostMetrics, GpucostTraces } from './gpucost.js';

export const gpucostProcessorFactory: ProcessorFactory<GpucostConfig> = {
  kind: 'processor',
  type: 'gpucost',
  schema: GpucostSchema,
  validate(cfg: GpucostConfig): string[] {
    const out = validateGpucost(cfg);
    try {
      loadPriceFile(cfg.prices_file);
    } catch (err) {
      out.push(`prices_file: ${(err as Error).message}`);
    }
    try {
      loadTokenPriceFile((cfg as GpucostConfig).token_prices_file ?? '');
    } catch (err) {
      out.push(`token_prices_file: ${(err as Error).message}`);
    }
    return out;
  },
  create: {
    traces: (set, cfg, next) => new GpucostTraces(set, cfg, next),
    metrics: (set, cfg, next) => new GpucostMetrics(set, cfg, next),
  },
};
