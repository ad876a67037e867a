// Real Apache Kafka for tests. The shared broker belongs to the test runner
// (scripts/run-tests.mjs starts one per run on free ports and hands it over in
// KAFKA_BROKERS / KAFKA_DATA_DIR): tests use it and never stop it. A test that
// must stop and start a broker makes its own (PrivateKafka). Plain kafkajs
// producers/consumers/admin check what Tollgate wrote without going through
// Tollgate's own Kafka module.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import type { IHeaders, Kafka as KafkaClient } from 'kafkajs';
import { freePort } from './ports.js';
import { requireIntegrationTier } from './tier.js';

const { Kafka, logLevel } = kafkajs;

const REPO = join(import.meta.dirname, '..', '..', '..');
const SCRIPT = join(REPO, 'scripts', 'kafka.sh');

export interface KafkaUnderTest {
  brokers: string[];
}

function reachable(hostPort: string, timeoutMs = 1000): Promise<boolean> {
  const i = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(hostPort.slice(i + 1));
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

function runScript(cmd: string, env: Record<string, string> = {}): { ok: boolean; output: string } {
  const r = spawnSync('bash', [SCRIPT, cmd], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 180_000 });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

const HOW = 'run the test through the runner (`npm run test:integration -- <file>` starts a broker for the run), or start one (`KAFKA_PORT=<port> scripts/kafka.sh start`) and set KAFKA_BROKERS=127.0.0.1:<port>';

/** The run's shared broker (KAFKA_BROKERS). Never stop it: other test files use it too. */
export async function useKafka(): Promise<KafkaUnderTest> {
  requireIntegrationTier('Apache Kafka');
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const first = brokers[0];
  if (first === undefined) throw new Error(`this test needs Apache Kafka and KAFKA_BROKERS is not set: ${HOW}`);
  if (!(await reachable(first))) throw new Error(`KAFKA_BROKERS=${process.env.KAFKA_BROKERS} is not reachable: ${HOW}`);
  return { brokers };
}

/**
 * A broker of the test's own (free ports, temporary data directory) that it
 * may stop and start at will, e.g. to cut Kafka away mid-stream.
 */
export class PrivateKafka {
  readonly brokers: string[];
  private constructor(
    private readonly env: Record<string, string>,
    private readonly dataDir: string,
  ) {
    this.brokers = [`127.0.0.1:${env.KAFKA_PORT}`];
  }

  static async create(): Promise<PrivateKafka> {
    requireIntegrationTier('a private Apache Kafka broker');
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-kafka-test-'));
    const env = { KAFKA_PORT: String(await freePort()), KAFKA_CONTROLLER_PORT: String(await freePort()), KAFKA_DATA_DIR: dataDir };
    const k = new PrivateKafka(env, dataDir);
    k.start();
    return k;
  }

  start(): void {
    const r = runScript('start', this.env);
    if (!r.ok) throw new Error(`could not start a private Kafka broker (scripts/kafka.sh start):\n${r.output}`);
  }

  stop(): void {
    runScript('stop', this.env);
  }

  destroy(): void {
    this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

let seq = 0;
/** A topic name no other test (or earlier run) uses. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++seq}`;
}

export function plainKafka(brokers: readonly string[]): KafkaClient {
  return new Kafka({ clientId: 'tollgate-test', brokers: [...brokers], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 200 } });
}

export async function createTopic(brokers: readonly string[], topic: string, partitions: number): Promise<void> {
  const admin = plainKafka(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
  } finally {
    await admin.disconnect();
  }
}

/** Committed offsets of a group on a topic, summed over partitions (none committed counts 0). */
export async function committedTotal(brokers: readonly string[], groupId: string, topic: string): Promise<number> {
  const admin = plainKafka(brokers).admin();
  await admin.connect();
  try {
    const res = await admin.fetchOffsets({ groupId, topics: [topic] });
    let n = 0;
    for (const t of res) for (const p of t.partitions) if (Number(p.offset) > 0) n += Number(p.offset);
    return n;
  } finally {
    await admin.disconnect();
  }
}

/** End offsets of a topic, summed over partitions: the number of records written (no compaction here). */
export async function topicEnd(brokers: readonly string[], topic: string): Promise<number> {
  const admin = plainKafka(brokers).admin();
  await admin.connect();
  try {
    const res = await admin.fetchTopicOffsets(topic);
    return res.reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

export interface ReadRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer;
  headers: Record<string, string>;
}

function headerStrings(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    const one = Array.isArray(v) ? v[v.length - 1] : v;
    if (one !== undefined) out[k] = one.toString();
  }
  return out;
}

/**
 * Reads topics from the beginning with a plain kafkajs consumer (a fresh
 * group) until `done(records)` says enough, or `timeoutMs` passes; returns
 * what it read either way, so the test's assertions report what is missing.
 */
export async function readTopics(
  brokers: readonly string[],
  topics: readonly string[],
  done: (records: readonly ReadRecord[]) => boolean,
  timeoutMs = 20_000,
): Promise<ReadRecord[]> {
  const consumer = plainKafka(brokers).consumer({ groupId: uniqueTopic('reader'), sessionTimeout: 6000, heartbeatInterval: 1000, maxWaitTimeInMs: 100 });
  const out: ReadRecord[] = [];
  await consumer.connect();
  try {
    // KRaft answers UNKNOWN_TOPIC_OR_PARTITION while auto-creating a topic; kafkajs does not retry it.
    for (let attempt = 1; ; attempt++) {
      try {
        await consumer.subscribe({ topics: [...topics], fromBeginning: true });
        break;
      } catch (err) {
        if ((err as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION' || attempt >= 40) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      let finished = false;
      consumer
        .run({
          eachMessage: async ({ topic, partition, message }) => {
            if (finished) return;
            out.push({ topic, partition, offset: message.offset, key: message.key, value: message.value ?? Buffer.alloc(0), headers: headerStrings(message.headers) });
            if (done(out)) {
              finished = true;
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(() => resolve());
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** Writes records with a plain kafkajs producer. */
export async function produce(
  brokers: readonly string[],
  topic: string,
  records: { key?: string | Buffer | null; value: Buffer | string; headers?: Record<string, string>; partition?: number }[],
): Promise<void> {
  const producer = plainKafka(brokers).producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic, messages: records });
  } finally {
    await producer.disconnect();
  }
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns its last answer. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Compression codec of every record batch the broker stored for a partition
 * (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd), read from its log segments: the
 * proof that a producer really compressed. Needs the broker's data directory
 * (KAFKA_DATA_DIR, which the test runner sets; else the one scripts/kafka.sh uses for the port).
 */
export function storedCompressions(brokers: readonly string[], topic: string, partition = 0): number[] {
  const first = brokers[0] ?? '';
  const port = first.slice(first.lastIndexOf(':') + 1);
  const dataDir = process.env.KAFKA_DATA_DIR ?? join('/tmp', `tollgate-kafka-${port}`);
  const dir = join(dataDir, 'logs', `${topic}-${partition}`);
  if (!existsSync(dir)) throw new Error(`no log directory ${dir}: is the broker the one scripts/kafka.sh started (set KAFKA_DATA_DIR otherwise)?`);
  const out: number[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.log')).sort()) {
    const b = readFileSync(join(dir, f));
    // Record batch v2: baseOffset i64, batchLength i32, leaderEpoch i32, magic i8, crc u32, attributes i16.
    for (let pos = 0; pos + 23 <= b.length; ) {
      const len = b.readInt32BE(pos + 8);
      if (len <= 0) break;
      out.push(b.readInt16BE(pos + 21) & 0x7);
      pos += 12 + len;
    }
  }
  return out;
}

/** Runs one of Apache Kafka's own Java tools (a class name; kafka.tools.* when unqualified) from the jars scripts/kafka.sh fetched. */
export function runKafkaTool(tool: string, args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const pom = readFileSync(join(REPO, 'scripts', 'kafka', 'pom.xml'), 'utf8');
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)![1]!;
  const cache = process.env.KAFKA_CACHE_DIR ?? join(homedir(), '.cache', 'tollgate', 'kafka');
  const lib = join(cache, version, 'lib');
  if (!existsSync(lib)) throw new Error(`no Kafka jars in ${lib}: run scripts/kafka.sh fetch`);
  const r = spawnSync('java', ['-Xmx128m', '-Dlog4j.configuration=file:/dev/null', '-cp', `${lib}/*`, tool.includes('.') ? tool : `kafka.tools.${tool}`, ...args], {
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
