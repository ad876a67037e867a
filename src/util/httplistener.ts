// Every HTTP listener of the gateway is made here, so none is left without
// timeouts: headers must arrive within read_header_timeout, a whole request
// within read_timeout, keep-alive connections close after idle_timeout, and
// max_connections (optional) caps concurrent connections. Node.js checks the
// header and request deadlines on a timer (every 30 s by default); it runs
// here at a quarter of the shortest deadline, so a slow client is closed
// close to its deadline. Closed slow clients and refused connections are
// reported to `onClosed` (counted by the receivers).
import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';

export type CloseReason = 'header_timeout' | 'read_timeout' | 'body_idle_timeout' | 'connection_limit';

export interface HttpListenerOptions {
  /** Headers must arrive within this (ms, > 0). */
  readHeaderTimeoutMs: number;
  /** The whole request (headers and body) must arrive within this (ms); 0: no limit. */
  readTimeoutMs: number;
  /** Keep-alive connections idle this long are closed (ms); 0: Node's default (5 s). */
  idleTimeoutMs: number;
  /** Concurrent connections; 0: unlimited. */
  maxConnections: number;
  tls?: https.ServerOptions;
  onClosed?: (reason: CloseReason) => void;
}

/** Safe limits for listeners without their own keys (health, self-metrics, pull exporter). */
export const INTERNAL_LISTENER: Omit<HttpListenerOptions, 'tls' | 'onClosed'> = {
  readHeaderTimeoutMs: 10_000,
  readTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  maxConnections: 0,
};

/** The answer being made on a socket whose request headers have arrived. */
const inRequest = new WeakMap<Duplex, http.ServerResponse>();

export function createHttpListener(o: HttpListenerOptions, handler: http.RequestListener): http.Server {
  const headersTimeout = o.readTimeoutMs > 0 ? Math.min(o.readHeaderTimeoutMs, o.readTimeoutMs) : o.readHeaderTimeoutMs;
  const shortest = Math.min(headersTimeout, o.readTimeoutMs > 0 ? o.readTimeoutMs : Infinity);
  const opts: http.ServerOptions = {
    headersTimeout,
    requestTimeout: o.readTimeoutMs,
    ...(o.idleTimeoutMs > 0 ? { keepAliveTimeout: o.idleTimeoutMs } : {}),
    connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(shortest / 4))),
  };
  const wrapped: http.RequestListener = (req, res) => {
    const sock = req.socket;
    inRequest.set(sock, res);
    const done = () => {
      if (inRequest.get(sock) === res) inRequest.delete(sock);
    };
    res.once('finish', done);
    res.once('close', done);
    handler(req, res);
  };
  const server: http.Server = o.tls ? https.createServer({ ...opts, ...o.tls }, wrapped) : http.createServer(opts, wrapped);
  if (o.maxConnections > 0) {
    server.maxConnections = o.maxConnections;
    server.on('drop', () => o.onClosed?.('connection_limit'));
  }
  // Node answers a missed header or request deadline with 408 and closes; with
  // a listener here it is ours to do, and to count.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      const res = inRequest.get(socket);
      o.onClosed?.(res ? 'read_timeout' : 'header_timeout');
      if (socket.writable && !res?.headersSent) socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    socket.destroy();
  });
  return server;
}
