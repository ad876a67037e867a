import { pino, type Logger } from 'pino';

/** pino JSON logs on stderr, leaving stdout to commands that print results. */
export function createLogger(level = 'info'): Logger {
  return pino({ level, base: { service: 'tollgate' } }, pino.destination({ fd: 2, sync: false }));
}

/** A logger that writes nothing, for tests and tools. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
