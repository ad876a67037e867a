import { pino, type DestinationStream, type Logger } from 'pino';

/** pino JSON logs on stderr, leaving stdout to commands that print results. */
export function createLogger(level = 'info'): Logger {
  return pino({ level, base: { service: 'tollgate' } }, pino.destination({ fd: 2, sync: false }));
}

/** What `service.telemetry.logs` sets (the collector's zap keys that have a pino meaning). */
export interface LogSettings {
  level: string;
  output_paths: readonly string[];
  initial_fields?: Record<string, unknown>;
}

/** zap level names as pino's: dpanic and panic have none, and log as error and fatal. */
export function pinoLevel(level: string): string {
  const l = level.toLowerCase();
  return l === 'dpanic' ? 'error' : l === 'panic' ? 'fatal' : l;
}

/**
 * The service logger: JSON lines to every output path (`stderr`, `stdout` or
 * a file, appended to), with the initial fields on every line.
 */
export function createServiceLogger(s: LogSettings): Logger {
  return loggerTo(s.output_paths, pinoLevel(s.level), { service: 'tollgate', ...(s.initial_fields ?? {}) });
}

/**
 * A pino logger writing to output paths as the collector names them:
 * `stderr`, `stdout`, or a file (created with its directory, appended to).
 * No path: a logger that writes nothing.
 */
export function loggerTo(paths: readonly string[], level: string, base: Record<string, unknown>): Logger {
  if (paths.length === 0) return pino({ level: 'silent', base });
  // Several outputs are written synchronously: pino's multistream has no asynchronous flush for shutdown.
  const sync = paths.length > 1;
  const dests: DestinationStream[] = paths.map((p) =>
    p === 'stderr'
      ? pino.destination({ fd: 2, sync })
      : p === 'stdout'
        ? pino.destination({ fd: 1, sync })
        : pino.destination({ dest: p, append: true, mkdir: true, sync }),
  );
  if (dests.length === 1) return pino({ level, base }, dests[0]);
  return pino({ level, base }, pino.multistream(dests.map((stream) => ({ stream, level: level as pino.Level }))));
}

/** A logger that writes nothing, for tests and tools. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
