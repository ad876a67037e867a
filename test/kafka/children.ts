// Runs child-gateway.js processes and cleans them up.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const CHILD = join(import.meta.dirname, 'child-gateway.js');

export interface ChildGateway {
  proc: ChildProcess;
  /** stderr log lines parsed as JSON (unparseable ones kept as {raw}). */
  logs: Array<Record<string, unknown>>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function startChild(config: unknown, deadlineMs = 30_000): Promise<ChildGateway> {
  const proc = spawn(process.execPath, [CHILD, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Array<Record<string, unknown>> = [];
  let buf = '';
  proc.stderr!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        logs.push(JSON.parse(line));
      } catch {
        logs.push({ raw: line });
      }
    }
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`child gateway not ready after ${deadlineMs} ms; logs: ${JSON.stringify(logs.slice(-5))}`));
    }, deadlineMs);
    proc.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve({ proc, logs, kill });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child gateway exited (${code}) before it was ready; logs: ${JSON.stringify(logs.slice(-5))}`));
    });
  });
}
