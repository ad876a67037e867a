import type { Host } from './host.js';

/** Lifecycle every component has. shutdown() may be called twice, or without start(). */
export interface Component {
  start(host: Host): Promise<void>;
  shutdown(): Promise<void>;
}
