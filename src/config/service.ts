import { Type, type Static } from '@sinclair/typebox';
import { Duration, Section } from './types.js';

const Pipeline = Type.Object(
  {
    receivers: Type.Array(Type.String(), { minItems: 1, description: 'Receiver (or connector) IDs feeding the pipeline.' }),
    processors: Type.Array(Type.String(), { default: [], description: 'Processor IDs, applied in order.' }),
    exporters: Type.Array(Type.String(), { minItems: 1, description: 'Exporter (or connector) IDs the pipeline fans out to.' }),
  },
  { additionalProperties: false },
);

export const ServiceSchema = Type.Object(
  {
    extensions: Type.Array(Type.String(), { default: [], description: 'Extension IDs to start.' }),
    pipelines: Type.Record(Type.String({ pattern: '^(traces|metrics|logs)(/.+)?$' }), Pipeline, {
      additionalProperties: false,
      'x-key-error': 'invalid pipeline ID (expected traces, metrics or logs, optionally followed by /name)',
      description: 'Pipelines by ID: `traces`, `metrics` or `logs`, optionally followed by `/name`.',
    }),
    telemetry: Section({
      metrics: Section({
        address: Type.String({ default: '127.0.0.1:8888', description: 'Self-metrics listener (`/metrics`). Empty disables it.' }),
        level: Type.Union([Type.Literal('none'), Type.Literal('basic'), Type.Literal('normal'), Type.Literal('detailed')], {
          default: 'normal',
          description: 'Accepted for compatibility; has no effect.',
        }),
      }),
      logs: Section({
        level: Type.Union(
          ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].map((l) => Type.Literal(l)),
          { default: 'info', description: 'pino log level; logs are JSON lines on stderr.' },
        ),
      }),
    }),
    shutdown_timeout: Duration('30s', 'Tollgate key: deadline for draining batches and queues on SIGTERM/SIGINT.'),
  },
  { additionalProperties: false },
);

export type ServiceConfig = Static<typeof ServiceSchema>;
export type PipelineConfig = Static<typeof Pipeline>;
