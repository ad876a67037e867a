// Limits of the OTLP/gRPC listener that grpc-js does not have: a connection
// must send the HTTP/2 preface and settings within read_header_timeout, a call must
// deliver its request message within read_timeout, and max_connections caps
// concurrent connections. grpc-js creates its HTTP/2 server inside
// bindAsync and sets no socket timeouts on it, so the server's factory method
// is wrapped to see each raw connection and each session.
import type * as http2 from 'node:http2';
import { constants as h2constants } from 'node:http2';
import type { Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { ErrorCode } from '../../errors/codes.js';
import type { CloseReason } from '../../util/httplistener.js';

export interface ConnectionLimits {
  readHeaderTimeoutMs: number;
  /** A stream whose client has not finished sending within this (+1 s) is reset; 0: never. */
  readTimeoutMs: number;
  maxConnections: number;
  onClosed: (reason: CloseReason) => void;
}

const keyOf = (s: { remoteAddress?: string | undefined; remotePort?: number | undefined }) => `${s.remoteAddress}|${s.remotePort}`;

/** Watches every connection of `server` (call before bindAsync). */
export function guardConnections(server: grpc.Server, o: ConnectionLimits): void {
  const inner = server as unknown as { createHttp2Server(creds: unknown): http2.Http2Server };
  const create = inner.createHttp2Server.bind(server);
  inner.createHttp2Server = (creds: unknown) => {
    const h2 = create(creds);
    const open = new Set<Socket>();
    /** Connections without an HTTP/2 session yet, by peer address. */
    const waiting = new Map<string, NodeJS.Timeout>();
    // Before the server's own listener, which creates the session (and emits 'session') synchronously.
    h2.prependListener('connection', (socket: Socket) => {
      if (o.maxConnections > 0 && open.size >= o.maxConnections) {
        o.onClosed('connection_limit');
        socket.destroy();
        return;
      }
      open.add(socket);
      const key = keyOf(socket);
      const timer = setTimeout(() => {
        waiting.delete(key);
        o.onClosed('header_timeout');
        socket.destroy();
      }, o.readHeaderTimeoutMs);
      timer.unref();
      waiting.set(key, timer);
      socket.once('close', () => {
        open.delete(socket);
        const t = waiting.get(key);
        if (t) clearTimeout(t);
        waiting.delete(key);
      });
    });
    // Node makes the session as soon as the connection opens; the client has
    // spoken HTTP/2 once its SETTINGS frame (after the preface) arrived.
    h2.on('session', (session: http2.ServerHttp2Session) => {
      const key = keyOf(session.socket);
      session.once('remoteSettings', () => {
        const t = waiting.get(key);
        if (t) clearTimeout(t);
        waiting.delete(key);
      });
    });
    // The read deadline at the stream level: after DEADLINE_EXCEEDED (readDeadline below)
    // a client that still has not ended its side would keep the stream, and so the
    // connection, open; it is reset a second later.
    if (o.readTimeoutMs > 0) {
      const { NGHTTP2_STREAM_STATE_OPEN, NGHTTP2_STREAM_STATE_HALF_CLOSED_LOCAL, NGHTTP2_CANCEL } = h2constants;
      h2.on('stream', (stream: http2.ServerHttp2Stream) => {
        const timer = setTimeout(() => {
          if (stream.closed || stream.destroyed) return;
          const st = stream.state.state;
          if (st === NGHTTP2_STREAM_STATE_OPEN || st === NGHTTP2_STREAM_STATE_HALF_CLOSED_LOCAL) stream.close(NGHTTP2_CANCEL);
        }, o.readTimeoutMs + 1000);
        timer.unref();
        stream.once('close', () => clearTimeout(timer));
      });
    }
    return h2;
  };
}

/**
 * A call that has not delivered its request message within `readTimeoutMs`
 * is ended with DEADLINE_EXCEEDED (TG_SLOW_CLIENT); its stream is closed.
 */
export function readDeadline(readTimeoutMs: number, onClosed: (reason: CloseReason) => void): grpc.ServerInterceptor {
  return (_method, call) => {
    let timer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
    };
    return new grpc.ServerInterceptingCall(call, {
      start: (next) => {
        if (readTimeoutMs > 0) {
          timer = setTimeout(() => {
            timer = undefined;
            onClosed('read_timeout');
            call.sendStatus({
              code: grpc.status.DEADLINE_EXCEEDED,
              details: `${ErrorCode.SLOW_CLIENT}: the request message did not arrive within ${readTimeoutMs} ms (protocols.grpc.read_timeout)`,
            });
          }, readTimeoutMs);
          timer.unref();
        }
        next({
          onReceiveMessage: (msg, nextMsg) => {
            stop();
            nextMsg(msg);
          },
          onCancel: stop,
        });
      },
      sendStatus: (status, next) => {
        stop();
        next(status);
      },
    });
  };
}
