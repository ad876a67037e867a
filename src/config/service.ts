import { Type, type Static } from '@sinclair/typebox';
import { Duration, Section } from './types.js';
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
    admission: Section(
      {
        request_limit_mib: Type.Integer({
          default: 0,
          minimum: 0,
          description:
            "Request bytes in flight, in MiB, shared by every receiver (OTLP gRPC and HTTP, remote-write, Kafka, scrapes), counted decompressed as bodies arrive and inflate, until each request is answered. Past it requests are refused with 429 / RESOURCE_EXHAUSTED and Retry-After (a single request larger than the whole budget: 413). 0: automatic, one eighth of the memory the process may use (machine or cgroup limit), between 16 and 256 MiB. The key is the OpenTelemetry Collector's admission.request_limit_mib (otelarrow receiver).",
        }),
        retry_after: Duration('1s', 'Delay refused clients are asked to wait (Retry-After, RetryInfo).'),
      },
      'Tollgate key: admission control, one budget of request bytes in flight for the whole process.',
    ),
  },
  { additionalProperties: false },
);

export type ServiceConfig = Static<typeof ServiceSchema>;
export type PipelineConfig = Static<typeof Pipeline>;
