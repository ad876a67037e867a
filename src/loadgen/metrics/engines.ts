// The /metrics page each engine serves, with its own names, labels, units and
// bucket layouts (vLLM v1, SGLang, TGI 2.x, Triton 2.x), from a replica's state.
import type { SimRequest } from '../simulate.js';
import { fmt, Hist } from './histogram.js';
import type { ReplicaState } from './replica.js';

export type EngineKind = 'vllm' | 'sglang' | 'tgi' | 'triton';
export const ENGINE_KINDS: readonly EngineKind[] = ['vllm', 'sglang', 'tgi', 'triton'];

/** Buckets as each engine ships them (vLLM and SGLang releases of 2025). */
const VLLM_TTFT = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
const VLLM_ITL = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];
const VLLM_LATENCY = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];
const SGLANG_TTFT = [0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400];
const SGLANG_TPOT = [0.002, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.06, 0.08, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6, 0.8, 1, 2];
const SGLANG_E2E = [0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400, 800];
const TGI_DURATION = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const TGI_TOKENS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768];

/** KV-cache capacity of a replica in tokens per GPU (an 80 GB GPU serving an 8B model holds ~200k). */
const KV_TOKENS_PER_GPU = 200_000;

const s = (ns: number) => ns / 1e9;
const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export interface EngineContext {
  model: string;
  gpus: number;
}

function ttft(r: SimRequest): number | undefined {
  return r.outputTokens > 0 ? s(r.queueNs + r.prefillNs) : undefined;
}

export function renderEngine(kind: EngineKind, st: ReplicaState, c: EngineContext): string {
  switch (kind) {
    case 'vllm':
      return vllm(st, c);
    case 'sglang':
      return sglang(st, c);
    case 'tgi':
      return tgi(st);
    case 'triton':
      return triton(st, c);
  }
}

function kvUsage(st: ReplicaState, c: EngineContext): number {
  return Math.min(1, st.kvTokens / (KV_TOKENS_PER_GPU * c.gpus));
}

function vllm(st: ReplicaState, c: EngineContext): string {
  const l = `engine="0",model_name="${esc(c.model)}"`;
  const hTtft = new Hist(VLLM_TTFT);
  const hItl = new Hist(VLLM_ITL);
  const hE2e = new Hist(VLLM_LATENCY);
  const hQueue = new Hist(VLLM_LATENCY);
  const hPrefill = new Hist(VLLM_LATENCY);
  const hDecode = new Hist(VLLM_LATENCY);
  let prompt = 0;
  let gen = 0;
  // vLLM's finish reasons (vllm/v1/engine/__init__.py FINISH_REASON_STRINGS): a failed request finishes
  // with "error", as its span says; loadgen simulates no client aborts, so "abort" stays 0.
  const reasons = { stop: 0, length: 0, abort: 0, error: 0 };
  for (const r of st.finished) {
    prompt += r.inputTokens;
    gen += r.outputTokens;
    reasons[r.error ? 'error' : r.finishReason === 'length' ? 'length' : 'stop']++;
    const t = ttft(r);
    if (t !== undefined) hTtft.observe(t);
    // vLLM observes every gap between output tokens.
    if (r.outputTokens > 1) hItl.observe(s(r.decodeNs) / (r.outputTokens - 1), r.outputTokens - 1);
    hE2e.observe(s(r.endNs - r.startNs));
    hQueue.observe(s(r.queueNs));
    hPrefill.observe(s(r.prefillNs));
    hDecode.observe(s(r.decodeNs));
  }
  let out = '';
  out += `# HELP vllm:num_requests_running Number of requests in model execution batches.\n# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running{${l}} ${st.running.length}\n`;
  out += `# HELP vllm:num_requests_waiting Number of requests waiting to be processed.\n# TYPE vllm:num_requests_waiting gauge\nvllm:num_requests_waiting{${l}} ${st.waiting}\n`;
  out += `# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.\n# TYPE vllm:kv_cache_usage_perc gauge\nvllm:kv_cache_usage_perc{${l}} ${fmt(kvUsage(st, c))}\n`;
  out += `# HELP vllm:num_preemptions_total Cumulative number of preemption from the engine.\n# TYPE vllm:num_preemptions_total counter\nvllm:num_preemptions_total{${l}} 0\n`;
  out += `# HELP vllm:prompt_tokens_total Number of prefill tokens processed.\n# TYPE vllm:prompt_tokens_total counter\nvllm:prompt_tokens_total{${l}} ${prompt}\n`;
  out += `# HELP vllm:generation_tokens_total Number of generation tokens processed.\n# TYPE vllm:generation_tokens_total counter\nvllm:generation_tokens_total{${l}} ${gen}\n`;
  out += `# HELP vllm:prefix_cache_queries_total Prefix cache queries, in terms of number of queried tokens.\n# TYPE vllm:prefix_cache_queries_total counter\nvllm:prefix_cache_queries_total{${l}} ${prompt}\n`;
  out += `# HELP vllm:prefix_cache_hits_total Prefix cache hits, in terms of number of cached tokens.\n# TYPE vllm:prefix_cache_hits_total counter\nvllm:prefix_cache_hits_total{${l}} ${Math.floor(prompt * 0.3)}\n`;
  out += `# HELP vllm:request_success_total Count of successfully processed requests.\n# TYPE vllm:request_success_total counter\n`;
  for (const [k, v] of Object.entries(reasons)) out += `vllm:request_success_total{${l},finished_reason="${k}"} ${v}\n`;
  const hist = (name: string, help: string, h: Hist) => `# HELP vllm:${name} ${help}\n# TYPE vllm:${name} histogram\n${h.render(`vllm:${name}`, l)}`;
  out += hist('time_to_first_token_seconds', 'Histogram of time to first token in seconds.', hTtft);
  out += hist('inter_token_latency_seconds', 'Histogram of inter-token latency in seconds.', hItl);
  out += hist('e2e_request_latency_seconds', 'Histogram of e2e request latency in seconds.', hE2e);
  out += hist('request_queue_time_seconds', 'Histogram of time spent in WAITING phase for request.', hQueue);
  out += hist('request_prefill_time_seconds', 'Histogram of time spent in PREFILL phase for request.', hPrefill);
  out += hist('request_decode_time_seconds', 'Histogram of time spent in DECODE phase for request.', hDecode);
  return out;
}

