// The `prometheus` pull exporter: keeps the latest value of every series it is
// handed and serves them on /metrics for a Prometheus to scrape. OTLP metrics
// are translated by the OpenTelemetry compatibility rules (src/translator);
// remote-write shaped metrics are exposed as they are.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { INTERNAL_LISTENER, createHttpListener } from '../../util/httplistener.js';
import type { Logger } from 'pino';
import { READS_ONLY } from '../../component/consumer.js';
import type { RequestContext } from '../../component/context.js';
import type { CreateSettings, Exporter } from '../../component/factory.js';
import type { Host } from '../../component/host.js';
import { isPromMetrics, type MetricsData } from '../../component/signal.js';
import { parseDuration } from '../../config/types.js';
import type { SelfTelemetry } from '../../telemetry/selftelemetry.js';
import { DeltaToCumulative, otlpToPromWriteWithDrops, type PromTranslateOptions } from '../../translator/prometheus/index.js';
import { closeServer, listen } from '../../util/endpoint.js';
import { countItems, readOtlp, readProm } from '../../pdata/batch.js';
import type { PrometheusExporterConfig } from './config.js';
import { OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE, render } from './exposition.js';
import { createReporter, type Reporter } from '../../telemetry/report.js';
import { SeriesStore } from './store.js';

export class PrometheusExporter implements Exporter<'metrics'> {
  readonly capabilities = READS_ONLY;
  private readonly store: SeriesStore;
  private readonly translate: PromTranslateOptions;
  private readonly constLabels: [string, string][];
  private readonly logger: Logger;
  private readonly telemetry: SelfTelemetry;
  private server: Server | undefined;
  private boundPort = 0;
  private readonly report: Reporter;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: PrometheusExporterConfig,
  ) {
    this.logger = set.logger;
    this.report = createReporter(set);
    this.telemetry = set.telemetry;
    const expireMs = parseDuration(cfg.metric_expiration);
    this.store = new SeriesStore(expireMs);
    this.constLabels = Object.entries(cfg.const_labels);
    this.translate = {
      namespace: cfg.namespace,
      addMetricSuffixes: cfg.add_metric_suffixes,
      resourceToTelemetryConversion: cfg.resource_to_telemetry_conversion.enabled,
      promoteResourceAttributes: cfg.promote_resource_attributes,
      extraLabels: cfg.const_labels,
      ...(cfg.delta_to_cumulative.enabled ? { delta: new DeltaToCumulative({ maxSeries: cfg.delta_to_cumulative.max_series, maxStaleMs: expireMs }) } : {}),
    };
  }

  /** Port /metrics is served on (after start; useful with port 0). */
  get port(): number {
    return this.boundPort;
  }

  async consume(data: MetricsData, _ctx: RequestContext): Promise<void> {
    const tel = this.telemetry.exporter(this.set.id);
    if (isPromMetrics(data)) {
      this.store.ingest(readProm(data), this.constLabels);
      tel.sent('metrics', countItems('metrics', data));
      return;
    }
    const { request, dropped } = otlpToPromWriteWithDrops(readOtlp('metrics', data), this.translate);
    this.store.ingest(request, []);
    let lost = 0;
    for (const d of dropped) {
      this.report.drop({ signal: 'metrics', code: d.reason, items: d.count, level: 'warn' }, 'metric points that cannot be exposed to Prometheus were dropped');
      lost += d.count;
    }
    tel.sent('metrics', Math.max(0, countItems('metrics', data) - lost));
  }

  async start(_host: Host): Promise<void> {
    if (this.server) return;
    const server = createHttpListener(INTERNAL_LISTENER, (req, res) => this.handle(req, res));
    this.server = server;
    const { port } = await listen(server, this.cfg.endpoint, `exporters.${this.set.id}`);
    this.boundPort = port;
    this.logger.info({ endpoint: this.cfg.endpoint, port }, 'Prometheus metrics served on /metrics');
  }

  async shutdown(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await closeServer(s);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are served on /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed: use GET\n');
      return;
    }
    const om = this.cfg.enable_open_metrics && wantsOpenMetrics(req.headers.accept);
    const body = render(this.store.snapshot(), this.store.families, { openMetrics: om, timestamps: this.cfg.send_timestamps });
    res.writeHead(200, { 'content-type': om ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}

/** True when the Accept header asks for OpenMetrics (a q=0 entry does not count). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().split(';').map((x) => x.trim());
    if (type?.toLowerCase() !== 'application/openmetrics-text') continue;
    const q = params.find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) continue;
    return true;
  }
  return false;
}
