// A gateway whose pipelines end in the real `file` exporter: what a test sent
// is read back from the OTLP JSON lines the exporter wrote.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJSON } from '../../../src/pdata/otlpjson.js';
import type { Logs, Metrics, Traces } from '../../../src/pdata/proto.js';
import { Service } from '../../../src/service/service.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { freePort } from '../../helpers/ports.js';

export interface FileGateway {
  grpcPort: number;
  httpPort: number;
  /** Stops the gateway (flushing the file) and returns every request it wrote. */
  stopAndRead(): Promise<{ traces: Traces[]; metrics: Metrics[]; logs: Logs[] }>;
  /** Stops without reading (cleanup after a failure); safe after stopAndRead. */
  stop(): Promise<void>;
}

export async function startFileGateway(): Promise<FileGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-otlp-'));
  const path = join(dir, 'out.jsonl');
  const grpcPort = await freePort();
  const httpPort = await freePort();
  const pipeline = { receivers: ['otlp'], exporters: ['file'] };
  const svc = new Service(
    {
      receivers: { otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${grpcPort}` }, http: { endpoint: `127.0.0.1:${httpPort}` } } } },
      exporters: { file: { path } },
      service: { telemetry: { metrics: { address: '' } }, pipelines: { traces: pipeline, metrics: pipeline, logs: pipeline } },
    },
    { logger: silentLogger() },
  );
  await svc.start();
  const stop = async () => {
    await svc.shutdown();
  };
  return {
    grpcPort,
    httpPort,
    stop: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async stopAndRead() {
      await stop();
      const out = { traces: [] as Traces[], metrics: [] as Metrics[], logs: [] as Logs[] };
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (line === '') continue;
        const key = Object.keys(JSON.parse(line))[0];
        if (key === 'resourceSpans') out.traces.push(decodeJSON('traces', line));
        else if (key === 'resourceMetrics') out.metrics.push(decodeJSON('metrics', line));
        else if (key === 'resourceLogs') out.logs.push(decodeJSON('logs', line));
        else throw new Error(`unexpected line in the file exporter's output: ${line.slice(0, 200)}`);
      }
      return out;
    },
  };
}
