// Accuracy of the gpu_shared cost model on a fleet whose requests outlast the
// settle window: per-model summed cost against loadgen's ground truth.
//
//   node dist/benchmarks/sharedcost.bench.js [--requests N] [--speed X] [--jitter S]
//
// loadgen paces the fleet (default 10× real time: the release policies are
// wall-clock or replica-clock driven, so pacing matters) into a gateway of
// genai → gpucost (shared) → file, three times:
//   arrival window   spans held a fixed 30 s (3 s at 10×) after they arrive,
//                    released intervals remembered for two windows, never
//                    corrected: what gpucost did before the ledger (emulated
//                    with settle_window 1h, max_hold and correction_window);
//   charged          today's release policy, costs as first written on the spans;
//   net              charged plus the corrections late spans carried.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anyToJs } from '../src/genai/attrs.js';
import type { IKeyValue, IResourceSpans } from '../src/pdata/proto.js';
import { runLoadgen } from '../src/loadgen/run.js';
import { fleetFrom } from '../src/loadgen/spec.js';
import { Service } from '../src/service/service.js';
import { silentLogger } from '../src/telemetry/logger.js';
import { GPU_FLEET_MODELS } from '../test/helpers/genai.js';
import { freePort } from '../test/helpers/ports.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return (i >= 0 ? args[i + 1] : undefined) ?? def;
};
const REQUESTS = Number(opt('requests', '4000'));
const SPEED = Number(opt('speed', '10'));
const JITTER = Number(opt('jitter', '0'));

const fleet = fleetFrom({
  seed: 150,
  requests: REQUESTS,
  rate: 20,
  error_rate: 0.01,
  export_jitter: JITTER,
  models: GPU_FLEET_MODELS,
});

interface Run {
  truth: Map<string, number>;
  charged: Map<string, number>;
  credits: Map<string, number>;
  late: number;
  longest: number;
}

async function run(shared: Record<string, unknown>): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-sharedcost-'));
  const port = await freePort();
  const svc = new Service(
    {
      receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${port}` } } } },
      processors: { genai: {}, gpucost: { cost_model: 'shared', shared } },
      exporters: { file: { path: join(dir, 'traces.jsonl') } },
      service: {
        telemetry: { metrics: { address: '' } },
        pipelines: { traces: { receivers: ['otlp'], processors: ['genai', 'gpucost'], exporters: ['file'] } },
      },
    },
    { logger: silentLogger() },
  );
  await svc.start();
  const r = await runLoadgen({ fleet, endpoint: `http://127.0.0.1:${port}`, protocol: 'http/protobuf', speed: SPEED });
  await svc.shutdown();
  const out: Run = { truth: new Map(), charged: new Map(), credits: new Map(), late: 0, longest: 0 };
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (const t of r.truths) {
    if (t.cost_shared_usd !== null) add(out.truth, t.model, t.cost_shared_usd);
    out.longest = Math.max(out.longest, t.duration_s);
  }
  for (const line of readFileSync(join(dir, 'traces.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const doc = JSON.parse(line) as { resourceSpans?: IResourceSpans[] };
    for (const rs of doc.resourceSpans ?? []) {
      for (const ss of rs.scopeSpans ?? []) {
        for (const sp of ss.spans ?? []) {
          const a = Object.fromEntries((sp.attributes ?? []).map((kv) => [kv.key, kv.value]));
          const model = a['gen_ai.request.model']?.stringValue;
          const cost = a['gen_ai.usage.cost']?.doubleValue;
          if (!model || cost === undefined) continue;
          add(out.charged, model, cost);
          if (a['tollgate.gpucost.late']) out.late++;
          for (const g of a['tollgate.gpucost.adjustment.groups']?.arrayValue?.values ?? []) {
            const kv = Object.fromEntries((g.kvlistValue?.values ?? []).map((x: IKeyValue) => [x.key, anyToJs(x.value)]));
            add(out.credits, kv['gen_ai.request.model'] as string, kv.amount as number);
          }
        }
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return out;
}

const pct = (got: number, want: number) => {
  const e = (got - want) / want;
  return Math.abs(e) < 1e-9 ? `${e.toExponential(1)}` : `${(100 * e).toFixed(3)}%`;
};

// The old policy: held settle_window after arrival, priced with what was known, released intervals
// remembered for two windows (a late span overlapping older ones was priced as if alone), never corrected.
const window = Math.round(30_000 / SPEED);
const before = await run({ settle_window: '1h', max_hold: `${window}ms`, correction_window: `${2 * window}ms`, tick: `${Math.round(1000 / SPEED)}ms` });
const after = await run({});
console.log(`fleet: ${REQUESTS} requests, longest ${after.longest.toFixed(1)} s, speed ${SPEED}×, export jitter ${JITTER} s; default settle_window 30 s`);
console.log(`late spans: arrival window ${before.late}, ledger ${after.late}`);
console.log('| model | arrival window (30 s), charged | ledger, charged | ledger, net of corrections |');
console.log('|---|---|---|---|');
let tw = 0;
let tb = 0;
let tc = 0;
let tn = 0;
for (const [model, want] of after.truth) {
  const b = before.charged.get(model) ?? 0;
  const c = after.charged.get(model) ?? 0;
  const n = c + (after.credits.get(model) ?? 0);
  tw += want;
  tb += b;
  tc += c;
  tn += n;
  console.log(`| ${model} | ${pct(b, want)} | ${pct(c, want)} | ${pct(n, want)} |`);
}
console.log(`| fleet | ${pct(tb, tw)} | ${pct(tc, tw)} | ${pct(tn, tw)} |`);
