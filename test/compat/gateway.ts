// The two gateways the compatibility tests compare, run the same way: a child
// process given one YAML config file. `collector` is the OpenTelemetry
// Collector built from the Go module proxy (benchmarks/peers/build.sh), the
// other is Tollgate's CLI.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/cli.js';
import { requireIntegrationTier } from '../helpers/tier.js';

export type GatewayKind = 'collector' | 'tollgate';
export const GATEWAYS: readonly GatewayKind[] = ['collector', 'tollgate'];

const REPO = join(import.meta.dirname, '..', '..', '..');
const BUILD = join(REPO, 'benchmarks', 'peers', 'build.sh');

let collectorPath: string | undefined;

/**
 * The collector binary: $TOLLGATE_OTELCOL, else what benchmarks/peers/build.sh
 * built into its cache (it builds only when the cache lacks it, which
 * scripts/setup.sh does ahead of the tests).
 */
export function collectorBinary(): string {
  requireIntegrationTier('the OpenTelemetry Collector (benchmarks/peers/build.sh)');
  if (collectorPath) return collectorPath;
  if (process.env.TOLLGATE_OTELCOL) return (collectorPath = process.env.TOLLGATE_OTELCOL);
  const r = spawnSync('bash', [BUILD, '--only', 'collector', '--check'], { encoding: 'utf8', timeout: 60 * 60_000 });
  if (r.status !== 0)
    throw new Error(
      `the OpenTelemetry Collector could not be built (bash benchmarks/peers/build.sh --only collector; bash scripts/setup.sh builds it):\n${r.stderr}`,
    );
  const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { collector?: string };
  if (!out.collector) throw new Error(`benchmarks/peers/build.sh printed no collector path: ${r.stdout}`);
  return (collectorPath = out.collector);
}

export interface Gateway {
  readonly kind: GatewayKind;
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** A directory of its own for one test's files. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `tollgate-compat-${prefix}-`));
}

/** `<binary> validate --config <file>`: exit code and what it printed. */
export function validateWith(kind: GatewayKind, configFile: string): { code: number; output: string } {
  const r =
    kind === 'collector'
      ? spawnSync(collectorBinary(), ['validate', '--config', configFile], { encoding: 'utf8', timeout: 60_000 })
      : spawnSync(process.execPath, [CLI, 'validate', '--config', configFile], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/** Starts a gateway on a config (YAML text); resolves once `ready()` holds. */
export async function startGateway(kind: GatewayKind, yaml: string, ready: () => Promise<boolean>, dir = scratchDir(kind)): Promise<Gateway> {
  requireIntegrationTier(`the ${kind} as a child process`);
  const file = join(dir, `${kind}.yaml`);
  writeFileSync(file, yaml);
  const child =
    kind === 'collector'
      ? spawn(collectorBinary(), ['--config', file], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, [CLI, '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let dead = false;
  void exited.then(() => (dead = true));
  const end = Date.now() + 60_000;
  for (;;) {
    if (dead) throw new Error(`the ${kind} exited before it was ready:\n${out}`);
    if (await ready().catch(() => false)) break;
    if (Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`the ${kind} was not ready within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    kind,
    child,
    output: () => out,
    async stop() {
      if (dead) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** True once something accepts TCP connections on the port. */
export async function listening(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
