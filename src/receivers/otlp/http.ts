// OTLP/HTTP server: POST /v1/{traces,metrics,logs} with protobuf or JSON
// bodies, answered as the collector answers (status codes, google.rpc.Status
// bodies in the request's content type, Retry-After on 429/503).
import { readFileSync } from 'node:fs';
import type * as http from 'node:http';
import type { RequestContext } from '../../component/context.js';
import type { Signal } from '../../component/signal.js';
import { ErrorCode } from '../../errors/codes.js';
import { closeServer, listen } from '../../util/endpoint.js';
import type { ServerAuthenticator } from '../../component/auth.js';
import { DECODED_FACTOR, isRefusal, type AdmissionTicket } from '../../memory/admission.js';
import { createHttpListener } from '../../util/httplistener.js';
import { BodyError, admissionRefused, decodersFor, readBody, tooLarge, type BodyLimits, type Decoder } from '../common/body.js';
import { listenerOptions } from '../common/listener.js';
import { durationMs, normalizePath, type HttpConfig } from './config.js';
import { Cors } from './cors.js';
import type { ExportCore } from './export.js';
import type { Capture } from '../../capture/index.js';
import { EMPTY_JSON_RESPONSE, EMPTY_PROTO_RESPONSE, SIGNAL_SPECS, decodeReason, type SignalSpec } from './signals.js';
import type { ShapeLimits } from '../../pdata/wire/scan.js';
import { Code, encodeStatusJSON, encodeStatusProto, httpStatusOf, retryAfterSeconds, type Refusal } from './status.js';

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';
type Encoding = 'proto' | 'json';

const METHOD_NOT_ALLOWED = '405 method not allowed, supported: [POST]';
const UNSUPPORTED_MEDIA = `415 unsupported media type, supported: [${JSON_TYPE}, ${PROTOBUF}]`;

export class OtlpHttpServer {
  private server: http.Server | undefined;
  private routes = new Map<string, SignalSpec>();
  private readonly limits: BodyLimits;
  private readonly decoders: Map<string, Decoder | undefined>;
  private readonly cors: Cors | undefined;
  private readonly baseCtx: RequestContext;
  private readonly responseHeaders: [string, string][];
  private notFound = '';
  /** Requests told not to send their body (Expect: 100-continue refused): answered at once. */
  private readonly noContinue = new WeakSet<http.IncomingMessage>();
  port = 0;

  constructor(
    private readonly cfg: HttpConfig & { max_decompressed_body_size: number },
    private readonly core: ExportCore,
    private readonly owner: string,
    private readonly capture?: Capture,
    private readonly auth?: ServerAuthenticator,
    private readonly shapeLimits?: ShapeLimits,
  ) {
    this.limits = { maxWire: cfg.max_request_body_size, maxDecoded: cfg.max_decompressed_body_size, idleMs: durationMs(cfg.body_idle_timeout) };
    this.decoders = decodersFor(cfg.compression_algorithms);
    this.cors = Cors.enabled(cfg.cors) ? new Cors(cfg.cors) : undefined;
    this.baseCtx = Object.freeze({ receiver: core.id });
    this.responseHeaders = Object.entries(cfg.response_headers ?? {});
  }

