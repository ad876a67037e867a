import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import { Duration, Endpoint, Section, StringMapOf, TlsServerSchema, parseDuration } from '../../config/types.js';
import { validateAgainst } from '../../config/validate.js';
import { CaptureSchema, type CaptureConfig } from '../../capture/index.js';
import { httpListenerProps } from '../common/listener.js';
import { AuthSchema } from '../../component/auth.js';

/** Default `max_request_body_size` (bytes on the wire), as the collector's confighttp. */
export const DEFAULT_MAX_REQUEST_BODY_SIZE = 20 * 1024 * 1024;
/** Default `max_decompressed_body_size` (bytes after Content-Encoding is undone). */
export const DEFAULT_MAX_DECOMPRESSED_BODY_SIZE = 64 * 1024 * 1024;

/** Content encodings the HTTP server can undo, by the collector's names. */
export const COMPRESSION_ALGORITHMS = ['', 'identity', 'gzip', 'x-gzip', 'deflate', 'zlib', 'zstd', 'br'] as const;

/**
 * A protocol section that may be written empty (`grpc:` in YAML is null) and
 * still means "enabled with defaults", as in the collector. Absent means off.
 */
function Protocol<T extends TProperties>(props: T, description: string): TObject<T> {
  return { ...Type.Object(props, { additionalProperties: false, description }), type: ['object', 'null'] } as unknown as TObject<T>;
}

const Cors = Type.Object(
  {
    allowed_origins: Type.Array(Type.String(), {
      default: [],
      description: 'Origins allowed to send cross-origin requests; `*` matches any characters ("https://*.example.com", "*"). Empty disables CORS.',
    }),
    allowed_headers: Type.Array(Type.String(), {
      default: [],
      description: 'Request headers allowed beyond Accept, Accept-Language, Content-Type, Content-Language (and X-Requested-With when empty). "*" allows any.',
    }),
    exposed_headers: Type.Array(Type.String(), { default: [], description: 'Value of Access-Control-Expose-Headers.' }),
    max_age: Type.Integer({ default: 0, minimum: 0, description: 'Seconds browsers may cache a preflight answer (Access-Control-Max-Age); 0 omits it.' }),
  },
  { additionalProperties: false, description: 'Cross-origin requests from browsers (CORS).' },
);

