// OTLP/gRPC server: {Trace,Metrics,Logs}Service/Export on @grpc/grpc-js, with
// the generated static codecs (no proto-loader, no reflection).
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { RequestContext } from '../../component/context.js';
import type { Signal } from '../../component/signal.js';
import { ErrorCode } from '../../errors/codes.js';
import type { ServerAuthenticator } from '../../component/auth.js';
import { DECODED_FACTOR, isRefusal, type AdmissionRefusal } from '../../memory/admission.js';
import { ListenError, parseEndpoint } from '../../util/endpoint.js';
import { admissionRefused } from '../common/body.js';
import { durationMs, type GrpcConfig } from './config.js';
import { guardConnections, readDeadline } from './grpcguard.js';
import type { ExportCore } from './export.js';
import type { Capture } from '../../capture/index.js';
import { EMPTY_PROTO_RESPONSE, SIGNAL_SPECS, decodeReason, type SignalSpec } from './signals.js';
import type { ShapeLimits } from '../../pdata/wire/scan.js';
import { Code, detailsOf, encodeStatusProto, type Refusal } from './status.js';

const MIB = 1024 * 1024;
/** keepalive.server_parameters.max_connection_idle when not configured. */
const DEFAULT_MAX_CONNECTION_IDLE = '5m';
const identity = (b: Buffer): Buffer => b;
const toBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
/**
 * Trailers of the refusals the handler makes. grpc-js hands the error's
 * metadata object on to sendStatus unchanged, so the transport hook can tell
 * its own refusals (already counted and logged) from grpc-js's.
 */
const OWN_TRAILERS = new WeakSet<grpc.Metadata>();
/** Tenants the authenticator found, by the call's metadata object. */
const TENANTS = new WeakMap<grpc.Metadata, string>();
const UNAUTHENTICATED: Refusal = { code: Code.UNAUTHENTICATED, reason: ErrorCode.UNAUTHENTICATED, message: `${ErrorCode.UNAUTHENTICATED}: missing or invalid credentials` };
/** Whether a call passed the authentication interceptor (set for every call it let through). */
const PASSED = new WeakSet<grpc.Metadata>();
const AUTHENTICATED = (md: grpc.Metadata, _tenant: string | undefined) => PASSED.has(md);
const CODE_NAMES = Object.fromEntries(Object.entries(grpc.status).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v, k])) as Record<number, string>;

export class OtlpGrpcServer {
  private server: grpc.Server | undefined;
  private readonly baseCtx: RequestContext;
  private readonly maxRecv: number;
  port = 0;

  constructor(
    private readonly cfg: GrpcConfig,
    private readonly core: ExportCore,
    private readonly owner: string,
    private readonly capture?: Capture,
    private readonly auth?: ServerAuthenticator,
    private readonly shapeLimits?: ShapeLimits,
  ) {
    this.baseCtx = Object.freeze({ receiver: core.id });
    this.maxRecv = Math.floor(cfg.max_recv_msg_size_mib * MIB);
  }

