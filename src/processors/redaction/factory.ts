import type { ProcessorFactory } from '../../component/factory.js';
import { RedactionSchema, validateRedaction, type RedactionConfig } from './config.js';
import { RedactionLogs, RedactionTraces } from './redaction.js';

export const redactionProcessorFactory: ProcessorFactory<RedactionConfig> = {
  kind: 'processor',
  type: 'redaction',
  schema: RedactionSchema,
  validate: validateRedaction,
  create: {
    traces: (set, cfg, next) => new RedactionTraces(set, cfg, next),
    logs: (set, cfg, next) => new RedactionLogs(set, cfg, next),
  },
};
