import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { serverAuthenticator, type ServerAuthenticator } from '../../component/auth.js';
import type { Component } from '../../component/component.js';
import type { Host } from '../../component/host.js';
import type { RequestContext } from '../../component/context.js';
import type { MetricsConsumer } from '../../component/consumer.js';
import type { CreateSettings } from '../../component/factory.js';
import { createCapture, type Capture } from '../../capture/index.js';
import { asConsumerError } from '../../errors/consumererror.js';
import { ErrorCode } from '../../errors/codes.js';
import { HEADER_EXEMPLARS_WRITTEN, HEADER_HISTOGRAMS_WRITTEN, HEADER_SAMPLES_WRITTEN } from '../../prw/codec.js';
import { createReporter, type Reporter } from '../../telemetry/report.js';
import type { ReceiverTelemetry } from '../../telemetry/selftelemetry.js';
import { parseDuration } from '../../config/types.js';
import { DECODED_FACTOR, isRefusal, type AdmissionTicket } from '../../memory/admission.js';
import { closeServer, listen } from '../../util/endpoint.js';
import { createHttpListener } from '../../util/httplistener.js';
import { BodyError, admissionRefused, readBody, type BodyLimits } from '../common/body.js';
import { listenerOptions } from '../common/listener.js';
import type { PrwReceiverConfig } from './config.js';
import { RefusedRequest, checkEncoding, protoVersion, scanBody, type ProtoVersion, type ScannedBody } from './request.js';

/** Success status by path: Thanos Receive answers 200, Prometheus 204. */
const PATHS: ReadonlyMap<string, number> = new Map([
  ['/api/v1/receive', 200],
  ['/api/v1/write', 204],
]);

/**
 * Remote-write receiver: accepts 1.0 and 2.0 requests as Thanos Receive and
 * Prometheus do, validates them in one wire scan, and hands them downstream
 * as encoded 1.0 batches (the bytes as received, indexed; 2.0 converted on
 * the wire) with the tenant in the context. Downstream errors become the status a remote-write
 * sender acts on: retryable → 503, throttled → 429 (both with Retry-After),
 * permanent → 400.
 */
