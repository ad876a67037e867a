#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node's built-in
// runner, so the run ends with its standard summary. Before that it makes sure
// the real servers the tests talk to are available:
//  - Prometheus (Debian package; installed with apt-get when missing and root),
//  - Apache Kafka (scripts/kafka.sh fetches it from Maven Central and starts it;
//    stopped again at the end if this run started it).
// Arguments filter test files by path substring: `npm test -- receivers/otlp`.
// TOLLGATE_TEST_NO_SERVICES=1 skips the server set-up (for unit-only runs).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const repo = join(import.meta.dirname, '..');
const root = join(repo, 'dist', 'test');
const filters = process.argv.slice(2);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

function sh(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { stdio: 'inherit', cwd: repo, ...opts });
}

function ensurePrometheus() {
  if (existsSync('/usr/bin/prometheus')) return;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.error('# installing prometheus (Debian package) for the tests');
    sh('apt-get', ['update', '-qq']);
    const r = sh('apt-get', ['install', '-y', '-qq', 'prometheus'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status === 0) return;
  }
  console.error('tests need Prometheus 2.42: run `sudo apt-get install -y prometheus`');
  process.exit(1);
}

function ensureKafka() {
  const script = join(repo, 'scripts', 'kafka.sh');
  if (!existsSync(script)) return false;
  if (sh('bash', [script, 'status'], { stdio: 'ignore' }).status === 0) return false;
  const r = sh('bash', [script, 'start']);
  if (r.status !== 0) {
    console.error('tests need Apache Kafka: `scripts/kafka.sh start` failed (see above)');
    process.exit(1);
  }
  return true;
}

const files = walk(root).filter((f) => filters.length === 0 || filters.some((x) => relative(root, f).includes(x)));
if (files.length === 0) {
  console.error(`no test files matched under ${root}`);
  process.exit(1);
}

let startedKafka = false;
if (!process.env.TOLLGATE_TEST_NO_SERVICES) {
  ensurePrometheus();
  startedKafka = ensureKafka();
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...files], { stdio: 'inherit' });
if (startedKafka) sh('bash', [join(repo, 'scripts', 'kafka.sh'), 'stop']);
process.exit(r.status ?? 1);
