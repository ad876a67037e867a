import { AuthSchema } from '../../component/auth.js';
import { Type, type Static } from '@sinclair/typebox';
import { Duration, HeadersSchema, TlsClientSchema } from '../../config/types.js';
import { NoEffect, NoEffectValues } from '../../config/noeffect.js';
import { helperProps } from '../../exporterhelper/config.js';
import { CompressionParamsSchema } from '../otlp/config.js';

const GO_TRANSPORT = "Go's HTTP transport settings; Node.js's agent has no equivalent.";
const AS_GZIP = 'Tollgate has no compressor for it; requests are sent gzip-compressed (the collector\'s receivers accept gzip).';

/** `compression` of the otlp_http exporter: the collector's values. */
export const OtlpHttpCompression = NoEffectValues(
  Type.Union(
    ['gzip', 'zstd', 'zlib', 'deflate', 'snappy', 'x-snappy-framed', 'lz4', 'none', ''].map((c) => Type.Literal(c)),
    { default: 'gzip', description: 'Request compression (Content-Encoding): gzip, zstd, zlib, deflate, snappy (block format), or none ("" is none). x-snappy-framed and lz4 are sent as gzip.' },
  ),
  { 'x-snappy-framed': AS_GZIP, lz4: AS_GZIP },
);

/** The collector's otlphttp exporter keys and defaults (timeout 30s, as its HTTP client). */
export const OtlpHttpSchema = Type.Object(
  {
    endpoint: Type.Optional(Type.String({ minLength: 1, description: 'Base URL; `/v1/traces`, `/v1/metrics`, `/v1/logs` are appended. Required unless all three signal endpoints are set.' })),
    traces_endpoint: Type.Optional(Type.String({ minLength: 1, description: 'Full URL for traces (overrides endpoint).' })),
    metrics_endpoint: Type.Optional(Type.String({ minLength: 1, description: 'Full URL for metrics (overrides endpoint).' })),
    logs_endpoint: Type.Optional(Type.String({ minLength: 1, description: 'Full URL for logs (overrides endpoint).' })),
    encoding: Type.Union([Type.Literal('proto'), Type.Literal('json')], { default: 'proto', description: 'Request body: OTLP protobuf or OTLP JSON.' }),
    auth: Type.Optional(AuthSchema),
    profiles_endpoint: Type.Optional(NoEffect(Type.String(), 'Tollgate has no profiles signal.')),
    headers: Type.Optional(HeadersSchema('Extra request headers: a map, or a list of {name, value}.')),
    compression: OtlpHttpCompression,
    compression_params: Type.Optional(CompressionParamsSchema),
    tls: Type.Optional(TlsClientSchema),
    max_conns_per_host: Type.Optional(Type.Integer({ minimum: 0, description: 'Connections open to the destination at once; 0: no limit.' })),
    keepalive: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean({ description: 'Reuse connections (default true).' })),
          max_idle_conns_per_host: Type.Optional(Type.Integer({ minimum: 0, description: 'Idle connections kept open; 0: the agent default (256).' })),
          max_idle_conns: Type.Optional(NoEffect(Type.Integer({ minimum: 0 }), GO_TRANSPORT)),
          idle_conn_timeout: Type.Optional(NoEffect(Duration('90s'), GO_TRANSPORT)),
        },
        { additionalProperties: false, description: 'Connection reuse.' },
      ),
    ),
    proxy_url: Type.Optional(NoEffect(Type.String(), 'requests go straight to the endpoint (no HTTP proxy support).')),
    read_buffer_size: Type.Optional(NoEffect(Type.Integer({ minimum: 0 }), GO_TRANSPORT)),
    write_buffer_size: Type.Optional(NoEffect(Type.Integer({ minimum: 0 }), GO_TRANSPORT)),
    http2_read_idle_timeout: Type.Optional(NoEffect(Duration('0s'), 'requests use HTTP/1.1.')),
    http2_ping_timeout: Type.Optional(NoEffect(Duration('0s'), 'requests use HTTP/1.1.')),
    force_attempt_http2: Type.Optional(NoEffect(Type.Boolean(), 'requests use HTTP/1.1.')),
    cookies: Type.Optional(NoEffect(Type.Object({ enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false }), 'responses\' cookies are not kept.')),
    dialer_middleware: Type.Optional(NoEffect(Type.Object({ id: Type.String() }, { additionalProperties: false }), 'Tollgate has no middleware extensions.')),
    ...helperProps('30s'),
  },
  { additionalProperties: false, description: 'Sends OTLP over HTTP (protobuf or JSON), on the shared retry and queue stack.' },
);
export type OtlpHttpConfig = Static<typeof OtlpHttpSchema>;

/** The URL a signal is posted to. */
export function signalUrl(cfg: OtlpHttpConfig, signal: 'traces' | 'metrics' | 'logs'): string | undefined {
  const own = cfg[`${signal}_endpoint`];
  if (own) return own;
  if (!cfg.endpoint) return undefined;
  return `${cfg.endpoint.replace(/\/+$/, '')}/v1/${signal}`;
}

export function validateOtlpHttpConfig(c: OtlpHttpConfig): string[] {
  const out: string[] = [];
  const urls: Array<[string, string | undefined]> = [
    ['endpoint', c.endpoint],
    ['traces_endpoint', c.traces_endpoint],
    ['metrics_endpoint', c.metrics_endpoint],
    ['logs_endpoint', c.logs_endpoint],
  ];
  for (const [key, v] of urls) {
    if (v === undefined) continue;
    let u: URL | undefined;
    try {
      u = new URL(v);
    } catch {
      out.push(`${key}: "${v}" is not a URL (expected http://host:port or https://host:port)`);
      continue;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') out.push(`${key}: scheme must be http or https, not ${u.protocol.slice(0, -1)}`);
  }
  if (!c.endpoint && !(c.traces_endpoint && c.metrics_endpoint && c.logs_endpoint)) {
    const missing = (['traces', 'metrics', 'logs'] as const).filter((s) => !c[`${s}_endpoint`]);
    if (missing.length === 3) out.push('endpoint: required (or traces_endpoint, metrics_endpoint and logs_endpoint)');
  }
  return out;
}
