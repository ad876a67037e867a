import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureFileReader } from '../../src/capture/reader.js';
import { replay } from './cli.js';
import { fileGateway, logBodies, logsRecord, writeCapture } from './synth.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-replay-damage-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const T0 = BigInt(Date.now()) * 1_000_000n;
const texts = Array.from({ length: 10 }, (_, i) => `message ${i}`);

async function offsets(file: string): Promise<number[]> {
  const r = await CaptureFileReader.open(file);
  const out: number[] = [];
  for await (const e of r.records()) out.push(e.offset);
  await r.close();
  return out;
}

test('a capture cut mid-record and one with a flipped byte: replay sends everything else, reports the damage, and does not crash', { timeout: 60_000 }, async () => {
  const file = await writeCapture(dir, 'good.tgcap', texts.map((t, i) => logsRecord(t, T0 + BigInt(i) * 10_000_000n)));
  const offs = await offsets(file);
  const bytes = readFileSync(file);

  const torn = join(dir, 'torn.tgcap');
  const cut = offs[9]! + Math.floor((bytes.length - offs[9]!) / 2);
  writeFileSync(torn, bytes.subarray(0, cut));
  const flipped = join(dir, 'flipped.tgcap');
  const f = Buffer.from(bytes);
  const at = offs[4]! + Math.floor((offs[5]! - offs[4]!) * 0.8); // inside record 4's payload
  f[at] = f[at]! ^ 0x01;
  writeFileSync(flipped, f);

  const gw = await fileGateway(dir, 'target');
  try {
    const a = await replay([torn, '--target', `http://127.0.0.1:${gw.httpPort}`, '--concurrency', '1']);
    assert.equal(a.code, 2, 'damage makes the exit status 2');
    assert.equal(a.summary.requests.sent, 9);
    assert.equal(a.summary.requests.accepted, 9);
    assert.equal(a.summary.damage.length, 1);
    assert.equal(a.summary.damage[0]!.kind, 'torn');
    assert.equal(a.summary.damage[0]!.offset, offs[9]);
    assert.equal(a.summary.damage[0]!.length, cut - offs[9]!);
    assert.match(a.stderr, new RegExp(`torn record in .*torn\\.tgcap at byte ${offs[9]}`));

    const b = await replay([flipped, '--target', `http://127.0.0.1:${gw.httpPort}`, '--concurrency', '1']);
    assert.equal(b.code, 2);
    assert.equal(b.summary.requests.sent, 9);
    assert.equal(b.summary.requests.accepted, 9);
    assert.deepEqual(
      b.summary.damage.map((d) => [d.kind, d.offset, d.length]),
      [['corrupt', offs[4], offs[5]! - offs[4]!]],
    );
    assert.match(b.summary.damage[0]!.reason, /checksum/);
    assert.match(b.stderr, /corrupt record in .*flipped\.tgcap/);

    const got = logBodies(await gw.stopAndRead());
    assert.deepEqual(got, [...texts.slice(0, 9), ...texts.slice(0, 4), ...texts.slice(5)]);
  } finally {
    await gw.stop();
  }
  assert.equal(statSync(torn).size, cut, 'replay never modifies a capture');
});

test('replay of a file that is not a capture, or of nothing: a clear error, exit 1 or 2, no crash', async () => {
  const junk = join(dir, 'junk.tgcap');
  writeFileSync(junk, 'this is not a capture file');
  const good = await writeCapture(dir, 'one.tgcap', [logsRecord('only', T0)]);
  const gw = await fileGateway(dir, 'target2');
  try {
    const r = await replay([junk, good, '--target', `http://127.0.0.1:${gw.httpPort}`]);
    assert.equal(r.code, 2);
    assert.equal(r.summary.requests.accepted, 1);
    assert.equal(r.summary.fileErrors.length, 1);
    assert.match(r.summary.fileErrors[0]!.error, /not a Tollgate capture file/);
  } finally {
    await gw.stop();
  }
  const { tollgate } = await import('./cli.js');
  const none = await tollgate(['replay', '--target', 'http://127.0.0.1:1']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no input/);
});
