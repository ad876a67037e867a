import type { TargetGroup } from '../targets.js';
import type { Discoverer } from './provider.js';

/** static_configs: the groups as written, reported once. */
export class StaticDiscoverer implements Discoverer {
  constructor(private readonly groups: ReadonlyArray<{ targets: string[]; labels?: Record<string, string> }>) {}
  start(update: (groups: TargetGroup[]) => void): void {
    update(this.groups.map((g, i) => ({ source: `static/${i}`, targets: g.targets.map((t) => ({ __address__: t })), labels: { ...(g.labels ?? {}) } })));
  }
  stop(): void {}
}