function sglang(st: ReplicaState, c: EngineContext): string {
  const l = `model_name="${esc(c.model)}"`;
  const hTtft = new Hist(SGLANG_TTFT);
  const hTpot = new Hist(SGLANG_TPOT);
  const hE2e = new Hist(SGLANG_E2E);
  let prompt = 0;
  let gen = 0;
  for (const r of st.finished) {
    prompt += r.inputTokens;
    gen += r.outputTokens;
    const t = ttft(r);
    if (t !== undefined) hTtft.observe(t);
    // SGLang observes one time-per-output-token per request.
    if (r.outputTokens > 1) hTpot.observe(s(r.decodeNs) / (r.outputTokens - 1));
    hE2e.observe(s(r.endNs - r.startNs));
  }
  let out = '';
  out += `# HELP sglang:num_running_reqs The number of running requests.\n# TYPE sglang:num_running_reqs gauge\nsglang:num_running_reqs{${l}} ${st.running.length}\n`;
  out += `# HELP sglang:num_queue_reqs The number of requests in the waiting queue.\n# TYPE sglang:num_queue_reqs gauge\nsglang:num_queue_reqs{${l}} ${st.waiting}\n`;
  out += `# HELP sglang:token_usage The token usage.\n# TYPE sglang:token_usage gauge\nsglang:token_usage{${l}} ${fmt(kvUsage(st, c))}\n`;
  out += `# HELP sglang:prompt_tokens_total Number of prefill tokens processed.\n# TYPE sglang:prompt_tokens_total counter\nsglang:prompt_tokens_total{${l}} ${prompt}\n`;
  out += `# HELP sglang:generation_tokens_total Number of generation tokens processed.\n# TYPE sglang:generation_tokens_total counter\nsglang:generation_tokens_total{${l}} ${gen}\n`;
  out += `# HELP sglang:num_requests_total Number of requests processed.\n# TYPE sglang:num_requests_total counter\nsglang:num_requests_total{${l}} ${st.finished.length}\n`;
  out += `# HELP sglang:time_to_first_token_seconds Histogram of time to first token in seconds.\n# TYPE sglang:time_to_first_token_seconds histogram\n${hTtft.render('sglang:time_to_first_token_seconds', l)}`;
  out += `# HELP sglang:time_per_output_token_seconds Histogram of time per output token in seconds.\n# TYPE sglang:time_per_output_token_seconds histogram\n${hTpot.render('sglang:time_per_output_token_seconds', l)}`;
  out += `# HELP sglang:e2e_request_latency_seconds Histogram of End-to-end request latency in seconds\n# TYPE sglang:e2e_request_latency_seconds histogram\n${hE2e.render('sglang:e2e_request_latency_seconds', l)}`;
  return out;
}