export class PrwReceiver implements Component {
  private server: Server | undefined;
  private readonly tel: ReceiverTelemetry;
  private readonly report: Reporter;
  private readonly tenantHeader: string;
  private readonly capture: Capture | undefined;
  private inflight = 0;
  private drained: (() => void) | undefined;
  private readonly limits: BodyLimits;
  private auth: ServerAuthenticator | undefined;
  port = 0;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: PrwReceiverConfig,
    private readonly next: MetricsConsumer,
  ) {
    this.tel = set.telemetry.receiver(set.id, 'http');
    this.report = createReporter(set);
    this.tenantHeader = cfg.tenant_header.toLowerCase();
    this.capture = createCapture(set, cfg.capture);
    this.limits = { maxWire: cfg.max_request_body_size, maxDecoded: cfg.max_request_body_size, idleMs: parseDuration(cfg.body_idle_timeout) };
  }

  async start(host: Host): Promise<void> {
    if (this.server) return;
    this.auth = serverAuthenticator(host, this.cfg.auth, `receivers.${this.set.id}`);
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res);
    const tls = this.cfg.tls;
    this.server = createHttpListener(
      {
        ...listenerOptions(this.cfg),
        ...(tls ? { tls: { cert: readFileSync(tls.cert_file), key: readFileSync(tls.key_file), ...(tls.ca_file ? { ca: readFileSync(tls.ca_file) } : {}) } } : {}),
        onClosed: (reason) => this.closed(reason),
      },
      handler,
    );
    const { port } = await listen(this.server, this.cfg.endpoint, `receivers.${this.set.id}`);
    this.port = port;
    this.set.logger.info({ endpoint: this.cfg.endpoint, port }, 'remote-write receiver listening');
  }

  async shutdown(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    await closeServer(s, 2000);
    // Requests already inside the pipeline finish before downstream stops.
    if (this.inflight > 0) await new Promise<void>((r) => (this.drained = r));
    await this.capture?.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const q = req.url?.indexOf('?') ?? -1;
    const path = q >= 0 ? req.url!.slice(0, q) : (req.url ?? '');
    const okStatus = PATHS.get(path);
    if (okStatus === undefined) {
      this.reply(res, 404, `not found: remote-write is served at /api/v1/receive and /api/v1/write\n`);
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      this.reply(res, 405, `method ${req.method} not allowed: send remote-write with POST\n`);
      return;
    }
    let version: ProtoVersion;
    try {
      version = protoVersion(req.headers['content-type']);
      checkEncoding(req.headers['content-encoding']);
    } catch (err) {
      this.refuse(req, res, err as RefusedRequest, 1);
      return;
    }
    const limit = this.cfg.max_request_body_size;
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      this.refuse(req, res, new RefusedRequest(413, ErrorCode.BODY_TOO_LARGE, `body of ${declared} bytes is over max_request_body_size (${limit})`), version);
      return;
    }
    const auth = this.auth;
    if (!auth) return this.admit(req, res, version, okStatus, headerValue(req.headers[this.tenantHeader]) || this.cfg.default_tenant);
    // Credentials are checked before the body is read; a failure says nothing about why.
    auth.authenticate((name) => headerValue(req.headers[name]) || undefined).then(
      (r) => {
        if (!r.ok) {
          this.tel.authFailure();
          return this.refuse(req, res, new RefusedRequest(401, ErrorCode.UNAUTHENTICATED, 'missing or invalid credentials'), version);
        }
        const asked = headerValue(req.headers[this.tenantHeader]);
        if (r.tenant !== undefined && asked !== '' && asked !== r.tenant) {
          // A client may never write into another tenant than the one its credentials name.
          return this.refuse(req, res, new RefusedRequest(403, ErrorCode.PERMISSION_DENIED, `these credentials may not write as tenant ${JSON.stringify(asked)} (${this.cfg.tenant_header})`), version);
        }
        this.admit(req, res, version, okStatus, r.tenant ?? (asked || this.cfg.default_tenant));
      },
      (e: unknown) => this.reply(res, 500, `TG_INTERNAL: ${(e as Error).message}\n`),
    );
  }

  private admit(req: IncomingMessage, res: ServerResponse, version: ProtoVersion, okStatus: number, tenant: string): void {
    const admitted = this.set.telemetry.admission.open();
    if (isRefusal(admitted)) {
      this.refuse(req, res, fromBodyError(admissionRefused(admitted)), version);
      return;
    }
    const ticket: AdmissionTicket = admitted;
    res.once('close', () => ticket.release());
    this.inflight++;
    readBody(req, '', undefined, this.limits, ticket)
      .then((body) => this.process(req, res, body, version, okStatus, ticket, tenant))
      .catch((err) => {
        if (err instanceof RefusedRequest) this.refuse(req, res, err, version);
        else if (err instanceof BodyError) this.refuse(req, res, fromBodyError(err), version);
        else this.reply(res, 400, `could not read request body: ${(err as Error).message}\n`);
      })
      .finally(() => {
        if (--this.inflight === 0 && this.drained) this.drained();
      });
  }

  /** A connection a listener limit closed (slow client, connection cap): counted and logged. */
  private closed(reason: string): void {
    this.tel.closedConnection(reason);
    this.report.problem('warn', `closed:${reason}`, undefined, { code: ErrorCode.SLOW_CLIENT, reason }, 'connection closed by a listener limit');
  }

  private async process(req: IncomingMessage, res: ServerResponse, body: Buffer, version: ProtoVersion, okStatus: number, ticket: AdmissionTicket, tenant: string): Promise<void> {
    this.capture?.http(req, 'prw', body, { signal: 'metrics', tenant });
    const decoded: ScannedBody = scanBody(body, version, this.cfg.max_decompressed_size, (n) => {
      // The decompressed footprint (from the size the snappy header announces, checked before any work) is taken from the budget first.
      const r = ticket.add(n * DECODED_FACTOR.prw);
      if (r) throw fromBodyError(admissionRefused(r));
    });
    const points = decoded.samples + decoded.histograms;
    const ctx: RequestContext = this.cfg.include_metadata
      ? { tenant, receiver: this.set.id, metadata: metadataOf(req) }
      : { tenant, receiver: this.set.id };
    try {
      await this.next.consume(decoded.batch, ctx);
    } catch (e) {
      const err = asConsumerError(e);
      this.tel.refused('metrics', points);
      const status = err.kind === 'permanent' ? 400 : err.kind === 'throttled' ? 429 : 503;
      if (status !== 400) res.setHeader('retry-after', String(Math.max(1, Math.ceil((err.retryAfterMs ?? 1000) / 1000))));
      if (version === 2) writtenHeaders(res, 0, 0, 0);
      this.tel.failedRequest(String(status));
      this.report.problem('warn', `downstream:${err.code}`, err, { status, code: err.code, tenant, points }, 'remote-write request refused by the pipeline');
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${err.message}\n`);
      return;
    }
    this.tel.accepted('metrics', points);
    if (version === 2) {
      writtenHeaders(res, decoded.samples, decoded.histograms, decoded.exemplars);
      res.writeHead(204).end();
    } else {
      res.writeHead(okStatus).end();
    }
  }

  private refuse(req: IncomingMessage, res: ServerResponse, err: RefusedRequest, version: ProtoVersion): void {
    this.tel.failedRequest(String(err.status));
    const fields = { status: err.status, client: req.socket.remoteAddress };
    if (err.points > 0) {
      this.tel.refused('metrics', err.points);
      this.report.drop({ signal: 'metrics', code: err.code, items: err.points, err, fields, key: `refused:${err.code}`, level: 'warn' }, 'remote-write request refused');
    } else this.report.problem('warn', `refused:${err.code}`, err, { code: err.code, ...fields }, 'remote-write request refused');
    if (version === 2) writtenHeaders(res, 0, 0, 0);
    if (err.retryAfterMs !== undefined) res.setHeader('retry-after', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
    if (err.code === ErrorCode.SLOW_CLIENT) {
      this.closed('body_idle_timeout');
      res.on('finish', () => req.destroy());
    }
    // A body we did not read is not drained: close the connection after answering.
    if (err.status === 413 || !req.complete) res.setHeader('connection', 'close');
    this.reply(res, err.status, `${err.message}\n`);
  }

  private reply(res: ServerResponse, status: number, body: string): void {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
  }
}

function writtenHeaders(res: ServerResponse, samples: number, histograms: number, exemplars: number): void {
  res.setHeader(HEADER_SAMPLES_WRITTEN, String(samples));
  res.setHeader(HEADER_HISTOGRAMS_WRITTEN, String(histograms));
  res.setHeader(HEADER_EXEMPLARS_WRITTEN, String(exemplars));
}

function headerValue(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
}

function metadataOf(req: IncomingMessage): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(req.headersDistinct)) if (v && k !== 'authorization') out[k] = v;
  return out;
}

/** A body-reading refusal as the remote-write answer (status, code, Retry-After). */
function fromBodyError(e: BodyError): RefusedRequest {
  const r = e.refusal;
  const status = r.httpStatus ?? (r.code === 8 ? 429 : r.code === 14 ? 503 : 400);
  return new RefusedRequest(status, r.reason, r.message.replace(/^TG_[A-Z_]+: /, ''), 0, r.retryAfterMs);
}
