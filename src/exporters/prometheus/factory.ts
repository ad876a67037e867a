import type { ExporterFactory } from '../../component/factory.js';
import { PrometheusExporterSchema, type PrometheusExporterConfig } from './config.js';
import { PrometheusExporter } from './exporter.js';

export const prometheusExporterFactory: ExporterFactory<PrometheusExporterConfig> = {
  kind: 'exporter',
  type: 'prometheus',
  schema: PrometheusExporterSchema,
  create: {
    metrics: (set, cfg) => new PrometheusExporter(set, cfg),
  },
};
