import type { ExporterFactory } from '../../component/factory.js';
import { OtlpHttpSchema, validateOtlpHttpConfig, type OtlpHttpConfig } from './config.js';
import { createOtlpHttpExporter } from './otlphttp.js';

export const otlpHttpExporterFactory: ExporterFactory<OtlpHttpConfig> = {
  kind: 'exporter',
  type: 'otlphttp',
  aliases: ['otlp_http'],
  schema: OtlpHttpSchema,
  validate: validateOtlpHttpConfig,
  create: {
    traces: (set, cfg) => createOtlpHttpExporter(set, 'traces', cfg),
    metrics: (set, cfg) => createOtlpHttpExporter(set, 'metrics', cfg),
    logs: (set, cfg) => createOtlpHttpExporter(set, 'logs', cfg),
  },
};
