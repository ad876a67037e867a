// A request → what is sent to the target: the body in the target's protocol,
// its item count and its lane (the ordering rule, README.md ("Capture and replay")
// "Concurrency and order").
//
// Bodies go out byte for byte as captured whenever the target speaks the
// capture's protocol and nothing was changed; they are re-encoded only when
// timestamps were shifted, the format must change (OTLP JSON → gRPC,
// remote-write 2.0 → 1.0, OTLP metrics → remote-write) or series are spread
// over lanes.
import type { Signal } from '../component/signal.js';
import { countItems } from '../pdata/count.js';
import { encodeJSON, encodeProto } from '../pdata/otlpjson.js';
import type { ITimeSeries, Metrics, PromWrite } from '../pdata/proto.js';
import { compressWriteRequest } from '../prw/codec.js';
import { hashLabels } from '../prw/labels.js';
import { v2ToV1 } from '../prw/v2.js';
import { otlpToPromWriteWithDrops } from '../translator/prometheus/index.js';
import { compress, normalizeEncoding } from './encoding.js';
import type { ReplayRequest } from './request.js';
import type { Payload } from './shift.js';

export type TargetProtocol = 'otlp_http' | 'otlp_grpc' | 'prw';

export interface Prepared {
  signal: Signal;
  body: Buffer;
  contentType: string;
  contentEncoding: string;
  items: number;
  tenant: string;
  /** Lane hash: sends with one hash go in order; undefined goes to any lane. */
  laneKey: number | undefined;
  origin: string;
}

export interface Unsendable {
  unsendable: string;
  /** Items the request held (counted as not sent). */
  items: number;
}

/** Items a translation left out, by reason (OTLP → remote-write). */
export type Drops = Map<string, number>;

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

function buf(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

function fnv(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** OTLP metric series live within a resource: requests with the same resources share a lane. */
function resourceKey(m: Metrics): number {
  let h = 0x811c9dc5;
  for (const rm of m.resourceMetrics ?? []) h = fnv(JSON.stringify(rm.resource?.attributes ?? []), h);
  return h;
}

export function prepareOtlp(
  proto: 'otlp_http' | 'otlp_grpc',
  req: ReplayRequest,
  p: Payload,
  changed: boolean,
): Prepared[] | Unsendable {
  if (p.kind !== 'otlp') {
    const items = p.kind === 'prw1' ? countItems('metrics', { format: 'prw', request: p.data }) : 0;
    return { unsendable: 'remote-write payload cannot be sent to an OTLP target', items };
  }
  const signal = p.signal;
  const items = countItems(signal, p.data as never);
  const laneKey = signal === 'metrics' ? resourceKey(p.data as Metrics) : undefined;
  const base = { signal, items, tenant: req.tenant, laneKey, origin: req.origin };
  if (proto === 'otlp_grpc') {
    const asIs = !changed && req.format === 'otlp_proto' && normalizeEncoding(req.contentEncoding) === '';
    const body = asIs ? req.body : buf(encodeProto(signal, p.data as never));
    return [{ ...base, body, contentType: 'application/grpc', contentEncoding: '' }];
  }
  const json = req.format === 'otlp_json';
  const contentType = json ? JSON_TYPE : PROTOBUF;
  if (!changed) return [{ ...base, body: req.body, contentType, contentEncoding: normalizeEncoding(req.contentEncoding) }];
  const raw = json ? Buffer.from(encodeJSON(signal, p.data as never)) : buf(encodeProto(signal, p.data as never));
  const c = compress(raw, req.contentEncoding);
  return [{ ...base, body: c.body, contentType, contentEncoding: c.encoding }];
}

/** Splits series over `lanes` by label hash; metadata rides with the first part. */
function splitSeries(w: PromWrite, lanes: number): Array<{ lane: number; request: PromWrite }> {
  const parts = new Map<number, ITimeSeries[]>();
  for (const ts of w.timeseries ?? []) {
    const lane = hashLabels(ts.labels) % lanes;
    let l = parts.get(lane);
    if (!l) parts.set(lane, (l = []));
    l.push(ts);
  }
  const out: Array<{ lane: number; request: PromWrite }> = [];
  for (const [lane, timeseries] of [...parts].sort((a, b) => a[0] - b[0])) out.push({ lane, request: { timeseries } });
  const md = w.metadata ?? [];
  if (md.length > 0) {
    if (out.length > 0) out[0]!.request.metadata = md;
    else out.push({ lane: 0, request: { timeseries: [], metadata: md } });
  }
  return out;
}

export function preparePrw(req: ReplayRequest, p: Payload, changed: boolean, lanes: number, drops: Drops): Prepared[] | Unsendable {
  let w: PromWrite;
  let asIs = !changed && lanes <= 1 && p.kind === 'prw1' && normalizeEncoding(req.contentEncoding) === 'snappy';
  if (p.kind === 'otlp') {
    if (p.signal !== 'metrics') return { unsendable: `${p.signal} cannot be sent to a remote-write target`, items: countItems(p.signal, p.data as never) };
    const t = otlpToPromWriteWithDrops(p.data as Metrics);
    for (const d of t.dropped) drops.set(d.reason, (drops.get(d.reason) ?? 0) + d.count);
    w = t.request;
    asIs = false;
  } else if (p.kind === 'prw2') {
    w = v2ToV1(p.data).request;
    asIs = false;
  } else {
    w = p.data;
  }
  const mk = (request: PromWrite, laneKey: number, body?: Buffer): Prepared => ({
    signal: 'metrics',
    body: body ?? compressWriteRequest(request),
    contentType: PROTOBUF,
    contentEncoding: 'snappy',
    items: countItems('metrics', { format: 'prw', request }),
    tenant: req.tenant,
    laneKey,
    origin: req.origin,
  });
  if (lanes <= 1) return [mk(w, 0, asIs ? req.body : undefined)];
  return splitSeries(w, lanes).map((s) => mk(s.request, s.lane));
}
