import { Type, type Static } from '@sinclair/typebox';
import { StringMapOf, TlsClientSchema } from '../../config/types.js';
import { helperProps } from '../../exporterhelper/config.js';
import { OtlpCompression } from '../otlp/config.js';

/** The collector's otlphttp exporter keys and defaults (timeout 30s, as its HTTP client). */
export const OtlpHttpSchema = Type.Object(
  {
    endpoint: Type.Optional(Type.String({ minLength: 1, description: 'Base URL; `/v1/traces`, `/v1/metrics`, `/v1/logs` are appended. Required unless all three signal endpoints are set.' })),
    traces_endpoint: Type.Optional(Type.String({ minLength: 1, description: 'Full URL for traces (overrides endpoint).' })),
    metrics_endpoint: Type.Optional(Type.String({ minLength: 1, description: 'Full URL for metrics (overrides endpoint).' })),
    logs_endpoint: Type.Optional(Type.String({ minLength: 1, description: 'Full URL for logs (overrides endpoint).' })),
    encoding: Type.Union([Type.Literal('proto'), Type.Literal('json')], { default: 'proto', description: 'Request body: OTLP protobuf or OTLP JSON.' }),
    headers: Type.Optional(StringMapOf('Extra request headers.')),
    compression: OtlpCompression,
    tls: Type.Optional(TlsClientSchema),
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
