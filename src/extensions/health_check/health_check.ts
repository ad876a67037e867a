import type { Server } from 'node:http';
import type { Component } from '../../component/component.js';
import type { Host } from '../../component/host.js';
import type { CreateSettings } from '../../component/factory.js';
import { INTERNAL_LISTENER, createHttpListener } from '../../util/httplistener.js';
import { closeServer, listen } from '../../util/endpoint.js';
import type { HealthCheckConfig } from './config.js';

const BODY = {
  ok: JSON.stringify({ status: 'Server available' }),
  starting: JSON.stringify({ status: 'Server not available', reason: 'starting' }),
  stopping: JSON.stringify({ status: 'Server not available', reason: 'shutting down' }),
};

/** 200 once every component has started, 503 while starting or shutting down. */
export class HealthCheck implements Component {
  private server: Server | undefined;
  port = 0;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: HealthCheckConfig,
  ) {}

  async start(host: Host): Promise<void> {
    if (this.server) return;
    this.server = createHttpListener(INTERNAL_LISTENER, (req, res) => {
      if (req.url?.split('?')[0] !== this.cfg.path) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: health is at ${this.cfg.path}\n`);
        return;
      }
      const state = host.health();
      res.writeHead(state === 'ok' ? 200 : 503, { 'content-type': 'application/json' }).end(BODY[state]);
    });
    this.port = (await listen(this.server, this.cfg.endpoint, `extensions.${this.set.id}`)).port;
  }

  async shutdown(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await closeServer(s, 500);
  }
}
