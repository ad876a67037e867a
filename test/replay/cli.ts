// Running the real `tollgate` binary entry point for replay tests.
import { spawn } from 'node:child_process';
import { CLI } from '../helpers/cli.js';
import type { ReplaySummary } from '../../src/replay/summary.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tollgate ARGS...` to completion. */
export function tollgate(args: string[], timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tollgate ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `tollgate replay ... --json`, returning the parsed summary. */
export async function replay(args: string[], timeoutMs?: number): Promise<{ summary: ReplaySummary; code: number | null; stderr: string }> {
  const r = await tollgate(['replay', ...args, '--json'], timeoutMs);
  let summary: ReplaySummary;
  try {
    summary = JSON.parse(r.stdout) as ReplaySummary;
  } catch {
    throw new Error(`replay printed no JSON summary (exit ${r.code}):\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return { summary, code: r.code, stderr: r.stderr };
}
