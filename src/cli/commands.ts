import type { Command } from 'commander';

/**
 * Verbs beyond run/validate/components/schema (loadgen, replay, capture, slo).
 * Each lives in its own module and registers itself here.
 */
export function registerExtraCommands(_program: Command): void {}
