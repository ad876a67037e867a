import type { ProcessorFactory } from '../../component/factory.js';
import { InferenceMetricsSchema, type InferenceMetricsConfig } from './config.js';
import { InferenceMetricsProcessor } from './inferencemetrics.js';

export const inferenceMetricsProcessorFactory: ProcessorFactory<InferenceMetricsConfig> = {
  kind: 'processor',
  type: 'inferencemetrics',
  schema: InferenceMetricsSchema,
  create: {
    metrics: (set, cfg, next) => new InferenceMetricsProcessor(set, cfg, next),
  },
};
