import type { ExporterFactory } from '../../component/factory.js';
import { DebugSchema, validateDebug, type DebugConfig } from './config.js';
import { createDebugExporter } from './debug.js';

export const debugExporterFactory: ExporterFactory<DebugConfig> = {
  kind: 'exporter',
  type: 'debug',
  schema: DebugSchema,
  validate: validateDebug,
  create: {
    traces: (set, cfg) => createDebugExporter(set, 'traces', cfg),
    metrics: (set, cfg) => createDebugExporter(set, 'metrics', cfg),
    logs: (set, cfg) => createDebugExporter(set, 'logs', cfg),
  },
};
