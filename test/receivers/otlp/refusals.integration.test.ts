// What the pipeline answers becomes the client's answer: retryable → 503 /
// UNAVAILABLE with Retry-After, throttled → 429 / RESOURCE_EXHAUSTED with
// RetryInfo, permanent → 400 / INVALID_ARGUMENT (500 / INTERNAL when the
// gateway's side failed), part rejected → success with partial_success.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ErrorCode } from '../../../src/errors/codes.js';
import { permanentError, retryableError, throttledError } from '../../../src/errors/consumererror.js';
import { encodeJSON, encodeProto } from '../../../src/pdata/otlpjson.js';
import { ExportTraceServiceResponse, RpcStatus, type Traces } from '../../../src/pdata/proto.js';
import { exportOnce, recordingTracer, traceExporter } from '../../helpers/otlp-sdk.js';
import { selfMetric, startGateway, type Gateway } from './harness.js';
import { GRPC_PATHS, grpcCall, httpRequest } from './rawclient.js';

const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';

function fiveSpans(): Traces {
  return {
    resourceSpans: [
      {
        scopeSpans: [{ spans: Array.from({ length: 5 }, (_, i) => ({ traceId: Buffer.alloc(16, 9), spanId: Buffer.alloc(8, i + 1), name: `s${i}` })) }],
      },
    ],
  };
}

let gw: Gateway;
before(async () => {
  gw = await startGateway();
});
after(() => gw?.stop());
beforeEach(() => {
  gw.sink.behavior = undefined;
});

const postProto = () => httpRequest(gw.httpUrl('/v1/traces'), { headers: { 'Content-Type': 'application/x-protobuf' }, body: encodeProto('traces', fiveSpans()) });
const postJson = () => httpRequest(gw.httpUrl('/v1/traces'), { headers: { 'Content-Type': 'application/json' }, body: encodeJSON('traces', fiveSpans()) });
const callGrpc = () => grpcCall(gw.grpcPort, GRPC_PATHS.traces, encodeProto('traces', fiveSpans()));

/** RetryInfo.retry_delay of google.rpc.Status details, in ms. */
function retryDelayMs(details: Array<{ type_url?: string | null; value?: Uint8Array | null }>): number | undefined {
  const d = details.find((x) => x.type_url === RETRY_INFO);
  if (!d?.value) return undefined;
  // RetryInfo{1: Duration{1: seconds, 2: nanos}}: small varints, read by hand.
  const v = d.value;
  let i = 2; // tag + length of retry_delay
  let seconds = 0;
  let nanos = 0;
  while (i < v.length) {
    const tag = v[i++]!;
    let n = 0;
    let mul = 1;
    let b: number;
    do {
      b = v[i++]!;
      n += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80);
    if (tag === 8) seconds = n;
    else nanos = n;
  }
  return seconds * 1000 + nanos / 1e6;
}

describe('retryable refusal (memory limiter, full queue, unknown errors)', () => {
  test('HTTP 503 with Retry-After and UNAVAILABLE in the body; gRPC UNAVAILABLE', async () => {
    gw.sink.behavior = () => {
      throw retryableError(ErrorCode.MEMORY_LIMIT, 'memory usage is above the soft limit');
    };
    const p = await postProto();
    assert.equal(p.status, 503);
    assert.equal(p.headers['retry-after'], '1');
    const st = RpcStatus.decode(p.body);
    assert.equal(st.code, 14);
    assert.equal(st.message, 'TG_MEMORY_LIMIT: memory usage is above the soft limit');
    const j = await postJson();
    assert.equal(j.status, 503);
    assert.deepEqual(JSON.parse(j.body.toString()), { code: 14, message: 'TG_MEMORY_LIMIT: memory usage is above the soft limit' });
    const failed = () => selfMetric(gw.svc, 'tollgate_receiver_failed_requests', { receiver: 'otlp', transport: 'grpc', status: 'UNAVAILABLE' });
    const before = await failed();
    const g = await callGrpc();
    assert.equal(g.error?.code, grpc.status.UNAVAILABLE);
    assert.equal(g.error?.details, 'TG_MEMORY_LIMIT: memory usage is above the soft limit');
    assert.equal((await failed()) - before, 1, 'counted once');
    assert.ok((await selfMetric(gw.svc, 'otelcol_receiver_refused_spans', { receiver: 'otlp', transport: 'grpc' })) >= 5);
  });

  test('an error that is not a ConsumerError is retryable, as in the collector', async () => {
    gw.sink.behavior = () => {
      throw new Error('socket hang up');
    };
    assert.equal((await postProto()).status, 503);
    assert.equal((await callGrpc()).error?.code, grpc.status.UNAVAILABLE);
  });

  test('the SDK exporter retries after the Retry-After and the data arrives once', async () => {
    let refusals = 0;
    gw.sink.behavior = () => {
      if (refusals++ === 0) throw retryableError(ErrorCode.QUEUE_FULL, 'sending queue is full');
    };
    const before = gw.sink.of('traces').length;
    const rec = recordingTracer(resourceFromAttributes({ 'service.name': 'retry' }));
    rec.tracer('t').startSpan('retried').end();
    const exporter = traceExporter('http/protobuf', { grpcPort: gw.grpcPort, httpPort: gw.httpPort });
    const r = await exportOnce(exporter, rec.finished());
    await exporter.shutdown();
    assert.equal(r.code, ExportResultCode.SUCCESS, r.error?.message);
    assert.equal(refusals, 2, 'refused once, then accepted');
    assert.equal(gw.sink.of('traces').length, before + 1);
  });
});

