import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Duration, Section } from './types.js';
import { NoEffect, NoEffectValues } from './noeffect.js';

/**
 * `service.telemetry`, with the OpenTelemetry Collector 0.165 keys (its
 * otelconftelemetry config: zap logs, declarative-config metric readers,
 * resource) and Tollgate's `metrics.address`. Self-metrics are served by pull
 * readers (`readers[].pull.exporter.prometheus` host and port) or `address`;
 * `level: none` turns them off.
 */

const NO_OWN_TRACES = 'Tollgate emits no traces of its own.';
const NO_SDK = 'Tollgate exposes its self-metrics for scraping only; it has no OpenTelemetry SDK pipeline of its own to configure.';

/** Anything, for collector sections whose content is accepted and ignored (their keys belong to the OpenTelemetry declarative config). */
const Anything = (description: string) => Type.Unknown({ description });

const IncludeExclude = Type.Object(
  {
    included: Type.Optional(Type.Array(Type.String())),
    excluded: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);

const PrometheusPull = Type.Object(
  {
    host: Type.String({ default: 'localhost', description: 'Address the self-metrics listener binds (`/metrics`).' }),
    port: Type.Integer({ default: 8888, minimum: 0, maximum: 65535, description: 'Port of the self-metrics listener; 0 picks a free one.' }),
    without_units: Type.Optional(NoEffect(Type.Boolean(), "self-metric names are fixed (the collector's names without unit suffixes).")),
    without_type_suffix: Type.Optional(NoEffect(Type.Boolean(), 'self-metric names are fixed.')),
    without_scope_info: Type.Optional(NoEffect(Type.Boolean(), 'no otel_scope_* labels are exposed.')),
    without_target_info: Type.Optional(NoEffect(Type.Boolean(), 'no target_info series is exposed.')),
    with_resource_constant_labels: Type.Optional(NoEffect(IncludeExclude, 'no resource labels are added to self-metrics.')),
    translation_strategy: Type.Optional(NoEffect(Type.String(), 'self-metric names are fixed.')),
  },
  { additionalProperties: false, description: 'Prometheus pull exporter: serves self-metrics on host:port at /metrics.' },
);

const PullReader = Type.Object(
  {
    exporter: Type.Object(
      {
        prometheus: Type.Optional(PrometheusPull),
        'prometheus/development': Type.Optional(PrometheusPull),
      },
      { additionalProperties: false, description: 'The pull exporter: `prometheus`.' },
    ),
    producers: Type.Optional(NoEffect(Type.Array(Type.Unknown()), NO_SDK)),
    cardinality_limits: Type.Optional(NoEffect(Type.Unknown(), NO_SDK)),
  },
  { additionalProperties: false, description: 'A pull reader: self-metrics served for scraping.' },
);

const MetricReader = Type.Object(
  {
    pull: Type.Optional(PullReader),
    periodic: Type.Optional(NoEffect(Anything('A periodic (push) reader.'), 'self-metrics are not pushed; scrape a pull reader instead.')),
  },
  { additionalProperties: false },
);

export const MetricsTelemetrySchema = Section(
  {
    level: NoEffectValues(
      Type.Union([Type.Literal('none'), Type.Literal('basic'), Type.Literal('normal'), Type.Literal('detailed')], {
        default: 'normal',
        description: '`none` turns self-metrics off (no listener is opened); the other levels expose the same metrics.',
      }),
      {
        basic: 'Tollgate exposes the same self-metrics at basic, normal and detailed.',
        detailed: 'Tollgate exposes the same self-metrics at basic, normal and detailed.',
      },
    ),
    readers: Type.Optional(
      Type.Array(MetricReader, {
        description:
          "The collector's metric readers: each `pull.exporter.prometheus` (host, port) is a self-metrics listener at /metrics; `periodic` readers have no effect. Set either readers or address.",
      }),
    ),
    address: Type.Optional(
      Type.String({
        description:
          'Tollgate key: the self-metrics listener (`host:port`, `/metrics`); empty turns it off. Default, when neither readers nor address is set: 127.0.0.1:8888.',
      }),
    ),
    views: Type.Optional(NoEffect(Type.Array(Type.Unknown()), NO_SDK)),
    exemplar_filter: Type.Optional(NoEffect(Type.String(), NO_SDK)),
  },
  'Self-metrics.',
);

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'dpanic', 'panic', 'fatal', 'silent'] as const;

