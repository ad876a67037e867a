// A real gateway in its own process (the `tollgate` entry point) for tests
// that watch the process from outside: its open file descriptors, resident
// memory, self-metrics and health, while a test floods or starves it.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, waitForOk, type Running } from './cli.js';
import { freePort } from './ports.js';

export interface GatewayPorts {
  grpc: number;
  http: number;
  prw: number;
  health: number;
  metrics: number;
}

export class ChildGateway {
  private constructor(
    readonly run: Running,
    readonly ports: GatewayPorts,
    readonly dir: string,
  ) {}

  /**
   * Starts a gateway from a config made by `config(ports, dir)` (YAML text),
   * with `nodeArgs` for node itself (e.g. --expose-gc), and waits for health.
   */
  static async start(config: (p: GatewayPorts, dir: string) => string, opts: { env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {}): Promise<ChildGateway> {
    const ports: GatewayPorts = { grpc: await freePort(), http: await freePort(), prw: await freePort(), health: await freePort(), metrics: await freePort() };
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-gw-'));
    const file = join(dir, 'tollgate.yaml');
    writeFileSync(file, config(ports, dir));
    const run = runCli(['--config', file], opts.env ?? {}, opts.nodeArgs ?? []);
    const gw = new ChildGateway(run, ports, dir);
    try {
      await Promise.race([
        waitForOk(`http://127.0.0.1:${ports.health}/`, 30_000),
        run.exited.then((code) => {
          throw new Error(`gateway exited with ${code} before it was ready:\n${run.stderr().slice(-2000)}`);
        }),
      ]);
    } catch (e) {
      await gw.stop();
      throw e;
    }
    return gw;
  }

  get pid(): number {
    return this.run.child.pid ?? 0;
  }

  /** Open file descriptors of the gateway process. */
  fds(): number {
    return readdirSync(`/proc/${this.pid}/fd`).length;
  }

  /** Resident set size now and at its peak (VmHWM), in bytes. */
  memory(): { rss: number; peak: number } {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  }

  /** The self-metrics page. */
  async metricsText(): Promise<string> {
    const r = await fetch(`http://127.0.0.1:${this.ports.metrics}/metrics`);
    return r.text();
  }

  /** Sum of a self-metric's samples whose labels include `labels`. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await this.metricsText();
    let sum = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name)) continue;
      const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (!m || m[1] !== name) continue;
      const ls = m[2] ?? '';
      if (Object.entries(labels).every(([k, v]) => ls.includes(`${k}="${v}"`))) sum += Number(m[3]);
    }
    return sum;
  }

  stderr(): string {
    return this.run.stderr();
  }

  async stop(): Promise<void> {
    if (this.run.child.exitCode === null && this.run.child.signalCode === null) {
      this.run.child.kill('SIGTERM');
      const t = setTimeout(() => this.run.child.kill('SIGKILL'), 10_000);
      await this.run.exited;
      clearTimeout(t);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
