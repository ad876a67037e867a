// The gateway is killed with SIGKILL in the middle of a stream while its
// persistent queue holds a backlog (the target is down), then restarted: every
// sample that was acknowledged to the sender reaches the target.
//
// Real parts: the tollgate CLI as a child process, the remote-write receiver
// and exporter, the on-disk queue. The target is a recording HTTP server
// (test/helpers/prwtarget.ts) because the test must make it fail on demand and
// see every request it accepted.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { PromWrite } from '../../../src/pdata/proto.js';
import { compressWriteRequest } from '../../../src/prw/codec.js';
import { runCli, waitForOk, type Running } from '../../helpers/cli.js';
import { freePort } from '../../helpers/ports.js';
import { ScriptedTarget } from '../../helpers/prwtarget.js';
import { waitFor } from '../../helpers/waitfor.js';

const SERIES_PER_REQUEST = 10;
const target = new ScriptedTarget();
let gateway: Running | undefined;
let dir: string | undefined;

after(async () => {
  gateway?.child.kill('SIGKILL');
  await gateway?.exited;
  await target.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function request(n: number): PromWrite {
  const timeseries = [];
  for (let j = 0; j < SERIES_PER_REQUEST; j++) {
    timeseries.push({
      labels: [
        { name: '__name__', value: 'tg_kill_test' },
        { name: 'req', value: String(n) },
        { name: 'series', value: String(j) },
      ],
      samples: [{ value: n * 100 + j, timestamp: 1_700_000_000_000 + n }],
    });
  }
  return { timeseries };
}

/** Sample keys the target accepted (answered 2xx). */
function delivered(): Set<string> {
  const out = new Set<string>();
  for (const r of target.requests) {
    if (r.status < 200 || r.status >= 300) continue;
    for (const ts of r.request.timeseries ?? []) {
      const l = Object.fromEntries((ts.labels ?? []).map((x) => [x.name, x.value]));
      for (const s of ts.samples ?? []) out.add(`${l.req}/${l.series}/${s.value}`);
    }
  }
  return out;
}

test('SIGKILL mid-stream with the persistent queue on, then restart: every acknowledged sample arrives', async () => {
  dir = await mkdtemp(join(tmpdir(), 'tg-sigkill-'));
  let accepting = true;
  target.answer = () => (accepting ? { status: 204 } : { status: 503, body: 'down for the test' });
  await target.start();
  const [rwPort, healthPort] = [await freePort(), await freePort()];
  const config = join(dir, 'tollgate.yaml');
  await writeFile(
    config,
    [
      'receivers:',
      `  prometheusremotewrite: {endpoint: "127.0.0.1:${rwPort}"}`,
      'exporters:',
      '  prometheusremotewrite:',
      `    endpoint: "${target.url}"`,
      `    sending_queue: {storage: {directory: "${join(dir, 'queue')}"}}`,
      '    retry_on_failure: {initial_interval: 20ms, max_interval: 100ms, max_elapsed_time: 0}',
      'extensions:',
      `  health_check: {endpoint: "127.0.0.1:${healthPort}"}`,
      'service:',
      '  extensions: [health_check]',
      '  telemetry: {metrics: {address: ""}, logs: {level: warn}}',
      '  pipelines:',
      '    metrics: {receivers: [prometheusremotewrite], exporters: [prometheusremotewrite]}',
      '',
    ].join('\n'),
  );
  const start = async () => {
    gateway = runCli(['--config', config]);
    await waitForOk(`http://127.0.0.1:${healthPort}/`).catch((e) => {
      throw new Error(`${(e as Error).message}\n${gateway!.stderr()}`);
    });
  };
  await start();

  // The sender: 4 requests in flight at a time; a request counts as acknowledged only on a 2xx.
  const acked = new Set<string>();
  let ackedRequests = 0;
  let next = 0;
  let sending = true;
  const sender = async () => {
    while (sending) {
      const n = next++;
      try {
        const res = await fetch(`http://127.0.0.1:${rwPort}/api/v1/write`, {
          method: 'POST',
          body: compressWriteRequest(request(n)),
          headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' },
        });
        await res.arrayBuffer();
        if (res.status >= 200 && res.status < 300) {
          for (let j = 0; j < SERIES_PER_REQUEST; j++) acked.add(`${n}/${j}/${n * 100 + j}`);
          ackedRequests++;
        }
      } catch {
        await new Promise((r) => setTimeout(r, 20)); // gateway gone: not acknowledged
      }
    }
  };
  const senders = Array.from({ length: 4 }, sender);

  // Phase 1: target up. Phase 2: target down, so acknowledged data piles up in the queue.
  await waitFor(() => ackedRequests >= 100, '100 acknowledged requests');
  accepting = false;
  const before = ackedRequests;
  await waitFor(() => ackedRequests >= before + 200, '200 more acknowledged requests while the target is down');

  // Kill it mid-stream (the senders are still sending).
  gateway!.child.kill('SIGKILL');
  await gateway!.exited;
  sending = false;
  await Promise.all(senders);
  const atKill = delivered();
  const missingAtKill = [...acked].filter((k) => !atKill.has(k)).length;
  assert.ok(missingAtKill >= 200 * SERIES_PER_REQUEST, `the queue held a backlog at the kill (${missingAtKill} acknowledged samples not yet delivered)`);

  // Restart with the target back: the backlog is delivered.
  accepting = true;
  await start();
  await waitFor(
    () => {
      const d = delivered();
      return [...acked].every((k) => d.has(k));
    },
    'every acknowledged sample at the target',
    60_000,
    200,
  );
  const got = delivered();
  const missing = [...acked].filter((k) => !got.has(k));
  assert.deepEqual(missing, []);

  gateway!.child.kill('SIGTERM');
  assert.equal(await gateway!.exited, 0, gateway!.stderr());
  gateway = undefined;
});
