import type { ProcessorFactory } from '../../component/factory.js';
import { ResourceSchema, validateResource, type ResourceConfig } from './config.js';
import { ResourceProcessor } from './resource.js';

export const resourceFactory: ProcessorFactory<ResourceConfig> = {
  kind: 'processor',
  type: 'resource',
  schema: ResourceSchema,
  validate: validateResource,
  create: {
    traces: (set, cfg, next) => new ResourceProcessor(set, cfg, 'traces', next),
    metrics: (set, cfg, next) => new ResourceProcessor(set, cfg, 'metrics', next),
    logs: (set, cfg, next) => new ResourceProcessor(set, cfg, 'logs', next),
  },
};
