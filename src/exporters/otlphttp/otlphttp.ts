import type { Agent } from 'node:http';
import type { Exporter, CreateSettings } from '../../component/factory.js';
import { isOtlp, type Signal, type SignalData } from '../../component/signal.js';
import { clientAuthenticator } from '../../component/auth.js';
import { createExporter } from '../../exporterhelper/exporter.js';
import { promMetricsRefused } from '../otlp/response.js';
import { loadTls } from '../otlp/tls.js';
import { signalUrl, type OtlpHttpConfig } from './config.js';
import { bodyCompression, encodeBody, makeAgent, post, type PostOptions } from './client.js';
import { headerMap } from '../../config/types.js';
import { zstdReady } from '../../util/zstd.js';

const USER_AGENT = 'Tollgate OTLP HTTP exporter';

/**
 * OTLP/HTTP exporter: POSTs each request to `<endpoint>/v1/<signal>` (or the
 * signal's own `*_endpoint`), as protobuf or JSON, gzipped by default, with
 * keep-alive connections. Responses are read by the OTLP/HTTP rules
 * (httpstatus.ts); retry, queue and timeout come from the exporter helper stack.
 */
export function createOtlpHttpExporter<S extends Signal>(set: CreateSettings, signal: S, cfg: OtlpHttpConfig): Exporter<S> {
  const href = signalUrl(cfg, signal);
  if (!href) throw new Error(`exporters.${set.id}: no endpoint for ${signal}`);
  const url = new URL(href);
  const json = cfg.encoding === 'json';
  const compress = bodyCompression(cfg.compression, cfg.compression_params?.level);
  let opts: PostOptions | undefined;

  return createExporter(
    set,
    signal,
    cfg,
    async (data: SignalData[S], _ctx, abort) => {
      if (!isOtlp(data)) throw promMetricsRefused(set.id);
      if (!opts) throw new Error(`exporter ${set.id} is not started`);
      const body = await encodeBody(signal, data, json, compress);
      return post(opts, body, abort);
    },
    {
      async start(host) {
        const tls = url.protocol === 'https:' ? await loadTls(cfg.tls, `exporters.${set.id}`) : undefined;
        if (cfg.compression === 'zstd') await zstdReady();
        const ka = cfg.keepalive;
        const agent: Agent = makeAgent(url, tls, {
          keepAlive: ka?.enabled !== false,
          ...(cfg.max_conns_per_host ? { maxSockets: cfg.max_conns_per_host } : {}),
          ...(ka?.max_idle_conns_per_host ? { maxFreeSockets: ka.max_idle_conns_per_host } : {}),
        });
        const auth = clientAuthenticator(host, cfg.auth, `exporters.${set.id}`);
        opts = {
          url,
          signal,
          json,
          contentEncoding: compress.encoding,
          headers: { 'user-agent': USER_AGENT, ...headerMap(cfg.headers) },
          agent,
          ...(auth ? { authHeaders: () => auth.clientHeaders() } : {}),
        };
      },
      async shutdown() {
        opts?.agent.destroy();
        opts = undefined;
      },
    },
  );
}
