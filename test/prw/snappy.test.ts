import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compress as referenceCompress, uncompress as referenceUncompress } from 'snappyjs';
import { compressInto, maxCompressedLength, maxDecompressedLength, snappyDecode, snappyEncode, SnappyError } from '../../src/prw/snappy.js';
import { WriteRequest } from '../../src/pdata/proto.js';
import { Gen, rng } from '../helpers/prwgen.js';
import { must } from '../helpers/must.js';

// The block codec against snappyjs (an independent implementation of the
// same format), both ways, on remote-write bodies and on data built to
// exercise every element kind: long literals, overlapping copies (offsets
// 1–3), copies of every length, blocks past 64 KiB, incompressible bytes.

function bodies(): Buffer[] {
  const out: Buffer[] = [Buffer.alloc(0), Buffer.from('a'), Buffer.from('abcd'), Buffer.alloc(100_000, 7)];
  for (let seed = 1; seed <= 30; seed++) out.push(Buffer.from(WriteRequest.encode(new Gen(seed).request(60)).finish()));
  const r = rng(42);
  for (const n of [15, 16, 17, 63, 64, 65, 4095, 65535, 65536, 65537, 200_000]) {
    const b = Buffer.alloc(n);
    // Runs, repeats at short and long distances, and noise.
    for (let i = 0; i < n; i++) {
      const k = r();
      b[i] = k < 0.3 ? (i > 3 ? must(b[i - 1 - Math.floor(r() * 3)]) : 1) : k < 0.6 && i > 5000 ? must(b[i - 4000]) : Math.floor(r() * 256);
    }
    out.push(b);
  }
  return out;
}

test('snappy: what we compress snappyjs decompresses, and what snappyjs compresses we decompress, byte for byte', () => {
  for (const b of bodies()) {
    const ours = snappyEncode(b);
    assert.ok(ours.length <= maxCompressedLength(b.length));
    assert.ok(Buffer.from(referenceUncompress(ours)).equals(b), `snappyjs reads ours (${b.length} bytes)`);
    assert.ok(snappyDecode(ours, b.length).equals(b), `we read ours (${b.length} bytes)`);
    assert.ok(snappyDecode(Buffer.from(referenceCompress(b)), b.length).equals(b), `we read snappyjs (${b.length} bytes)`);
  }
});

test('snappy: compressInto reuses one output buffer; the result is the same block', () => {
  const out = Buffer.alloc(maxCompressedLength(300_000), 0xee);
  for (const b of bodies()) {
    const n = compressInto(b, out);
    assert.ok(snappyEncode(b).equals(out.subarray(0, n)));
  }
  assert.throws(() => compressInto(Buffer.alloc(1000), Buffer.alloc(10)), /smaller than the bound/);
});

test('snappy: a header announcing more than the body can expand to is refused before any work', () => {
  // 10 bytes of body can make at most 214 bytes; this one announces 1 GiB.
  const lying = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x04, 0xfe, 0x01, 0x00, 0x00, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x00]);
  assert.equal(maxDecompressedLength(10), 214);
  assert.throws(
    () => snappyDecode(lying, 2 ** 31),
    (e: unknown) => e instanceof SnappyError && /announces 1073741824 bytes, more than 10 compressed bytes can hold/.test(e.message),
  );
  // Over the caller's limit: refused on the header alone too.
  assert.throws(() => snappyDecode(snappyEncode(Buffer.alloc(5000)), 4999), /decompresses to 5000 bytes, over the limit of 4999/);
});

test('snappy: a block whose output stops short of, or runs past, its announced length is refused (no zero-filled tail)', () => {
  const real = snappyEncode(Buffer.from('hello hello hello hello'));
  const short = Buffer.from(real);
  short[0] = must(real[0]) + 5; // announces 5 more bytes than the elements make
  assert.throws(() => snappyDecode(short, 1000), /shorter than the announced/);
  const long = Buffer.from(real);
  long[0] = must(real[0]) - 5;
  assert.throws(() => snappyDecode(long, 1000), /longer than the announced/);
});

test('snappy: garbage, truncations and flipped bytes give a SnappyError or the right bytes, never another failure', () => {
  const r = rng(7);
  const inputs: Buffer[] = [];
  for (const b of bodies().slice(0, 20)) {
    const c = snappyEncode(b);
    for (let cut = 0; cut < c.length; cut += Math.max(1, c.length >> 4)) inputs.push(c.subarray(0, cut));
    for (let k = 0; k < 20; k++) {
      const m = Buffer.from(c);
      m[Math.floor(r() * m.length)] = Math.floor(r() * 256);
      inputs.push(m);
    }
  }
  for (let k = 0; k < 500; k++) inputs.push(Buffer.from(Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256))));
  let refused = 0;
  for (const input of inputs) {
    try {
      const out = snappyDecode(input, 1 << 20);
      // Accepted: snappyjs must agree on the bytes.
      assert.ok(Buffer.from(referenceUncompress(input)).equals(out));
    } catch (e) {
      assert.ok(e instanceof SnappyError, `unexpected ${(e as Error).name}: ${(e as Error).message}`);
      refused++;
    }
  }
  assert.ok(refused > inputs.length / 2);
});
