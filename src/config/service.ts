import { Type, type Static } from '@sinclair/typebox';
import { Duration, Section } from './types.js';

const Pipeline = Type.Object(
  {
    receivers: Type.Array(Type.String(), { minItems: 1 }),
    processors: Type.Array(Type.String(), { default: [] }),
    exporters: Type.Array(Type.String(), { minItems: 1 }),
  },
  { additionalProperties: false },
);

export const ServiceSchema = Type.Object(
  {
    extensions: Type.Array(Type.String(), { default: [] }),
    pipelines: Type.Record(Type.String({ pattern: '^(traces|metrics|logs)(/.+)?$' }), Pipeline, {
      additionalProperties: false,
      'x-key-error': 'invalid pipeline ID (expected traces, metrics or logs, optionally followed by /name)',
    }),
    telemetry: Section({
      metrics: Section({
        address: Type.String({ default: '127.0.0.1:8888', description: 'Self-metrics listener (`/metrics`). Empty disables it.' }),
        level: Type.Union([Type.Literal('none'), Type.Literal('basic'), Type.Literal('normal'), Type.Literal('detailed')], {
          default: 'normal',
        }),
      }),
      logs: Section({
        level: Type.Union(
          ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].map((l) => Type.Literal(l)),
          { default: 'info' },
        ),
      }),
    }),
    shutdown_timeout: Duration('30s', 'Deadline for draining batches and queues on SIGTERM/SIGINT.'),
  },
  { additionalProperties: false },
);

export type ServiceConfig = Static<typeof ServiceSchema>;
export type PipelineConfig = Static<typeof Pipeline>;
