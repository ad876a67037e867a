// Capture files built directly (for tests that need exact arrival times or
// damage), and a gateway whose pipelines end in the file exporter.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeRecord, type CaptureRecord } from '../../src/capture/format.js';
import { CaptureWriter } from '../../src/capture/writer.js';
import { encodeProto } from '../../src/pdata/otlpjson.js';
import type { Logs } from '../../src/pdata/proto.js';
import { Service } from '../../src/service/service.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { freePort } from '../helpers/ports.js';

/** An OTLP logs request holding one record with body `text`. */
export function logsRequest(text: string, timeNs: bigint): Logs {
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'replay-test' } }] },
        scopeLogs: [{ logRecords: [{ timeUnixNano: timeNs.toString() as never, body: { stringValue: text } }] }],
      },
    ],
  };
}

export function logsRecord(text: string, arrivalNs: bigint): CaptureRecord {
  return {
    arrivalNs,
    protocol: 'otlp_http',
    signal: 'logs',
    path: '/v1/logs',
    contentType: 'application/x-protobuf',
    contentEncoding: '',
    tenant: '',
    headers: {},
    body: Buffer.from(encodeProto('logs', logsRequest(text, arrivalNs))),
  };
}

/** Writes records into one capture file under `dir`; returns its path. */
export async function writeCapture(dir: string, name: string, records: CaptureRecord[]): Promise<string> {
  const w = new CaptureWriter({ path: join(dir, name), maxBytes: 0, keep: 0, meta: { receiver: 'test' } });
  for (const r of records) w.append(encodeRecord(r));
  await w.close();
  return w.files[0]!;
}

export interface FileGateway {
  httpPort: number;
  grpcPort: number;
  /** Stops the gateway (flushing its file) and returns the file's text. */
  stopAndRead(): Promise<string>;
  stop(): Promise<void>;
}

/** A Tollgate with an otlp receiver (optionally capturing) whose three pipelines end in one file exporter. */
export async function fileGateway(dir: string, name: string, extra: { capture?: Record<string, unknown> } = {}): Promise<FileGateway> {
  const httpPort = await freePort();
  const grpcPort = await freePort();
  const path = join(dir, `${name}.jsonl`);
  const pipeline = { receivers: ['otlp'], exporters: ['file'] };
  const svc = new Service(
    {
      receivers: {
        otlp: {
          protocols: { grpc: { endpoint: `127.0.0.1:${grpcPort}` }, http: { endpoint: `127.0.0.1:${httpPort}` } },
          ...(extra.capture ? { capture: extra.capture } : {}),
        },
      },
      exporters: { file: { path } },
      service: { telemetry: { metrics: { address: '' } }, pipelines: { traces: pipeline, metrics: pipeline, logs: pipeline } },
    },
    { logger: silentLogger() },
  );
  await svc.start();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await svc.shutdown();
  };
  return {
    httpPort,
    grpcPort,
    stop,
    async stopAndRead() {
      await stop();
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return '';
      }
    },
  };
}

/** Bodies of the log records in file exporter output, in order. */
export function logBodies(jsonl: string): string[] {
  const out: string[] = [];
  for (const line of jsonl.split('\n')) {
    if (!line) continue;
    const v = JSON.parse(line) as { resourceLogs?: Array<{ scopeLogs: Array<{ logRecords: Array<{ body: { stringValue: string } }> }> }> };
    for (const rl of v.resourceLogs ?? []) for (const sl of rl.scopeLogs) for (const l of sl.logRecords) out.push(l.body.stringValue);
  }
  return out;
}
