import type { ExporterFactory } from '../../component/factory.js';
import { KafkaExporterSchema, validateKafkaExporter, type KafkaExporterConfig } from './config.js';
import { createKafkaExporter } from './exporter.js';

export const kafkaExporterFactory: ExporterFactory<KafkaExporterConfig> = {
  kind: 'exporter',
  type: 'kafka',
  schema: KafkaExporterSchema,
  validate: validateKafkaExporter,
  create: {
    traces: (set, cfg) => createKafkaExporter(set, 'traces', cfg),
    metrics: (set, cfg) => createKafkaExporter(set, 'metrics', cfg),
    logs: (set, cfg) => createKafkaExporter(set, 'logs', cfg),
  },
};
