// Several capture files read as one stream: directories expanded, records
// merged into arrival-time order.
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MAGIC } from './format.js';
import { CaptureFileReader, type Damage, type ReadEntry } from './reader.js';

/** Files named on the command line: files as given, directories expanded to the capture files they hold. */
export async function expandCapturePaths(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const st = await stat(p);
    if (!st.isDirectory()) {
      out.push(p);
      continue;
    }
    const names = (await readdir(p)).sort();
    for (const n of names) {
      const f = join(p, n);
      const s = await stat(f).catch(() => undefined);
      if (!s?.isFile()) continue;
      if (await hasMagic(f)) out.push(f);
    }
  }
  return out;
}

async function hasMagic(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(8);
    const { bytesRead } = await fh.read(b, 0, 8, 0);
    return bytesRead > 0 && b.subarray(0, bytesRead).equals(MAGIC.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

export interface MergedReadOptions {
  onDamage?: (d: Damage) => void;
  /** A file that cannot be read at all (not a capture, unknown version, I/O error). */
  onFileError?: (file: string, err: Error) => void;
}

/**
 * Records of several files merged into arrival-time order (files of several
 * receivers interleave; rotated files of one receiver follow each other).
 * Within a file, order is kept even if arrival times step back.
 */
export async function* readCaptures(files: readonly string[], opts: MergedReadOptions = {}): AsyncGenerator<ReadEntry> {
  const readers: CaptureFileReader[] = [];
  const heads: { it: AsyncGenerator<ReadEntry>; cur: ReadEntry }[] = [];
  try {
    for (const f of files) {
      let r: CaptureFileReader;
      try {
        r = await CaptureFileReader.open(f, opts.onDamage);
      } catch (e) {
        opts.onFileError?.(f, e as Error);
        continue;
      }
      readers.push(r);
      const it = r.records();
      const first = await it.next();
      if (!first.done) heads.push({ it, cur: first.value });
    }
    while (heads.length > 0) {
      let k = 0;
      for (let i = 1; i < heads.length; i++) if (heads[i]!.cur.record.arrivalNs < heads[k]!.cur.record.arrivalNs) k = i;
      const h = heads[k]!;
      yield h.cur;
      const n = await h.it.next();
      if (n.done) heads.splice(k, 1);
      else h.cur = n.value;
    }
  } finally {
    for (const h of heads) await h.it.return(undefined);
    for (const r of readers) await r.close();
  }
}
