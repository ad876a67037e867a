// The timeouts and connection cap of a receiver's HTTP listener, as config
// keys (the collector's confighttp names where it has them) and as the
// options of createHttpListener.
import { Type } from '@sinclair/typebox';
import { Duration, parseDuration } from '../../config/types.js';
import type { HttpListenerOptions } from '../../util/httplistener.js';

/** Listener keys for a receiver's schema; `idle` is the keep-alive default. */
export function httpListenerProps(idle = '1m') {
  return {
    read_header_timeout: Duration(
      '1m',
      'Time allowed to receive request headers; a client that takes longer is closed (counted as header_timeout). 0: read_timeout, or 1m.',
    ),
    read_timeout: Duration(
      '2m',
      "Time allowed to receive a whole request, headers and body; a client that takes longer gets 408 and is closed (read_timeout). 0: no limit (the collector's default; Tollgate's is 2m so a trickling client cannot hold a connection forever).",
    ),
    body_idle_timeout: Duration(
      '30s',
      'Tollgate key: longest pause between two chunks of a request body; a client that pauses longer gets 408 and is closed (body_idle_timeout). 0: no limit.',
    ),
    idle_timeout: Duration(idle, 'Keep-alive connections idle this long are closed.'),
    max_connections: Type.Integer({
      default: 0,
      minimum: 0,
      description: 'Tollgate key: concurrent connections this listener accepts; more are closed at once (counted as connection_limit). 0: unlimited.',
    }),
  };
}

export interface HttpListenerConfig {
  read_header_timeout: string | number;
  read_timeout: string | number;
  body_idle_timeout: string | number;
  idle_timeout: string | number;
  max_connections: number;
}

export function listenerOptions(c: HttpListenerConfig): Omit<HttpListenerOptions, 'tls' | 'onClosed'> {
  const read = parseDuration(c.read_timeout);
  return {
    readHeaderTimeoutMs: parseDuration(c.read_header_timeout) || read || 60_000,
    readTimeoutMs: read,
    idleTimeoutMs: parseDuration(c.idle_timeout),
    maxConnections: c.max_connections,
  };
}
