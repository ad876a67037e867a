import { Client, Metadata, credentials, type ChannelCredentials, type ChannelOptions, type ServiceError } from '@grpc/grpc-js';
import type { Exporter, CreateSettings } from '../../component/factory.js';
import { isOtlp, type Signal, type SignalData } from '../../component/signal.js';
import { headerMap, parseDuration } from '../../config/types.js';
import { clientAuthenticator } from '../../component/auth.js';
import { createExporter } from '../../exporterhelper/exporter.js';
import type { SendOutcome } from '../../exporterhelper/send.js';
import { otlpBytes } from '../../pdata/batch.js';
import { ExportLogsServiceResponse, ExportMetricsServiceResponse, ExportTraceServiceResponse } from '../../pdata/proto.js';
import type { OtlpGrpcConfig } from './config.js';
import { grpcError } from './grpcstatus.js';
import { partialOutcome, promMetricsRefused } from './response.js';
import { loadTls } from './tls.js';

const METHOD: Record<Signal, string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
};
const RESPONSE: Record<Signal, { decode(b: Uint8Array): unknown }> = {
  traces: ExportTraceServiceResponse,
  metrics: ExportMetricsServiceResponse,
  logs: ExportLogsServiceResponse,
};
const GZIP = 2; // grpc-js CompressionAlgorithms.gzip

/** `https://h:p` → TLS, `http://h:p` → plain, `h:p` → as `tls.insecure` says. */
export function grpcTarget(endpoint: string, insecure: boolean): { target: string; secure: boolean } {
  const m = /^(https?):\/\/(.*?)\/?$/.exec(endpoint);
  if (m) return { target: m[2]!, secure: m[1] === 'https' };
  return { target: endpoint, secure: !insecure };
}

/**
 * OTLP/gRPC exporter: Export calls through @grpc/grpc-js with the generated
 * static codecs (no reflection), gzip by default, headers as metadata, and
 * failures mapped by the OTLP rules (grpcstatus.ts). Retry, queue and timeout
 * come from the exporter helper stack.
 */
export function createOtlpGrpcExporter<S extends Signal>(set: CreateSettings, signal: S, cfg: OtlpGrpcConfig): Exporter<S> {
  const { target, secure } = grpcTarget(cfg.endpoint, cfg.tls?.insecure ?? false);
  const method = METHOD[signal];
  const decodeResponse = (b: Buffer) => RESPONSE[signal].decode(b);
  // Encoded batches go out as the bytes they arrived in; decoded ones are encoded here.
  const serialize = (d: SignalData[S]) => otlpBytes(signal, d);
  let client: Client | undefined;
  let md: Metadata;
  /** Credentials from an authenticator extension, asked for every call (a rotated token takes effect at once). */
  let authMd: (() => Record<string, string>) | undefined;

  const send = (data: SignalData[S], _ctx: unknown, abort: AbortSignal): Promise<SendOutcome> => {
    if (!isOtlp(data)) return Promise.reject(promMetricsRefused(set.id));
    const c = client;
    if (!c) return Promise.reject(new Error(`exporter ${set.id} is not started`));
    return new Promise((resolve, reject) => {
      const callMd = md.clone();
      for (const [k, v] of Object.entries(authMd?.() ?? {})) callMd.set(k.toLowerCase(), v);
      const call = c.makeUnaryRequest(method, serialize, decodeResponse, data, callMd, {}, (err: ServiceError | null, resp?: unknown) => {
        abort.removeEventListener('abort', cancel);
        if (err) reject(grpcError(err, target));
        else resolve(partialOutcome(signal, resp));
      });
      const cancel = () => call.cancel();
      abort.addEventListener('abort', cancel, { once: true });
    });
  };

  return createExporter(set, signal, cfg, send, {
    async start(host) {
      let creds: ChannelCredentials;
      const options: ChannelOptions = {};
      if (secure) {
        const t = await loadTls(cfg.tls, `exporters.${set.id}`);
        creds = credentials.createSsl(t.ca ?? null, t.key ?? null, t.cert ?? null, { rejectUnauthorized: t.rejectUnauthorized });
        if (t.servername) options['grpc.ssl_target_name_override'] = t.servername;
      } else creds = credentials.createInsecure();
      // zstd and snappy are accepted and sent as gzip (grpc-js has no other codec; reported at start).
      if (cfg.compression === 'gzip' || cfg.compression === 'zstd' || cfg.compression === 'snappy') options['grpc.default_compression_algorithm'] = GZIP;
      if (cfg.authority) options['grpc.default_authority'] = cfg.authority;
      if (cfg.user_agent) options['grpc.primary_user_agent'] = cfg.user_agent;
      if (cfg.balancer_name) options['grpc.service_config'] = JSON.stringify({ loadBalancingConfig: [{ [cfg.balancer_name]: {} }] });
      const ka = cfg.keepalive;
      if (ka?.time !== undefined && parseDuration(ka.time) > 0) options['grpc.keepalive_time_ms'] = parseDuration(ka.time);
      if (ka?.timeout !== undefined && parseDuration(ka.timeout) > 0) options['grpc.keepalive_timeout_ms'] = parseDuration(ka.timeout);
      if (ka?.permit_without_stream) options['grpc.keepalive_permit_without_calls'] = 1;
      // grpc-js backs reconnects off up to 120 s; capped at the retry interval, a
      // destination that comes back is found by the next retry, not minutes later.
      if (cfg.retry_on_failure.enabled) options['grpc.max_reconnect_backoff_ms'] = Math.max(1000, parseDuration(cfg.retry_on_failure.max_interval));
      md = new Metadata();
      for (const [k, v] of Object.entries(headerMap(cfg.headers))) md.set(k, v);
      const auth = clientAuthenticator(host, cfg.auth, `exporters.${set.id}`);
      if (auth) authMd = () => auth.clientHeaders();
      client = new Client(target, creds, options);
    },
    async shutdown() {
      client?.close();
      client = undefined;
    },
  });
}
