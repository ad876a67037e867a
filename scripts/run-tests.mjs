#!/usr/bin/env node
// Runs the compiled tests (dist/test/**/*.test.js) with node's built-in runner, in two tiers:
//
//   unit         every *.test.js that is not an integration test: hermetic (no servers, loopback
//                only); the helpers that start or reach servers refuse to run in this tier.
//   integration  *.integration.test.js: real Apache Kafka, Prometheus/promtool, OpenTelemetry SDKs.
//
//   node scripts/run-tests.mjs [--tier unit|integration|all] [path-substring ...]
//   (npm run test:unit, npm run test:integration, npm test = all: unit first, then integration)
//
// The runner owns the servers the integration tier shares, so suites of two checkouts on one host
// never collide and no test stops a server another test uses:
//   - Kafka: one broker per run (scripts/kafka.sh) on free ports, in a private data directory under
//     the system temp dir, stopped and removed at the end (a watchdog does it if the runner dies).
//     Tests get it by environment: KAFKA_BROKERS and KAFKA_DATA_DIR. Set KAFKA_BROKERS yourself to
//     use a broker of your own instead (then KAFKA_DATA_DIR too, for the tests that read its logs).
//   - Prometheus: tests start their own instances (test/helpers/prometheus.ts) on free ports with
//     private data directories, because several stop and restart theirs; the runner only checks that
//     the binaries are installed.
// Nothing is installed here: scripts/setup.sh installs the system packages and fetches Kafka's jars.
// TOLLGATE_TEST_TIER tells the helpers which tier they run in. TEST_CONCURRENCY (default 2) is
// passed to node --test.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const repo = join(import.meta.dirname, '..');
const root = join(repo, 'dist', 'test');
const KAFKA_SH = join(repo, 'scripts', 'kafka.sh');
const SETUP = 'scripts/setup.sh';

const args = process.argv.slice(2);
let tier = 'all';
const filters = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--tier') tier = args[++i] ?? '';
  else if (args[i]?.startsWith('--tier=')) tier = args[i].slice('--tier='.length);
  else filters.push(args[i]);
}
if (!['unit', 'integration', 'all'].includes(tier)) fail(`--tier must be unit, integration or all (got "${tier}")`);

