import type { ExporterFactory } from '../../component/factory.js';
import { OtlpGrpcSchema, type OtlpGrpcConfig } from './config.js';
import { createOtlpGrpcExporter } from './grpc.js';

export const otlpExporterFactory: ExporterFactory<OtlpGrpcConfig> = {
  kind: 'exporter',
  type: 'otlp',
  aliases: ['otlp_grpc'],
  schema: OtlpGrpcSchema,
  create: {
    traces: (set, cfg) => createOtlpGrpcExporter(set, 'traces', cfg),
    metrics: (set, cfg) => createOtlpGrpcExporter(set, 'metrics', cfg),
    logs: (set, cfg) => createOtlpGrpcExporter(set, 'logs', cfg),
  },
};
