import type { ProcessorFactory } from '../../component/factory.js';
import { MemoryLimiterSchema, validateMemoryLimiter, type MemoryLimiterConfig } from './config.js';
import { MemoryLimiter } from './memory_limiter.js';

export const memoryLimiterFactory: ProcessorFactory<MemoryLimiterConfig> = {
  kind: 'processor',
  type: 'memory_limiter',
  schema: MemoryLimiterSchema,
  validate: validateMemoryLimiter,
  create: {
    traces: (set, cfg, next) => new MemoryLimiter(set, cfg, 'traces', next),
    metrics: (set, cfg, next) => new MemoryLimiter(set, cfg, 'metrics', next),
    logs: (set, cfg, next) => new MemoryLimiter(set, cfg, 'logs', next),
  },
};
