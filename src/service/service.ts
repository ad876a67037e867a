import type { Logger } from 'pino';
import type { Component } from '../component/component.js';
import type { Host, HealthState } from '../component/host.js';
import type { ComponentKind, Factory } from '../component/factory.js';
import { loadConfigFiles, ConfigError, type RawConfig } from '../config/load.js';
import { parseDuration } from '../config/types.js';
import { validateConfig, type ValidConfig } from '../config/validate.js';
import { buildGraph, type Graph } from '../pipeline/graph.js';
import { createServiceLogger } from '../telemetry/logger.js';
import { metricsListeners } from '../config/telemetry.js';
import { SelfTelemetry } from '../telemetry/selftelemetry.js';
import { automaticBudget } from '../memory/admission.js';
import { totalMemory } from '../memory/limits.js';
import { TelemetryServer } from '../telemetry/server.js';
import { factoriesByKind } from '../components.js';

export interface ServiceOptions {
  logger?: Logger;
  factories?: ReadonlyMap<ComponentKind, ReadonlyMap<string, Factory>>;
}

/** Validates a raw config; throws ConfigError listing every problem. */
export function checkConfig(raw: RawConfig, factories: ReadonlyMap<ComponentKind, ReadonlyMap<string, Factory>> = factoriesByKind()): ValidConfig {
  const { config, problems } = validateConfig(raw, factories);
  if (!config) throw new ConfigError(problems);
  return config;
}

/**
 * A running gateway: the graph built from one config, its self-telemetry
 * listener, and the lifecycle (ordered start, graceful shutdown within a deadline).
 */
export class Service implements Host {
  readonly telemetry = new SelfTelemetry();
  readonly logger: Logger;
  readonly config: ValidConfig;
  private state: HealthState = 'starting';
  private graph: Graph | undefined;
  private started: Graph['nodes'] = [];
  private telemetryServer: TelemetryServer;
  private stopping: Promise<void> | undefined;

  constructor(raw: RawConfig, opts: ServiceOptions = {}) {
    this.config = checkConfig(raw, opts.factories);
    this.logger = opts.logger ?? createServiceLogger(this.config.service.telemetry.logs);
    this.telemetryServer = new TelemetryServer(this.telemetry, metricsListeners(this.config.service.telemetry.metrics), this.logger);
    const adm = this.config.service.admission;
    const budget = adm.request_limit_mib > 0 ? adm.request_limit_mib * 1024 * 1024 : automaticBudget(totalMemory());
    this.telemetry.admission.configure(budget, parseDuration(adm.retry_after));
  }

  static fromFiles(paths: readonly string[], opts: ServiceOptions = {}): Service {
    return new Service(loadConfigFiles(paths), opts);
  }

  health(): HealthState {
    return this.state;
  }

  extension(id: string): Component | undefined {
    return this.started.find((n) => n.kind === 'extension' && n.id === id)?.component;
  }

  get telemetryPort(): number {
    return this.telemetryServer.port;
  }

  async start(): Promise<void> {
    this.graph = buildGraph(this.config, (id, kind) => ({
      id,
      kind,
      logger: this.logger.child({ component: id, kind }),
      telemetry: this.telemetry,
    }));
    // Collector settings that change nothing here are said once, never silently ignored.
    for (const s of this.config.noEffect) this.logger.info({ setting: s.path, reason: s.why }, 'collector setting accepted with no effect');
    try {
      await this.telemetryServer.start();
      for (const node of this.graph.nodes) {
        await node.component.start(this);
        this.started.push(node);
      }
    } catch (err) {
      this.state = 'stopping';
      await this.stopStarted(5000);
      await this.telemetryServer.shutdown();
      throw err;
    }
    this.state = 'ok';
    this.logger.info({ components: this.graph.nodes.length }, 'everything is ready; begin running and processing data');
  }

  /** Graceful shutdown: receivers stop first, processors and exporters drain, within service.shutdown_timeout. */
  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      this.state = 'stopping';
      const deadline = parseDuration(this.config.service.shutdown_timeout);
      await this.stopStarted(deadline);
      await this.telemetryServer.shutdown();
      this.logger.info('shutdown complete');
      await new Promise<void>((r) => this.logger.flush(() => r()));
    })();
    return this.stopping;
  }

  /**
   * Receivers are told first and stop taking new requests; their in-flight
   * requests may still wait on a batch, so they are not awaited before the
   * processors flush. Then processors, connectors and exporters drain in
   * order, each into a downstream that still runs; last, the receivers'
   * in-flight requests are answered.
   */
  private async stopStarted(deadlineMs: number): Promise<void> {
    const end = Date.now() + deadlineMs;
    const reversed = [...this.started].reverse();
    const receivers = reversed.filter((n) => n.kind === 'receiver').map((n) => this.stopOne(n, end));
    for (const node of reversed) if (node.kind !== 'receiver') await this.stopOne(node, end);
    await Promise.all(receivers);
    this.started = [];
  }

  private async stopOne(node: Graph['nodes'][number], end: number): Promise<void> {
    const left = Math.max(0, end - Date.now());
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), left)));
    try {
      const r = await Promise.race([node.component.shutdown().then(() => 'ok' as const), timedOut]);
      if (r === 'timeout') this.logger.error({ component: node.id, kind: node.kind }, 'shutdown deadline passed before the component finished draining');
    } catch (err) {
      this.logger.error({ err, component: node.id, kind: node.kind }, 'component shutdown failed');
    } finally {
      clearTimeout(timer);
    }
  }
}