export const LogsTelemetrySchema = Section(
  {
    level: Type.Union(
      [...LEVELS, ...LEVELS.map((l) => l.toUpperCase())].map((l) => Type.Literal(l)),
      {
        default: 'info',
        description: "Least level logged (the collector's zap levels and pino's trace and silent; dpanic and panic log as error and fatal, any case).",
      },
    ),
    encoding: NoEffectValues(Type.Union([Type.Literal('json'), Type.Literal('console')], { default: 'json', description: 'Log lines are JSON.' }), {
      console: 'logs are always JSON lines (pino).',
    }),
    output_paths: Type.Array(Type.String({ minLength: 1 }), {
      default: ['stderr'],
      description: 'Where logs go: `stderr`, `stdout` or file paths (appended to); several are all written.',
    }),
    initial_fields: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Fields added to every log line.' })),
    development: Type.Optional(NoEffect(Type.Boolean(), 'zap development mode has no pino equivalent.')),
    disable_caller: Type.Optional(NoEffect(Type.Boolean(), 'log lines carry no caller.')),
    disable_stacktrace: Type.Optional(NoEffect(Type.Boolean(), 'errors are logged with their stack under `err`.')),
    sampling: Type.Optional(
      NoEffect(
        Type.Object(
          {
            enabled: Type.Optional(Type.Boolean()),
            tick: Type.Optional(Duration('10s')),
            initial: Type.Optional(Type.Integer({ minimum: 0 })),
            thereafter: Type.Optional(Type.Integer({ minimum: 0 })),
          },
          { additionalProperties: false },
        ),
        'messages that can recur per request are rate-limited per error code instead (a few lines per interval, then a count of the suppressed ones).',
      ),
    ),
    error_output_paths: Type.Optional(NoEffect(Type.Array(Type.String()), "the logger's own errors go to stderr.")),
    processors: Type.Optional(NoEffect(Type.Array(Type.Unknown()), 'logs are not exported over OTLP; collect stderr or an output path.')),
    disable_zap_resource: Type.Optional(NoEffect(Type.Boolean(), 'log lines carry no resource.')),
  },
  'Gateway logs (pino JSON lines).',
);

export const TracesTelemetrySchema = Type.Optional(
  NoEffect(
    Type.Object(
      {
        level: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('basic'), Type.Literal('normal'), Type.Literal('detailed')])),
        propagators: Type.Optional(Type.Array(Type.String())),
        processors: Type.Optional(Type.Array(Type.Unknown())),
        sampler: Type.Optional(Type.Unknown()),
        limits: Type.Optional(Type.Unknown()),
      },
      { additionalProperties: false },
    ),
    NO_OWN_TRACES,
  ),
);

export const ResourceTelemetrySchema = Type.Optional(
  NoEffect(
    Type.Record(Type.String(), Type.Unknown(), {
      description:
        'Resource of the self-telemetry: attributes as a map, or the declarative `attributes`, `attributes_list`, `schema_url`, `detection/development`.',
    }) as TSchema,
    'self-metrics are exposed without a resource (no target_info).',
  ),
);

export const TelemetrySchema = Section(
  {
    metrics: MetricsTelemetrySchema,
    logs: LogsTelemetrySchema,
    traces: TracesTelemetrySchema,
    resource: ResourceTelemetrySchema,
  },
  'Self-telemetry: metrics, logs; traces and resource are accepted with no effect.',
);

export type MetricsTelemetryConfig = Static<typeof MetricsTelemetrySchema>;
export type LogsTelemetryConfig = Static<typeof LogsTelemetrySchema>;

/** Default self-metrics listener when neither readers nor address is set. */
export const DEFAULT_METRICS_ADDRESS = '127.0.0.1:8888';

/**
 * The self-metrics listeners a config asks for (`host:port`), none when
 * `level: none`: every pull/prometheus reader, else `address`, else the default.
 */
export function metricsListeners(m: MetricsTelemetryConfig): string[] {
  if (m.level === 'none') return [];
  if (m.readers) {
    const out: string[] = [];
    for (const r of m.readers) {
      const p = r.pull?.exporter.prometheus ?? r.pull?.exporter['prometheus/development'];
      if (p) out.push(`${p.host.includes(':') && !p.host.startsWith('[') ? `[${p.host}]` : p.host}:${p.port}`);
    }
    return out;
  }
  if (m.address !== undefined) return m.address === '' ? [] : [m.address];
  return [DEFAULT_METRICS_ADDRESS];
}

/** Cross-field checks of service.telemetry, with the collector's messages where it has them. */
export function validateTelemetry(t: { metrics: MetricsTelemetryConfig }): string[] {
  const m = t.metrics;
  const out: string[] = [];
  if (m.readers !== undefined && m.address !== undefined) out.push('service.telemetry.metrics: set either readers or address, not both');
  if (m.readers !== undefined && m.readers.length === 0 && m.level !== 'none') {
    out.push('service.telemetry.metrics.readers: collector telemetry metrics reader should exist when metric level is not none');
  }
  for (const [i, r] of (m.readers ?? []).entries()) {
    if (r.pull && !r.pull.exporter.prometheus && !r.pull.exporter['prometheus/development']) {
      out.push(`service.telemetry.metrics.readers[${i}].pull.exporter: must name an exporter (prometheus)`);
    }
    if (!r.pull && !r.periodic) out.push(`service.telemetry.metrics.readers[${i}]: must be a pull or periodic reader`);
  }
  return out;
}
