import type { TargetGroup } from '../targets.js';

/** A service discovery mechanism: reports its complete current groups whenever they change. */
export interface Discoverer {
  start(update: (groups: TargetGroup[]) => void): void;
  stop(): void;
}
