// Sending over HTTP: OTLP/HTTP and Prometheus remote-write 1.0, each
// answered by its own protocol's rules.
//   OTLP/HTTP: 2xx accepted (partial_success counted); 429, 502, 503, 504 retryable, honouring Retry-After; the rest refused.
//   Remote-write: 2xx accepted; 5xx and 429 retryable, honouring Retry-After; other 4xx refused (never retried).
import * as http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import * as https from 'node:https';
import type { Signal } from '../component/signal.js';
import { int64ToNumber, ExportLogsServiceResponse, ExportMetricsServiceResponse, ExportTraceServiceResponse, type Int64 } from '../pdata/proto.js';
import { responseFromJSON } from '../pdata/otlpjson.js';
import { HEADER_VERSION, PRW_V1_VERSION } from '../prw/codec.js';
import type { Prepared } from './prepare.js';
import { parseRetryAfter } from '../util/retryafter.js';

export interface SendResult {
  ok: boolean;
  /** HTTP status as text, a gRPC code name, or "network". */
  status: string;
  /** Items the target accepted the request but rejected (OTLP partial success). */
  rejected?: number;
  retryable?: boolean;
  retryAfterMs?: number;
  message?: string;
}

export interface Sender {
  readonly description: string;
  send(p: Prepared): Promise<SendResult>;
  close(): Promise<void>;
}

export interface HttpSenderOptions {
  url: URL;
  protocol: 'otlp_http' | 'prw';
  headers: Record<string, string>;
  /** Header carrying each request's tenant to the target; '' sends none. */
  tenantHeader: string;
  timeoutMs: number;
}

const OTLP_RETRYABLE = new Set([429, 502, 503, 504]);
const USER_AGENT = 'tollgate-replay';


const RESPONSE = { traces: ExportTraceServiceResponse, metrics: ExportMetricsServiceResponse, logs: ExportLogsServiceResponse } as const;
const REJECTED_FIELD = { traces: 'rejectedSpans', metrics: 'rejectedDataPoints', logs: 'rejectedLogRecords' } as const;

/** Rejected items in an Export*ServiceResponse (protobuf or JSON); 0 when none or unreadable. */
export function partialRejected(signal: Signal, body: Uint8Array, json: boolean): number {
  if (body.length === 0) return 0;
  try {
    const r = (json ? responseFromJSON(signal, JSON.parse(Buffer.from(body).toString('utf8'))) : RESPONSE[signal].decode(body)) as {
      partialSuccess?: Record<string, unknown> | null;
    };
    return int64ToNumber(r.partialSuccess?.[REJECTED_FIELD[signal]] as Int64 | undefined);
  } catch {
    return 0;
  }
}

export class HttpSender implements Sender {
  readonly description: string;
  private readonly base: string;
  private readonly agent: http.Agent;

  constructor(private readonly o: HttpSenderOptions) {
    // node:http rather than fetch: no "bad port" list, and one pool of kept-alive connections.
    this.agent = o.url.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    const u = new URL(o.url);
    // An OTLP URL may name one signal's path; requests go to the path of their own signal.
    u.pathname = u.pathname.replace(/\/v1\/(traces|metrics|logs)\/?$/, '').replace(/\/$/, '');
    this.base = o.protocol === 'otlp_http' ? u.toString().replace(/\/$/, '') : o.url.toString();
    this.description = `${o.protocol === 'prw' ? 'remote-write' : 'OTLP/HTTP'} ${o.protocol === 'prw' ? this.base : `${this.base}/v1/{signal}`}`;
  }

  async send(p: Prepared): Promise<SendResult> {
    const prw = this.o.protocol === 'prw';
    const url = new URL(prw ? this.base : `${this.base}/v1/${p.signal}`);
    const headers: Record<string, string | number> = {
      'content-type': p.contentType,
      'content-length': p.body.length,
      'user-agent': USER_AGENT,
      ...this.o.headers,
    };
    if (p.contentEncoding) headers['content-encoding'] = p.contentEncoding;
    if (prw) headers[HEADER_VERSION] = PRW_V1_VERSION;
    if (this.o.tenantHeader && p.tenant) headers[this.o.tenantHeader] = p.tenant;
    let res: { status: number; headers: IncomingHttpHeaders; body: Buffer };
    try {
      res = await this.post(url, headers, p.body);
    } catch (e) {
      return { ok: false, status: 'network', retryable: true, message: `${url.href}: ${(e as Error).message}` };
    }
    const { status, body } = res;
    if (status >= 200 && status < 300) {
      const json = String(res.headers['content-type'] ?? '').includes('json');
      return { ok: true, status: String(status), rejected: prw ? 0 : partialRejected(p.signal, body, json) };
    }
    const retryable = prw ? status >= 500 || status === 429 : OTLP_RETRYABLE.has(status);
    const ra = res.headers['retry-after'];
    const retryAfterMs = parseRetryAfter(ra);
    const text = body.subarray(0, 300).toString('utf8').replace(/[^\x20-\x7e]+/g, ' ').trim();
    return {
      ok: false,
      status: String(status),
      retryable,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      message: `${url.href}: HTTP ${status}${text ? `: ${text}` : ''}`,
    };
  }

  /** One POST over a kept-alive connection; rejects on network errors and timeouts. */
  private post(url: URL, headers: Record<string, string | number>, body: Buffer): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { method: 'POST', headers, agent: this.agent, timeout: this.o.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.o.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}
