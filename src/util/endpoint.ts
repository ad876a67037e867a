import type { Server } from 'node:net';
import { ErrorCode } from '../errors/codes.js';

export interface HostPort {
  host: string;
  port: number;
}

/** Parses `host:port`, `:port` and `[v6]:port`. An empty host listens on every interface, as the collector does. */
export function parseEndpoint(endpoint: string): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(endpoint.trim());
  if (!m) throw new Error(`invalid endpoint "${endpoint}": expected host:port`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`invalid endpoint "${endpoint}": port out of range`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export class ListenError extends Error {
  readonly code = ErrorCode.PORT_IN_USE;
  constructor(message: string) {
    super(message);
    this.name = 'ListenError';
  }
}

/** Starts listening; a busy port becomes one clear error naming the component. */
export function listen(server: Server, endpoint: string, owner: string): Promise<HostPort> {
  const { host, port } = parseEndpoint(endpoint);
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') reject(new ListenError(`${owner}: cannot listen on ${endpoint}: address already in use`));
      else reject(new ListenError(`${owner}: cannot listen on ${endpoint}: ${err.message}`));
    };
    const onListening = () => {
      server.off('error', onError);
      const addr = server.address();
      resolve({ host, port: typeof addr === 'object' && addr ? addr.port : port });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Closes a server, ending idle keep-alive connections so shutdown is not held up by them. */
export function closeServer(server: Server & { closeIdleConnections?: () => void; closeAllConnections?: () => void }, graceMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const timer = setTimeout(() => server.closeAllConnections?.(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections?.();
  });
}
