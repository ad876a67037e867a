import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { closeServer, listen } from '../util/endpoint.js';
import type { SelfTelemetry } from './selftelemetry.js';

/** Serves the gateway's own metrics on `service.telemetry.metrics.address` at `/metrics`. */
export class TelemetryServer {
  private server: Server | undefined;
  port = 0;

  constructor(
    private readonly telemetry: SelfTelemetry,
    private readonly address: string,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    if (!this.address) return;
    this.server = createServer((req, res) => {
      if (req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: self-metrics are at /metrics\n');
        return;
      }
      this.telemetry.registry
        .metrics()
        .then((body) => res.writeHead(200, { 'content-type': this.telemetry.registry.contentType }).end(body))
        .catch((err: Error) => {
          this.logger.error({ err }, 'rendering self-metrics failed');
          res.writeHead(500).end();
        });
    });
    const { port } = await listen(this.server, this.address, 'service.telemetry.metrics');
    this.port = port;
  }

  async shutdown(): Promise<void> {
    if (this.server) await closeServer(this.server, 1000);
  }
}
