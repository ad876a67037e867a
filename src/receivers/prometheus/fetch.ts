// One scrape's HTTP request: Prometheus's Accept header, gzip, a deadline
// (scrape_timeout), a bound on the uncompressed body, auth and TLS.
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createGunzip } from 'node:zlib';
import { isRefusal, type Admission, type AdmissionTicket } from '../../memory/admission.js';
import type { ScrapeConfig } from './config.js';
import type { ExpositionFormat } from './textparse.js';

/** What Prometheus 2.42 asks for (OpenMetrics preferred, then the text format). */
export const ACCEPT_HEADER =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

export class ScrapeError extends Error {}

export interface ScrapeBody {
  body: string;
  format: ExpositionFormat;
  bytes: number;
  /** Gives the body's bytes back to the admission budget (once the scrape is handed on). */
  release(): void;
}

/** Per scrape config: agents, auth header and limits, built once. */
export class Fetcher {
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly auth: (() => string) | undefined;
  private readonly followRedirects: boolean;

  constructor(
    sc: ScrapeConfig,
    private readonly maxBytes: number,
    private readonly userAgent: string,
    /** The process-wide admission budget scraped bodies take their bytes from, decompressed, as they arrive. */
    private readonly admission?: Admission,
  ) {
    const tls = sc.tls_config;
    this.agent = new HttpsAgent({
      keepAlive: true,
      maxSockets: 1,
      ...(tls?.ca_file ? { ca: readFileSync(tls.ca_file) } : {}),
      ...(tls?.cert_file ? { cert: readFileSync(tls.cert_file) } : {}),
      ...(tls?.key_file ? { key: readFileSync(tls.key_file) } : {}),
      ...(tls?.server_name ? { servername: tls.server_name } : {}),
      rejectUnauthorized: !(tls?.insecure_skip_verify ?? false),
    });
    this.httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    this.auth = authHeader(sc);
    this.followRedirects = sc.follow_redirects ?? true;
  }

  private readonly httpAgent: HttpAgent;

  close(): void {
    this.agent.destroy();
    this.httpAgent.destroy();
  }

  async fetch(url: string, timeoutMs: number, redirects = 0): Promise<ScrapeBody> {
    const u = new URL(url);
    const isHttps = u.protocol === 'https:';
    const headers: Record<string, string> = {
      accept: ACCEPT_HEADER,
      'accept-encoding': 'gzip',
      'user-agent': this.userAgent,
      'x-prometheus-scrape-timeout-seconds': String(timeoutMs / 1000),
    };
    const auth = this.auth?.();
    if (auth) headers.authorization = auth;
    const signal = AbortSignal.timeout(timeoutMs);
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = (isHttps ? httpsRequest : httpRequest)(u, { method: 'GET', headers, agent: isHttps ? this.agent : this.httpAgent, signal }, resolve);
      req.on('error', (e) => reject(new ScrapeError(signal.aborted ? `context deadline exceeded (scrape_timeout ${timeoutMs} ms)` : e.message)));
      req.end();
    });
    if (res.statusCode !== 200) {
      res.resume();
      const loc = res.headers.location;
      if (this.followRedirects && loc && res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && redirects < 10) {
        return this.fetch(new URL(loc, url).toString(), timeoutMs, redirects + 1);
      }
      throw new ScrapeError(`server returned HTTP status ${res.statusCode} ${res.statusMessage ?? ''}`.trim());
    }
    const gz = (res.headers['content-encoding'] ?? '').toLowerCase() === 'gzip';
    const stream = gz ? res.pipe(createGunzip()) : res;
    const chunks: Buffer[] = [];
    let size = 0;
    const admitted = this.admission?.open();
    if (admitted && isRefusal(admitted)) {
      res.destroy();
      throw new ScrapeError(`scrape not read: ${admitted.message}`);
    }
    const ticket: AdmissionTicket | undefined = admitted;
    try {
      for await (const c of stream as AsyncIterable<Buffer>) {
        size += c.length;
        if (size > this.maxBytes) {
          res.destroy();
          throw new ScrapeError(`body size limit exceeded (${this.maxBytes} bytes)`);
        }
        const over = ticket?.add(c.length);
        if (over) {
          res.destroy();
          throw new ScrapeError(`scrape not read: ${over.message}`);
        }
        chunks.push(c);
      }
    } catch (e) {
      ticket?.release();
      if (e instanceof ScrapeError) throw e;
      throw new ScrapeError(signal.aborted ? `context deadline exceeded (scrape_timeout ${timeoutMs} ms)` : (e as Error).message);
    }
    const ct = (res.headers['content-type'] ?? '').toLowerCase();
    const format: ExpositionFormat = ct.startsWith('application/openmetrics-text') ? 'openmetrics' : 'text';
    const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    return { body: buf.toString('utf8'), format, bytes: size, release: () => ticket?.release() };
  }
}

function authHeader(sc: ScrapeConfig): (() => string) | undefined {
  if (sc.basic_auth) {
    const b = sc.basic_auth;
    return () => {
      const pw = b.password_file ? readFileSync(b.password_file, 'utf8').trim() : (b.password ?? '');
      return `Basic ${Buffer.from(`${b.username}:${pw}`).toString('base64')}`;
    };
  }
  const a = sc.authorization;
  if (a) {
    const type = a.type ?? 'Bearer';
    return () => `${type} ${a.credentials_file ? readFileSync(a.credentials_file, 'utf8').trim() : (a.credentials ?? '')}`;
  }
  if (sc.bearer_token_file) return () => `Bearer ${readFileSync(sc.bearer_token_file!, 'utf8').trim()}`;
  if (sc.bearer_token) return () => `Bearer ${sc.bearer_token}`;
  return undefined;
}
