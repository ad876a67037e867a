import type { ProcessorFactory } from '../../component/factory.js';
import { GenaiSchema, type GenaiConfig } from './config.js';
import { GenaiProcessor } from './genai.js';

export const genaiProcessorFactory: ProcessorFactory<GenaiConfig> = {
  kind: 'processor',
  type: 'genai',
  schema: GenaiSchema,
  create: {
    traces: (set, cfg, next) => new GenaiProcessor(set, cfg, next),
  },
};
