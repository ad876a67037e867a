import type { Exporter, CreateSettings } from '../../component/factory.js';
import type { Signal, SignalData } from '../../component/signal.js';
import { parseDuration } from '../../config/types.js';
import { createExporter } from '../../exporterhelper/exporter.js';
import type { FileConfig } from './config.js';
import { jsonEncoder, protoEncoder } from './encode.js';
import { FileWriter } from './writer.js';

/**
 * One file per path, shared by every signal of one exporter ID: the traces,
 * metrics and logs pipelines of `file/x` all write to its path (as the
 * collector does), through one writer, opened by the first to start and
 * closed by the last to shut down.
 */
interface Shared {
  writer: FileWriter;
  users: number;
  opening?: Promise<void>;
}
const open = new Map<string, Shared>();

async function acquire(set: CreateSettings, cfg: FileConfig): Promise<FileWriter> {
  let s = open.get(cfg.path);
  if (!s) {
    s = {
      writer: new FileWriter({
        path: cfg.path,
        append: cfg.append,
        gzip: cfg.compression === 'gzip',
        ...(cfg.rotation ? { rotation: cfg.rotation } : {}),
        syncIntervalMs: Math.max(1, parseDuration(cfg.flush_interval)),
        logger: set.logger,
      }),
      users: 0,
    };
    open.set(cfg.path, s);
    s.opening = s.writer.open();
  }
  s.users++;
  try {
    await s.opening;
  } catch (err) {
    if (--s.users === 0) open.delete(cfg.path);
    throw err;
  }
  return s.writer;
}

async function release(path: string): Promise<void> {
  const s = open.get(path);
  if (!s || --s.users > 0) return;
  open.delete(path);
  await s.writer.close();
}

/**
 * Writes each batch as one record (see encode.ts). consume() resolves once
 * the record was handed to the OS; shutdown() closes after every write has
 * finished and syncs the file to disk.
 */
export function createFileExporter<S extends Signal>(set: CreateSettings, signal: S, cfg: FileConfig): Exporter<S> {
  const encode = cfg.format === 'proto' ? protoEncoder(signal) : jsonEncoder(signal);
  let writer: FileWriter | undefined;
  return createExporter(
    set,
    signal,
    {},
    async (data: SignalData[S]) => {
      if (!writer) throw new Error(`exporter ${set.id} is not started`);
      await writer.write(encode(data));
    },
    {
      async start() {
        writer = await acquire(set, cfg);
      },
      async shutdown() {
        if (!writer) return;
        writer = undefined;
        await release(cfg.path);
      },
    },
  );
}
