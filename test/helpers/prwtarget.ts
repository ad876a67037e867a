import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { PromWrite } from '../../src/pdata/proto.js';
import { decompressWriteRequest } from '../../src/prw/codec.js';

/** One remote-write request a scripted target received. */
export interface TargetRequest {
  at: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  request: PromWrite;
  /** Status it answered. */
  status: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * A remote-write HTTP target whose answers a test scripts: `answer(req, n)`
 * decides the status of the n-th request (0-based). It records every request
 * decoded. Stands in for Thanos/Prometheus where a test needs answers a real
 * server will not give on demand (500, 429 with Retry-After, 409).
 */
export class ScriptedTarget {
  readonly requests: TargetRequest[] = [];
  private server: Server | undefined;
  port = 0;
  answer: (req: PromWrite, n: number, headers: IncomingHttpHeaders) => Answer = () => ({ status: 204 });
  private waiters: Array<() => void> = [];

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req.headers, Buffer.concat(chunks), res));
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    const a = this.server.address();
    this.port = typeof a === 'object' && a ? a.port : 0;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/api/v1/receive`;
  }

  private handle(headers: IncomingHttpHeaders, body: Buffer, res: ServerResponse): void {
    let request: PromWrite;
    try {
      request = decompressWriteRequest(body);
    } catch (err) {
      res.writeHead(400).end(`bad request: ${(err as Error).message}`);
      return;
    }
    const a = this.answer(request, this.requests.length, headers);
    this.requests.push({ at: Date.now(), headers, body, request, status: a.status });
    res.writeHead(a.status, a.headers ?? {}).end(a.body ?? '');
    for (const w of [...this.waiters]) w();
  }

  /** Requests answered 2xx. */
  get accepted(): PromWrite[] {
    return this.requests.filter((r) => r.status >= 200 && r.status < 300).map((r) => r.request);
  }

  /** Points (samples + histograms) in requests answered 2xx. */
  get acceptedPoints(): number {
    let n = 0;
    for (const r of this.accepted) for (const ts of r.timeseries ?? []) n += (ts.samples?.length ?? 0) + (ts.histograms?.length ?? 0);
    return n;
  }

  /** Resolves once `ok()` holds after some request; the deadline only turns a hang into a clear failure. */
  waitFor(what: string, ok: () => boolean, deadlineMs = 20_000): Promise<void> {
    if (ok()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`scripted target: still waiting for ${what}`));
      }, deadlineMs);
      const check = () => {
        if (!ok()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}
