// The encoded data path's building blocks, CPU per span (one process, one
// core): what a request costs decoded and re-encoded with protobufjs, against
// the wire scan that checks and indexes it, merging requests into batches,
// cutting batches at item boundaries, and sending the bytes.
//
//   node dist/benchmarks/wire.bench.js [--requests N] [--spans S] [--rounds R]
//
// Input: requests of S LLM spans (~550 bytes, 15 attributes each, as an
// instrumented inference client sends them). Each figure is the median of R
// rounds, interleaved so machine noise hits every variant alike.
import { EncodedOtlp, mergeData } from '../src/pdata/batch.js';
import { decodeProto, encodeProto } from '../src/pdata/otlpjson.js';
import type { IKeyValue, ISpan, Traces } from '../src/pdata/proto.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return (i >= 0 ? args[i + 1] : undefined) ?? def;
};
const REQUESTS = Number(opt('requests', '400'));
const SPANS = Number(opt('spans', '100'));
const ROUNDS = Number(opt('rounds', '7'));

function llmSpan(req: number, i: number): ISpan {
  const tid = Buffer.alloc(16);
  tid.writeUInt32BE(req, 0);
  tid.writeUInt32BE(i, 12);
  const s = (key: string, v: string): IKeyValue => ({ key, value: { stringValue: v } });
  const n = (key: string, v: number): IKeyValue => ({ key, value: { intValue: v } });
  return {
    traceId: tid,
    spanId: tid.subarray(8),
    parentSpanId: Buffer.alloc(8, 1),
    name: 'chat llama-3.1-70b-instruct',
    kind: 3,
    startTimeUnixNano: '1700000000000000000' as never,
    endTimeUnixNano: '1700000002250000000' as never,
    attributes: [
      s('gen_ai.operation.name', 'chat'),
      s('gen_ai.provider.name', 'vllm'),
      s('gen_ai.request.model', 'llama-3.1-70b-instruct'),
      s('gen_ai.response.model', 'llama-3.1-70b-instruct'),
      n('gen_ai.usage.input_tokens', 812 + i),
      n('gen_ai.usage.output_tokens', 256),
      { key: 'gen_ai.request.temperature', value: { doubleValue: 0.7 } },
      n('gen_ai.request.max_tokens', 1024),
      s('gen_ai.response.id', `chatcmpl-${req}-${i}`),
      s('gen_ai.response.finish_reasons', 'stop'),
      s('server.address', 'vllm-0.inference.svc.cluster.local'),
      n('server.port', 8000),
      n('http.response.status_code', 200),
      s('user.tier', 'enterprise'),
      s('deployment.environment', 'production'),
    ],
    status: { code: 1 },
  };
}

function request(r: number): Buffer {
  const t: Traces = {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'inference-api' } },
            { key: 'k8s.pod.name', value: { stringValue: `api-${r % 7}` } },
          ],
        },
        scopeSpans: [{ scope: { name: 'openllmetry', version: '0.40.0' }, spans: Array.from({ length: SPANS }, (_, i) => llmSpan(r, i)) }],
      },
    ],
  };
  return Buffer.from(encodeProto('traces', t));
}

const bodies = Array.from({ length: REQUESTS }, (_, r) => request(r));
const spans = REQUESTS * SPANS;
let sink = 0;

const variants: Array<[string, () => void]> = [
  [
    'protobufjs decode',
    () => {
      for (const b of bodies) sink += decodeProto('traces', b).resourceSpans?.length ?? 0;
    },
  ],
  [
    'protobufjs decode + encode',
    () => {
      for (const b of bodies) sink += encodeProto('traces', decodeProto('traces', b)).length;
    },
  ],
  [
    'wire scan (check + index)',
    () => {
      for (const b of bodies) sink += EncodedOtlp.scan('traces', b).items;
    },
  ],
  [
    'scan + merge 16 requests + bytes out',
    () => {
      for (let i = 0; i < bodies.length; i += 16) {
        const parts = bodies.slice(i, i + 16).map((b) => EncodedOtlp.scan('traces', b));
        sink += (mergeData('traces', parts) as EncodedOtlp).toBuffer().length;
      }
    },
  ],
  [
    'scan + merge 16 + cut into 1000-span batches',
    () => {
      for (let i = 0; i < bodies.length; i += 16) {
        const m = mergeData(
          'traces',
          bodies.slice(i, i + 16).map((b) => EncodedOtlp.scan('traces', b)),
        ) as EncodedOtlp;
        while (m.items > 0) sink += m.take(1000).toBuffer().length;
      }
    },
  ],
];

const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const results = variants.map(([name, run]) => ({ name, run, us: [] as number[] }));
for (let round = 0; round <= ROUNDS; round++) {
  for (const v of results) {
    (globalThis as { gc?: () => void }).gc?.();
    const c0 = cpu();
    v.run();
    const s = cpu() - c0;
    if (round > 0) v.us.push((s / spans) * 1e6);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
console.log(`input: ${REQUESTS} requests × ${SPANS} spans, ${Math.round((bodies[0]?.length ?? 0) / SPANS)} bytes per span; median of ${ROUNDS} rounds`);
for (const v of results) console.log(`${v.name.padEnd(48)} ${median(v.us).toFixed(3).padStart(8)} µs CPU per span`);
if (sink === 42) console.log('');
