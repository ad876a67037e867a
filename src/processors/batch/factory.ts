import type { ProcessorFactory } from '../../component/factory.js';
import { BatchProcessor } from './batch.js';
import { BatchSchema, validateBatch, type BatchConfig } from './config.js';

export const batchFactory: ProcessorFactory<BatchConfig> = {
  kind: 'processor',
  type: 'batch',
  schema: BatchSchema,
  validate: validateBatch,
  create: {
    traces: (set, cfg, next) => new BatchProcessor(set, cfg, 'traces', next),
    metrics: (set, cfg, next) => new BatchProcessor(set, cfg, 'metrics', next),
    logs: (set, cfg, next) => new BatchProcessor(set, cfg, 'logs', next),
  },
};
