// The Kubernetes manifests (deploy/kubernetes/base), rendered by a real kustomize (v5.7.1, built from the
// Go module proxy by scripts/k8s-tools.sh) and checked offline: every object against the Kubernetes and
// Prometheus Operator schemas (npm kubernetes-models: required fields, types, enums, patterns) and decoded
// strictly into its Go types (scripts/k8s-strict: unknown fields), the Instrumentation against the fields of the
// OpenTelemetry Operator's v1alpha1 CRD, the configs inside the ConfigMaps with `tollgate validate`, the
// PrometheusRule against the promtool-tested rule files, and the wiring between objects (selectors,
// ports, probes, memory limits, the queue's volume).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Type, type TSchema } from '@sinclair/typebox';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { parse, parseAllDocuments } from 'yaml';
import { validateAgainst } from '../../src/config/validate.js';
import { CLI } from '../helpers/cli.js';

const root = join(import.meta.dirname, '..', '..', '..');
const BASE = join(root, 'deploy', 'kubernetes', 'base');

/** A tool built by scripts/k8s-tools.sh; fails saying how to build it. */
function tool(name: 'kustomize' | 'k8s-strict'): string {
  const r = spawnSync('bash', [join(root, 'scripts', 'k8s-tools.sh'), 'path', name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${name} is not built: run \`bash scripts/k8s-tools.sh install\` (.ci/run does). ${r.stderr}`);
  return r.stdout.trim();
}
const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };

function render(dir: string): string {
  const r = spawnSync(tool('kustomize'), ['build', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, `kustomize build ${dir}: ${r.stderr}`);
  return r.stdout;
}

const rendered = render(BASE);
const objects = parseAllDocuments(rendered).map((d) => d.toJS() as Obj);
const find = (kind: string, name: string): Obj => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name.startsWith(name));
  assert.ok(o, `no ${kind} ${name} in the rendered base`);
  return o;
};

const MODELS: Record<string, new (o: any) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

