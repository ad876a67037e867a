// Reading a Kafka topic the kafka exporter wrote, for replay.
//
// Replay needs what src/kafka's group consumer does not give: each record's
// timestamp (the original pacing) and the end of the topic (to stop). So
// this small module talks to kafkajs directly. It takes the end offsets of
// every partition when it starts, reads each partition up to them with a
// throw-away consumer group (nothing is committed; the group is deleted
// afterwards), and returns the records in data-time order across partitions.
// Records are held in memory, bounded by `maxBytes`.
import kafkajs from 'kafkajs';
import type { KafkaMessage } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { kafkajsSnappyCodec } from '../kafka/snappy.js';
import { decodePayload, fromKafka, type ReplayRequest } from './request.js';
import { timeRange } from './shift.js';

const { Kafka, CompressionTypes, CompressionCodecs, logLevel } = kafkajs;
// kafkajs has no snappy codec of its own (the same codec the kafka components register).
(CompressionCodecs as Record<number, () => unknown>)[CompressionTypes.Snappy] = kafkajsSnappyCodec;

export interface KafkaSourceOptions {
  brokers: string[];
  topics: string[];
  /** Largest total of record values held; beyond it the read fails with a clear error. */
  maxBytes: number;
  /** Give up when no record arrives for this long while records are still expected. */
  idleTimeoutMs?: number;
  /** Keep only records for which this is true (applied while reading, so filtered records cost no memory). */
  keep?: (r: ReplayRequest) => boolean;
}

function headersOf(h: KafkaMessage['headers']): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v === undefined) continue;
    const vals = Array.isArray(v) ? v : [v];
    out[k] = vals.map((x) => (typeof x === 'string' ? x : x.toString('utf8')));
  }
  return out;
}

function dataTime(r: ReplayRequest): bigint {
  try {
    return timeRange(decodePayload(r)).minNs ?? r.arrivalNs;
  } catch {
    return r.arrivalNs;
  }
}

/** Every record of the topics up to their end at start, in data-time order (oldest first). */
export async function readKafkaTopics(o: KafkaSourceOptions): Promise<{ requests: ReplayRequest[]; read: number }> {
  const kafka = new Kafka({ clientId: 'tollgate-replay', brokers: o.brokers, logLevel: logLevel.NOTHING, connectionTimeout: 5000, retry: { retries: 5 } });
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `tollgate-replay-${randomUUID()}`;
  const pending = new Map<string, bigint>(); // topic/partition → last offset to read
  const out: ReplayRequest[] = [];
  let read = 0;
  let bytes = 0;
  try {
    for (const topic of o.topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        const high = BigInt(p.high);
        const low = BigInt(p.low);
        if (high > low) pending.set(`${topic}/${p.partition}`, high - 1n);
      }
    }
    if (pending.size > 0) {
      const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
      await consumer.connect();
      try {
        for (const topic of o.topics) await consumer.subscribe({ topic, fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          const idleMs = o.idleTimeoutMs ?? 30_000;
          let timer = setTimeout(onIdle, idleMs);
          function onIdle() {
            reject(new Error(`kafka: no records for ${idleMs / 1000}s with ${pending.size} partition(s) not read to their end (${[...pending.keys()].join(', ')})`));
          }
          consumer
            .run({
              autoCommit: false,
              eachMessage: async ({ topic, partition, message }) => {
                clearTimeout(timer);
                timer = setTimeout(onIdle, idleMs);
                const key = `${topic}/${partition}`;
                const last = pending.get(key);
                if (last === undefined) return;
                const offset = BigInt(message.offset);
                if (offset <= last && message.value) {
                  read++;
                  const req = fromKafka(BigInt(message.timestamp) * 1_000_000n, headersOf(message.headers), message.value, `${key}@${message.offset}`);
                  if (!o.keep || o.keep(req)) {
                    bytes += message.value.length;
                    if (bytes > o.maxBytes) {
                      clearTimeout(timer);
                      reject(new Error(`kafka: the records to replay exceed --kafka-max-bytes (${o.maxBytes} bytes); narrow the replay with --from/--to, --signal or --tenant, or raise the limit`));
                      return;
                    }
                    out.push(req);
                  }
                }
                if (offset >= last) {
                  pending.delete(key);
                  if (pending.size === 0) {
                    clearTimeout(timer);
                    resolve();
                  }
                }
              },
            })
            .catch((e: Error) => {
              clearTimeout(timer);
              reject(e);
            });
        });
      } finally {
        await consumer.disconnect().catch(() => {});
      }
      await admin.deleteGroups([groupId]).catch(() => {});
    }
  } finally {
    await admin.disconnect().catch(() => {});
  }
  // An exporter with several queue consumers produces batches out of order, so
  // record timestamps are not data order: sort by the oldest timestamp inside
  // each payload (the record's own time when it has none or cannot be read).
  // Stable: ties keep partition and offset order.
  const keyed = out.map((r) => ({ r, key: dataTime(r) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { requests: keyed.map((k) => k.r), read };
}
