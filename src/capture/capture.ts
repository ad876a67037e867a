// The capture hook receivers call: one Capture per receiver, built from its
// `capture` option. Recording never fails a request and never makes it wait:
// records are queued for a background writer; what cannot be captured is
// counted (tollgate_capture_dropped_requests) and logged, and the request
// goes on through the pipeline as usual.
import type { IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import type { Counter } from 'prom-client';
import type { CreateSettings } from '../component/factory.js';
import { ErrorCode } from '../errors/codes.js';
import { DEFAULT_CAPTURE_HEADERS, DEFAULT_CAPTURE_MAX_BYTES, SECRET_HEADERS, type CaptureConfig } from './config.js';
import { encodeRecord, nowNs, type CaptureProtocol, type CaptureSignal } from './format.js';
import { CaptureRedactor } from './redact.js';
import { CaptureWriter } from './writer.js';

type HeaderValue = string | readonly string[] | Buffer | number | undefined;

export interface CaptureInput {
  protocol: CaptureProtocol;
  signal?: CaptureSignal;
  /** URL path, gRPC method or Kafka topic. */
  path: string;
  contentType?: string;
  contentEncoding?: string;
  tenant?: string;
  /** Headers or metadata as received; only allow-listed, non-secret ones are kept. */
  headers?: Readonly<Record<string, HeaderValue>>;
  /** Wire bytes. Copied before record() returns: the caller may reuse the buffer. */
  body: Uint8Array;
  /** Default: now. */
  arrivalNs?: bigint;
}

/** gRPC metadata as grpc-js exposes it (kept structural so capture does not load grpc-js). */
export interface MetadataLike {
  getMap(): Record<string, string | Buffer>;
}

/** Largest body tap() buffers by default. */
const DEFAULT_TAP_LIMIT = 64 * 1024 * 1024;
const WARN_EVERY_MS = 60_000;

export class Capture {
  private readonly writer: CaptureWriter;
  private readonly allowed: ReadonlySet<string>;
  private readonly captured: Counter<string>;
  private readonly bytes: Counter<string>;
  private readonly dropped: Counter<string>;
  private readonly lastWarn = new Map<string, number>();
  private readonly redactor: CaptureRedactor | undefined;

  constructor(
    private readonly set: CreateSettings,
    cfg: CaptureConfig,
  ) {
    const secret = new Set([...SECRET_HEADERS, ...(cfg.secret_headers ?? []).map((h) => h.toLowerCase())]);
    const wanted = [...DEFAULT_CAPTURE_HEADERS, ...(cfg.headers ?? []).map((h) => h.toLowerCase())];
    const refused = wanted.filter((h) => secret.has(h));
    if (refused.length > 0) set.logger.warn({ headers: refused }, 'capture.headers names secret headers; they are never captured');
    this.allowed = new Set(wanted.filter((h) => !secret.has(h)));
    this.redactor = cfg.redaction ? new CaptureRedactor(cfg.redaction) : undefined;
    this.writer = new CaptureWriter({
      path: cfg.path,
      maxBytes: cfg.max_bytes ?? DEFAULT_CAPTURE_MAX_BYTES,
      keep: cfg.rotate ?? 0,
      meta: { receiver: set.id, host: hostname(), pid: process.pid },
      // records 0: a sync or close failed; nothing is lost yet, but it is logged.
      onError: (err, records) => this.drop(ErrorCode.CAPTURE_WRITE, records, 'capture file write failed', err),
    });
    const t = set.telemetry;
    this.captured = t.counter('tollgate_capture_requests', 'Requests written to capture files, by receiver.', ['receiver']);
    this.bytes = t.counter('tollgate_capture_bytes', 'Bytes written to capture files (records with their headers), by receiver.', ['receiver']);
    this.dropped = t.counter('tollgate_capture_dropped_requests', 'Requests that could not be captured (they were still processed), by receiver and reason.', [
      'receiver',
      'reason',
    ]);
  }

  /** Files written so far (oldest first). */
  get files(): readonly string[] {
    return this.writer.files;
  }

  /** Records one request. Never throws. */
  record(input: CaptureInput): void {
    if (this.redactor) {
      try {
        input = this.redactor.apply(input);
      } catch (e) {
        this.drop(ErrorCode.DECODE, 1, `request not captured: it could not be redacted: ${(e as Error).message}`);
        return;
      }
    }
    let rec: Buffer;
    try {
      rec = encodeRecord({
        arrivalNs: input.arrivalNs ?? nowNs(),
        protocol: input.protocol,
        ...(input.signal ? { signal: input.signal } : {}),
        path: input.path,
        contentType: input.contentType ?? '',
        contentEncoding: input.contentEncoding ?? '',
        tenant: input.tenant ?? '',
        headers: this.filter(input.headers),
        body: Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body.buffer, input.body.byteOffset, input.body.byteLength),
      });
    } catch (e) {
      this.drop(ErrorCode.CAPTURE_TOO_LARGE, 1, `request not captured: ${(e as Error).message}`);
      return;
    }
    if (!this.writer.append(rec)) {
      this.drop(ErrorCode.CAPTURE_BACKLOG, 1, 'request not captured: capture files are not being written fast enough (backlog full) or capture is closed');
      return;
    }
    this.captured.inc({ receiver: this.set.id });
    this.bytes.inc({ receiver: this.set.id }, rec.length);
  }

  /** An HTTP request whose whole body (wire bytes) the receiver has read. */
  http(req: IncomingMessage, protocol: CaptureProtocol, body: Uint8Array, opts: { signal?: CaptureSignal; tenant?: string; arrivalNs?: bigint } = {}): void {
    this.record({
      protocol,
      ...opts,
      path: pathOf(req.url),
      contentType: str(req.headers['content-type']),
      contentEncoding: str(req.headers['content-encoding']),
      headers: req.headers,
      body,
    });
  }

  /**
   * Records an HTTP request's body as it streams in, beside the receiver's
   * own reading (which may decompress it). Call before the receiver starts
   * reading. A request that does not arrive whole is not recorded; one past
   * `limit` bytes is counted as not captured.
   */
  tap(req: IncomingMessage, protocol: CaptureProtocol, opts: { signal?: CaptureSignal; tenant?: string; limit?: number } = {}): void {
    const arrivalNs = nowNs();
    const limit = opts.limit ?? DEFAULT_TAP_LIMIT;
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const onData = (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    };
    const onEnd = () => {
      cleanup();
      if (over) return this.drop(ErrorCode.CAPTURE_TOO_LARGE, 1, `request not captured: body over ${limit} bytes`);
      const { limit: _l, ...rest } = opts;
      this.http(req, protocol, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size), { ...rest, arrivalNs });
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', cleanup);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', cleanup);
  }

  /** A gRPC message (as the server hands it: gRPC message compression already undone). */
  grpc(method: string, signal: CaptureSignal | undefined, message: Uint8Array, metadata?: MetadataLike, tenant?: string): void {
    this.record({
      protocol: 'otlp_grpc',
      ...(signal ? { signal } : {}),
      path: method,
      contentType: 'application/grpc+proto',
      contentEncoding: '',
      ...(tenant ? { tenant } : {}),
      ...(metadata ? { headers: metadata.getMap() } : {}),
      body: message,
    });
  }

  /** Resolves once every record so far is with the OS. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Writes what is queued and closes the file; later records are counted as not captured. */
  close(): Promise<void> {
    return this.writer.close();
  }

  private filter(h: Readonly<Record<string, HeaderValue>> | undefined): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    if (!h) return out;
    for (const k of Object.keys(h)) {
      const name = k.toLowerCase();
      if (!this.allowed.has(name)) continue;
      const v = h[k];
      if (v === undefined) continue;
      const vals = Array.isArray(v) ? v.map(String) : [Buffer.isBuffer(v) ? v.toString('base64') : String(v)];
      (out[name] ??= []).push(...vals);
    }
    return out;
  }

  private drop(reason: string, n: number, message: string, err?: unknown): void {
    if (n > 0) this.dropped.inc({ receiver: this.set.id, reason }, n);
    const now = Date.now();
    if (now - (this.lastWarn.get(reason) ?? 0) < WARN_EVERY_MS) return;
    this.lastWarn.set(reason, now);
    this.set.logger.warn(err === undefined ? { reason, requests: n } : { reason, requests: n, err }, message);
  }
}

/** The receiver's Capture, or undefined when its config has no `capture` section. */
export function createCapture(set: CreateSettings, cfg: CaptureConfig | null | undefined): Capture | undefined {
  return cfg ? new Capture(set, cfg) : undefined;
}

function str(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
}

function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q < 0 ? u : u.slice(0, q);
}
