export type HealthState = 'starting' | 'ok' | 'stopping';

/** What the running service offers its components at start. */
export interface Host {
  /** Overall readiness, for the health_check extension. */
  health(): HealthState;
  /** A started extension by ID (authenticators), as the collector's host.GetExtensions. */
  extension?(id: string): import('./component.js').Component | undefined;
}
