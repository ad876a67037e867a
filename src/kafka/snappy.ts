import { snappyDecode, snappyEncode } from '../prw/snappy.js';

/**
 * Kafka's snappy codec. Producers write a plain snappy block (what librdkafka,
 * sarama and franz-go accept, and what the broker's xerial input stream reads
 * when the xerial magic is absent). Readers must also accept the xerial
 * framing the Java producer writes: an 8-byte magic, two int32 versions, then
 * chunks of int32 length + snappy block.
 */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_LEN = 16;

// A block inside a Kafka record batch is bounded by the batch itself (int32 length).
const MAX_BLOCK = 0x7fffffff;

export function snappyCompress(input: Uint8Array): Buffer {
  return snappyEncode(input);
}

export function snappyDecompress(input: Buffer): Buffer {
  if (input.length >= XERIAL_HEADER_LEN && input.subarray(0, 8).equals(XERIAL_MAGIC)) {
    const chunks: Buffer[] = [];
    let pos = XERIAL_HEADER_LEN;
    while (pos + 4 <= input.length) {
      const len = input.readInt32BE(pos);
      pos += 4;
      if (len < 0 || pos + len > input.length) throw new Error('truncated xerial snappy chunk');
      chunks.push(snappyDecode(input.subarray(pos, pos + len), MAX_BLOCK));
      pos += len;
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }
  return snappyDecode(input, MAX_BLOCK);
}

/** The codec object kafkajs expects in CompressionCodecs (its encoder exposes `.buffer`). */
export function kafkajsSnappyCodec(): { compress(e: { buffer: Buffer }): Promise<Buffer>; decompress(b: Buffer): Promise<Buffer> } {
  return {
    async compress(encoder) {
      return snappyCompress(encoder.buffer);
    },
    async decompress(buffer) {
      return snappyDecompress(buffer);
    },
  };
}
