// What one simulated serving replica has done by a point of its timeline:
// the same requests loadgen sends as spans, counted the way an inference
// server counts them. Spans are sent as requests end, so a finished request
// is in the counters exactly when its span has been sent.
import type { SimRequest } from '../simulate.js';

export interface ReplicaState {
  running: SimRequest[];
  waiting: number;
  finished: SimRequest[];
  /** Tokens held in KV cache by running requests (prompt + generated so far). */
  kvTokens: number;
}

export function replicaAt(requests: readonly SimRequest[], nowNs: number): ReplicaState {
  const running: SimRequest[] = [];
  const finished: SimRequest[] = [];
  let waiting = 0;
  let kvTokens = 0;
  for (const r of requests) {
    if (r.startNs > nowNs) break;
    if (r.endNs <= nowNs) finished.push(r);
    else if (r.startNs + r.queueNs > nowNs) waiting++;
    else {
      running.push(r);
      const decodeStart = r.startNs + r.queueNs + r.prefillNs;
      const frac = r.decodeNs > 0 ? Math.max(0, Math.min(1, (nowNs - decodeStart) / r.decodeNs)) : 0;
      kvTokens += r.inputTokens + Math.floor(frac * r.outputTokens);
    }
  }
  return { running, waiting, finished, kvTokens };
}