export const GrpcSchema = Protocol(
  {
    endpoint: Endpoint('localhost:4317', 'Listener of the gRPC server (`host:port`).'),
    tls: Type.Optional(TlsServerSchema),
    max_recv_msg_size_mib: Type.Number({
      default: 4,
      exclusiveMinimum: 0,
      description: 'Largest request message accepted, in MiB, after decompression; larger ones get RESOURCE_EXHAUSTED.',
    }),
    max_concurrent_streams: Type.Integer({ default: 0, minimum: 0, description: 'Concurrent streams per HTTP/2 connection; 0 is unlimited.' }),
    auth: Type.Optional(AuthSchema),
    read_header_timeout: Duration('1m', 'Tollgate key: a new connection must start its HTTP/2 session within this, or it is closed (counted as header_timeout).'),
    read_timeout: Duration(
      '2m',
      'Tollgate key: a call must deliver its request message within this after it starts, or it ends with DEADLINE_EXCEEDED (TG_SLOW_CLIENT, counted as read_timeout). 0: no limit.',
    ),
    max_connections: Type.Integer({
      default: 0,
      minimum: 0,
      description: 'Tollgate key: concurrent connections accepted; more are closed at once (counted as connection_limit). 0: unlimited.',
    }),
    include_metadata: Type.Boolean({
      default: false,
      description: 'Hand the client metadata to processors and exporters (RequestContext.metadata), for `batch` metadata_keys and `attributes` from_context.',
    }),
    keepalive: Type.Optional(
      Type.Object(
        {
          server_parameters: Type.Optional(
            Type.Object(
              {
                max_connection_idle: Type.Optional(Duration('5m', 'Close connections without a call in flight for this long (a GOAWAY; clients reconnect). Tollgate defaults to 5m where the collector never closes them; 0 never.')),
                max_connection_age: Type.Optional(Duration('0s', 'Close connections older than this; 0 never.')),
                max_connection_age_grace: Type.Optional(Duration('0s', 'Time given to in-flight calls when a connection reaches its maximum age.')),
                time: Type.Optional(Duration('2h', 'Ping an idle client after this long.')),
                timeout: Type.Optional(Duration('20s', 'Close the connection when a ping is not answered within this.')),
              },
              { additionalProperties: false },
            ),
          ),
          enforcement_policy: Type.Optional(
            Type.Object(
              { permit_without_stream: Type.Boolean({ default: false, description: 'Allow client keepalive pings without active calls.' }) },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  'OTLP/gRPC server. Absent: not started. Empty: started with defaults.',
);

export const HttpSchema = Protocol(
  {
    endpoint: Endpoint('localhost:4318', 'Listener of the HTTP server (`host:port`).'),
    tls: Type.Optional(TlsServerSchema),
    cors: Type.Optional(Cors),
    auth: Type.Optional(AuthSchema),
    include_metadata: Type.Boolean({
      default: false,
      description: 'Hand the request headers to processors and exporters (RequestContext.metadata), for `batch` metadata_keys and `attributes` from_context.',
    }),
    max_request_body_size: Type.Integer({
      default: DEFAULT_MAX_REQUEST_BODY_SIZE,
      minimum: 1,
      description: 'Largest request body accepted, in bytes as sent (compressed); larger ones get 413.',
    }),
    max_decompressed_body_size: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'Tollgate key: largest body accepted after Content-Encoding is undone, in bytes (default 67108864 = 64 MiB, or max_request_body_size when that is larger; may not be smaller than max_request_body_size). Inflating stops as soon as it is passed, so a compression bomb is refused with 413 without being expanded.',
      }),
    ),
    compression_algorithms: Type.Array(Type.Union(COMPRESSION_ALGORITHMS.map((a) => Type.Literal(a))), {
      default: ['', 'gzip', 'zstd', 'zlib', 'deflate'],
      description: 'Content-Encoding values accepted ("" is uncompressed; also x-gzip, br, identity). Others get 400. zstd works on every supported Node.js (node:zlib from 22.15, fzstd before).',
    }),
    response_headers: Type.Optional(StringMapOf('Headers added to every answer.')),
    ...httpListenerProps(),
    traces_url_path: Type.String({ default: '/v1/traces', description: 'Path of the traces endpoint; a missing leading / is added. The three paths must differ.' }),
    metrics_url_path: Type.String({ default: '/v1/metrics', description: 'Path of the metrics endpoint; a missing leading / is added.' }),
    logs_url_path: Type.String({ default: '/v1/logs', description: 'Path of the logs endpoint; a missing leading / is added.' }),
  },
  'OTLP/HTTP server (protobuf and JSON). Absent: not started. Empty: started with defaults.',
);

export const OtlpReceiverSchema = Type.Object(
  {
    protocols: Section(
      {
        grpc: Type.Optional(GrpcSchema),
        http: Type.Optional(HttpSchema),
      },
      'Protocols to serve; at least one.',
    ),
    capture: Type.Optional(CaptureSchema),
    limits: Section(
      {
        max_attributes: Type.Integer({
          default: 16384,
          minimum: 1,
          description: 'Attributes of one span, event, link, log record, data point, resource or scope, and values of one array or map value; more: 400 / INVALID_ARGUMENT (TG_SHAPE_LIMIT) naming where.',
        }),
        max_nesting: Type.Integer({
          default: 100,
          minimum: 1,
          maximum: 100,
          description: 'AnyValues nested in arrays and maps (100: the collector\'s protobuf recursion limit); deeper: 400 / INVALID_ARGUMENT (TG_SHAPE_LIMIT).',
        }),
      },
      'Tollgate key: bounds on pathological request shapes, checked while the request is scanned, before anything is decoded.',
    ),
  },
  { additionalProperties: false, description: 'OTLP over gRPC and HTTP (protobuf and JSON), with the collector\'s keys, defaults and status codes.' },
);

export type GrpcConfig = Static<typeof GrpcSchema>;
export type HttpConfig = Static<typeof HttpSchema>;
export type CorsConfig = Static<typeof Cors>;

/** The receiver's config as the factory gets it: a protocol is null when written empty. */
export interface OtlpReceiverConfig {
  protocols: { grpc?: GrpcConfig | null; http?: HttpConfig | null };
  capture?: CaptureConfig;
  limits?: { max_attributes: number; max_nesting: number };
}

/** Cross-field checks the schema cannot express. */
export function validateOtlpConfig(c: OtlpReceiverConfig): string[] {
  const problems: string[] = [];
  const p = c.protocols ?? {};
  if (!('grpc' in p) && !('http' in p)) {
    problems.push('protocols: must specify at least one protocol (grpc, http) when using the OTLP receiver');
  }
  const http = p.http;
  if (http) {
    const paths = new Map<string, string>();
    for (const key of ['traces_url_path', 'metrics_url_path', 'logs_url_path'] as const) {
      const v = http[key];
      if (v === undefined) continue;
      const norm = normalizePath(v);
      if (norm === undefined) problems.push(`protocols.http.${key}: invalid URL path "${v}"`);
      else if (paths.has(norm)) problems.push(`protocols.http.${key}: "${v}" is also used by ${paths.get(norm)}`);
      else paths.set(norm, key);
    }
    if (http.max_decompressed_body_size !== undefined && http.max_request_body_size !== undefined && http.max_decompressed_body_size < http.max_request_body_size) {
      problems.push('protocols.http.max_decompressed_body_size: must not be smaller than max_request_body_size');
    }
  }
  return problems;
}

/** A URL path as the server matches it: leading slash added, query dropped (as the collector). */
export function normalizePath(p: string): string | undefined {
  try {
    const u = new URL(p, 'http://x/');
    return u.pathname;
  } catch {
    return undefined;
  }
}

/** The gRPC section with defaults filled (an empty section arrives as null). */
export function resolveGrpc(c: GrpcConfig | null | undefined): GrpcConfig | undefined {
  if (c === undefined) return undefined;
  const v = (c ?? {}) as GrpcConfig;
  validateAgainst(GrpcSchema, v, '');
  return v;
}

/** The HTTP section with defaults filled (an empty section arrives as null). */
export function resolveHttp(c: HttpConfig | null | undefined): (HttpConfig & { max_decompressed_body_size: number }) | undefined {
  if (c === undefined) return undefined;
  const v = { ...(c ?? {}) } as HttpConfig;
  validateAgainst(HttpSchema, v, '');
  // Unset, it never undercuts the wire limit: a larger max_request_body_size alone must keep working.
  v.max_decompressed_body_size ??= Math.max(DEFAULT_MAX_DECOMPRESSED_BODY_SIZE, v.max_request_body_size);
  return v as HttpConfig & { max_decompressed_body_size: number };
}

export function durationMs(v: string | number | undefined): number {
  return v === undefined ? 0 : parseDuration(v);
}