describe('throttled refusal', () => {
  test('HTTP 429 with Retry-After in whole seconds and RetryInfo; gRPC RESOURCE_EXHAUSTED with RetryInfo', async () => {
    gw.sink.behavior = () => {
      throw throttledError('TG_EXPORT_RETRYABLE', 'backend asked to slow down', 2500);
    };
    const p = await postProto();
    assert.equal(p.status, 429);
    assert.equal(p.headers['retry-after'], '3');
    const st = RpcStatus.decode(p.body);
    assert.equal(st.code, 8);
    assert.equal(retryDelayMs(st.details), 2500);
    const j = await postJson();
    assert.equal(j.status, 429);
    assert.deepEqual(JSON.parse(j.body.toString()).details, [{ '@type': RETRY_INFO, retryDelay: '2.5s' }]);
    const g = await callGrpc();
    assert.equal(g.error?.code, grpc.status.RESOURCE_EXHAUSTED);
    const bin = g.error!.metadata.get('grpc-status-details-bin')[0] as Buffer;
    assert.ok(bin, 'grpc-status-details-bin trailer');
    const gst = RpcStatus.decode(bin);
    assert.equal(gst.code, 8);
    assert.equal(retryDelayMs(gst.details), 2500);
  });
});

describe('permanent refusal', () => {
  test('bad data: HTTP 400 / gRPC INVALID_ARGUMENT, and the SDK does not retry', async () => {
    gw.sink.behavior = () => {
      throw permanentError(ErrorCode.INVALID_DATA, 'span has no name');
    };
    const p = await postProto();
    assert.equal(p.status, 400);
    assert.equal(p.headers['retry-after'], undefined);
    assert.equal(RpcStatus.decode(p.body).code, 3);
    assert.equal((await callGrpc()).error?.code, grpc.status.INVALID_ARGUMENT);
    const calls = gw.sink.calls;
    const rec = recordingTracer(resourceFromAttributes({}));
    rec.tracer('t').startSpan('refused').end();
    const exporter = traceExporter('grpc', { grpcPort: gw.grpcPort, httpPort: gw.httpPort });
    const r = await exportOnce(exporter, rec.finished());
    await exporter.shutdown();
    assert.equal(r.code, ExportResultCode.FAILED);
    assert.equal(gw.sink.calls, calls + 1, 'one attempt only');
  });

  test("a failure on the gateway's side: HTTP 500 / gRPC INTERNAL (the collector's answer)", async () => {
    gw.sink.behavior = () => {
      throw permanentError(ErrorCode.EXPORT_PERMANENT, 'backend rejected the batch (HTTP 400)');
    };
    assert.equal((await postProto()).status, 500);
    assert.equal((await callGrpc()).error?.code, grpc.status.INTERNAL);
  });

  test('unauthenticated: HTTP 401 / gRPC UNAUTHENTICATED', async () => {
    gw.sink.behavior = () => {
      throw permanentError(ErrorCode.UNAUTHENTICATED, 'no tenant credentials');
    };
    assert.equal((await postJson()).status, 401);
    assert.equal((await callGrpc()).error?.code, grpc.status.UNAUTHENTICATED);
  });
});

describe('partial success', () => {
  test('part rejected: 200 / OK with partial_success naming how many and why, in every encoding', async () => {
    gw.sink.behavior = () => {
      throw permanentError(ErrorCode.INVALID_DATA, '2 spans have no trace id', { rejectedItems: 2 });
    };
    const acceptedBefore = await selfMetric(gw.svc, 'otelcol_receiver_accepted_spans', { receiver: 'otlp', transport: 'http' });
    const refusedBefore = await selfMetric(gw.svc, 'otelcol_receiver_refused_spans', { receiver: 'otlp', transport: 'http' });
    const p = await postProto();
    assert.equal(p.status, 200);
    const resp = ExportTraceServiceResponse.decode(p.body);
    assert.equal(Number(resp.partialSuccess?.rejectedSpans), 2);
    assert.equal(resp.partialSuccess?.errorMessage, 'TG_INVALID_DATA: 2 spans have no trace id');
    const j = await postJson();
    assert.equal(j.status, 200);
    assert.deepEqual(JSON.parse(j.body.toString()), { partialSuccess: { rejectedSpans: '2', errorMessage: 'TG_INVALID_DATA: 2 spans have no trace id' } });
    const g = await callGrpc();
    assert.equal(g.error, null);
    assert.equal(Number(ExportTraceServiceResponse.decode(g.response!).partialSuccess?.rejectedSpans), 2);
    assert.equal((await selfMetric(gw.svc, 'otelcol_receiver_accepted_spans', { receiver: 'otlp', transport: 'http' })) - acceptedBefore, 6);
    assert.equal((await selfMetric(gw.svc, 'otelcol_receiver_refused_spans', { receiver: 'otlp', transport: 'http' })) - refusedBefore, 4);
  });

  test('the SDK exporter takes a partial success as success', async () => {
    gw.sink.behavior = () => {
      throw permanentError(ErrorCode.INVALID_DATA, 'one span dropped', { rejectedItems: 1 });
    };
    const rec = recordingTracer(resourceFromAttributes({}));
    const tracer = rec.tracer('t');
    tracer.startSpan('a').end();
    tracer.startSpan('b').end();
    const exporter = traceExporter('http/json', { grpcPort: gw.grpcPort, httpPort: gw.httpPort });
    const r = await exportOnce(exporter, rec.finished());
    await exporter.shutdown();
    assert.equal(r.code, ExportResultCode.SUCCESS);
  });

  test('everything rejected is a plain refusal, not a partial success', async () => {
    gw.sink.behavior = () => {
      throw permanentError(ErrorCode.INVALID_DATA, 'all bad', { rejectedItems: 5 });
    };
    assert.equal((await postProto()).status, 400);
  });
});
