// Scale-out by consumer group: two gateways (separate processes) share a
// 6-partition topic while records stream in; one is killed with SIGKILL
// mid-stream. The survivor takes over its partitions from the last commit:
// every span arrives at least once; the duplicates are counted and reported.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeProto } from '../../../src/pdata/otlpjson.js';
import { createTopic, plainKafka, uniqueTopic, useKafka, waitFor, type KafkaUnderTest } from '../../helpers/kafka.js';
import { startChild, type ChildGateway } from '../../kafka/children.js';
import { readFileOut } from '../../kafka/fileout.js';
import { span, tracesOf } from '../../kafka/gateway.js';
import { otlpSpans } from '../../kafka/normalize.js';

const PARTITIONS = 6;
const ROUNDS = 60; // each round writes one record to every partition
const SPANS_PER = 4;

let kafka: KafkaUnderTest;
const children: ChildGateway[] = [];
const dir = mkdtempSync(join(tmpdir(), 'tollgate-kafka-scale-'));

before(async () => {
  kafka = await useKafka();
});

after(async () => {
  for (const c of children) await c.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

function member(topic: string, group: string, file: string) {
  return {
    receivers: {
      kafka: {
        brokers: kafka.brokers,
        group_id: group,
        client_id: `scale-${file.slice(-8)}`,
        initial_offset: 'earliest',
        traces: { topics: [topic] },
        session_timeout: '6s',
        heartbeat_interval: '500ms',
        rebalance_timeout: '10s',
        max_fetch_wait: '100ms',
      },
    },
    exporters: { file: { path: file } },
    service: { telemetry: { metrics: { address: '' } }, pipelines: { traces: { receivers: ['kafka'], exporters: ['file'] } } },
  };
}

/** Span names: p<partition>-r<round>-s<k>. */
const namesIn = (file: string) => otlpSpans(readFileOut(file).traces).map((s) => JSON.parse(s).name as string);

test('two gateways in one group share 6 partitions; one is killed; the other takes over', async (t) => {
  const topic = uniqueTopic('scale');
  const group = uniqueTopic('scale-group');
  await createTopic(kafka.brokers, topic, PARTITIONS);
  const f1 = join(dir, 'r1.jsonl');
  const f2 = join(dir, 'r2.jsonl');
  const r1 = await startChild(member(topic, group, f1));
  children.push(r1);
  const r2 = await startChild(member(topic, group, f2));
  children.push(r2);

  const producer = plainKafka(kafka.brokers).producer();
  await producer.connect();
  const write = async (round: number) => {
    await producer.send({
      topic,
      messages: Array.from({ length: PARTITIONS }, (_, p) => ({
        partition: p,
        value: Buffer.from(
          encodeProto(
            'traces',
            tracesOf(Array.from({ length: SPANS_PER }, (_, k) => ({ ...span(round, p * 1000 + k), name: `p${p}-r${round}-s${k}` }))),
          ),
        ),
        headers: { 'tollgate-signal': 'traces', 'tollgate-encoding': 'otlp_proto' },
      })),
    });
  };

  let round = 0;
  const started = Date.now();
  try {
    // Stream a third of the rounds, and until both members have delivered something: the group is shared.
    const both = async () => {
      await write(round++);
      await new Promise((r) => setTimeout(r, 50));
      return round >= ROUNDS / 3 && namesIn(f1).length > 0 && namesIn(f2).length > 0;
    };
    assert.ok(await waitFor(both, 30_000, 0), 'both members received records');
    const r1Partitions = new Set(namesIn(f1).map((n) => n.split('-')[0]));
    const r2Partitions = new Set(namesIn(f2).map((n) => n.split('-')[0]));
    t.diagnostic(`before the kill: member 1 had ${[...r1Partitions].sort()}, member 2 had ${[...r2Partitions].sort()}`);

    await r1.kill('SIGKILL');
    const killedAt = round;
    t.diagnostic(`killed member 1 after ${killedAt} rounds (${Date.now() - started} ms)`);
    while (round < Math.max(ROUNDS, killedAt + 20)) {
      await write(round++);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await producer.disconnect();
  }

  const expected: string[] = [];
  for (let r = 0; r < round; r++) for (let p = 0; p < PARTITIONS; p++) for (let k = 0; k < SPANS_PER; k++) expected.push(`p${p}-r${r}-s${k}`);
  await waitFor(() => {
    const union = new Set([...namesIn(f1), ...namesIn(f2)]);
    return expected.every((n) => union.has(n));
  }, 45_000, 250);

  t.diagnostic(`all delivered ${Date.now() - started} ms after the stream began`);
  const all = [...namesIn(f1), ...namesIn(f2)];
  const seen = new Set(all);
  const missing = expected.filter((n) => !seen.has(n));
  assert.deepEqual(missing, [], 'every span arrived at least once');
  // The survivor serves every partition now, the killed member's ones included.
  const lastRound = `r${round - 1}-`;
  const tail = namesIn(f2).filter((n) => n.includes(lastRound));
  assert.equal(new Set(tail.map((n) => n.split('-')[0])).size, PARTITIONS, 'member 2 delivered the last round of all 6 partitions');
  const duplicates = all.length - seen.size;
  t.diagnostic(`scale-out: ${expected.length} spans written, ${all.length} delivered, ${duplicates} duplicates (redelivered after the kill: read but not committed by the killed member)`);
});
