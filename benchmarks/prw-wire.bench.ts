// The remote-write data path's building blocks, CPU per sample (one process,
// one core): Snappy (Tollgate's codec against snappyjs), the wire scan that
// checks and indexes a request against a protobufjs decode + validation, and
// the send side (partition into shards, copy, compress) against decoding,
// re-encoding and compressing with protobufjs + snappyjs as before.
//
//   node dist/benchmarks/prw-wire.bench.js [--requests N] [--series S] [--rounds R]
//
// Input: WriteRequests of S series × 1 sample with ~8 labels each (~211 bytes
// a series, as a Prometheus server scraping vLLM and DCGM exporters sends
// them). Each figure is the median of R rounds, interleaved so machine noise
// hits every variant alike.
import { compress as jsCompress, uncompress as jsUncompress } from 'snappyjs';
import { partition } from '../src/exporters/prometheusremotewrite/partition.js';
import { EncodedPrw } from '../src/pdata/prw/encoded.js';
import { scanWriteRequest } from '../src/pdata/prw/scan.js';
import { type ITimeSeries, WriteRequest } from '../src/pdata/proto.js';
import { compressInto, maxCompressedLength, snappyDecode, snappyEncode } from '../src/prw/snappy.js';
import { validateWriteRequest } from '../src/prw/validate.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? def) : def;
};
const REQUESTS = Number(opt('requests', '40'));
const SERIES = Number(opt('series', '1000'));
const ROUNDS = Number(opt('rounds', '7'));

const METRICS = [
  'vllm:num_requests_running',
  'vllm:kv_cache_usage_perc',
  'vllm:prompt_tokens_total',
  'vllm:time_to_first_token_seconds_bucket',
  'DCGM_FI_DEV_GPU_UTIL',
  'DCGM_FI_DEV_FB_USED',
];
const MODELS = ['llama-3.1-70b-instruct', 'qwen2.5-72b-instruct', 'mistral-large-2411'];

function request(seed: number): Buffer {
  const timeseries: ITimeSeries[] = [];
  for (let i = 0; i < SERIES; i++) {
    const pod = Math.floor((seed * SERIES + i) / METRICS.length);
    const labels = [
      { name: '__name__', value: METRICS[i % METRICS.length] ?? '' },
      { name: 'cluster', value: 'prod-us-east-1' },
      { name: 'instance', value: `10.4.${Math.floor(pod / 250) % 250}.${pod % 250}:8000` },
      { name: 'job', value: 'vllm' },
      ...(i % METRICS.length === 3 ? [{ name: 'le', value: String(2 ** (i % 12)) }] : []),
      { name: 'model_name', value: MODELS[pod % 3] ?? '' },
      { name: 'namespace', value: 'inference' },
      { name: 'pod', value: `vllm-${pod}-7f9c` },
    ];
    timeseries.push({ labels, samples: [{ value: (seed * 7919 + i) / 7, timestamp: 1_700_000_000_000 + seed }] });
  }
  return Buffer.from(WriteRequest.encode({ timeseries }).finish());
}

const raws = Array.from({ length: REQUESTS }, (_, i) => request(i));
const bodies = raws.map((r) => snappyEncode(r));
const samples = REQUESTS * SERIES;
const out = Buffer.allocUnsafe(maxCompressedLength(raws[0]?.length ?? 0) * 2);
const batchRaw = Buffer.allocUnsafe((raws[0]?.length ?? 0) * 2);
const owner = { settle() {} };

const variants: Array<[string, () => void]> = [
  ['snappy decompress (tollgate)', () => bodies.forEach((b) => snappyDecode(b, 1 << 28))],
  ['snappy decompress (snappyjs)', () => bodies.forEach((b) => jsUncompress(b))],
  ['snappy compress (tollgate, into a reused buffer)', () => raws.forEach((r) => compressInto(r, out))],
  ['snappy compress (snappyjs)', () => raws.forEach((r) => jsCompress(r))],
  ['scan + validate + index', () => raws.forEach((r) => scanWriteRequest(r, true))],
  ['protobufjs decode + validate', () => raws.forEach((r) => validateWriteRequest(WriteRequest.decode(r)))],
  [
    'receive → send, wire (decompress, scan, partition, copy, compress)',
    () => {
      for (const b of bodies) {
        const e = new EncodedPrw([scanWriteRequest(snappyDecode(b, 1 << 28), true).part]);
        let pos = 0;
        for (const chunks of partition(e, { shards: 5, maxSamples: 2000, maxBytes: 3e6 }, undefined, owner))
          for (const c of chunks) pos = c.copyTo(batchRaw, pos);
        compressInto(batchRaw.subarray(0, pos), out);
      }
    },
  ],
  [
    'receive → send, decoded (snappyjs, protobufjs decode, validate, encode, snappyjs)',
    () => {
      for (const b of bodies) {
        const w = WriteRequest.decode(jsUncompress(b));
        validateWriteRequest(w);
        jsCompress(Buffer.from(WriteRequest.encode(w).finish()));
      }
    },
  ],
];

const results = new Map<string, number[]>();
for (let r = 0; r < ROUNDS + 1; r++) {
  for (const [name, run] of variants) {
    const t0 = process.cpuUsage();
    run();
    const t = process.cpuUsage(t0);
    if (r > 0) (results.get(name) ?? results.set(name, []).get(name))?.push((t.user + t.system) / samples);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(
  `remote-write wire path: ${REQUESTS} requests × ${SERIES} series × 1 sample, ${raws[0]?.length} bytes a request; CPU µs per sample, median of ${ROUNDS}`,
);
for (const [name, xs] of results) console.log(`  ${name.padEnd(82)} ${median(xs).toFixed(3)}`);
