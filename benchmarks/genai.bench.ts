// GenAI enrichment cost: spans per second per core through
//   decode → genai → gpucost → genaimetrics
// versus the same pipeline without those three (decode → a null consumer).
//
//   node dist/benchmarks/genai.bench.js [--requests N] [--rounds R] [--convention genai|genai_legacy|vllm|openinference]
//
// The input is what real SDKs send: loadgen emits its fleet through the
// OpenTelemetry SDK's OTLP/HTTP protobuf exporter into a local server that
// keeps the request bodies. Each round decodes every body afresh (processors
// change what they are given) and runs it through the chain; CPU time is this
// process's user + system time, so the figure is per core.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Consumer } from '../src/component/consumer.js';
import type { CreateSettings } from '../src/component/factory.js';
import { genaiMetricsConnectorFactory } from '../src/connectors/genaimetrics/factory.js';
import { GenaiMetricsSchema } from '../src/connectors/genaimetrics/config.js';
import { validateAgainst } from '../src/config/validate.js';
import type { Convention } from '../src/genai/conventions.js';
import { runLoadgen } from '../src/loadgen/run.js';
import { fleetFrom } from '../src/loadgen/spec.js';
import { decodeProto } from '../src/pdata/otlpjson.js';
import { countSpans } from '../src/pdata/count.js';
import type { Traces } from '../src/pdata/proto.js';
import { GenaiSchema } from '../src/processors/genai/config.js';
import { genaiProcessorFactory } from '../src/processors/genai/factory.js';
import { GpucostSchema } from '../src/processors/gpucost/config.js';
import { gpucostProcessorFactory } from '../src/processors/gpucost/factory.js';
import { silentLogger } from '../src/telemetry/logger.js';
import { SelfTelemetry } from '../src/telemetry/selftelemetry.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : def;
};
const REQUESTS = Number(opt('requests', '20000'));
const ROUNDS = Number(opt('rounds', '7'));
const CONVENTION = opt('convention', 'genai') as Convention;

/** Request bodies exactly as the SDK sent them. */
async function captureBodies(): Promise<Buffer[]> {
  const bodies: Buffer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const fleet = fleetFrom({ seed: 1, requests: REQUESTS, rate: 200, error_rate: 0.02, convention: CONVENTION });
  const r = await runLoadgen({ fleet, endpoint: `http://127.0.0.1:${port}`, protocol: 'http/protobuf', speed: 0 });
  await new Promise<void>((r) => server.close(() => r()));
  if (r.failed > 0) throw new Error(`capture failed: ${r.lastError}`);
  return bodies;
}

const NULL: Consumer<any> = { capabilities: { mutatesData: false }, consume: async () => {} };

function settings(id: string, telemetry: SelfTelemetry): CreateSettings {
  return { id, kind: 'processor', logger: silentLogger(), telemetry };
}

function cfg<T>(schema: Parameters<typeof validateAgainst>[0], raw: Record<string, unknown>): T {
  const problems = validateAgainst(schema, raw, 'bench');
  if (problems.length) throw new Error(problems.join('; '));
  return raw as T;
}

type Chain = { head: Consumer<Traces>; finish: () => Promise<void> };

function baseline(): Chain {
  return { head: NULL, finish: async () => {} };
}

function enriched(costModel: 'exclusive' | 'shared'): Chain {
  const telemetry = new SelfTelemetry({ processMetrics: false });
  const conn = genaiMetricsConnectorFactory.create.traces_to_metrics!(
    { ...settings('genaimetrics', telemetry), kind: 'connector' },
    cfg(GenaiMetricsSchema, { metrics_flush_interval: '1h' }),
    NULL,
  );
  const cost = gpucostProcessorFactory.create.traces!(settings('gpucost', telemetry), cfg(GpucostSchema, { cost_model: costModel, shared: { settle_window: '1h' } }), conn);
  const genai = genaiProcessorFactory.create.traces!(settings('genai', telemetry), cfg(GenaiSchema, {}), cost);
  return {
    head: genai,
    // Shared holds every span: releasing (pricing) them is part of its cost. The final flush too.
    finish: async () => {
      await cost.shutdown();
      await conn.shutdown();
    },
  };
}

/** One pass over every body through a fresh chain: spans and CPU seconds. */
async function pass(bodies: Buffer[], make: () => Chain): Promise<{ spans: number; cpu: number }> {
  const chain = make();
  (globalThis as { gc?: () => void }).gc?.();
  const c0 = process.cpuUsage();
  let spans = 0;
  for (const b of bodies) {
    const t = decodeProto('traces', b);
    spans += countSpans(t);
    await chain.head.consume(t, {});
  }
  await chain.finish();
  const c = process.cpuUsage(c0);
  return { spans, cpu: (c.user + c.system) / 1e6 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Rounds interleave the variants (A B C, A B C, ...) so drift in the
 * machine's load hits all of them alike; each variant's figure is its median.
 */
async function measureAll(bodies: Buffer[], variants: Array<[string, () => Chain]>): Promise<number[]> {
  const rates: number[][] = variants.map(() => []);
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [i, [, make]] of variants.entries()) {
      const r = await pass(bodies, make);
      if (round > 0) rates[i]!.push(r.spans / r.cpu); // round 0 warms up
    }
  }
  return variants.map(([name], i) => {
    const m = median(rates[i]!);
    console.log(`${name.padEnd(52)} ${Math.round(m).toLocaleString('en-US').padStart(10)} spans/s per core (median of ${ROUNDS})`);
    return m;
  });
}

const bodies = await captureBodies();
const total = bodies.reduce((s, b) => s + countSpans(decodeProto('traces', b)), 0);
console.log(`input: ${REQUESTS} requests in the ${CONVENTION} convention, ${total} spans in ${bodies.length} OTLP requests (as sent by the OpenTelemetry SDK); ${ROUNDS} rounds`);
const [base, excl, shared] = (await measureAll(bodies, [
  ['decode → (nothing)', baseline],
  ['decode → genai → gpucost(exclusive) → genaimetrics', () => enriched('exclusive')],
  ['decode → genai → gpucost(shared) → genaimetrics', () => enriched('shared')],
])) as [number, number, number];
console.log(`ratio with/without: exclusive ${(excl / base).toFixed(2)}, shared ${(shared / base).toFixed(2)}`);
