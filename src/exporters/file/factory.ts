import type { ExporterFactory } from '../../component/factory.js';
import { FileSchema, validateFileConfig, type FileConfig } from './config.js';
import { createFileExporter } from './file.js';

export const fileExporterFactory: ExporterFactory<FileConfig> = {
  kind: 'exporter',
  type: 'file',
  schema: FileSchema,
  validate: validateFileConfig,
  create: {
    traces: (set, cfg) => createFileExporter(set, 'traces', cfg),
    metrics: (set, cfg) => createFileExporter(set, 'metrics', cfg),
    logs: (set, cfg) => createFileExporter(set, 'logs', cfg),
  },
};
