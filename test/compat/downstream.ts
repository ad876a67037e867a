// The next hop of the error scenarios: an OTLP/HTTP or OTLP/gRPC endpoint that
// answers every Export with the status the scenario names (a backend refusing
// or failing is the scenario itself, so it is scripted here), and counts the
// requests it got.
import * as grpc from '@grpc/grpc-js';
import { createServer, type Server } from 'node:http';
import { RpcStatus } from '../../src/pdata/proto.js';
import { GRPC_PATHS } from '../receivers/otlp/rawclient.js';

export interface Downstream {
  readonly port: number;
  requests(): number;
  close(): Promise<void>;
}

/** HTTP: every POST is answered `status` with a google.rpc.Status body (and `headers`); 0: never answered. */
export async function httpDownstream(status: number, headers: Record<string, string> = {}): Promise<Downstream> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      if (status === 0) return;
      if (status === 200) {
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        return;
      }
      const body = RpcStatus.encode({ code: 3, message: `scripted HTTP ${status}` }).finish();
      res.writeHead(status, { 'content-type': 'application/x-protobuf', ...headers }).end(Buffer.from(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    requests: () => n,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** gRPC: every Export ends with `code` (and a RetryInfo delay when given). */
export async function grpcDownstream(code: grpc.status, retryDelayMs?: number): Promise<Downstream> {
  let n = 0;
  const server = new grpc.Server();
  const handler: grpc.handleUnaryCall<Buffer, Buffer> = (_call, cb) => {
    n++;
    if (code === grpc.status.OK) return cb(null, Buffer.alloc(0));
    const metadata = new grpc.Metadata();
    if (retryDelayMs !== undefined) {
      const seconds = Math.floor(retryDelayMs / 1000);
      const retryInfo = Buffer.from([0x0a, 0x02, 0x08, seconds]); // RetryInfo{retry_delay: Duration{seconds}}
      const st = RpcStatus.encode({
        code,
        message: 'scripted',
        details: [{ type_url: 'type.googleapis.com/google.rpc.RetryInfo', value: retryInfo }],
      }).finish();
      metadata.set('grpc-status-details-bin', Buffer.from(st));
    }
    cb({ code, details: `scripted ${grpc.status[code]}`, metadata });
  };
  const id = (b: Buffer) => b;
  for (const path of Object.values(GRPC_PATHS)) {
    server.register(path, handler, id, id, 'unary');
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    port,
    requests: () => n,
    close: () => new Promise<void>((r) => server.tryShutdown(() => r())),
  };
}
