import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replay } from './cli.js';
import { fileGateway, logBodies, logsRecord, writeCapture } from './synth.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-replay-speed-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A 20-second capture made directly (arrival times 5 s apart) rather than by waiting 20 s.
const T0 = BigInt(Date.now() - 60_000) * 1_000_000n;
const SPAN_MS = 20_000;
const texts = ['t+0s', 't+5s', 't+10s', 't+15s', 't+20s'];

test('--speed 10 replays a 20-second capture in about 2 seconds, in the original order; --rate paces by count', { timeout: 60_000 }, async () => {
  const file = await writeCapture(dir, 'paced.tgcap', texts.map((t, i) => logsRecord(t, T0 + BigInt(i * 5000) * 1_000_000n)));
  const gw = await fileGateway(dir, 'target');
  try {
    const r = await replay([file, '--target', `http://127.0.0.1:${gw.httpPort}`, '--speed', '10']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.summary.requests.accepted, 5);
    // Loose on purpose: the ratio of the replay's duration to the capture's span.
    const ratio = r.summary.durationMs / SPAN_MS;
    assert.ok(ratio > 0.08 && ratio < 0.3, `replay took ${r.summary.durationMs} ms for a ${SPAN_MS} ms capture at 10x (ratio ${ratio.toFixed(3)}, expected about 0.1)`);

    // Without pacing the same capture goes as fast as the target takes it.
    const fast = await replay([file, '--target', `http://127.0.0.1:${gw.httpPort}`, '--concurrency', '1']);
    assert.equal(fast.summary.requests.accepted, 5);
    assert.ok(fast.summary.durationMs < r.summary.durationMs / 2, `unpaced replay took ${fast.summary.durationMs} ms`);

    // --rate: 5 requests at 10 per second take about half a second.
    const rated = await replay([file, '--target', `http://127.0.0.1:${gw.httpPort}`, '--rate', '10', '--concurrency', '1']);
    assert.equal(rated.summary.requests.accepted, 5);
    assert.ok(rated.summary.durationMs >= 350 && rated.summary.durationMs < 4000, `--rate 10 took ${rated.summary.durationMs} ms for 5 requests`);

    assert.deepEqual(logBodies(await gw.stopAndRead()), [...texts, ...texts, ...texts]);
  } finally {
    await gw.stop();
  }
});