test('kustomize renders the base: edge Deployment, gateway StatefulSet, Services, ConfigMaps, PDBs, ServiceMonitor, PrometheusRule', () => {
  assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '-<hash>')}`).sort(), [
    'ConfigMap/tollgate-edge-config-<hash>',
    'ConfigMap/tollgate-gateway-config-<hash>',
    'Deployment/tollgate-edge',
    'PodDisruptionBudget/tollgate-edge',
    'PodDisruptionBudget/tollgate-gateway',
    'PrometheusRule/tollgate',
    'Service/tollgate-edge',
    'Service/tollgate-gateway',
    'Service/tollgate-gateway-headless',
    'ServiceMonitor/tollgate',
    'StatefulSet/tollgate-gateway',
  ]);
});

test('every rendered object is valid against the Kubernetes / Prometheus Operator schemas', () => {
  for (const o of objects) {
    const Model = MODELS[`${o.apiVersion}/${o.kind}`];
    assert.ok(Model, `no schema for ${o.apiVersion} ${o.kind}`);
    assert.doesNotThrow(() => new Model(o).validate(), `${o.kind} ${o.metadata.name}`);
    assert.equal(o.metadata.labels?.['app.kubernetes.io/name'], 'tollgate', `${o.kind} ${o.metadata.name} is labelled`);
  }
  // The validator is not a rubber stamp: a broken object is refused.
  const dep = structuredClone(find('Deployment', 'tollgate-edge'));
  dep.spec.template.spec.containers[0].ports[0].containerPort = 'otlp';
  assert.throws(() => new Deployment(dep as any).validate(), /containerPort must be integer/);
  const sm = structuredClone(find('ServiceMonitor', 'tollgate'));
  sm.spec.endpoints[0].interval = '30 seconds';
  assert.throws(() => new ServiceMonitor(sm as any).validate(), /interval must match pattern/);
});

test('every rendered object decodes strictly into its Go type (k8s.io/api, Prometheus Operator): no unknown fields', () => {
  const strict = tool('k8s-strict');
  const r = spawnSync(strict, [], { input: rendered, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), `${objects.length} objects checked, 0 problems`);
  // A misspelt key, which the schema check above lets through, is refused here.
  const typo = spawnSync(strict, [], { input: rendered.replace(/readinessProbe:/g, 'readinesProbe:'), encoding: 'utf8' });
  assert.equal(typo.status, 1);
  assert.match(typo.stderr, /Deployment tollgate-edge: .*unknown field "readinesProbe"/);
  assert.match(typo.stderr, /StatefulSet tollgate-gateway: .*unknown field "readinesProbe"/);
});

/** The config file a workload's container runs, with the env it sets, read back from its ConfigMap. */
function workloadConfig(kind: string, name: string): { obj: Obj; container: any; config: any; text: string; env: Record<string, string> } {
  const obj = find(kind, name);
  const pod = obj.spec.template.spec;
  const container = pod.containers[0];
  const args: string[] = container.args;
  const file = args[args.indexOf('--config') + 1]!;
  const mount = container.volumeMounts.find((m: any) => file.startsWith(`${m.mountPath}/`));
  assert.ok(mount, `${name}: --config ${file} is on a mounted volume`);
  const vol = pod.volumes.find((v: any) => v.name === mount.name);
  const item = vol.configMap.items.find((i: any) => `${mount.mountPath}/${i.path}` === file);
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === vol.configMap.name);
  assert.ok(cm, `${name}: ConfigMap ${vol.configMap.name} exists (hash suffix applied)`);
  const text = cm.data![item.key]!;
  const env = Object.fromEntries((container.env ?? []).filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
  return { obj, container, config: parse(text), text, env };
}

test('the configs inside the ConfigMaps pass `tollgate validate`, with the environment their containers set', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-k8s-'));
  try {
    for (const [kind, name] of [['Deployment', 'tollgate-edge'], ['StatefulSet', 'tollgate-gateway']] as const) {
      const { text, env } = workloadConfig(kind, name);
      const f = join(dir, `${name}.yaml`);
      writeFileSync(f, text);
      const r = spawnSync(process.execPath, [CLI, 'validate', '--config', f], { encoding: 'utf8', env: { ...process.env, ...env } });
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
      assert.match(r.stdout, /: valid/);
    }
    // and a broken one is refused, naming the path
    const f = join(dir, 'broken.yaml');
    writeFileSync(f, workloadConfig('Deployment', 'tollgate-edge').text.replace('limit_mib: 800', 'limit_mib: lots'));
    const r = spawnSync(process.execPath, [CLI, 'validate', '--config', f], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /processors\.memory_limiter\.limit_mib: must be/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function port(endpoint: string): number {
  return Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
}

function mib(q: string): number {
  const m = /^(\d+)(Mi|Gi)$/.exec(q);
  assert.ok(m, `memory quantity ${q} in Mi or Gi`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
}

test('probes, ports, memory limits and the queue volume match the configs the pods run', () => {
  for (const [kind, name] of [['Deployment', 'tollgate-edge'], ['StatefulSet', 'tollgate-gateway']] as const) {
    const { obj, container, config } = workloadConfig(kind, name);
    const ports = new Map<string, number>(container.ports.map((p: any) => [p.name, p.containerPort]));
    // Probes hit the health_check extension's port and path.
    const health = config.extensions.health_check;
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      assert.equal(ports.get(probe.httpGet.port), port(health.endpoint), `${name}: probe port`);
      assert.equal(probe.httpGet.path, health.path ?? '/');
    }
    // Every listener of the config is a named container port, listening on all interfaces.
    const listeners = [
      config.receivers.otlp.protocols.grpc.endpoint,
      config.receivers.otlp.protocols.http.endpoint,
      config.receivers.prometheusremotewrite.endpoint,
      config.service.telemetry.metrics.address,
      health.endpoint,
      ...(config.exporters.prometheus ? [config.exporters.prometheus.endpoint] : []),
    ];
    assert.deepEqual(listeners.map(port).sort(), [...ports.values()].sort(), `${name}: container ports = config listeners`);
    for (const l of listeners) assert.match(l, /^0\.0\.0\.0:/, `${name}: ${l} reachable from the pod network`);
    // The memory limiter refuses before the container's memory limit is reached; memory is guaranteed.
    const limit = mib(container.resources.limits.memory);
    assert.equal(container.resources.requests.memory, container.resources.limits.memory, `${name}: memory request = limit`);
    const ml = config.processors.memory_limiter;
    assert.ok(ml.limit_mib >= 0.6 * limit && ml.limit_mib <= 0.85 * limit, `${name}: limit_mib ${ml.limit_mib} of a ${limit} MiB container`);
    assert.ok(ml.spike_limit_mib > 0 && ml.spike_limit_mib < ml.limit_mib);
    const heap = Number(/--max-old-space-size=(\d+)/.exec(container.env.find((e: any) => e.name === 'NODE_OPTIONS').value)![1]);
    assert.ok(heap < ml.limit_mib - ml.spike_limit_mib, `${name}: V8 heap cap ${heap} MiB under the soft limit`);
    assert.ok(obj.spec.template.spec.terminationGracePeriodSeconds > 30, `${name}: time to drain (shutdown_timeout 30s)`);
    for (const pipeline of Object.values(config.service.pipelines) as { processors: string[] }[]) {
      assert.equal(pipeline.processors[0], 'memory_limiter', `${name}: memory_limiter first in every pipeline`);
    }
  }
  // The gateway's persistent queue lives on the StatefulSet's volume, within its size.
  const gw = workloadConfig('StatefulSet', 'tollgate-gateway');
  const storage = gw.config.exporters['prometheusremotewrite/thanos'].sending_queue.storage;
  const claim = gw.obj.spec.volumeClaimTemplates[0];
  const mount = gw.container.volumeMounts.find((m: any) => m.name === claim.metadata.name);
  assert.ok(storage.directory.startsWith(`${mount.mountPath}/`), `queue ${storage.directory} on the volume at ${mount.mountPath}`);
  assert.ok(storage.max_bytes < mib(claim.spec.resources.requests.storage) * 1024 * 1024, 'queue max_bytes fits the volume');
  assert.equal(gw.obj.spec.template.spec.securityContext.fsGroup, gw.obj.spec.template.spec.securityContext.runAsUser, 'the volume is writable by the user');
  // The edge forwards to the gateway Service, on ports it exposes.
  const edge = workloadConfig('Deployment', 'tollgate-edge');
  const gwSvc = find('Service', 'tollgate-gateway');
  const svcPorts = gwSvc.spec.ports.map((p: any) => p.port);
  const otlpTarget = edge.config.exporters['otlp/gateway'].endpoint.replace(/^\$\{env:[A-Z_]+:-(.*)\}$/, '$1');
  const rwTarget = new URL(edge.config.exporters['prometheusremotewrite/gateway'].endpoint.replace(/^\$\{env:[A-Z_]+:-(.*)\}$/, '$1'));
  assert.equal(otlpTarget, `${gwSvc.metadata.name}:4317`);
  assert.equal(rwTarget.hostname, gwSvc.metadata.name);
  assert.ok(svcPorts.includes(4317) && svcPorts.includes(Number(rwTarget.port)));
});

function matches(selector: Record<string, string>, labels: Record<string, string> = {}): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

test('Services, PodDisruptionBudgets and the ServiceMonitor select what they should', () => {
  const pods = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
  for (const w of pods) assert.ok(matches(w.spec.selector.matchLabels, w.spec.template.metadata.labels), `${w.metadata.name}: selector matches its pods`);
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const selected = pods.filter((w) => matches(svc.spec.selector, w.spec.template.metadata.labels));
    assert.equal(selected.length, 1, `Service ${svc.metadata.name} selects one workload`);
    const names = new Set(selected[0]!.spec.template.spec.containers[0].ports.map((p: any) => p.name));
    for (const p of svc.spec.ports) assert.ok(names.has(p.targetPort), `Service ${svc.metadata.name}: targetPort ${p.targetPort} is a container port`);
  }
  const sts = find('StatefulSet', 'tollgate-gateway');
  assert.equal(find('Service', sts.spec.serviceName).spec.clusterIP, 'None', 'the StatefulSet names a headless Service');
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const selected = pods.filter((w) => matches(pdb.spec.selector.matchLabels, w.spec.template.metadata.labels));
    assert.equal(selected.length, 1, `PDB ${pdb.metadata.name} covers one workload`);
    assert.ok(selected[0]!.spec.replicas > pdb.spec.maxUnavailable, `PDB ${pdb.metadata.name} leaves a pod running`);
  }
  const sm = find('ServiceMonitor', 'tollgate');
  const scraped = objects.filter((o) => o.kind === 'Service' && sm.spec.selector.matchExpressions.every((e: any) => e.operator === 'In' && e.values.includes(o.metadata.labels?.[e.key])));
  const scrapedPorts = new Set(scraped.flatMap((s) => s.spec.ports.map((p: any) => `${s.metadata.name}:${p.name}`)));
  for (const want of ['tollgate-edge:metrics', 'tollgate-gateway:metrics', 'tollgate-gateway:genai-metrics']) assert.ok(scrapedPorts.has(want), `ServiceMonitor scrapes ${want}`);
  for (const ep of sm.spec.endpoints) assert.ok([...scrapedPorts].some((p) => p.endsWith(`:${ep.port}`)), `endpoint port ${ep.port} exists on a selected Service`);
});

test('the PrometheusRule holds exactly the promtool-tested rule files, and promtool accepts its groups', () => {
  const rule = find('PrometheusRule', 'tollgate');
  const groups = ['recording-rules.yaml', 'alerts.yaml', 'slo.yaml'].flatMap((f) => (parse(readFileSync(join(root, 'config', 'prometheus', f), 'utf8')) as { groups: unknown[] }).groups);
  assert.deepEqual(rule.spec.groups, groups, 'deploy/kubernetes/base/prometheusrule.yaml drifted: run `npm run k8s:rules`');
  const check = spawnSync(process.execPath, [join(root, 'scripts', 'gen-k8s-rules.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-k8s-rules-'));
  try {
    const f = join(dir, 'rules.yaml');
    writeFileSync(f, JSON.stringify({ groups: rule.spec.groups }));
    const r = spawnSync(PROMTOOL, ['check', 'rules', f], { encoding: 'utf8' });
    if (r.error) throw new Error(`promtool missing (${PROMTOOL}): apt-get install -y prometheus`);
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /SUCCESS/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The fields of opentelemetry.io/v1alpha1 Instrumentation this example uses, as the OpenTelemetry
// Operator's CRD defines them (no schema package for it exists on npm and its Go module is not served
// here, so this is the offline check): unknown keys and values outside the CRD's enums are refused.
const EnvVar = Type.Object({ name: Type.String({ minLength: 1 }), value: Type.String() }, { additionalProperties: false });
const Lang = Type.Object({ env: Type.Array(EnvVar), image: Type.Optional(Type.String()) }, { additionalProperties: false });
const InstrumentationSchema = Type.Object({
  apiVersion: Type.Literal('opentelemetry.io/v1alpha1'),
  kind: Type.Literal('Instrumentation'),
  metadata: Type.Object({ name: Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 }) }, { additionalProperties: false }),
  spec: Type.Object({
    exporter: Type.Object({ endpoint: Type.String({ pattern: '^https?://' }) }, { additionalProperties: false }),
    propagators: Type.Array(Type.Union(['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger', 'xray', 'ottrace', 'none'].map((p) => Type.Literal(p)))),
    sampler: Type.Object({
      type: Type.Union(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio', 'jaeger_remote', 'xray'].map((p) => Type.Literal(p))),
      argument: Type.Optional(Type.String()),
    }, { additionalProperties: false }),
    resource: Type.Object({ addK8sUIDAttributes: Type.Boolean() }, { additionalProperties: false }),
    python: Lang, java: Lang, dotnet: Lang, go: Lang,
  }, { additionalProperties: false }),
}, { additionalProperties: false });

test('the OpenTelemetry Operator Instrumentation points every SDK at the edge Service, on the port its protocol uses', () => {
  const inst = parse(readFileSync(join(root, 'deploy', 'kubernetes', 'instrumentation', 'instrumentation.yaml'), 'utf8'));
  assert.deepEqual(validateAgainst(InstrumentationSchema as TSchema, inst, '').filter((p) => p !== ''), []);
  assert.notDeepEqual(validateAgainst(InstrumentationSchema as TSchema, { ...inst, spec: { ...inst.spec, sampler: { type: 'sometimes' } } }, ''), []);
  const edge = find('Service', 'tollgate-edge');
  const grpc = new URL(inst.spec.exporter.endpoint);
  assert.equal(grpc.hostname.split('.')[0], edge.metadata.name);
  assert.equal(Number(grpc.port), edge.spec.ports.find((p: any) => p.name === 'otlp-grpc').port);
  for (const lang of ['python', 'java', 'dotnet', 'go']) {
    const url = new URL(inst.spec[lang].env.find((e: any) => e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT').value);
    assert.equal(url.hostname, grpc.hostname, lang);
    assert.equal(Number(url.port), edge.spec.ports.find((p: any) => p.name === 'otlp-http').port, `${lang} SDKs send http/protobuf`);
  }
  // Every LLM span is priced and counted: no head sampling.
  assert.equal(inst.spec.sampler.type, 'parentbased_always_on');
});

test('Grafana provisioning: a Prometheus datasource and a file provider for the shipped dashboard', () => {
  const ds = parse(readFileSync(join(root, 'deploy', 'grafana', 'provisioning', 'datasources', 'tollgate.yaml'), 'utf8'));
  assert.equal(ds.apiVersion, 1);
  assert.deepEqual(ds.datasources.map((d: any) => [d.type, d.access, d.isDefault]), [['prometheus', 'proxy', true]]);
  const prov = parse(readFileSync(join(root, 'deploy', 'grafana', 'provisioning', 'dashboards', 'tollgate.yaml'), 'utf8'));
  assert.equal(prov.apiVersion, 1);
  assert.equal(prov.providers[0].type, 'file');
  assert.match(prov.providers[0].options.path, /^\/var\/lib\/grafana\/dashboards\//);
  // The dashboard picks its datasource through a variable of type prometheus, which the provisioned one is.
  const dash = JSON.parse(readFileSync(join(root, 'config', 'prometheus', 'dashboard.json'), 'utf8'));
  const v = dash.templating.list.find((x: any) => x.name === 'datasource');
  assert.deepEqual([v.type, v.query], ['datasource', 'prometheus']);
});
