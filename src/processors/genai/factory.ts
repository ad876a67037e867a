import type { ProcessorFactory } from '../../component/factory.js';
import { GenaiSchema, validateGenai, type GenaiConfig } from './config.js';
import { GenaiEngineMetrics, GenaiProcessor } from './genai.js';

export const genaiProcessorFactory: ProcessorFactory<GenaiConfig> = {
  kind: 'processor',
  type: 'genai',
  schema: GenaiSchema,
  validate: validateGenai,
  create: {
    traces: (set, cfg, next) => new GenaiProcessor(set, cfg, next),
    metrics: (set, cfg, next) => new GenaiEngineMetrics(set, cfg, next),
  },
};