function fail(message) {
  console.error(`run-tests: ${message}`);
  process.exit(1);
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const isIntegration = (f) => f.endsWith('.integration.test.js');
/** Compiled files whose source was renamed or removed stay in dist until it is cleaned: skip them. */
const hasSource = (f) => existsSync(join(repo, 'test', relative(root, f)).replace(/\.js$/, '.ts'));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

function executable(p) {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Fails before any test runs when a binary the integration tier needs is missing. */
function checkPrerequisites(files) {
  const missing = [];
  const prometheus = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
  const promtool = process.env.PROMTOOL ?? '/usr/bin/promtool';
  if (!executable(prometheus)) missing.push(`Prometheus (${prometheus})`);
  if (!executable(promtool)) missing.push(`promtool (${promtool})`);
  if (needsKafka(files) && !process.env.KAFKA_BROKERS && spawnSync('java', ['-version'], { stdio: 'ignore' }).status !== 0) missing.push('Java 17 (java)');
  // The Kubernetes manifest tests use kustomize and k8s-strict, built by scripts/k8s-tools.sh (setup.sh runs it).
  if (files.some((f) => readFileSync(f, 'utf8').includes('k8s-tools.sh'))) {
    for (const t of ['kustomize', 'k8s-strict']) {
      if (spawnSync('bash', [join(repo, 'scripts', 'k8s-tools.sh'), 'path', t], { stdio: 'ignore' }).status !== 0) missing.push(`${t} (scripts/k8s-tools.sh)`);
    }
  }
  // The compatibility tests run the OpenTelemetry Collector that setup.sh builds (benchmarks/peers/build.sh).
  if (!process.env.TOLLGATE_OTELCOL && files.some((f) => /collectorBinary\(|startGateway\(/.test(readFileSync(f, 'utf8')))) {
    if (spawnSync('bash', [join(repo, 'benchmarks', 'peers', 'build.sh'), '--only', 'collector', '--check'], { stdio: 'ignore' }).status !== 0) {
      missing.push('the OpenTelemetry Collector (benchmarks/peers/build.sh --only collector)');
    }
  }
  if (missing.length) fail(`the integration tier needs ${missing.join(', ')}: run \`bash ${SETUP}\` (as root: it installs Debian packages)`);
}

/** A test file that asks for the shared broker (useKafka) makes the runner start one. */
function needsKafka(files) {
  return files.some((f) => readFileSync(f, 'utf8').includes('useKafka('));
}

/** One private broker for this run; returns what tests need to reach it, and how to stop it. */
async function startKafka() {
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-test-kafka-'));
  let last = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const env = { ...process.env, KAFKA_PORT: String(await freePort()), KAFKA_CONTROLLER_PORT: String(await freePort()), KAFKA_DATA_DIR: dataDir };
    const r = spawnSync('bash', [KAFKA_SH, 'start'], { env, encoding: 'utf8', timeout: 240_000 });
    last = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
    if (r.status === 0) {
      // If this runner dies without cleaning up, the watchdog stops the broker and removes its data.
      const watchdog = spawn(
        'bash',
        [
          '-c',
          'while kill -0 "$1" 2>/dev/null; do sleep 2; done; bash "$2" stop >/dev/null 2>&1; rm -rf "$3"',
          'watchdog',
          String(process.pid),
          KAFKA_SH,
          dataDir,
        ],
        { env, detached: true, stdio: 'ignore' },
      );
      watchdog.unref();
      let stopped = false;
      const stop = () => {
        if (stopped) return;
        stopped = true;
        spawnSync('bash', [KAFKA_SH, 'stop'], { env, stdio: 'ignore', timeout: 60_000 });
        rmSync(dataDir, { recursive: true, force: true });
        try {
          process.kill(-watchdog.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      };
      console.error(`# Kafka for this run: 127.0.0.1:${env.KAFKA_PORT} (data ${dataDir})`);
      return { env: { KAFKA_BROKERS: `127.0.0.1:${env.KAFKA_PORT}`, KAFKA_DATA_DIR: dataDir }, stop };
    }
    spawnSync('bash', [KAFKA_SH, 'stop'], { env, stdio: 'ignore' });
  }
  rmSync(dataDir, { recursive: true, force: true });
  fail(`could not start Apache Kafka (scripts/kafka.sh start; fetch its jars with \`bash ${SETUP}\`):\n${last}`);
}

/** Runs node --test on `files`, passing its output through and reading its closing counts. */
function runNodeTest(files, env) {
  const concurrency = process.env.TEST_CONCURRENCY ?? '2';
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...files], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const counts = { tests: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
    let tail = '';
    const scan = (line) => {
      const m = /^(?:#|ℹ) (tests|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(line.trim());
      if (m) counts[m[1]] = Number(m[2]);
    };
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (tail + chunk.toString()).split('\n');
      tail = lines.pop() ?? '';
      lines.forEach(scan);
    });
    child.on('close', (code, signal) => {
      scan(tail);
      resolve({ code: code ?? (signal ? 1 : 0), counts });
    });
  });
}

const all = existsSync(root) ? walk(root).filter(hasSource) : [];
const selected = all.filter((f) => filters.length === 0 || filters.some((x) => relative(root, f).includes(x)));
const tiers = [];
if (tier !== 'integration') tiers.push(['unit', selected.filter((f) => !isIntegration(f))]);
if (tier !== 'unit') tiers.push(['integration', selected.filter(isIntegration)]);
if (tiers.every(([, files]) => files.length === 0)) fail(`no ${tier === 'all' ? '' : `${tier} `}test files matched under ${root}`);

let kafka;
const cleanup = () => kafka?.stop();
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

const results = [];
for (const [name, files] of tiers) {
  if (files.length === 0) continue;
  const env = { TOLLGATE_TEST_TIER: name };
  if (name === 'integration') {
    checkPrerequisites(files);
    if (needsKafka(files) && !process.env.KAFKA_BROKERS) {
      kafka = await startKafka();
      Object.assign(env, kafka.env);
    }
  } else {
    // The unit tier has no servers: a broker in the caller's environment is not handed on.
    env.KAFKA_BROKERS = '';
    env.KAFKA_DATA_DIR = '';
  }
  console.error(`# ${name} tier: ${files.length} files`);
  const started = Date.now();
  const r = await runNodeTest(files, env);
  results.push({ name, seconds: (Date.now() - started) / 1000, ...r });
  if (name === 'integration') cleanup();
}

let passed = 0;
let failed = 0;
for (const r of results) {
  const c = r.counts;
  console.log(`# ${r.name} tier: ${c.pass} passed, ${c.fail} failed, ${c.cancelled} cancelled, ${c.skipped} skipped in ${r.seconds.toFixed(1)} s`);
  passed += c.pass;
  failed += c.fail + c.cancelled;
  if (r.code !== 0 && c.fail + c.cancelled === 0) failed += 1; // a crash the counts do not show
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(results.some((r) => r.code !== 0) ? 1 : 0);
