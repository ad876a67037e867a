// OTLP spans in → Kafka out: gateway throughput (spans per second per core of
// gateway CPU time) and end-to-end latency (request sent → record readable in
// Kafka, p50/p99), with and without snappy, against the real broker
// (scripts/kafka.sh start; KAFKA_BROKERS overrides 127.0.0.1:19092).
//
//   node dist/benchmarks/kafka.bench.js [--requests N] [--spans S] [--compression none|snappy|gzip]
//
// Two processes, so the gateway's CPU time is its own: this one runs the
// gateway (OTLP/HTTP receiver → kafka exporter, default queue and producer
// settings: acks all, idempotent); a child sends the load and reads the topic.
//   1. throughput: N requests of S spans, 8 in flight, until every record is
//      readable in Kafka; spans / gateway CPU seconds, and spans / wall second.
//   2. latency: requests at half the measured wall rate; each carries an id in
//      a resource attribute, found in the record the consumer reads.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { kafkajsSnappyCodec } from '../src/kafka/snappy.js';
import { encodeProto } from '../src/pdata/otlpjson.js';
import type { ISpan } from '../src/pdata/proto.js';
import { Service } from '../src/service/service.js';
import { silentLogger } from '../src/telemetry/logger.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : def;
};
const REQUESTS = Number(opt('requests', '2000'));
const SPANS = Number(opt('spans', '100'));
const LAT_REQUESTS = Number(opt('latency-requests', '500'));
const IN_FLIGHT = 8;
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const MARK = 'BENCHID:';

(kafkajs.CompressionCodecs as Record<number, unknown>)[kafkajs.CompressionTypes.Snappy] = kafkajsSnappyCodec;

if (args.includes('--peer')) await peer();
else await main();

// ---- the child: load generator and Kafka reader -------------------------------
async function peer(): Promise<void> {
  const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
  const lines = createInterface({ input: process.stdin });
  const next = () => new Promise<Record<string, unknown>>((r) => lines.once('line', (l) => r(JSON.parse(l))));
  const { port, topic } = (await next()) as { port: number; topic: string };

  const body = (id: number): Buffer => {
    const spans: ISpan[] = [];
    for (let i = 0; i < SPANS; i++) {
      const tid = Buffer.alloc(16);
      tid.writeUInt32BE(id, 0);
      tid.writeUInt32BE(i, 12);
      spans.push({
        traceId: tid,
        spanId: tid.subarray(8),
        parentSpanId: Buffer.alloc(8, 1),
        name: 'POST /v1/chat/completions',
        kind: 2,
        startTimeUnixNano: '1700000000000000000' as never,
        endTimeUnixNano: '1700000000250000000' as never,
        attributes: [
          { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
          { key: 'gen_ai.request.model', value: { stringValue: 'llama-3.1-70b-instruct' } },
          { key: 'gen_ai.usage.input_tokens', value: { intValue: 812 } },
          { key: 'gen_ai.usage.output_tokens', value: { intValue: 256 } },
          { key: 'http.response.status_code', value: { intValue: 200 } },
          { key: 'server.address', value: { stringValue: 'vllm-0.inference.svc' } },
        ],
        status: { code: 1 },
      });
    }
    const req = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'inference-api' } }, { key: 'bench.id', value: { stringValue: `${MARK}${String(id).padStart(8, '0')}` } }] },
          scopeSpans: [{ scope: { name: 'bench' }, spans }],
        },
      ],
    };
    return Buffer.from(encodeProto('traces', req));
  };
  const bodies = Array.from({ length: 64 }, (_, i) => body(i)); // throughput phase: ids do not matter

  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let consumed = 0;
  let onRecord: (() => void) | undefined;
  const consumer = new kafkajs.Kafka({ clientId: 'bench-reader', brokers: BROKERS, logLevel: kafkajs.logLevel.NOTHING }).consumer({
    groupId: `bench-${process.pid}`,
    maxWaitTimeInMs: 5,
    sessionTimeout: 10_000,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const v = message.value!;
      const at = v.indexOf(MARK);
      if (at >= 0 && sentAt.size > 0) {
        const id = Number(v.subarray(at + MARK.length, at + MARK.length + 8).toString('latin1'));
        const t0 = sentAt.get(id);
        if (t0 !== undefined) latencies.push(performance.now() - t0);
      }
      consumed++;
      onRecord?.();
    },
  });
  let refusals = 0;
  const post = async (b: Buffer) => {
    for (;;) {
      const r = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: b });
      await r.arrayBuffer();
      if (r.status === 200) return;
      // Backpressure (queue full): wait and send again, as an OTLP client does.
      if (r.status !== 429 && r.status !== 503) throw new Error(`gateway answered ${r.status}`);
      refusals++;
      await new Promise((res) => setTimeout(res, 20));
    }
  };
  const until = (n: number) =>
    new Promise<void>((resolve) => {
      if (consumed >= n) return resolve();
      onRecord = () => {
        if (consumed >= n) {
          onRecord = undefined;
          resolve();
        }
      };
    });

  say({ ready: true });
  await next(); // go
  const t0 = performance.now();
  let sent = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (sent < REQUESTS) {
        const i = sent++;
        await post(bodies[i % bodies.length]!);
      }
    }),
  );
  await until(REQUESTS);
  const wall = (performance.now() - t0) / 1000;
  say({ throughputDone: true, wall, refusals });
  await next();

  // Latency at half the measured rate, one request at a time on a fixed schedule.
  const interval = (1000 * wall) / REQUESTS / 0.5;
  const base = consumed;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < LAT_REQUESTS; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const b = body(i);
    sentAt.set(i, performance.now());
    pending.push(post(b));
  }
  await Promise.all(pending);
  await until(base + LAT_REQUESTS);
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  say({ latency: { n: latencies.length, p50: q(0.5), p99: q(0.99), intervalMs: interval } });
  await consumer.disconnect();
  process.exit(0);
}

