import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFileHeader, encodeRecord, RECORD_PREFIX, type CaptureRecord } from '../../src/capture/format.js';
import { CaptureFileError, CaptureFileReader, type Damage } from '../../src/capture/reader.js';
import { readCaptures } from '../../src/capture/merge.js';
import { CaptureWriter } from '../../src/capture/writer.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-capfmt-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const sub = () => {
  const d = join(dir, `t${++n}`);
  return d;
};

/** XORs one byte of `b` (bounds-checked: a wrong offset throws instead of writing nothing). */
function flip(b: Buffer, at: number, mask: number): void {
  b.writeUInt8(b.readUInt8(at) ^ mask, at);
}

function rec(i: number, size = 100): CaptureRecord {
  return {
    arrivalNs: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000_000n,
    protocol: i % 2 ? 'prw' : 'otlp_http',
    signal: 'metrics',
    path: i % 2 ? '/api/v1/write' : '/v1/metrics',
    contentType: 'application/x-protobuf',
    contentEncoding: i % 2 ? 'snappy' : 'gzip',
    tenant: `tenant-${i % 3}`,
    headers: { 'user-agent': [`client/${i}`] },
    body: Buffer.alloc(size, i & 0xff),
  };
}

async function writeFile(path: string, records: CaptureRecord[], maxBytes = 0, keep = 0): Promise<CaptureWriter> {
  const w = new CaptureWriter({ path, maxBytes, keep, meta: { receiver: 'otlp/test' } });
  for (const r of records) assert.equal(w.append(encodeRecord(r)), true);
  await w.close();
  return w;
}

async function readAll(file: string): Promise<{ records: CaptureRecord[]; offsets: number[]; damage: Damage[] }> {
  const r = await CaptureFileReader.open(file);
  const records: CaptureRecord[] = [];
  const offsets: number[] = [];
  for await (const e of r.records()) {
    records.push(e.record);
    offsets.push(e.offset);
  }
  await r.close();
  return { records, offsets, damage: r.damage };
}

test('records written are read back exactly, with the header meta', async () => {
  const recs = Array.from({ length: 20 }, (_, i) => rec(i, 10 + i * 37));
  const w = await writeFile(join(sub(), 'cap.tgcap'), recs);
  assert.equal(w.files.length, 1);
  assert.match(w.files[0]!, /cap-\d{8}T\d{6}Z-0001\.tgcap$/);
  const r = await CaptureFileReader.open(w.files[0]!);
  assert.equal(r.meta?.receiver, 'otlp/test');
  await r.close();
  const got = await readAll(w.files[0]!);
  assert.deepEqual(got.damage, []);
  assert.deepEqual(got.records, recs);
});

test('files rotate by size, and `rotate` keeps only the newest files', async () => {
  const d = sub();
  const recs = Array.from({ length: 30 }, (_, i) => rec(i, 1000));
  const one = encodeRecord(recs[0]!).length;
  const w = await writeFile(join(d, 'rw'), recs, 5 * one + 200, 0);
  assert.ok(w.files.length >= 6, `expected several files, got ${w.files.length}`);
  for (const f of w.files) assert.ok(statSync(f).size <= 5 * one + 200, `${f} is over max_bytes`);
  // All records, in order, across the files.
  const all: CaptureRecord[] = [];
  for await (const e of readCaptures(w.files)) all.push(e.record);
  assert.deepEqual(all, recs);

  const d2 = sub();
  const w2 = await writeFile(join(d2, 'keep.tgcap'), recs, 5 * one + 200, 2);
  assert.deepEqual(readdirSync(d2).sort(), w2.files.slice(-2).map((f) => f.slice(d2.length + 1)));
});

test('a record larger than max_bytes gets a file of its own', async () => {
  const recs = [rec(1, 10), rec(2, 5000), rec(3, 10)];
  const w = await writeFile(join(sub(), 'big.tgcap'), recs, 1000);
  assert.equal(w.files.length, 3);
  const all: CaptureRecord[] = [];
  for await (const e of readCaptures(w.files)) all.push(e.record);
  assert.deepEqual(all, recs);
});

test('a torn tail (crash mid-write) is reported and everything before it is read', async () => {
  const recs = Array.from({ length: 5 }, (_, i) => rec(i, 500));
  const w = await writeFile(join(sub(), 'torn.tgcap'), recs);
  const f = w.files[0]!;
  const size = statSync(f).size;
  for (const cut of [size - 1, size - 300, size - encodeRecord(recs[4]!).length + 5]) {
    const copy = `${f}.${cut}`;
    writeFileSync(copy, readFileSync(f).subarray(0, cut));
    const got = await readAll(copy);
    assert.deepEqual(got.records, recs.slice(0, 4), `cut at ${cut}`);
    assert.equal(got.damage.length, 1);
    assert.equal(got.damage[0]!.kind, 'torn');
    assert.equal(got.damage[0]!.offset, got.offsets[3]! + encodeRecord(recs[3]!).length);
  }
  // A file cut inside its header: nothing to read, reported as torn.
  const h = `${f}.header`;
  writeFileSync(h, readFileSync(f).subarray(0, 10));
  const got = await readAll(h);
  assert.equal(got.records.length, 0);
  assert.equal(got.damage[0]!.kind, 'torn');
});

