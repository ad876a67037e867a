// The compatibility corpus (test/compat/corpus/*.yaml): collector configs for
// every component Tollgate implements, written from the collector's
// documentation, one file per component family and a few production-shaped
// ones. Each must be accepted by the real collector 0.165 (`validate`) and by
// Tollgate, and Tollgate must run it: start, become ready, stop cleanly.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { spawn } from 'node:child_process';
import { CLI } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { requireIntegrationTier } from '../helpers/tier.js';
import { collectorBinary, listening, scratchDir } from './gateway.js';
import { spawnSync } from 'node:child_process';

const CORPUS = join(import.meta.dirname, '..', '..', '..', 'test', 'compat', 'corpus');
const FILES = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

async function env(): Promise<NodeJS.ProcessEnv> {
  return {
    ...process.env,
    OTLP_GRPC: `127.0.0.1:${await freePort()}`,
    OTLP_HTTP: `127.0.0.1:${await freePort()}`,
    PROM_PULL: `127.0.0.1:${await freePort()}`,
    HEALTH: `127.0.0.1:${await freePort()}`,
    SELF_METRICS: String(await freePort()),
    OUT_DIR: scratchDir('corpus'),
    KAFKA_BROKERS: process.env.KAFKA_BROKERS || '127.0.0.1:9',
  };
}

describe('collector config corpus', () => {
  test('the corpus has a file for every collector component family Tollgate implements', () => {
    assert.ok(FILES.length >= 10, FILES.join(', '));
  });
  for (const file of FILES) {
    const path = join(CORPUS, file);
    test(`${file}: the collector 0.165 and Tollgate both accept it`, { timeout: 120_000 }, async () => {
      requireIntegrationTier('the OpenTelemetry Collector');
      const e = await env();
      const c = spawnSync(collectorBinary(), ['validate', '--config', path], { env: e, encoding: 'utf8', timeout: 60_000 });
      assert.equal(c.status, 0, `collector validate: ${c.stdout}${c.stderr}`);
      const t = spawnSync(process.execPath, [CLI, 'validate', '--config', path], { env: e, encoding: 'utf8', timeout: 60_000 });
      assert.equal(t.status, 0, `tollgate validate: ${t.stdout}${t.stderr}`);
      const report = spawnSync(process.execPath, [CLI, 'validate', '--collector-compat', '--config', path], { env: e, encoding: 'utf8' });
      assert.equal(report.status, 0, report.stdout);
      assert.match(report.stdout, /not in Tollgate:\n {2}\(none\)/);
    });
    if (file === 'kafka.yaml') continue; // runs in the Kafka tests, which own a broker
    test(`${file}: Tollgate runs it`, { timeout: 120_000 }, async () => {
      requireIntegrationTier('Tollgate as a child process');
      // Free ports are picked just before the start; another test may take one first: then try again.
      for (let attempt = 1; ; attempt++) {
        const r = await runOnce(path);
        if (r.portTaken && attempt < 3) continue;
        assert.equal(r.code, 0, r.err);
        assert.ok(r.listening, 'an OTLP listener is open');
        // Settings with no effect are said once at start, never silently ignored.
        const noEffect = spawnSync(process.execPath, [CLI, 'validate', '--collector-compat', '--config', path], { env: r.env, encoding: 'utf8' }).stdout;
        for (const line of noEffect.split('accepted with no effect:\n')[1]?.split('not in Tollgate')[0]?.split('\n') ?? []) {
          const setting = line.trim().split(': ')[0];
          if (setting && setting !== '(none)') assert.ok(r.err.includes(setting), `start-up log names ${setting}`);
        }
        break;
      }
    });
  }
});

/** Starts Tollgate on a corpus file, waits until it is ready, stops it; what happened. */
async function runOnce(path: string): Promise<{ code: number | null; err: string; listening: boolean; portTaken: boolean; env: NodeJS.ProcessEnv }> {
  const e = await env();
  const child = spawn(process.execPath, [CLI, '--config', path], { env: e, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let open = false;
  try {
    // Ready: the start-up line (info), or the health check answering (configs that log at warn).
    const healthy = () =>
      fetch(`http://${e.HEALTH}/`).then(
        (r) => r.status === 200,
        () => false,
      );
    const end = Date.now() + 60_000;
    while (!err.includes('everything is ready') && !(await healthy())) {
      if (child.exitCode !== null) return { code: child.exitCode, err, listening: false, portTaken: err.includes('address already in use'), env: e };
      assert.ok(Date.now() < end, `not ready within 60 s: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    open = (await listening(Number((e.OTLP_GRPC ?? '').split(':')[1]))) || (await listening(Number((e.OTLP_HTTP ?? '').split(':')[1])));
  } finally {
    child.kill('SIGTERM');
  }
  return { code: await exited, err, listening: open, portTaken: false, env: e };
}
