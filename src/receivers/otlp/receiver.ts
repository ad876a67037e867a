import type { MultiSignalReceiver } from '../../component/shared.js';
import type { SignalConsumer } from '../../component/consumer.js';
import type { CreateSettings } from '../../component/factory.js';
import { serverAuthenticator } from '../../component/auth.js';
import { DEFAULT_SHAPE_LIMITS, type ShapeLimits } from '../../pdata/wire/scan.js';
import type { Host } from '../../component/host.js';
import type { Signal } from '../../component/signal.js';
import { resolveGrpc, resolveHttp, type GrpcConfig, type OtlpReceiverConfig } from './config.js';
import { ExportCore } from './export.js';
import { OtlpGrpcServer } from './grpc.js';
import { OtlpHttpServer } from './http.js';
import { createCapture, type Capture } from '../../capture/index.js';

/** Time given to requests in flight when the receiver stops, before connections are cut. */
const SHUTDOWN_GRACE_MS = 5000;

/**
 * One `otlp` receiver: a gRPC and/or an HTTP server shared by the three
 * signals (the factory hands the same instance to each signal's pipeline,
 * which registers its consumer). A protocol absent from the config is not started.
 */
export class OtlpReceiver implements MultiSignalReceiver {
  private readonly core: ExportCore;
  private readonly grpcCfg: GrpcConfig | undefined;
  private readonly httpCfg: ReturnType<typeof resolveHttp>;
  private readonly capture: Capture | undefined;
  private readonly shapeLimits: ShapeLimits;
  private grpc: OtlpGrpcServer | undefined;
  private http: OtlpHttpServer | undefined;
  private starting: Promise<void> | undefined;
  private down = false;

  constructor(set: CreateSettings, cfg: OtlpReceiverConfig) {
    this.core = new ExportCore(set.id, set.logger, set.telemetry);
    this.grpcCfg = resolveGrpc(cfg.protocols.grpc);
    this.shapeLimits = {
      maxAttributes: cfg.limits?.max_attributes ?? DEFAULT_SHAPE_LIMITS.maxAttributes,
      maxNesting: cfg.limits?.max_nesting ?? DEFAULT_SHAPE_LIMITS.maxNesting,
    };
    this.httpCfg = resolveHttp(cfg.protocols.http);
    this.logger = set.logger;
    this.capture = createCapture(set, cfg.capture);
  }
  private readonly logger: CreateSettings['logger'];

  /** True once shut down (the factory then makes a fresh instance). */
  get isShutDown(): boolean {
    return this.down;
  }

  attach<S extends Signal>(signal: S, next: SignalConsumer<S>): void {
    (this.core.consumers as Record<Signal, SignalConsumer<any>>)[signal] = next;
  }

  /** Port the gRPC server listens on (after start; useful with port 0). */
  get grpcPort(): number {
    return this.grpc?.port ?? 0;
  }

  /** Port the HTTP server listens on (after start; useful with port 0). */
  get httpPort(): number {
    return this.http?.port ?? 0;
  }

  start(host: Host): Promise<void> {
    this.starting ??= this.doStart(host);
    return this.starting;
  }

  private async doStart(host: Host): Promise<void> {
    try {
      if (this.grpcCfg) {
        this.grpc = new OtlpGrpcServer(
          this.grpcCfg,
          this.core,
          this.core.id,
          this.capture,
          serverAuthenticator(host, this.grpcCfg.auth, `receivers.${this.core.id}.protocols.grpc`),
          this.shapeLimits,
        );
        await this.grpc.start();
        this.logger.info({ endpoint: this.grpcCfg.endpoint, port: this.grpc.port }, 'OTLP gRPC server started');
      }
      if (this.httpCfg) {
        this.http = new OtlpHttpServer(
          this.httpCfg,
          this.core,
          this.core.id,
          this.capture,
          serverAuthenticator(host, this.httpCfg.auth, `receivers.${this.core.id}.protocols.http`),
          this.shapeLimits,
        );
        await this.http.start();
        this.logger.info({ endpoint: this.httpCfg.endpoint, port: this.http.port }, 'OTLP HTTP server started');
      }
    } catch (e) {
      // A started gRPC server must not outlive a failed HTTP start.
      await this.stopServers();
      throw e;
    }
  }

  async shutdown(): Promise<void> {
    if (this.starting) await this.starting.catch(() => {});
    await this.stopServers();
    await this.capture?.close();
    this.down = true;
  }

  private async stopServers(): Promise<void> {
    const g = this.grpc;
    const h = this.http;
    await Promise.all([g?.shutdown(SHUTDOWN_GRACE_MS), h?.shutdown(SHUTDOWN_GRACE_MS)]);
  }
}