test('a flipped byte fails that record\'s checksum; it is reported and reading resumes at the next record', async () => {
  const recs = Array.from({ length: 6 }, (_, i) => rec(i, 400));
  const w = await writeFile(join(sub(), 'flip.tgcap'), recs);
  const f = w.files[0]!;
  const clean = await readAll(f);
  const bytes = readFileSync(f);
  // In the payload, in the length field, in the marker: each damages just that record.
  for (const [where, at] of [
    ['payload', clean.offsets[2]! + 200],
    ['length', clean.offsets[2]! + 5],
    ['marker', clean.offsets[2]! + 1],
    ['arrival time', clean.offsets[2]! + RECORD_PREFIX + 3],
  ] as const) {
    const b = Buffer.from(bytes);
    b[at] = b[at]! ^ 0x40;
    const copy = `${f}.${where}`;
    writeFileSync(copy, b);
    const got = await readAll(copy);
    assert.deepEqual(got.records, [...recs.slice(0, 2), ...recs.slice(3)], where);
    assert.equal(got.damage.length, 1, where);
    assert.equal(got.damage[0]!.kind, 'corrupt', where);
    assert.equal(got.damage[0]!.offset, clean.offsets[2], where);
    assert.equal(got.damage[0]!.length, clean.offsets[3]! - clean.offsets[2]!, where);
  }
});

test('a payload that happens to contain a record marker does not confuse resynchronisation', async () => {
  const tricky = rec(1, 0);
  // A fake record inside the payload: marker + plausible length + wrong CRC.
  tricky.body = Buffer.concat([Buffer.from('TGR\x1e'), Buffer.from([40, 0, 0, 0]), Buffer.alloc(60, 7)]);
  const recs = [rec(0, 100), tricky, rec(2, 100), rec(3, 100)];
  const w = await writeFile(join(sub(), 'tricky.tgcap'), recs);
  const f = w.files[0]!;
  const clean = await readAll(f);
  assert.deepEqual(clean.records, recs);
  const b = readFileSync(f);
  flip(b, clean.offsets[1]! + 20, 0xff); // damage the record holding the fake marker
  writeFileSync(f, b);
  const got = await readAll(f);
  assert.deepEqual(got.records, [recs[0], recs[2], recs[3]]);
  assert.equal(got.damage.length, 1);
});

test('a damaged file header is reported; the records are still read', async () => {
  const recs = Array.from({ length: 3 }, (_, i) => rec(i));
  const w = await writeFile(join(sub(), 'hdr.tgcap'), recs);
  const f = w.files[0]!;
  const b = readFileSync(f);
  flip(b, 20, 0x01); // inside the meta JSON
  writeFileSync(f, b);
  const got = await readAll(f);
  assert.deepEqual(got.records, recs);
  assert.equal(got.damage[0]!.kind, 'header');
});

test('not a capture file, or a newer format version: a clear error', async () => {
  const d = sub();
  const { mkdirSync } = await import('node:fs');
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'x.txt'), 'hello world, not a capture');
  await assert.rejects(CaptureFileReader.open(join(d, 'x.txt')), (e: Error) => e instanceof CaptureFileError && /not a Tollgate capture file/.test(e.message));
  const h = encodeFileHeader({ created: new Date().toISOString() });
  h.writeUInt16LE(9, 8);
  writeFileSync(join(d, 'v9.tgcap'), h);
  await assert.rejects(CaptureFileReader.open(join(d, 'v9.tgcap')), /version 9 is not supported/);
});

test('several files are merged into arrival order', async () => {
  const d = sub();
  const a = [0, 2, 4, 6].map((i) => rec(i));
  const b = [1, 3, 5].map((i) => rec(i));
  const wa = await writeFile(join(d, 'a.tgcap'), a);
  const wb = await writeFile(join(d, 'b.tgcap'), b);
  const all: number[] = [];
  for await (const e of readCaptures([...wb.files, ...wa.files])) all.push(e.record.body[0]!);
  assert.deepEqual(all, [0, 1, 2, 3, 4, 5, 6]);
  truncateSync(wa.files[0]!, statSync(wa.files[0]!).size - 3);
  const damage: Damage[] = [];
  const again: number[] = [];
  for await (const e of readCaptures([...wa.files, ...wb.files], { onDamage: (x) => damage.push(x) })) again.push(e.record.body[0]!);
  assert.deepEqual(again, [0, 1, 2, 3, 4, 5]);
  assert.equal(damage.length, 1);
});
