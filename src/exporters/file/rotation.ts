import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { RotationConfig } from './config.js';

/**
 * Backup names as the collector's file exporter (lumberjack) makes them: the
 * time goes before the extension, `data.json` → `data-2022-09-14T05-02-14.173.json`.
 */
export function backupName(path: string, at: Date, localtime: boolean): string {
  const ext = extname(path);
  const stem = basename(path, ext);
  return join(dirname(path), `${stem}-${stamp(at, localtime)}${ext}`);
}

function stamp(d: Date, local: boolean): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const [y, mo, da, h, mi, s, ms] = local
    ? [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()]
    : [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()];
  return `${p(y, 4)}-${p(mo)}-${p(da)}T${p(h)}-${p(mi)}-${p(s)}.${p(ms, 3)}`;
}

const STAMP_RE = '(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2})-(\\d{2})-(\\d{2})\\.(\\d{3})';

/** Backups of `path` on disk, newest first. */
export async function listBackups(path: string, localtime: boolean): Promise<Array<{ file: string; at: number }>> {
  const ext = extname(path);
  const stem = basename(path, ext);
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^${esc(stem)}-${STAMP_RE}${esc(ext)}$`);
  const dir = dirname(path);
  const out: Array<{ file: string; at: number }> = [];
  for (const name of await readdir(dir)) {
    const m = re.exec(name);
    if (!m) continue;
    const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
    const at = localtime ? new Date(y, mo - 1, d, h, mi, s, ms).getTime() : Date.UTC(y, mo - 1, d, h, mi, s, ms);
    out.push({ file: join(dir, name), at });
  }
  return out.sort((a, b) => b.at - a.at);
}

/** Removes backups beyond max_backups and older than max_days; returns the files removed. */
export async function pruneBackups(path: string, r: RotationConfig, now = Date.now()): Promise<string[]> {
  const all = await listBackups(path, r.localtime);
  const doomed = new Set<string>();
  if (r.max_backups > 0) for (const b of all.slice(r.max_backups)) doomed.add(b.file);
  if (r.max_days > 0) for (const b of all) if (now - b.at > r.max_days * 86_400_000) doomed.add(b.file);
  await Promise.all([...doomed].map((f) => rm(f, { force: true })));
  return [...doomed];
}
