// The queue directory: segment files, the read cursor and the lock.
//   <seq>.seg   append-only segments, seq zero-padded so names sort in order
//   cursor      {"seq":n,"offset":n}: the first record not yet delivered
//   lock        pid of the process using the directory
import { closeSync, openSync, readFileSync, writeSync, unlinkSync } from 'node:fs';
import { mkdir, readdir, rename, writeFile, readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { join } from 'node:path';

export interface Cursor {
  seq: number;
  offset: number;
}

export function segmentPath(dir: string, seq: number): string {
  return join(dir, `${String(seq).padStart(16, '0')}.seg`);
}

/** Segment sequence numbers present, ascending. */
export async function listSegments(dir: string): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir(dir)) {
    const m = /^(\d{16})\.seg$/.exec(name);
    if (m) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

/** The stored cursor, or null when absent or unreadable (the queue then starts at its oldest segment). */
export async function readCursor(dir: string): Promise<Cursor | null> {
  try {
    const o = JSON.parse(await readFile(join(dir, 'cursor'), 'utf8')) as Partial<Cursor>;
    if (Number.isSafeInteger(o.seq) && Number.isSafeInteger(o.offset) && o.seq! >= 0 && o.offset! >= 0) return { seq: o.seq!, offset: o.offset! };
  } catch {
    // absent or damaged: fall through
  }
  return null;
}

/**
 * Writes the cursor atomically (temp file + rename). Not fsynced: after a
 * power loss an older cursor only means records are delivered again, which
 * at-least-once delivery allows.
 */
export async function writeCursor(dir: string, c: Cursor): Promise<void> {
  const tmp = join(dir, 'cursor.tmp');
  await writeFile(tmp, JSON.stringify(c));
  await rename(tmp, join(dir, 'cursor'));
}

/** Directories locked by this process, so two queues in one process cannot share one. */
const heldHere = new Set<string>();

/**
 * Takes the directory for this process. A lock left by a process that no
 * longer runs (a crash) is taken over; one held by a live process is an error.
 */
export async function lockDir(dir: string): Promise<() => void> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'lock');
  if (heldHere.has(path)) throw new Error(`queue directory ${dir} is already used by another exporter in this process`);
  try {
    const other = Number(readFileSync(path, 'utf8').trim());
    if (Number.isInteger(other) && other > 0 && other !== process.pid && alive(other)) {
      throw new Error(`queue directory ${dir} is in use by process ${other}`);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const fd = openSync(path, 'w');
  writeSync(fd, String(process.pid));
  closeSync(fd);
  heldHere.add(path);
  return () => {
    heldHere.delete(path);
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Saves the cursor as it moves; writes are coalesced (one on its way, at most one more queued). */
export class CursorWriter {
  private writing: Promise<void> | undefined;
  private dirty = false;

  constructor(
    private readonly dir: string,
    private readonly current: () => Cursor,
    private readonly log: Logger,
  ) {}

  schedule(): void {
    this.dirty = true;
    if (this.writing) return;
    this.writing = (async () => {
      while (this.dirty) {
        this.dirty = false;
        await this.write();
      }
      this.writing = undefined;
    })();
  }

  /** Waits for a write under way, then writes the current cursor. */
  async flush(): Promise<void> {
    await this.writing;
    await this.write();
  }

  private write(): Promise<void> {
    return writeCursor(this.dir, this.current()).catch((err) => this.log.error({ err }, 'persistent queue: could not save the read cursor'));
  }
}
