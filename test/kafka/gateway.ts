// Small pieces the Kafka tests share: a gateway with an OTLP/HTTP receiver in
// front of a kafka exporter, hand-built OTLP batches, and self-metric reads.
import type { Service } from '../../src/service/service.js';
import { encodeProto } from '../../src/pdata/otlpjson.js';
import type { ISpan, Traces } from '../../src/pdata/proto.js';

/** POSTs an OTLP protobuf request to a gateway's HTTP receiver; returns the status. */
export async function postTraces(port: number, t: Traces, headers: Record<string, string> = {}): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${port}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', ...headers },
    body: Buffer.from(encodeProto('traces', t)),
  });
  await r.arrayBuffer();
  return r.status;
}

export function traceId(n: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(0x7011_6a7e, 0);
  b.writeUInt32BE(n, 12);
  return b;
}

export function spanId(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(0x5a5a_0000, 0);
  b.writeUInt32BE(n, 4);
  return b;
}

/** A span with a recognisable name; `pad` bytes of attribute make it as large as needed. */
export function span(trace: number, n: number, pad = 0): ISpan {
  return {
    traceId: traceId(trace),
    spanId: spanId(n),
    name: `span-${trace}-${n}`,
    kind: 2,
    startTimeUnixNano: 1_700_000_000_000_000_000n.toString() as unknown as number,
    endTimeUnixNano: 1_700_000_000_500_000_000n.toString() as unknown as number,
    attributes: pad > 0 ? [{ key: 'pad', value: { stringValue: 'p'.repeat(pad) } }] : [],
  };
}

export function tracesOf(spans: ISpan[], service = 'kafka-test'): Traces {
  return {
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ scope: { name: 'kafka-test' }, spans }] }],
  };
}

/** Value of a self-metric sample whose labels include `labels` (summed over the rest). */
export async function selfMetric(svc: Service, name: string, labels: Record<string, string>): Promise<number> {
  const m = await svc.telemetry.registry.getSingleMetric(name)?.get();
  let n = 0;
  for (const s of m?.values ?? []) {
    if (Object.entries(labels).every(([k, v]) => String(s.labels[k]) === v)) n += s.value;
  }
  return n;
}
