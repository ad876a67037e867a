import type { Command } from 'commander';
import { registerLoadgen } from '../loadgen/cli.js';
import { registerCaptureCommand, registerReplayCommand } from '../replay/cli.js';
import { registerSloCommand } from '../slo/cli.js';

/**
 * Verbs beyond run/validate/components/schema (loadgen, replay, capture, slo).
 * Each lives in its own module and registers itself here.
 */
export function registerExtraCommands(program: Command): void {
  registerLoadgen(program);
  registerReplayCommand(program);
  registerCaptureCommand(program);
  registerSloCommand(program);
}
