import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Static } from '@sinclair/typebox';
import type { TlsClientSchema } from '../../config/types.js';
import { ConsumerError, permanentError, retryableError, throttledError } from '../../errors/consumererror.js';
import { ErrorCode } from '../../errors/codes.js';
import { HEADER_VERSION, PRW_V1_CONTENT_TYPE, PRW_V1_VERSION } from '../../prw/codec.js';
import { parseRetryAfter } from '../../util/retryafter.js';

type TlsClient = Static<typeof TlsClientSchema>;

const USER_AGENT = 'Tollgate/0.1 (remote-write)';
/** The server's message is read up to this many bytes, for the log and the drop reason. */
const MAX_ERROR_BODY = 2048;

/** Headers remote-write fixes; user `headers` cannot replace them. */
const FIXED = new Set(['content-encoding', 'content-type', 'user-agent', HEADER_VERSION, 'content-length']);

export interface PostOutcome {
  /** Undefined on success (2xx). */
  error?: ConsumerError;
  status: number;
  /** The server's message (trimmed), for errors. */
  message?: string;
}

/**
 * The exporter's I/O: POSTs one snappy-compressed remote-write 1.0 body over
 * a keep-alive connection pool, and says what the answer means. 2xx: sent.
 * 429: throttled (Retry-After). 5xx: retryable (Retry-After honoured when
 * given). Any other status: permanent, never retried (the spec's rule, and
 * Thanos' 409 for out-of-order or duplicate samples). Network errors and the
 * per-request timeout: retryable.
 */
export class RemoteWriteClient {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly baseHeaders: OutgoingHttpHeaders;
  private readonly tenantHeader: string;
  private readonly send: typeof httpRequest;
  /** Credentials from an authenticator extension, asked for every request (a rotated token takes effect at once). */
  authHeaders: (() => Record<string, string>) | undefined;

  constructor(endpoint: string, opts: { headers: Record<string, string>; tenantHeader: string; timeoutMs: number; connections: number; tls?: TlsClient | undefined }) {
    this.url = new URL(endpoint);
    const https = this.url.protocol === 'https:';
    const tls = opts.tls;
    this.agent = https
      ? new HttpsAgent({
          keepAlive: true,
          maxSockets: opts.connections,
          rejectUnauthorized: !tls?.insecure_skip_verify,
          ...(tls?.ca_file ? { ca: readFileSync(tls.ca_file) } : {}),
          ...(tls?.cert_file ? { cert: readFileSync(tls.cert_file) } : {}),
          ...(tls?.key_file ? { key: readFileSync(tls.key_file) } : {}),
          ...(tls?.server_name_override ? { servername: tls.server_name_override } : {}),
        })
      : new HttpAgent({ keepAlive: true, maxSockets: opts.connections });
    this.send = https ? httpsRequest : httpRequest;
    this.tenantHeader = opts.tenantHeader;
    const headers: OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(opts.headers)) if (!FIXED.has(k.toLowerCase())) headers[k] = v;
    headers['content-encoding'] = 'snappy';
    headers['content-type'] = PRW_V1_CONTENT_TYPE;
    headers[HEADER_VERSION] = PRW_V1_VERSION;
    headers['user-agent'] = USER_AGENT;
    this.baseHeaders = headers;
    this.timeoutMs = opts.timeoutMs;
  }

  private readonly timeoutMs: number;

  /**
   * Sends one body. Resolves once the answer is in and the body has left
   * (written out, or the request destroyed): callers reuse the body's buffer
   * afterwards, so nothing may still be waiting to write it.
   */
  post(body: Uint8Array, tenant: string | undefined): Promise<PostOutcome> {
    const headers: OutgoingHttpHeaders = { ...this.baseHeaders, ...this.authHeaders?.(), 'content-length': body.length };
    if (tenant !== undefined) headers[this.tenantHeader] = tenant;
    return new Promise((resolve) => {
      let settled = false;
      let outcome: PostOutcome | undefined;
      let flushed = false;
      const finish = () => {
        if (settled || !outcome || !flushed) return;
        settled = true;
        if (timer) clearTimeout(timer);
        resolve(outcome);
      };
      const done = (o: PostOutcome) => {
        outcome ??= o;
        finish();
      };
      const req = this.send(this.url, { method: 'POST', agent: this.agent, headers }, (res) => {
        readSome(res).then((text) => done(classify(res, text)), (err: Error) => done(networkError(err)));
      });
      const timer =
        this.timeoutMs > 0
          ? setTimeout(() => {
              req.destroy(new Error(`no answer within ${this.timeoutMs}ms`));
            }, this.timeoutMs)
          : undefined;
      req.on('error', (err) => done(networkError(err)));
      const left = () => {
        flushed = true;
        finish();
      };
      req.once('finish', left);
      req.once('close', left);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function networkError(err: Error): PostOutcome {
  const timeout = /within \d+ms/.test(err.message);
  return {
    status: 0,
    error: retryableError(timeout ? ErrorCode.EXPORT_TIMEOUT : ErrorCode.EXPORT_RETRYABLE, `remote-write request failed: ${err.message}`),
  };
}

function readSome(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      if (size < MAX_ERROR_BODY) chunks.push(c);
      size += c.length;
    });
    res.once('end', () => resolve(Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY).toString('utf8').trim()));
    res.once('error', reject);
    res.once('aborted', () => reject(new Error('response aborted')));
  });
}


export function classify(res: IncomingMessage, text: string): PostOutcome {
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) return { status };
  const message = text || res.statusMessage || '';
  const what = `remote-write target answered ${status}${message ? `: ${message}` : ''}`;
  const retryAfter = parseRetryAfter(res.headers['retry-after']);
  if (status === 429) return { status, message, error: throttledError(ErrorCode.EXPORT_RETRYABLE, what, retryAfter ?? 0, { status }) };
  if (status >= 500) {
    const error =
      retryAfter !== undefined ? throttledError(ErrorCode.EXPORT_RETRYABLE, what, retryAfter, { status }) : retryableError(ErrorCode.EXPORT_RETRYABLE, what, { status });
    return { status, message, error };
  }
  const code = status === 400 ? ErrorCode.EXPORT_BAD_REQUEST : status === 409 ? ErrorCode.EXPORT_CONFLICT : ErrorCode.EXPORT_PERMANENT;
  return { status, message, error: permanentError(code, what, { status }) };
}
