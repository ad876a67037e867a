#!/usr/bin/env node
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FACTORIES, factoriesByKind } from '../components.js';
import { ConfigError, loadConfigFiles } from '../config/load.js';
import { configJsonSchema } from '../config/schema.js';
import { collectorCompat, formatCompat } from '../config/compat.js';
import { validateConfig } from '../config/validate.js';
import { Service } from '../service/service.js';
import { registerExtraCommands } from './commands.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DEFAULT_CONFIG = join(ROOT, 'config', 'default.yaml');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function fail(msg: string): never {
  process.stderr.write(`tollgate: ${msg}\n`);
  process.exit(1);
}

const collect = (v: string, prev: string[]) => [...prev, v];

async function run(configs: string[]): Promise<void> {
  let svc: Service;
  try {
    svc = Service.fromFiles(configs.length ? configs : [DEFAULT_CONFIG]);
  } catch (err) {
    if (err instanceof ConfigError) fail(`invalid config: ${err.problems.join('; ')}`);
    throw err;
  }
  let signals = 0;
  const stop = (sig: string) => {
    if (++signals > 1) {
      svc.logger.warn({ signal: sig }, 'second signal: exiting without draining');
      process.exit(130);
    }
    svc.logger.info({ signal: sig }, 'shutting down');
    svc.shutdown().then(
      () => process.exit(0),
      (err: Error) => fail(`shutdown failed: ${err.message}`),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    await svc.start();
  } catch (err) {
    fail((err as Error).message.split('\n')[0]!);
  }
}

const program = new Command();
program
  .name('tollgate')
  .description('Telemetry gateway for AI inference fleets (OTLP and Prometheus remote-write in; Thanos, Kafka and files out).')
  .version(VERSION, '-v, --version')
  .enablePositionalOptions()
  .option('-c, --config <file>', 'config file; repeat to merge several in order (default: the embedded config/default.yaml)', collect, [])
  .action(async (opts: { config: string[] }) => run(opts.config));

program
  .command('validate')
  .description('check a config; exit 0 if valid, else 1 with every problem named by its path')
  .option('-c, --config <file>', 'config file; repeat to merge', collect, [])
  .option(
    '--collector-compat',
    'report what Tollgate implements, accepts with no effect and lacks in an OpenTelemetry Collector config (exit 1 if it would not run)',
  )
  .action((opts: { config: string[]; collectorCompat?: boolean }) => {
    const files = opts.config.length ? opts.config : [DEFAULT_CONFIG];
    try {
      if (opts.collectorCompat) {
        const r = collectorCompat(loadConfigFiles(files), factoriesByKind());
        process.stdout.write(formatCompat(r));
        process.exit(r.missing.length || r.problems.length ? 1 : 0);
      }
      const { problems } = validateConfig(loadConfigFiles(files), factoriesByKind());
      if (problems.length) {
        for (const p of problems) process.stderr.write(`${p}\n`);
        process.exit(1);
      }
      process.stdout.write(`${files.join(', ')}: valid\n`);
    } catch (err) {
      if (err instanceof ConfigError) {
        for (const p of err.problems) process.stderr.write(`${p}\n`);
        process.exit(1);
      }
      throw err;
    }
  });

program
  .command('components')
  .description('list every component type')
  .action(() => {
    for (const kind of ['receiver', 'processor', 'exporter', 'connector', 'extension'] as const) {
      const fs = FACTORIES.filter((f) => f.kind === kind);
      process.stdout.write(`${kind}s:\n`);
      for (const f of fs) {
        const signals = 'create' in f && typeof f.create === 'object' ? Object.keys(f.create).join(', ') : '';
        process.stdout.write(`  ${f.type}${signals ? `  (${signals})` : ''}\n`);
      }
    }
  });

program
  .command('schema')
  .description('print the JSON Schema of the config (shipped as config/tollgate.schema.json)')
  .action(() => {
    process.stdout.write(`${JSON.stringify(configJsonSchema(factoriesByKind()), null, 2)}\n`);
  });

registerExtraCommands(program);

program.parseAsync(process.argv).catch((err: Error) => fail(err.message));