// ---- the gateway ---------------------------------------------------------------
async function main(): Promise<void> {
  const compressions = args.includes('--compression') ? [opt('compression', 'none')] : ['none', 'snappy'];
  console.log(`kafka exporter: ${REQUESTS} requests × ${SPANS} spans, ${IN_FLIGHT} in flight; latency at half rate over ${LAT_REQUESTS} requests; brokers ${BROKERS.join(',')}`);
  console.log('| compression | spans/s per gateway core | spans/s (wall) | gateway CPU s | 503s (queue full) | p50 ms | p99 ms |');
  console.log('|---|---|---|---|---|---|---|');
  for (const compression of compressions) {
    const topic = `bench-${compression}-${process.pid}-${Date.now().toString(36)}`;
    const admin = new kafkajs.Kafka({ clientId: 'bench-admin', brokers: BROKERS, logLevel: kafkajs.logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3 }] });
    await admin.disconnect();
    const port = await freePort();
    const svc = new Service(
      {
        receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${port}` } } } },
        exporters: { kafka: { brokers: BROKERS, traces: { topic }, producer: { compression } } },
        service: { telemetry: { metrics: { address: '' } }, pipelines: { traces: { receivers: ['otlp'], exporters: ['kafka'] } } },
      },
      { logger: silentLogger() },
    );
    await svc.start();
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--peer', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    const out = createInterface({ input: child.stdout! });
    const read = () => new Promise<Record<string, any>>((r) => out.once('line', (l) => r(JSON.parse(l))));
    const tell = (o: unknown) => child.stdin!.write(`${JSON.stringify(o)}\n`);
    tell({ port, topic });
    await read(); // ready
    global.gc?.();
    const cpu0 = process.cpuUsage();
    tell({ go: true });
    const tp = await read();
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    tell({ latency: true });
    const lat = (await read()).latency;
    const spans = REQUESTS * SPANS;
    console.log(
      `| ${compression} | ${Math.round(spans / cpuS).toLocaleString('en-US')} | ${Math.round(spans / tp.wall).toLocaleString('en-US')} | ${cpuS.toFixed(2)} | ${tp.refusals} | ${lat.p50.toFixed(1)} | ${lat.p99.toFixed(1)} |`,
    );
    await new Promise((r) => child.once('exit', r));
    await svc.shutdown();
  }
}

/** A loopback port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}
