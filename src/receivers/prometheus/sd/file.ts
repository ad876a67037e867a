// file_sd_configs: JSON or YAML files of [{targets, labels}], re-read when
// they change (a watch on their directories) and every refresh_interval.
// A file that cannot be read or parsed keeps its previous targets, as in
// Prometheus, and the problem is logged.
import { readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { parse } from 'yaml';
import type { TargetGroup } from '../targets.js';
import type { Discoverer } from './provider.js';

export class FileDiscoverer implements Discoverer {
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly last = new Map<string, TargetGroup[]>();
  private update: ((g: TargetGroup[]) => void) | undefined;
  private lastText = '';

  constructor(
    private readonly patterns: readonly string[],
    private readonly refreshMs: number,
    private readonly onError: (file: string, err: string) => void,
  ) {}

  start(update: (groups: TargetGroup[]) => void): void {
    this.update = update;
    this.refresh();
    for (const dir of new Set(this.patterns.map((p) => dirname(p)))) {
      try {
        this.watchers.push(watch(dir, () => this.soon()));
      } catch (e) {
        this.onError(dir, `cannot watch: ${(e as Error).message}`);
      }
    }
    this.timer = setInterval(() => this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    this.update = undefined;
  }

  private soon(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.refresh(), 50);
  }

  private files(): string[] {
    const out: string[] = [];
    for (const p of this.patterns) {
      const base = basename(p);
      if (!/[*?[]/.test(base)) {
        out.push(p);
        continue;
      }
      const re = new RegExp(`^${base.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
      try {
        for (const f of readdirSync(dirname(p)).sort()) if (re.test(f)) out.push(join(dirname(p), f));
      } catch {
        // a missing directory has no files
      }
    }
    return out;
  }

  private refresh(): void {
    if (!this.update) return;
    const seen = new Set<string>();
    for (const f of this.files()) {
      seen.add(f);
      try {
        this.last.set(f, readGroups(f));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') this.last.delete(f);
        else this.onError(f, (e as Error).message);
      }
    }
    for (const f of [...this.last.keys()]) if (!seen.has(f)) this.last.delete(f);
    const all = [...this.last.values()].flat();
    const text = JSON.stringify(all);
    if (text === this.lastText) return;
    this.lastText = text;
    this.update(all);
  }
}

function readGroups(file: string): TargetGroup[] {
  const text = readFileSync(file, 'utf8');
  const ext = extname(file).toLowerCase();
  const raw: unknown = ext === '.json' ? JSON.parse(text) : parse(text);
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) throw new Error('expected a list of {targets, labels}');
  return raw.map((g, i) => {
    const targets = (g as { targets?: unknown }).targets;
    const labels = (g as { labels?: unknown }).labels ?? {};
    if (!Array.isArray(targets) || targets.some((t) => typeof t !== 'string')) throw new Error(`group ${i}: targets must be a list of strings`);
    if (typeof labels !== 'object' || Object.values(labels as object).some((v) => typeof v !== 'string')) throw new Error(`group ${i}: labels must map names to strings`);
    return {
      source: `${file}:${i}`,
      targets: (targets as string[]).map((t) => ({ __address__: t })),
      labels: { ...(labels as Record<string, string>), __meta_filepath: file },
    };
  });
}
