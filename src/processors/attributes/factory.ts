import type { ProcessorFactory } from '../../component/factory.js';
import { AttributesProcessor } from './attributes.js';
import { AttributesSchema, validateAttributes, type AttributesConfig } from './config.js';

export const attributesFactory: ProcessorFactory<AttributesConfig> = {
  kind: 'processor',
  type: 'attributes',
  schema: AttributesSchema,
  validate: validateAttributes,
  create: {
    traces: (set, cfg, next) => new AttributesProcessor(set, cfg, 'traces', next),
    metrics: (set, cfg, next) => new AttributesProcessor(set, cfg, 'metrics', next),
    logs: (set, cfg, next) => new AttributesProcessor(set, cfg, 'logs', next),
  },
};
