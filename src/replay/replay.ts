// `tollgate replay`: read requests (capture files or a Kafka topic), filter,
// pace, optionally shift timestamps, and send them to a target through
// ordered lanes with per-protocol retries, counting every outcome.
import type { Signal } from '../component/signal.js';
import { expandCapturePaths, readCaptures } from '../capture/merge.js';
import type { Damage } from '../capture/reader.js';
import { GrpcSender } from './grpc.js';
import { HttpSender, type SendResult, type Sender } from './http.js';
import { readKafkaTopics } from './kafka.js';
import { Lanes } from './lanes.js';
import { preparePrw, prepareOtlp, type Prepared, type TargetProtocol } from './prepare.js';
import { decodePayload, fromCapture, type ReplayRequest } from './request.js';
import { shiftPayload, timeRange, type TimeRange } from './shift.js';
import { ConsumerError, retryableError, throttledError } from '../errors/consumererror.js';
import { ErrorCode } from '../errors/codes.js';
import { createBackoffPolicy } from '../exporterhelper/backoff.js';
import { RETRY_DEFAULTS, backoffSettings } from '../exporterhelper/config.js';
import { bump, emptySummary, total, type ReplaySummary } from './summary.js';

export interface ReplayOptions {
  /** Capture files or directories of them. */
  files?: string[];
  /** Or a Kafka topic the kafka exporter wrote. */
  kafka?: { brokers: string[]; topics: string[]; maxBytes: number };
  /** Target URL: http(s)://host:port[/path] or grpc(s)://host:port. */
  target: string;
  /** Default: grpc(s):// → otlp_grpc; a remote-write path (/api/v1/write, /api/v1/receive, /api/v1/push) → prw; else otlp_http. */
  protocol?: TargetProtocol;
  /** Pace at N times the original speed. */
  speed?: number;
  /** Or at R requests per second. Neither: as fast as the target takes them. */
  rate?: number;
  shiftTimestamps?: boolean;
  /** Passes over the input (default 1). */
  loop?: number;
  signals?: readonly Signal[];
  tenants?: readonly string[];
  /** Arrival-time window [fromNs, toNs). */
  fromNs?: bigint;
  toNs?: bigint;
  /** Ordered lanes sending at once (default 4). */
  concurrency?: number;
  /** Added to every request (e.g. the target's credentials: captures never hold any). */
  headers?: Record<string, string>;
  /** Header carrying the captured tenant; default THANOS-TENANT for remote-write, none for OTLP; '' sends none. */
  tenantHeader?: string;
  /** Retries of a retryable failure (default 5). */
  retries?: number;
  timeoutMs?: number;
  /** Longest wait between retries, whatever Retry-After says (default 30 s). */
  maxRetryDelayMs?: number;
  /** Called about every 250 ms and once at the end. */
  onProgress?: (p: ReplayProgress) => void;
  onDamage?: (d: Damage) => void;
  /** Stops reading; what is queued is still sent. */
  abort?: AbortSignal;
}

export interface ReplayProgress {
  /** Captured requests handled so far, and in all (every pass). */
  done: number;
  total: number;
  sent: number;
  accepted: number;
  errors: number;
  elapsedMs: number;
  /** Estimated time left, ms (undefined while unknown). */
  etaMs: number | undefined;
}

const RW_PATH = /\/api\/v1\/(write|receive|push)\/?$|\/receive\/?$/;

export function targetProtocol(target: URL, explicit?: TargetProtocol): TargetProtocol {
  if (explicit) return explicit;
  if (target.protocol === 'grpc:' || target.protocol === 'grpcs:') return 'otlp_grpc';
  return RW_PATH.test(target.pathname) ? 'prw' : 'otlp_http';
}

