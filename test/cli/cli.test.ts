import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, runCli, waitForOk } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

test('validate: exit 0 for a valid config, 1 with every problem named by its path', () => {
  const ok = run('validate', '--config', join(import.meta.dirname, '..', '..', '..', 'config', 'default.yaml'));
  assert.equal(ok.status, 0, ok.stderr);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'receivers:\n  otlp: {protocols: {http: {endpooint: x}}}\nservice:\n  pipelines:\n    traces: {receivers: [otlp], exporters: [nope]}\n');
  const r = run('validate', '--config', bad);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^receivers\.otlp\.protocols\.http\.endpooint: unknown key/m);
  assert.match(r.stderr, /^service\.pipelines\.traces\.exporters: "nope" is not configured under exporters or connectors$/m);
});

test('components lists every component type', () => {
  const r = run('components');
  assert.equal(r.status, 0);
  for (const t of ['otlp', 'batch', 'memory_limiter', 'file', 'debug', 'health_check']) assert.match(r.stdout, new RegExp(`^  ${t}\\b`, 'm'));
});

test('--version and --help', () => {
  assert.match(run('--version').stdout, /^\d+\.\d+\.\d+/);
  assert.match(run('--help').stdout, /validate/);
});

test('a port already in use: non-zero exit with a one-line reason', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  const cfg = join(dir, 'busy.yaml');
  writeFileSync(
    cfg,
    `receivers: {otlp: {protocols: {http: {endpoint: "127.0.0.1:${port}"}}}}\nexporters: {debug: {}}\nservice:\n  telemetry: {metrics: {address: ""}}\n  pipelines: {traces: {receivers: [otlp], exporters: [debug]}}\n`,
  );
  const r = run('--config', cfg);
  blocker.close();
  assert.notEqual(r.status, 0);
  const line = r.stderr.split('\n').find((l) => l.startsWith('tollgate:'));
  assert.ok(line, r.stderr);
  assert.match(line, new RegExp(`127\\.0\\.0\\.1:${port}.*address already in use`));
});

test('graceful shutdown: data accepted before SIGTERM is in the file after exit', async () => {
  const [http, health] = [await freePort(), await freePort()];
  const out = join(dir, 'traces.jsonl');
  const cfg = join(dir, 'sigterm.yaml');
  writeFileSync(
    cfg,
    [
      `receivers: {otlp: {protocols: {http: {endpoint: "127.0.0.1:${http}"}}}}`,
      // A long batch timeout: the spans are still in the batch processor when SIGTERM arrives.
      `processors: {batch: {timeout: 60s}}`,
      `exporters: {file: {path: "${out}"}}`,
      `extensions: {health_check: {endpoint: "127.0.0.1:${health}"}}`,
      `service:`,
      `  extensions: [health_check]`,
      `  telemetry: {metrics: {address: ""}}`,
      `  pipelines: {traces: {receivers: [otlp], processors: [batch], exporters: [file]}}`,
    ].join('\n'),
  );
  const gw = runCli(['--config', cfg]);
  await waitForOk(`http://127.0.0.1:${health}/`);
  const spans = Array.from({ length: 5 }, (_, i) => ({
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: `eee19b7ec3c1b17${i}`,
    name: `span-${i}`,
    kind: 2,
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000001000000000',
  }));
  const body = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 's' }, spans }] }] };
  // The request is answered only once its batch is written (the batch processor
  // propagates the downstream result), so it is still in flight at SIGTERM.
  const answered = fetch(`http://127.0.0.1:${http}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await new Promise((r) => setTimeout(r, 500));
  gw.child.kill('SIGTERM');
  assert.equal((await answered).status, 200);
  assert.equal(await gw.exited, 0, gw.stderr());
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  const names = lines.flatMap((l) => JSON.parse(l).resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans.map((s: any) => s.name))));
  assert.deepEqual(names.sort(), spans.map((s) => s.name));
});