function tgi(st: ReplicaState): string {
  const hDur = new Hist(TGI_DURATION);
  const hQueue = new Hist(TGI_DURATION);
  const hTpt = new Hist(TGI_DURATION);
  const hGen = new Hist(TGI_TOKENS);
  const hIn = new Hist(TGI_TOKENS);
  let ok = 0;
  const failures = new Map<string, number>();
  for (const r of st.finished) {
    if (r.error) {
      failures.set(r.error, (failures.get(r.error) ?? 0) + 1);
      continue;
    }
    ok++;
    hDur.observe(s(r.endNs - r.startNs));
    hQueue.observe(s(r.queueNs));
    if (r.outputTokens > 0) hTpt.observe(s(r.prefillNs + r.decodeNs) / r.outputTokens);
    hGen.observe(r.outputTokens);
    hIn.observe(r.inputTokens);
  }
  let out = '';
  out += `# TYPE tgi_request_success counter\ntgi_request_success ${ok}\n`;
  out += `# TYPE tgi_request_failure counter\n`;
  for (const [err, n] of failures) out += `tgi_request_failure{err="${esc(err)}"} ${n}\n`;
  out += `# TYPE tgi_queue_size gauge\ntgi_queue_size ${st.waiting}\n`;
  out += `# TYPE tgi_batch_current_size gauge\ntgi_batch_current_size ${st.running.length}\n`;
  out += `# TYPE tgi_request_duration histogram\n${hDur.render('tgi_request_duration', '')}`;
  out += `# TYPE tgi_request_queue_duration histogram\n${hQueue.render('tgi_request_queue_duration', '')}`;
  out += `# TYPE tgi_request_mean_time_per_token_duration histogram\n${hTpt.render('tgi_request_mean_time_per_token_duration', '')}`;
  out += `# TYPE tgi_request_generated_tokens histogram\n${hGen.render('tgi_request_generated_tokens', '')}`;
  out += `# TYPE tgi_request_input_length histogram\n${hIn.render('tgi_request_input_length', '')}`;
  return out;
}

function triton(st: ReplicaState, c: EngineContext): string {
  const l = `model="${esc(c.model)}",version="1"`;
  let ok = 0;
  let failed = 0;
  let durUs = 0;
  let queueUs = 0;
  let computeUs = 0;
  for (const r of st.finished) {
    if (r.error) failed++;
    else ok++;
    durUs += Math.round((r.endNs - r.startNs) / 1000);
    queueUs += Math.round(r.queueNs / 1000);
    computeUs += Math.round((r.prefillNs + r.decodeNs) / 1000);
  }
  let out = '';
  out += `# HELP nv_inference_request_success Number of successful inference requests, all batch sizes\n# TYPE nv_inference_request_success counter\nnv_inference_request_success{${l}} ${ok}\n`;
  out += `# HELP nv_inference_request_failure Number of failed inference requests, all batch sizes\n# TYPE nv_inference_request_failure counter\nnv_inference_request_failure{${l},reason="OTHER"} ${failed}\n`;
  out += `# HELP nv_inference_count Number of inferences performed (does not include cached requests)\n# TYPE nv_inference_count counter\nnv_inference_count{${l}} ${ok + failed}\n`;
  out += `# HELP nv_inference_request_duration_us Cumulative inference request duration in microseconds (includes cached requests)\n# TYPE nv_inference_request_duration_us counter\nnv_inference_request_duration_us{${l}} ${durUs}\n`;
  out += `# HELP nv_inference_queue_duration_us Cumulative inference queuing duration in microseconds (includes cached requests)\n# TYPE nv_inference_queue_duration_us counter\nnv_inference_queue_duration_us{${l}} ${queueUs}\n`;
  out += `# HELP nv_inference_compute_infer_duration_us Cumulative compute inference duration in microseconds (does not include cached requests)\n# TYPE nv_inference_compute_infer_duration_us counter\nnv_inference_compute_infer_duration_us{${l}} ${computeUs}\n`;
  out += `# HELP nv_inference_pending_request_count Instantaneous number of pending requests awaiting execution per-model.\n# TYPE nv_inference_pending_request_count gauge\nnv_inference_pending_request_count{${l}} ${st.waiting}\n`;
  return out;
}
