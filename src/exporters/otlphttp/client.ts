import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { deflate as deflateCb, gzip as gzipCb } from 'node:zlib';
import { createGunzip, createInflate } from 'node:zlib';
import { snappyEncode } from '../../prw/snappy.js';
import { zstdCompress } from '../../util/zstd.js';
import type { Signal, SignalData } from '../../component/signal.js';
import { ErrorCode } from '../../errors/codes.js';
import { retryableError } from '../../errors/consumererror.js';
import type { SendOutcome } from '../../exporterhelper/send.js';
import { otlpBytes, readOtlp } from '../../pdata/batch.js';
import { encodeJSON, responseFromJSON, rpcStatusFromJSON } from '../../pdata/otlpjson.js';
import { ExportLogsServiceResponse, ExportMetricsServiceResponse, ExportTraceServiceResponse } from '../../pdata/proto.js';
import { decodeRpcStatus, partialOutcome } from '../otlp/response.js';
import type { TlsMaterial } from '../otlp/tls.js';
import { httpError } from './httpstatus.js';

const gzip = promisify(gzipCb);
const zlibDeflate = promisify(deflateCb);

/** A request body encoding: the Content-Encoding sent and how the body is made. */
export interface BodyCompression {
  readonly encoding: string | undefined;
  compress(raw: Uint8Array): Promise<Uint8Array>;
}

/**
 * The compressor of a `compression` value, as the collector's confighttp
 * client: gzip, zstd, zlib and deflate (both the zlib
 * format, as the collector writes them), snappy (block format);
 * x-snappy-framed and lz4 are sent as gzip; none or "" uncompressed.
 */
export function bodyCompression(name: string, level?: number): BodyCompression {
  const lvl = level === undefined ? {} : { level };
  switch (name) {
    case 'gzip':
    case 'x-snappy-framed':
    case 'lz4':
      return { encoding: 'gzip', compress: (b) => gzip(b, lvl) };
    case 'zstd':
      return { encoding: 'zstd', compress: async (b) => zstdCompress(b, level ?? 3) };
    case 'zlib':
      return { encoding: 'zlib', compress: (b) => zlibDeflate(b, lvl) };
    case 'deflate':
      return { encoding: 'deflate', compress: (b) => zlibDeflate(b, lvl) };
    case 'snappy':
      return { encoding: 'snappy', compress: async (b) => snappyEncode(b) };
    default:
      return { encoding: undefined, compress: async (b) => b };
  }
}

const RESPONSE: Record<Signal, { decode(b: Uint8Array): unknown }> = {
  traces: ExportTraceServiceResponse,
  metrics: ExportMetricsServiceResponse,
  logs: ExportLogsServiceResponse,
};
/** Error bodies are read for their message only; more than this is cut. */
const MAX_RESPONSE = 4 * 1024 * 1024;

export interface PostOptions {
  url: URL;
  signal: Signal;
  json: boolean;
  contentEncoding: string | undefined;
  headers: Record<string, string>;
  /** Credentials from an authenticator extension, asked for every request. */
  authHeaders?: () => Record<string, string>;
  agent: HttpAgent;
}

export function makeAgent(url: URL, tls: TlsMaterial | undefined, pool: { keepAlive: boolean; maxSockets?: number; maxFreeSockets?: number } = { keepAlive: true }): HttpAgent {
  return url.protocol === 'https:' ? new HttpsAgent({ ...pool, ...(tls ?? {}) }) : new HttpAgent(pool);
}

/**
 * Encodes one request body: OTLP protobuf (an encoded batch's bytes as they
 * arrived) or JSON, compressed as configured.
 */
export async function encodeBody<S extends Signal>(signal: S, data: SignalData[S], json: boolean, c: BodyCompression): Promise<Uint8Array> {
  const raw = json ? Buffer.from(encodeJSON(signal, readOtlp(signal, data))) : otlpBytes(signal, data);
  return c.compress(raw);
}

/**
 * POSTs one OTLP/HTTP request and interprets the answer: 2xx → partial
 * success (if any) from the body; otherwise a ConsumerError by the OTLP/HTTP
 * rules. Network failures (refused, reset, DNS) are retryable.
 */
export function post(o: PostOptions, body: Uint8Array, abort: AbortSignal): Promise<SendOutcome> {
  const contentType = o.json ? 'application/json' : 'application/x-protobuf';
  const request = o.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      o.url,
      {
        method: 'POST',
        agent: o.agent,
        signal: abort,
        headers: {
          ...o.headers,
          ...o.authHeaders?.(),
          'content-type': contentType,
          'content-length': body.length,
          ...(o.contentEncoding ? { 'content-encoding': o.contentEncoding } : {}),
        },
      },
      (res) => {
        readBody(res)
          .then((buf) => {
            const status = res.statusCode ?? 0;
            const json = (res.headers['content-type'] ?? '').includes('json');
            if (status >= 200 && status < 300) return resolve(successOutcome(o.signal, buf, json));
            const retryAfter = res.headers['retry-after'];
            reject(httpError(status, o.url.href, errorDetail(buf, json), Array.isArray(retryAfter) ? retryAfter[0] : retryAfter));
          })
          .catch((e: Error) => reject(retryableError(ErrorCode.EXPORT_RETRYABLE, `reading the response of ${o.url.href} failed: ${e.message}`, { cause: e })));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (abort.aborted) return reject(abort.reason);
      reject(retryableError(ErrorCode.EXPORT_RETRYABLE, `POST ${o.url.href} failed: ${e.code ?? e.message}`, { cause: e }));
    });
    req.end(body);
  });
}

function readBody(res: IncomingMessage): Promise<Buffer> {
  const enc = (res.headers['content-encoding'] ?? '').toLowerCase();
  const stream = enc === 'gzip' ? res.pipe(createGunzip()) : enc === 'deflate' ? res.pipe(createInflate()) : res;
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    stream.on('data', (c: Buffer) => {
      if (n < MAX_RESPONSE) parts.push(c);
      n += c.length;
    });
    stream.on('end', () => resolve(Buffer.concat(parts)));
    stream.on('error', reject);
    res.on('error', reject);
  });
}

function successOutcome(signal: Signal, buf: Buffer, json: boolean): SendOutcome {
  if (buf.length === 0) return;
  try {
    const resp = json ? responseFromJSON(signal, JSON.parse(buf.toString('utf8'))) : RESPONSE[signal].decode(buf);
    return partialOutcome(signal, resp);
  } catch {
    return; // an unreadable success body still means the data was accepted
  }
}

/** The google.rpc.Status message of an error body, or a short text excerpt. */
function errorDetail(buf: Buffer, json: boolean): string | undefined {
  if (buf.length === 0) return undefined;
  try {
    const st = json ? rpcStatusFromJSON(JSON.parse(buf.toString('utf8'))) : decodeRpcStatus(buf);
    if (st?.message) return st.message;
  } catch {
    // not a Status: fall through to the raw text
  }
  const text = buf.subarray(0, 256).toString('utf8').replace(/[^\x20-\x7e]+/g, ' ').trim();
  return text || undefined;
}
