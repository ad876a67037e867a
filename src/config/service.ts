import { Type, type Static } from '@sinclair/typebox';
import { Duration } from './types.js';
import { TelemetrySchema } from './telemetry.js';

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
    telemetry: TelemetrySchema,
    shutdown_timeout: Duration('30s', 'Tollgate key: deadline for draining batches and queues on SIGTERM/SIGINT.'),
  },
  { additionalProperties: false },
);

export type ServiceConfig = Static<typeof ServiceSchema>;
export type PipelineConfig = Static<typeof Pipeline>;