  async start(): Promise<void> {
    // Signals without a pipeline answer 404, as in the collector (where their path is not registered).
    const served: string[] = [];
    for (const signal of ['traces', 'metrics', 'logs'] as Signal[]) {
      const path = normalizePath(this.cfg[SIGNAL_SPECS[signal].pathKey])!;
      this.routes.set(path, SIGNAL_SPECS[signal]);
      if (this.core.has(signal)) served.push(path);
    }
    this.notFound = `404 page not found; OTLP/HTTP paths here: ${served.join(', ') || '(none)'}`;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.handle(req, res);
    const tls = this.cfg.tls;
    const server = createHttpListener(
      {
        ...listenerOptions(this.cfg),
        ...(tls
          ? {
              tls: {
                cert: readFileSync(tls.cert_file),
                key: readFileSync(tls.key_file),
                ...(tls.client_ca_file ? { ca: readFileSync(tls.client_ca_file), requestCert: true, rejectUnauthorized: true } : {}),
              },
            }
          : {}),
        onClosed: (reason) => this.core.closedConnection('http', reason),
      },
      handler,
    );
    // `Expect: 100-continue` lets an oversize upload be refused before it is sent.
    server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (declaredLength(req) > this.limits.maxWire) {
        this.noContinue.add(req);
        return this.handle(req, res);
      }
      res.writeContinue();
      this.handle(req, res);
    });
    this.server = server;
    this.port = (await listen(server, this.cfg.endpoint, `receivers.${this.owner}: protocols.http`)).port;
  }

  async shutdown(graceMs: number): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await closeServer(s, graceMs);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    for (const [k, v] of this.responseHeaders) res.setHeader(k, v);
    if (this.cors?.handle(req, res)) return;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const spec = this.routes.get(q < 0 ? url : url.slice(0, q));
    if (!spec) return this.plain(req, res, 404, ErrorCode.NOT_FOUND, this.notFound, undefined);
    if (!this.core.has(spec.signal)) {
      return this.plain(req, res, 404, ErrorCode.NOT_FOUND, `404 page not found; receiver ${this.core.id} is in no ${spec.signal} pipeline`, spec.signal);
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return this.plain(req, res, 405, ErrorCode.METHOD_NOT_ALLOWED, METHOD_NOT_ALLOWED, spec.signal);
    }
    const enc = encodingOf(req.headers['content-type']);
    if (!enc) return this.plain(req, res, 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, UNSUPPORTED_MEDIA, spec.signal);
    const ce = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (!this.decoders.has(ce)) {
      const supported = [...this.decoders.keys()].filter((k) => k !== '').join(', ');
      return this.refuse(req, res, enc, spec.signal, {
        code: Code.INVALID_ARGUMENT,
        reason: ErrorCode.UNSUPPORTED_ENCODING,
        message: `${ErrorCode.UNSUPPORTED_ENCODING}: unsupported Content-Encoding: ${ce} (supported: ${supported})`,
      });
    }
    if (declaredLength(req) > this.limits.maxWire) return this.refuse(req, res, enc, spec.signal, tooLarge(this.limits, declaredLength(req)).refusal);
    if (!this.auth) return this.admit(req, res, spec, enc, ce, undefined);
    // Credentials are checked before anything of the body is read; a failure says nothing about why.
    this.auth
      .authenticate((name) => headerOf(req, name))
      .then(
        (r) => {
          if (r.ok) return this.admit(req, res, spec, enc, ce, r.tenant);
          this.core.authFailed('http', spec.signal, '401');
          this.afterBody(req, res, () => this.sendStatus(res, enc, UNAUTHENTICATED));
        },
        (e: unknown) => this.refuse(req, res, enc, spec.signal, internal(e)),
      );
  }

  private admit(req: http.IncomingMessage, res: http.ServerResponse, spec: SignalSpec, enc: Encoding, ce: string, tenant: string | undefined): void {
    // Admission: refused at the door while memory is too high; else the body takes its bytes from the shared budget as it arrives.
    const admitted = this.core.admission.open();
    if (isRefusal(admitted)) return this.refuse(req, res, enc, spec.signal, admissionRefused(admitted).refusal);
    const ticket: AdmissionTicket = admitted;
    res.once('close', () => ticket.release());
    this.capture?.tap(req, 'otlp_http', { signal: spec.signal, limit: this.limits.maxWire });
    readBody(req, ce, this.decoders.get(ce), this.limits, ticket)
      .then(
        (body) => {
          // Decoding allocates several times the body: that is reserved from the budget before it starts.
          const over = ticket.add(body.length * ((enc === 'json' ? DECODED_FACTOR.otlp_json : DECODED_FACTOR.otlp_proto) - 1));
          if (over) return this.refuse(req, res, enc, spec.signal, admissionRefused(over).refusal);
          return this.exportBody(req, res, spec, enc, body, tenant);
        },
        (e: unknown) => this.refuse(req, res, enc, spec.signal, e instanceof BodyError ? e.refusal : internal(e)),
      )
      .catch((e: unknown) => {
        // A bug, not a client's fault: answer rather than leave the client hanging.
        if (!res.headersSent) this.refuse(req, res, enc, spec.signal, internal(e));
        else res.destroy();
      });
  }

  private async exportBody(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    spec: SignalSpec,
    enc: Encoding,
    body: Buffer,
    tenant: string | undefined,
  ): Promise<void> {
    let data;
    try {
      if (enc === 'json' && body.length === 0) throw new Error('empty body: an OTLP JSON request is at least {}');
      // An empty protobuf body is a valid, empty request (proto3: all fields default).
      data = enc === 'json' ? spec.decodeJSON(body, this.shapeLimits) : spec.decodeProto(body, this.shapeLimits);
    } catch (e) {
      return this.refuse(req, res, enc, spec.signal, {
        code: Code.INVALID_ARGUMENT,
        reason: decodeReason(e),
        message: `${decodeReason(e)}: ${(e as Error).message}`,
      });
    }
    const base: RequestContext = tenant === undefined ? this.baseCtx : { receiver: this.core.id, tenant };
    const ctx: RequestContext = this.cfg.include_metadata ? { ...base, metadata: withoutSecrets(req.headersDistinct as Record<string, string[]>) } : base;
    const r = await this.core.export(spec.signal, 'http', data, ctx);
    if (!r.ok) {
      this.core.failed('http', String(r.refusal.httpStatus ?? httpStatusOf(r.refusal.code)));
      return this.sendStatus(res, enc, r.refusal);
    }
    const out =
      r.rejected === 0
        ? enc === 'json'
          ? EMPTY_JSON_RESPONSE
          : EMPTY_PROTO_RESPONSE
        : enc === 'json'
          ? spec.responseJSON(r.rejected, r.message)
          : spec.responseProto(r.rejected, r.message);
    res.writeHead(200, { 'Content-Type': enc === 'json' ? JSON_TYPE : PROTOBUF, 'Content-Length': Buffer.byteLength(out) }).end(out);
  }

  /** An input refusal: counted, logged, answered with google.rpc.Status. */
  private refuse(req: http.IncomingMessage, res: http.ServerResponse, enc: Encoding, signal: Signal, r: Refusal): void {
    const status = r.httpStatus ?? httpStatusOf(r.code);
    this.core.refusedInput('http', signal, r, String(status));
    if (r.reason === ErrorCode.SLOW_CLIENT) {
      // Nothing more is read from a client that stopped sending: answer and close.
      this.core.closedConnection('http', 'body_idle_timeout');
      res.setHeader('Connection', 'close');
      this.sendStatus(res, enc, r);
      res.on('finish', () => req.destroy());
      return;
    }
    this.afterBody(req, res, () => this.sendStatus(res, enc, r));
  }

  /** Refusals the collector answers in plain text (routing, method, media type). */
  private plain(req: http.IncomingMessage, res: http.ServerResponse, status: number, reason: string, text: string, signal: Signal | undefined): void {
    this.core.refusedInput('http', signal, { code: Code.INVALID_ARGUMENT, reason, message: `${req.method} ${req.url}: ${text}` }, String(status));
    this.afterBody(req, res, () => res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) }).end(text));
  }

  private sendStatus(res: http.ServerResponse, enc: Encoding, r: Refusal): void {
    const status = r.httpStatus ?? httpStatusOf(r.code);
    const body = enc === 'json' ? encodeStatusJSON(r) : encodeStatusProto(r);
    const headers: http.OutgoingHttpHeaders = { 'Content-Type': enc === 'json' ? JSON_TYPE : PROTOBUF, 'Content-Length': Buffer.byteLength(body) };
    if (status === 429 || status === 503) headers['Retry-After'] = String(retryAfterSeconds(r));
    res.writeHead(status, headers).end(body);
  }

  /**
   * Answers once the client has finished sending, so a client that writes its
   * whole body before reading sees the answer rather than a reset. What is
   * left is read and thrown away, up to another max_request_body_size; past
   * that (or when more than that was announced) the connection is closed.
   */
  private afterBody(req: http.IncomingMessage, res: http.ServerResponse, answer: () => void): void {
    if (req.complete || req.readableEnded) return answer();
    const budget = this.limits.maxWire;
    if (this.noContinue.has(req) || declaredLength(req) > 2 * budget) {
      res.setHeader('Connection', 'close');
      answer();
      res.on('finish', () => req.destroy());
      return;
    }
    let drained = 0;
    let answered = false;
    const finish = () => {
      if (answered) return;
      answered = true;
      answer();
    };
    req.on('data', (c: Buffer) => {
      drained += c.length;
      if (drained > budget && !answered) {
        res.setHeader('Connection', 'close');
        finish();
        res.on('finish', () => req.destroy());
      }
    });
    req.on('end', finish);
    req.on('error', () => req.destroy());
    req.resume();
  }
}

/** The one answer to missing or wrong credentials: it never says which. */
const UNAUTHENTICATED: Refusal = {
  code: Code.UNAUTHENTICATED,
  reason: ErrorCode.UNAUTHENTICATED,
  message: `${ErrorCode.UNAUTHENTICATED}: missing or invalid credentials`,
};

function headerOf(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Client metadata handed downstream never carries credentials. */
function withoutSecrets(h: Record<string, string[]>): Record<string, string[]> {
  if (!('authorization' in h)) return h;
  const { authorization: _, ...rest } = h;
  return rest;
}

function internal(e: unknown): Refusal {
  return { code: Code.INTERNAL, reason: 'TG_INTERNAL', message: `TG_INTERNAL: ${e instanceof Error ? e.message : String(e)}` };
}

function encodingOf(contentType: string | undefined): Encoding | undefined {
  if (!contentType) return undefined;
  const semi = contentType.indexOf(';');
  const media = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return media === PROTOBUF ? 'proto' : media === JSON_TYPE ? 'json' : undefined;
}

function declaredLength(req: http.IncomingMessage): number {
  const v = req.headers['content-length'];
  return v === undefined ? -1 : Number(v);
}
