import type { ExporterFactory } from '../../component/factory.js';
import { PrwExporterSchema, validatePrwExporter, type PrwExporterConfig } from './config.js';
import { PrwExporter } from './exporter.js';

export const prometheusRemoteWriteExporterFactory: ExporterFactory<PrwExporterConfig> = {
  kind: 'exporter',
  type: 'prometheusremotewrite',
  aliases: ['prometheus_remote_write'],
  schema: PrwExporterSchema,
  validate: validatePrwExporter,
  create: {
    metrics: (set, cfg) => new PrwExporter(set, cfg),
  },
};