export function makeSender(o: ReplayOptions): { sender: Sender; protocol: TargetProtocol } {
  let url: URL;
  try {
    url = new URL(o.target);
  } catch {
    throw new Error(`--target: not a URL: ${o.target} (e.g. http://127.0.0.1:4318, grpc://127.0.0.1:4317, http://thanos:19291/api/v1/receive)`);
  }
  const protocol = targetProtocol(url, o.protocol);
  const headers = o.headers ?? {};
  const timeoutMs = o.timeoutMs ?? 30_000;
  if (protocol === 'otlp_grpc') {
    const tls = url.protocol === 'grpcs:' || url.protocol === 'https:';
    const port = url.port || (tls ? '443' : '4317');
    return { protocol, sender: new GrpcSender({ address: `${url.hostname}:${port}`, tls, headers, tenantHeader: o.tenantHeader ?? '', timeoutMs }) };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--target: ${url.protocol} URLs cannot carry ${protocol}; use http:// or https://`);
  const tenantHeader = o.tenantHeader ?? (protocol === 'prw' ? 'THANOS-TENANT' : '');
  return { protocol, sender: new HttpSender({ url, protocol, headers, tenantHeader, timeoutMs }) };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// Retries wait as the exporters do (the shared backoff policy with RETRY_DEFAULTS: 5 s, ×1.5, 30 s,
// ±50 % jitter; at least what Retry-After asks), capped at `retries` attempts and `maxRetryDelayMs`.
const RETRY_POLICY = createBackoffPolicy({ ...backoffSettings(RETRY_DEFAULTS), maxElapsedMs: 0 });

/** A failed send as the policy reads it: throttled when the target named a delay. */
function retryErrorOf(r: SendResult): ConsumerError {
  const message = r.message ?? r.status;
  return r.retryAfterMs !== undefined ? throttledError(ErrorCode.EXPORT_RETRYABLE, message, r.retryAfterMs) : retryableError(ErrorCode.EXPORT_RETRYABLE, message);
}

export async function runReplay(o: ReplayOptions): Promise<ReplaySummary> {
  const started = Date.now();
  const { sender, protocol } = makeSender(o);
  const source = o.kafka ? `kafka ${o.kafka.topics.join(',')} @ ${o.kafka.brokers.join(',')}` : (o.files ?? []).join(' ');
  const s = emptySummary(sender.description, source);
  const seenDamage = new Set<string>();
  const onDamage = (d: Damage) => {
    const k = `${d.file}@${d.offset}`;
    if (seenDamage.has(k)) return;
    seenDamage.add(k);
    s.damage.push(d);
    o.onDamage?.(d);
  };
  // Distinct messages (a dead target gives the same one for every request), with how often and where first.
  const errorMap = new Map<string, { count: number; origin: string }>();
  const errors = (origin: string, msg: string) => {
    const e = errorMap.get(msg);
    if (e) e.count++;
    else if (errorMap.size < 20) errorMap.set(msg, { count: 1, origin });
  };
  const signals = o.signals && o.signals.length > 0 ? new Set(o.signals) : undefined;
  const tenants = o.tenants && o.tenants.length > 0 ? new Set(o.tenants) : undefined;
  const matches = (r: ReplayRequest) =>
    (!signals || (r.signal !== undefined && signals.has(r.signal))) &&
    (!tenants || tenants.has(r.tenant)) &&
    (o.fromNs === undefined || r.arrivalNs >= o.fromNs) &&
    (o.toNs === undefined || r.arrivalNs < o.toNs);

  try {
    // ---- the input, as a pass that can be repeated
    let pass: () => AsyncIterable<ReplayRequest>;
    let countRead = true;
    if (o.kafka) {
      const k = await readKafkaTopics({ ...o.kafka, keep: matches });
      s.requests.read = k.read;
      countRead = false;
      pass = async function* () {
        yield* k.requests;
      };
    } else {
      const files = await expandCapturePaths(o.files ?? []);
      if (files.length === 0) throw new Error(`no capture files in ${(o.files ?? []).join(', ') || '(nothing given)'}`);
      pass = async function* () {
        const onFileError = (file: string, err: Error) => {
          if (!s.fileErrors.some((f) => f.file === file)) s.fileErrors.push({ file, error: err.message });
        };
        for await (const e of readCaptures(files, { onDamage, onFileError })) {
          yield fromCapture(e.record, `${e.file}@${e.offset}`);
        }
      };
    }

    // ---- scan: how many, over what time, and (to shift) which timestamps
    let firstNs: bigint | undefined;
    let lastNs: bigint | undefined;
    const tr: TimeRange = {};
    for await (const r of pass()) {
      if (countRead) s.requests.read++;
      if (!matches(r)) continue;
      s.requests.matched++;
      if (firstNs === undefined || r.arrivalNs < firstNs) firstNs = r.arrivalNs;
      if (lastNs === undefined || r.arrivalNs > lastNs) lastNs = r.arrivalNs;
      if (o.shiftTimestamps) {
        try {
          timeRange(decodePayload(r), tr);
        } catch {
          // reported when the send pass meets it
        }
      }
    }
    const passes = Math.max(1, o.loop ?? 1);
    const totalRequests = s.requests.matched * passes;
    const spanNs = firstNs !== undefined && lastNs !== undefined ? lastNs - firstNs : 0n;
    const gapNs = s.requests.matched > 1 ? spanNs / BigInt(s.requests.matched - 1) : 1_000_000_000n;
    const concurrency = Math.max(1, o.concurrency ?? 4);
    const retries = Math.max(0, o.retries ?? 5);
    const maxDelay = o.maxRetryDelayMs ?? 30_000;

    // ---- sending
    const work = async (p: Prepared): Promise<void> => {
      s.requests.sent++;
      s.items.sent += p.items;
      const run = RETRY_POLICY.begin();
      for (let attempt = 0; ; attempt++) {
        let r: SendResult;
        try {
          r = await sender.send(p);
        } catch (e) {
          r = { ok: false, status: 'error', retryable: false, message: (e as Error).message };
        }
        if (r.ok) {
          const rejected = Math.min(p.items, r.rejected ?? 0);
          s.requests.accepted++;
          s.items.accepted += p.items - rejected;
          bump(s.items.refused, 'partial', rejected);
          return;
        }
        if (r.retryable && attempt < retries) {
          s.requests.retries++;
          const d = run.next(retryErrorOf(r));
          await sleep(Math.min(maxDelay, d.retry ? d.delayMs : 0));
          continue;
        }
        const c = r.retryable ? s.requests.failed : s.requests.refused;
        bump(c, r.status);
        bump(r.retryable ? s.items.failed : s.items.refused, r.status, p.items);
        errors(p.origin, r.message ?? r.status);
        return;
      }
    };
    const lanes = new Lanes<Prepared>(concurrency, work);

    let done = 0;
    let t0 = Date.now();
    let lastDueMs = 0;
    const progress = (): ReplayProgress => {
      const elapsedMs = Date.now() - started;
      let etaMs: number | undefined;
      const left = totalRequests - done;
      if (o.speed) etaMs = Math.max(0, lastDueMs - Date.now());
      else if (o.rate) etaMs = (left / o.rate) * 1000;
      else if (done > 0) etaMs = (left * (Date.now() - t0)) / done;
      return {
        done,
        total: totalRequests,
        sent: s.requests.sent,
        accepted: s.requests.accepted,
        errors: total(s.requests.refused) + total(s.requests.failed) + total(s.requests.unsendable),
        elapsedMs,
        etaMs,
      };
    };
    const ticker = o.onProgress ? setInterval(() => o.onProgress!(progress()), 250) : undefined;
    ticker?.unref();

    const drops = new Map<string, number>();
    let deltaMs = 0n;
    let index = 0;
    t0 = Date.now();
    try {
      for (let k = 0; k < passes && !o.abort?.aborted; k++) {
        s.passes = k + 1;
        if (o.shiftTimestamps && tr.maxNs !== undefined) {
          const toNow = (BigInt(Date.now()) * 1_000_000n - tr.maxNs) / 1_000_000n;
          // Later passes go after the previous one, so no series steps back in time.
          const after = deltaMs + (tr.maxNs - (tr.minNs ?? tr.maxNs)) / 1_000_000n + 1n;
          deltaMs = k === 0 ? toNow : toNow > after ? toNow : after;
          if (k === 0) s.shiftMs = Number(deltaMs);
        }
        const passOffsetNs = BigInt(k) * (spanNs + gapNs);
        if (o.speed && firstNs !== undefined) lastDueMs = t0 + Number(BigInt(passes) * (spanNs + gapNs) - gapNs) / 1e6 / o.speed;
        for await (const r of pass()) {
          if (o.abort?.aborted) break;
          if (!matches(r)) continue;
          // Pacing: the request's place in the original timeline, or its turn at the fixed rate.
          let dueMs: number | undefined;
          if (o.speed && firstNs !== undefined) dueMs = t0 + Number(passOffsetNs + (r.arrivalNs - firstNs)) / 1e6 / o.speed;
          else if (o.rate) dueMs = t0 + (index * 1000) / o.rate;
          index++;
          let payload;
          try {
            payload = decodePayload(r);
          } catch (e) {
            bump(s.requests.unsendable, 'undecodable');
            errors(r.origin, (e as Error).message);
            done++;
            continue;
          }
          const changed = o.shiftTimestamps === true && deltaMs !== 0n;
          if (changed) shiftPayload(payload, deltaMs);
          const prepared = protocol === 'prw' ? preparePrw(r, payload, changed, concurrency, drops) : prepareOtlp(protocol, r, payload, changed);
          if (dueMs !== undefined) {
            const wait = dueMs - Date.now();
            if (wait > 0) await sleep(wait);
          }
          if ('unsendable' in prepared) {
            bump(s.requests.unsendable, prepared.unsendable);
            s.items.unsendable += prepared.items;
          } else {
            for (const p of prepared) await lanes.push(p, p.laneKey);
          }
          done++;
        }
      }
      await lanes.drain();
    } finally {
      if (ticker) clearInterval(ticker);
    }
    for (const [reason, n] of drops) bump(s.items.untranslatable, reason, n);
    o.onProgress?.(progress());
  } finally {
    for (const [msg, e] of errorMap) s.errors.push(e.count > 1 ? `${msg} (${e.count} times; first ${e.origin})` : msg.startsWith(e.origin) ? msg : `${e.origin}: ${msg}`);
    s.durationMs = Date.now() - started;
    await sender.close();
  }
  return s;
}
