import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileExporterFactory } from '../../../src/exporters/file/factory.js';
import type { FileConfig } from '../../../src/exporters/file/config.js';
import { backupName } from '../../../src/exporters/file/rotation.js';
import type { Signal } from '../../../src/component/signal.js';
import { validateAgainst } from '../../../src/config/validate.js';
import type { ConsumerError } from '../../../src/errors/consumererror.js';
import { decodeJSON, decodeProto, encodeJSON } from '../../../src/pdata/otlpjson.js';
import { SelfTelemetry } from '../../../src/telemetry/selftelemetry.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { metricValue } from '../../helpers/telemetry.js';
import { validConfig } from '../../helpers/validconfig.js';

const HOST = { health: () => 'ok' as const };
const dir = mkdtempSync(join(tmpdir(), 'tollgate-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const fixtureText = (s: Signal) => readFileSync(new URL(`../../../../test/fixtures/otlp/${s}.json`, import.meta.url), 'utf8');
const fixture = <S extends Signal>(s: S) => decodeJSON(s, fixtureText(s));
let n = 0;
const fresh = (ext = 'jsonl') => join(dir, `out-${++n}.${ext}`);

function config(raw: Record<string, unknown>): FileConfig {
  const cfg: any = { ...raw };
  assert.deepEqual(validateAgainst(fileExporterFactory.schema, cfg, 'exporters.file'), []);
  assert.deepEqual(fileExporterFactory.validate!(cfg), []);
  return cfg;
}

function make<S extends Signal>(signal: S, cfg: FileConfig, telemetry = new SelfTelemetry({ processMetrics: false })) {
  return fileExporterFactory.create[signal]!({ id: 'file', kind: 'exporter', logger: silentLogger(), telemetry }, cfg);
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

test('defaults are the collector file exporter defaults; path is required; zstd is refused with a reason', () => {
  const cfg: any = { path: 'x' };
  validateAgainst(fileExporterFactory.schema, cfg, 'exporters.file');
  assert.deepEqual(cfg, { path: 'x', format: 'json', compression: '', append: false, flush_interval: '1s' });
  assert.deepEqual(validateAgainst(fileExporterFactory.schema, {}, 'exporters.file'), ['exporters.file.path: required']);
  assert.deepEqual(fileExporterFactory.validate?.(validConfig(fileExporterFactory.schema, { path: 'x', compression: 'zstd' })), ['compression: zstd is not supported (Node.js 20 has no zstd); use gzip']);
  const rot: any = { path: 'x', rotation: {} };
  validateAgainst(fileExporterFactory.schema, rot, 'exporters.file');
  assert.deepEqual(rot.rotation, { max_megabytes: 100, max_days: 0, max_backups: 100, localtime: false });
});

test('json: one Export*ServiceRequest per line, every signal into one file, readable once consume resolves', async () => {
  const path = fresh();
  const cfg = config({ path });
  const telemetry = new SelfTelemetry({ processMetrics: false });
  const exps = (['traces', 'metrics', 'logs'] as const).map((s) => [s, make(s, cfg, telemetry)] as const);
  for (const [, e] of exps) await e.start(HOST);
  for (const [s, e] of exps) await e.consume(fixture(s) as any, {});
  // Handed to the OS by now: visible before shutdown.
  const got = lines(readFileSync(path, 'utf8'));
  assert.equal(got.length, 3);
  for (const [i, s] of (['traces', 'metrics', 'logs'] as const).entries()) {
    assert.equal(encodeJSON(s, decodeJSON(s, got[i]!)), encodeJSON(s, fixture(s)), `${s} line equals what was consumed`);
  }
  for (const [, e] of exps) await e.shutdown();
  const spans = fixture('traces').resourceSpans!.flatMap((r) => r.scopeSpans!.flatMap((s) => s.spans!)).length;
  assert.equal(await metricValue(telemetry, 'otelcol_exporter_sent_spans', { exporter: 'file' }), spans);
});

test('append: false truncates what the file held at start (as the collector); true keeps it', async () => {
  for (const append of [false, true]) {
    const path = fresh();
    writeFileSync(path, '{"old":true}\n');
    const e = make('logs', config({ path, append }));
    await e.start(HOST);
    await e.consume(fixture('logs'), {});
    await e.shutdown();
    const got = lines(readFileSync(path, 'utf8'));
    assert.equal(got.length, append ? 2 : 1);
    assert.equal(got[0] === '{"old":true}', append);
  }
});

test('gzip: the same lines as a gzip file; a reopened file keeps growing as valid gzip', async () => {
  const path = fresh('jsonl.gz');
  for (let round = 0; round < 2; round++) {
    const e = make('traces', config({ path, compression: 'gzip', append: true }));
    await e.start(HOST);
    await Promise.all([e.consume(fixture('traces'), {}), e.consume(fixture('traces'), {})]);
    await e.shutdown();
  }
  const got = lines(gunzipSync(readFileSync(path)).toString('utf8'));
  assert.equal(got.length, 4);
  for (const l of got) assert.equal(encodeJSON('traces', decodeJSON('traces', l)), encodeJSON('traces', fixture('traces')));
});

test('proto: each request after a 4-byte big-endian length, as the collector', async () => {
  const path = fresh('pb');
  const e = make('metrics', config({ path, format: 'proto' }));
  await e.start(HOST);
  await e.consume(fixture('metrics'), {});
  await e.consume(fixture('metrics'), {});
  await e.shutdown();
  const buf = readFileSync(path);
  let off = 0;
  let count = 0;
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const msg = decodeProto('metrics', buf.subarray(off + 4, off + 4 + len));
    assert.equal(encodeJSON('metrics', msg), encodeJSON('metrics', fixture('metrics')));
    off += 4 + len;
    count++;
  }
  assert.equal(count, 2);
});

const prw = () => ({
  format: 'prw' as const,
  request: {
    timeseries: [{ labels: [{ name: '__name__', value: 'up' }, { name: 'job', value: 'vllm' }], samples: [{ value: 1, timestamp: 1700000000000 }, { value: NaN, timestamp: 1700000015000 }] }],
  },
});

test('remote-write metrics: a {"prometheusRemoteWrite": WriteRequest} line in json; refused (and counted) in proto', async () => {
  const path = fresh();
  const e = make('metrics', config({ path }));
  await e.start(HOST);
  await e.consume(prw(), {});
  await e.shutdown();
  const [line] = lines(readFileSync(path, 'utf8'));
  assert.deepEqual(JSON.parse(line!), {
    prometheusRemoteWrite: {
      timeseries: [
        {
          labels: [{ name: '__name__', value: 'up' }, { name: 'job', value: 'vllm' }],
          samples: [{ value: 1, timestamp: '1700000000000' }, { value: 'NaN', timestamp: '1700000015000' }],
        },
      ],
    },
  });

  const p2 = make('metrics', config({ path: fresh('pb'), format: 'proto' }));
  await p2.start(HOST);
  await assert.rejects(p2.consume(prw(), {}), (err: ConsumerError) => err.kind === 'permanent' && err.code === 'TG_UNSUPPORTED_DATA' && /format json/.test(err.message));
  await p2.shutdown();
});

test('rotation: full files are renamed with a timestamp before the extension; max_backups prunes', async () => {
  const sub = mkdtempSync(join(dir, 'rot-'));
  const path = join(sub, 'spans.json');
  // One batch is ~60 KiB of JSON; 1 MiB holds ~16 of them.
  const big = fixture('traces');
  const span = big.resourceSpans![0]!.scopeSpans![0]!.spans![0]!;
  big.resourceSpans![0]!.scopeSpans![0]!.spans = Array.from({ length: 200 }, (_, i) => ({ ...span, name: `s${i}` }));
  const lineBytes = Buffer.byteLength(encodeJSON('traces', big)) + 1;
  const perFile = Math.floor((1024 * 1024) / lineBytes);
  const total = perFile * 3 + 1;
  const e = make('traces', config({ path, rotation: { max_megabytes: 1, max_backups: 2 } }));
  await e.start(HOST);
  for (let i = 0; i < total; i++) await e.consume(big, {});
  await e.shutdown();
  const files = readdirSync(sub).sort();
  assert.equal(files.length, 3, `current + 2 backups, got ${files.join(', ')}`);
  const backups = files.filter((f) => f !== 'spans.json');
  for (const b of backups) assert.match(b, /^spans-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.json$/);
  for (const f of files) assert.ok(readFileSync(join(sub, f)).length <= 1024 * 1024);
  const kept = files.reduce((a, f) => a + lines(readFileSync(join(sub, f), 'utf8')).length, 0);
  assert.equal(kept, total - perFile, 'the oldest file was pruned, nothing else lost');
});

test('backup names follow the collector (UTC unless localtime)', () => {
  const at = new Date(Date.UTC(2022, 8, 14, 5, 2, 14, 173));
  assert.equal(backupName('/d/data.json', at, false), '/d/data-2022-09-14T05-02-14.173.json');
  assert.equal(backupName('/d/data', at, false), '/d/data-2022-09-14T05-02-14.173');
});