  async start(): Promise<void> {
    const ka = this.cfg.keepalive;
    const sp = ka?.server_parameters;
    const onClosed = (reason: string) => this.core.closedConnection('grpc', reason);
    const options: grpc.ServerOptions = {
      'grpc.max_receive_message_length': this.maxRecv,
      interceptors: [this.transportRefusals(), readDeadline(durationMs(this.cfg.read_timeout), onClosed), this.door(), ...(this.auth ? [this.authenticate(this.auth)] : [])],
      ...(ka?.enforcement_policy?.permit_without_stream ? { 'grpc.keepalive_permit_without_calls': 1 } : {}),
    };
    if (this.cfg.max_concurrent_streams > 0) options['grpc.max_concurrent_streams'] = this.cfg.max_concurrent_streams;
    // 0 means "never" in the collector's keys; grpc-js would take it as "at once", so it is left unset.
    const set = (key: keyof grpc.ServerOptions, v: string | number | undefined) => {
      const ms = durationMs(v);
      if (ms > 0) (options as Record<string, unknown>)[key] = ms;
    };
    // Idle connections (no call in flight) are closed after 5 minutes unless configured.
    set('grpc.max_connection_idle_ms', sp?.max_connection_idle ?? DEFAULT_MAX_CONNECTION_IDLE);
    set('grpc.max_connection_age_ms', sp?.max_connection_age);
    set('grpc.max_connection_age_grace_ms', sp?.max_connection_age_grace);
    set('grpc.keepalive_time_ms', sp?.time);
    set('grpc.keepalive_timeout_ms', sp?.timeout);
    const server = new grpc.Server(options);
    guardConnections(server, {
      readHeaderTimeoutMs: durationMs(this.cfg.read_header_timeout) || 60_000,
      readTimeoutMs: durationMs(this.cfg.read_timeout),
      maxConnections: this.cfg.max_connections,
      onClosed,
    });
    // Signals without a pipeline answer UNIMPLEMENTED, as in the collector
    // (where their service is not registered), but saying why.
    for (const signal of ['traces', 'metrics', 'logs'] as Signal[]) this.addService(server, SIGNAL_SPECS[signal]);
    const { host, port } = parseEndpoint(this.cfg.endpoint);
    const target = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const where = `receivers.${this.owner}: protocols.grpc`;
    this.port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(target, this.credentials(), (err, bound) => {
        if (!err) return resolve(bound);
        const inUse = /EADDRINUSE|address already in use/i.test(err.message);
        reject(new ListenError(`${where}: cannot listen on ${this.cfg.endpoint}: ${inUse ? 'address already in use' : err.message}`));
      });
    }).catch((e) => {
      server.forceShutdown();
      throw e;
    });
    this.server = server;
  }

  /** Waits up to `graceMs` for calls in flight, then cuts the rest. */
  async shutdown(graceMs: number): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        s.forceShutdown();
        resolve();
      }, graceMs);
      timer.unref();
      s.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private credentials(): grpc.ServerCredentials {
    const tls = this.cfg.tls;
    if (!tls) return grpc.ServerCredentials.createInsecure();
    const clientCa = tls.client_ca_file ? readFileSync(tls.client_ca_file) : null;
    return grpc.ServerCredentials.createSsl(clientCa, [{ private_key: readFileSync(tls.key_file), cert_chain: readFileSync(tls.cert_file) }], clientCa !== null);
  }

  private addService(server: grpc.Server, spec: SignalSpec): void {
    const method: grpc.MethodDefinition<Buffer, Uint8Array> = {
      path: spec.grpcPath,
      requestStream: false,
      responseStream: false,
      // Bytes in and out: decoding happens in the handler, so a malformed
      // message is INVALID_ARGUMENT with a precise message (grpc-js would say INTERNAL).
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: toBuffer,
      responseDeserialize: identity,
    };
    server.addService({ Export: method }, { Export: this.handler(spec) });
  }

  private handler(spec: SignalSpec): grpc.handleUnaryCall<Buffer, Uint8Array> {
    const signal = spec.signal;
    if (!this.core.has(signal)) {
      const r: Refusal = {
        code: Code.UNIMPLEMENTED,
        reason: ErrorCode.NOT_FOUND,
        message: `${ErrorCode.NOT_FOUND}: receiver ${this.core.id} is in no ${signal} pipeline`,
      };
      return (_call, callback) => {
        this.core.refusedInput('grpc', signal, r, CODE_NAMES[r.code]!);
        callback(errorOf(r));
      };
    }
    return (call, cb) => {
      // The message (decompressed by grpc-js, at most max_recv_msg_size_mib) takes its bytes from the admission budget until answered.
      const admitted = this.core.admission.open();
      const refuse = (a: AdmissionRefusal) => {
        const r = admissionRefused(a).refusal;
        this.core.refusedInput('grpc', signal, r, CODE_NAMES[r.code] ?? String(r.code));
        cb(errorOf(r));
      };
      if (isRefusal(admitted)) return refuse(admitted);
      // The message and what decoding it allocates (DECODED_FACTOR) are reserved before decoding.
      const over = admitted.add(call.request.length * DECODED_FACTOR.otlp_proto);
      if (over) {
        admitted.release();
        return refuse(over);
      }
      const callback: grpc.sendUnaryData<Uint8Array> = (err, value) => {
        admitted.release();
        cb(err, value);
      };
      this.capture?.grpc(spec.grpcPath, signal, call.request, call.metadata);
      let data;
      try {
        data = spec.decodeProto(call.request, this.shapeLimits);
      } catch (e) {
        const reason = decodeReason(e);
        const r: Refusal = { code: Code.INVALID_ARGUMENT, reason, message: `${reason}: ${(e as Error).message}` };
        this.core.refusedInput('grpc', signal, r, 'INVALID_ARGUMENT');
        return callback(errorOf(r));
      }
      const tenant = TENANTS.get(call.metadata);
      if (this.auth && !AUTHENTICATED(call.metadata, tenant)) {
        // Not through the authentication interceptor: never let such a call in.
        this.core.authFailed('grpc', signal, 'UNAUTHENTICATED');
        return callback(errorOf(UNAUTHENTICATED));
      }
      const base: RequestContext = tenant === undefined ? this.baseCtx : { receiver: this.core.id, tenant };
      const ctx: RequestContext = this.cfg.include_metadata ? { ...base, metadata: metadataOf(call.metadata) } : base;
      this.core.export(signal, 'grpc', data, ctx).then(
        (r) => {
          if (r.ok) return callback(null, r.rejected === 0 ? EMPTY_PROTO_RESPONSE : spec.responseProto(r.rejected, r.message));
          this.core.failed('grpc', CODE_NAMES[r.refusal.code] ?? String(r.refusal.code));
          callback(errorOf(r.refusal));
        },
        (e: unknown) => {
          // A bug, not a client's fault: answer rather than leave the call hanging.
          const r: Refusal = { code: Code.INTERNAL, reason: 'TG_INTERNAL', message: `TG_INTERNAL: ${e instanceof Error ? e.message : String(e)}` };
          this.core.refusedInput('grpc', signal, r, 'INTERNAL');
          callback(errorOf(r));
        },
      );
    };
  }

  /**
   * Credentials are checked when the call's metadata arrives, before its
   * message is read; a failure is UNAUTHENTICATED and says nothing about why.
   * The tenant the credentials name travels to the handler with the metadata.
   */
  private authenticate(auth: ServerAuthenticator): grpc.ServerInterceptor {
    return (method, call) =>
      new grpc.ServerInterceptingCall(call, {
        start: (next) =>
          next({
            onReceiveMetadata: (md, nextMd) => {
              const first = (name: string) => {
                const v = md.get(name)[0];
                return v === undefined ? undefined : typeof v === 'string' ? v : v.toString('utf8');
              };
              auth.authenticate(first).then(
                (r) => {
                  if (r.ok) {
                    if (r.tenant !== undefined) TENANTS.set(md, r.tenant);
                    PASSED.add(md);
                    return nextMd(md);
                  }
                  const signal = Object.values(SIGNAL_SPECS).find((s) => s.grpcPath === method.path)?.signal;
                  this.core.authFailed('grpc', signal, 'UNAUTHENTICATED');
                  const err = errorOf(UNAUTHENTICATED);
                  call.sendStatus({ code: err.code, details: err.details, metadata: err.metadata });
                },
                () => {
                  const err = errorOf({ code: Code.INTERNAL, reason: 'TG_INTERNAL', message: 'TG_INTERNAL: authentication failed to run' });
                  call.sendStatus({ code: err.code, details: err.details, metadata: err.metadata });
                },
              );
            },
          }),
      });
  }

  /**
   * Refused at the door: while memory is too high or the admission budget is
   * spent, a call is answered when its metadata arrives, before grpc-js
   * buffers its message.
   */
  private door(): grpc.ServerInterceptor {
    return (method, call) =>
      new grpc.ServerInterceptingCall(call, {
        start: (next) =>
          next({
            onReceiveMetadata: (md, nextMd) => {
              const a = this.core.admission.atDoor();
              if (!a) return nextMd(md);
              const r = admissionRefused(a).refusal;
              const signal = Object.values(SIGNAL_SPECS).find((s) => s.grpcPath === method.path)?.signal;
              this.core.refusedInput('grpc', signal, r, CODE_NAMES[r.code] ?? String(r.code));
              const err = errorOf(r);
              call.sendStatus({ code: err.code, details: err.details, metadata: err.metadata });
            },
          }),
      });
  }

  /**
   * Refusals grpc-js makes before the handler runs (message over the size
   * limit, undecompressable, unknown encoding) are counted and logged here,
   * and the size message names the setting. The base call sends those
   * statuses through its own sendStatus, so the hook sits on that instance.
   */
  private transportRefusals(): grpc.ServerInterceptor {
    const limitNote = `; the limit is protocols.grpc.max_recv_msg_size_mib = ${this.cfg.max_recv_msg_size_mib} MiB (${this.maxRecv} bytes)`;
    return (method, call) => {
      const send = call.sendStatus.bind(call);
      call.sendStatus = (status) => {
        if (status.code !== grpc.status.OK && !(status.metadata && OWN_TRAILERS.has(status.metadata))) {
          const signal = (Object.values(SIGNAL_SPECS).find((s) => s.grpcPath === method.path)?.signal);
          const over = status.code === grpc.status.RESOURCE_EXHAUSTED;
          const own = /^(TG_[A-Z_]+):/.exec(status.details ?? '')?.[1];
          const reason = own ?? (over ? ErrorCode.BODY_TOO_LARGE : ErrorCode.DECODE);
          if (over && !own) status = { ...status, details: `${reason}: ${status.details ?? 'message too large'}${limitNote}` };
          this.core.refusedInput(
            'grpc',
            signal,
            { code: status.code as Refusal['code'], reason, message: status.details ?? '' },
            CODE_NAMES[status.code] ?? String(status.code),
          );
        }
        send(status);
      };
      return new grpc.ServerInterceptingCall(call);
    };
  }
}

function errorOf(r: Refusal): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  OWN_TRAILERS.add(metadata);
  const err = Object.assign(new Error(r.message), { code: r.code, details: r.message, metadata }) as grpc.ServiceError;
  // RetryInfo travels as the google.rpc.Status in `grpc-status-details-bin`, as gRPC servers send it.
  if (detailsOf(r).length > 0) err.metadata.set('grpc-status-details-bin', toBuffer(encodeStatusProto(r)));
  return err;
}

function metadataOf(md: grpc.Metadata): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, vs] of Object.entries(md.toJSON())) {
    if (k === 'authorization') continue; // credentials never travel downstream
    out[k] = vs.map((v) => (typeof v === 'string' ? v : v.toString('base64')));
  }
  return out;
}
