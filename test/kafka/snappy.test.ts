// Kafka's snappy codec: plain blocks (what Tollgate writes) and the xerial
// framing the Java producer writes (what Tollgate must read).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { snappyCompress, snappyDecompress } from '../../src/kafka/snappy.js';

const text = Buffer.from('gen_ai.usage.input_tokens '.repeat(2000));

test('a plain snappy block round-trips and is smaller', () => {
  const c = snappyCompress(text);
  assert.ok(c.length < text.length / 5);
  assert.deepEqual(snappyDecompress(c), text);
});

test('xerial-framed input (Java producer) is read chunk by chunk', () => {
  const halves = [text.subarray(0, 20_000), text.subarray(20_000)];
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  const parts: Buffer[] = [header];
  for (const h of halves) {
    const block = snappyCompress(h);
    const len = Buffer.alloc(4);
    len.writeInt32BE(block.length);
    parts.push(len, block);
  }
  assert.deepEqual(snappyDecompress(Buffer.concat(parts)), text);
});

test('a truncated xerial chunk is an error, not a short result', () => {
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  const len = Buffer.alloc(4);
  len.writeInt32BE(1000);
  assert.throws(() => snappyDecompress(Buffer.concat([header, len, Buffer.alloc(10)])), /truncated/);
});
