import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { INTERNAL_LISTENER, createHttpListener } from '../util/httplistener.js';
import { closeServer, listen } from '../util/endpoint.js';
import type { SelfTelemetry } from './selftelemetry.js';

/**
 * Serves the gateway's own metrics at `/metrics` on every listener
 * `service.telemetry.metrics` asks for (its pull readers, or `address`); none
 * when self-metrics are off (`level: none`, or an empty `address`).
 */
export class TelemetryServer {
  private servers: Server[] = [];
  /** Port of each listener, in the order configured. */
  ports: number[] = [];

  constructor(
    private readonly telemetry: SelfTelemetry,
    private readonly addresses: readonly string[],
    private readonly logger: Logger,
  ) {}

  /** Port of the first listener (0 when there is none). */
  get port(): number {
    return this.ports[0] ?? 0;
  }

  async start(): Promise<void> {
    for (const address of this.addresses) {
      const server = createHttpListener(INTERNAL_LISTENER, (req, res) => {
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
      const { port } = await listen(server, address, 'service.telemetry.metrics');
      this.servers.push(server);
      this.ports.push(port);
    }
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.servers.map((s) => closeServer(s, 1000)));
    this.servers = [];
  }
}
