import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from './ports.js';
import { requireIntegrationTier } from './tier.js';

export const NODE_EXPORTER_BIN = process.env.NODE_EXPORTER_BIN ?? '/usr/bin/prometheus-node-exporter';

/** Debian's prometheus-node-exporter on a free loopback port, as a real scrape target. */
export class NodeExporter {
  private constructor(
    readonly proc: ChildProcess,
    readonly port: number,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(): Promise<NodeExporter> {
    requireIntegrationTier('prometheus-node-exporter');
    if (!existsSync(NODE_EXPORTER_BIN)) throw new Error(`${NODE_EXPORTER_BIN} is missing: run 'bash scripts/setup.sh' (or apt-get install -y prometheus-node-exporter)`);
    const port = await freePort();
    const proc = spawn(NODE_EXPORTER_BIN, [`--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: 'ignore' });
    const reap = () => proc.kill('SIGKILL');
    process.once('exit', reap);
    proc.once('exit', () => process.off('exit', reap));
    const end = Date.now() + 15_000;
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/metrics`)).ok) break;
      } catch {
        // not up yet
      }
      if (Date.now() > end) throw new Error('prometheus-node-exporter did not answer on /metrics within 15 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    return new NodeExporter(proc, port);
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    await exited;
  }
}
