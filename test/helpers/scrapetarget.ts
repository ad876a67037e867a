import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

export interface TargetOptions {
  /** Body to serve; a function is called per request. */
  body: string | ((req: IncomingMessage) => string);
  contentType?: string;
  /** Required Authorization header value; others get 401. */
  authorization?: string;
  tls?: { cert: string; key: string };
}

/**
 * A scrape target for tests: serves a fixed exposition body (text format or
 * OpenMetrics), optionally behind TLS and an Authorization check, and counts
 * the scrapes and their request headers.
 */
export class FixtureTarget {
  readonly requests: Array<{ url: string; headers: IncomingMessage['headers'] }> = [];
  private constructor(
    private readonly server: Server,
    private opts: TargetOptions,
  ) {}

  static async start(opts: TargetOptions, port = 0): Promise<FixtureTarget> {
    let self: FixtureTarget | undefined;
    const handler = (req: IncomingMessage, res: ServerResponse) => self!.handle(req, res);
    const server = opts.tls ? createHttpsServer({ cert: readFileSync(opts.tls.cert), key: readFileSync(opts.tls.key) }, handler) : createServer(handler);
    self = new FixtureTarget(server, opts);
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    return self;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  set(opts: Partial<TargetOptions>): void {
    this.opts = { ...this.opts, ...opts };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push({ url: req.url ?? '', headers: req.headers });
    if (this.opts.authorization !== undefined && req.headers.authorization !== this.opts.authorization) {
      res.writeHead(401).end('unauthorized\n');
      return;
    }
    const body = typeof this.opts.body === 'function' ? this.opts.body(req) : this.opts.body;
    res.writeHead(200, { 'content-type': this.opts.contentType ?? 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
