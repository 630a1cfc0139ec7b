import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { collectorConfigFrom } from './component-config.mts';
import { kustomizations, kustomize, read, type KubeObject } from './files.mts';

interface Model {
  validate(): void;
}
type ModelClass = new (data: KubeObject) => Model;

/**
 * The schema of a kind, from kubernetes-models (the Kubernetes OpenAPI schemas) and its
 * prometheus-operator package (the operator's CRD schemas). A kind neither knows fails the test.
 */
async function modelOf(object: KubeObject): Promise<ModelClass> {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const module = group === 'monitoring.coreos.com'
    ? `@kubernetes-models/prometheus-operator/${group}/${version}/${object.kind}`
    : `kubernetes-models/${group === '' ? '' : `${group}/`}${version}/${object.kind}`;
  const loaded = (await import(module)) as Record<string, ModelClass>;
  const model = loaded[object.kind];
  assert.ok(model, `no schema for ${object.apiVersion} ${object.kind}`);
  return model;
}

/**
 * The operator's model wants apiVersion and kind on the Prometheus' embedded claim template, which
 * the CRD itself leaves optional; the template is checked against the core PersistentVolumeClaim
 * schema instead, and the rest of the object against the operator's.
 */
function separateClaimTemplate(object: KubeObject): KubeObject[] {
  const storage = (object.spec as { storage?: { volumeClaimTemplate?: Record<string, unknown> } } | undefined)?.storage;
  if (object.kind !== 'Prometheus' || storage?.volumeClaimTemplate === undefined) return [object];
  const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `${object.metadata.name}-data` }, ...storage.volumeClaimTemplate };
  const rest = structuredClone(object);
  delete (rest.spec as { storage: { volumeClaimTemplate?: unknown } }).storage.volumeClaimTemplate;
  return [rest, claim as KubeObject];
}

function containersOf(object: KubeObject): { name: string; image?: string; resources?: { limits?: Record<string, string>; requests?: Record<string, string> } }[] {
  const spec = object.spec as { template?: { spec?: { containers?: [] } } } | undefined;
  return spec?.template?.spec?.containers ?? [];
}

const builds = new Map(kustomizations().map((dir) => [dir, kustomize(dir)]));
const everything = builds.get('deploy/kubernetes') ?? [];
const find = (objects: KubeObject[], kind: string, name?: string) =>
  objects.find((object) => object.kind === kind && (name === undefined || object.metadata.name === name));

describe('Kubernetes manifests', () => {
  for (const [dir, objects] of builds) {
    it(`${dir}: kustomize builds it and every object passes its schema`, async () => {
      assert.ok(objects.length > 0);
      for (const object of objects.flatMap(separateClaimTemplate)) {
        const Model = await modelOf(object);
        assert.doesNotThrow(() => new Model(object).validate(), `${object.kind}/${object.metadata.name} in ${dir}`);
      }
    });

    it(`${dir}: every image is pinned to a version`, () => {
      const images = objects.flatMap((object) => [
        ...containersOf(object).map((container) => container.image),
        ...(object.kind === 'Prometheus' ? [(object.spec as { image?: string }).image] : []),
      ]);
      for (const image of images) {
        const tag = /:([^:/]+)$/.exec(image ?? '')?.[1];
        assert.ok(tag !== undefined && tag !== 'latest' && /\d/.test(tag), `${image} has no pinned version`);
      }
    });
  }

  it('the schema check fails on a broken object', async () => {
    const deployment = structuredClone(find(everything, 'Deployment', 'vigil-collector')) as KubeObject;
    (deployment.spec as { replicas: unknown }).replicas = 'two';
    const Model = await modelOf(deployment);
    assert.throws(() => new Model(deployment).validate(), /replicas must be integer/);
  });

  it('runs the collector as a scalable Deployment that survives node drains and rolls without downtime', () => {
    const deployment = find(everything, 'Deployment', 'vigil-collector');
    assert.ok(deployment, 'a vigil-collector Deployment');
    const spec = deployment.spec as { replicas: number; strategy: { rollingUpdate: { maxUnavailable: number } }; template: { spec: { terminationGracePeriodSeconds: number } } };
    assert.ok(spec.replicas >= 2);
    assert.equal(spec.strategy.rollingUpdate.maxUnavailable, 0);
    // The collector's own shutdown budget is 30 s; the kubelet must wait longer before SIGKILL.
    assert.ok(spec.template.spec.terminationGracePeriodSeconds > 30);
    const [container] = containersOf(deployment);
    assert.ok(container?.resources?.requests?.cpu && container.resources.limits?.memory, 'CPU request (for the autoscaler) and memory limit');

    const autoscaler = find(everything, 'HorizontalPodAutoscaler', 'vigil-collector');
    const target = (autoscaler?.spec as { scaleTargetRef: { kind: string; name: string }; minReplicas: number } | undefined);
    assert.deepEqual({ kind: target?.scaleTargetRef.kind, name: target?.scaleTargetRef.name }, { kind: 'Deployment', name: 'vigil-collector' });
    assert.ok(find(everything, 'PodDisruptionBudget', 'vigil-collector'));
  });

  it('gives the collector a configuration it accepts, from its ConfigMap and environment', () => {
    const deployment = find(everything, 'Deployment', 'vigil-collector');
    const container = (deployment?.spec as { template: { spec: { containers: { envFrom: { configMapRef: { name: string } }[]; env: { name: string; value?: string }[] }[] } } }).template.spec.containers[0];
    const configMap = find(everything, 'ConfigMap', container?.envFrom[0]?.configMapRef.name);
    assert.ok(configMap, 'the ConfigMap the Deployment reads exists under its generated name');
    const env: Record<string, string> = { ...(configMap.data as Record<string, string>) };
    for (const entry of container?.env ?? []) env[entry.name] = entry.value ?? 'from-a-secret';
    const config = collectorConfigFrom(env);
    assert.ok(config.brokers.length > 0);
    const port = (container as unknown as { ports: { name: string; containerPort: number }[] }).ports.find((p) => p.name === 'metrics');
    assert.equal(port?.containerPort, config.metricsPort, 'the probes and monitors use the port the collector serves');
  });

  it('takes the collector\'s Elasticsearch key from a Secret the user creates, never from the manifests', () => {
    const deployment = find(everything, 'Deployment', 'vigil-collector');
    const env = (deployment?.spec as { template: { spec: { containers: { env: { name: string; valueFrom?: { secretKeyRef?: { name: string } } }[] }[] } } })
      .template.spec.containers[0]?.env ?? [];
    const key = env.find((entry) => entry.name === 'VIGIL_ELASTICSEARCH_API_KEY');
    assert.equal(key?.valueFrom?.secretKeyRef?.name, 'vigil-collector-elasticsearch');
    assert.equal(find(everything, 'Secret'), undefined);
  });

  it('scrapes every instrumented pod by its vigil-metrics port, in every namespace', () => {
    const monitor = find(everything, 'PodMonitor');
    const spec = monitor?.spec as { namespaceSelector: { any: boolean }; selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: { port: string }[] };
    assert.equal(spec.namespaceSelector.any, true);
    assert.deepEqual(spec.selector.matchLabels, { 'vigil.dev/instrumented': 'true' });
    assert.equal(spec.podMetricsEndpoints[0]?.port, 'vigil-metrics');
    const serviceMonitor = find(everything, 'ServiceMonitor', 'vigil-collector');
    assert.equal((serviceMonitor?.spec as { endpoints: { port: string }[] }).endpoints[0]?.port, 'metrics');
  });

  it('labels every monitor and rule so the workload cluster\'s Prometheus selects them', () => {
    const prometheus = find(builds.get('deploy/kubernetes/federation/workload-cluster') ?? [], 'Prometheus');
    const spec = prometheus?.spec as Record<string, { matchLabels: Record<string, string> }>;
    const selectors = { PodMonitor: 'podMonitorSelector', ServiceMonitor: 'serviceMonitorSelector', PrometheusRule: 'ruleSelector' };
    for (const [kind, selector] of Object.entries(selectors)) {
      const wanted = spec[selector]?.matchLabels ?? {};
      assert.ok(Object.keys(wanted).length > 0, `${selector} selects by label`);
      for (const object of everything.filter((candidate) => candidate.kind === kind)) {
        for (const [label, value] of Object.entries(wanted)) {
          assert.equal(object.metadata.labels?.[label], value, `${kind}/${object.metadata.name} carries ${label}=${value}`);
        }
      }
    }
  });

  it('evaluates the monitoring mixin\'s rules and alerts as they are rendered in dashboards/, and promtool accepts them', () => {
    const rendered = ['rules.yaml', 'alerts.yaml'].flatMap((file) => (parse(read(`dashboards/build/prometheus/${file}`)) as { groups: unknown[] }).groups);
    const rule = find(everything, 'PrometheusRule', 'vigil');
    const groups = (rule?.spec as { groups: { rules: { alert?: string; record?: string }[] }[] } | undefined)?.groups ?? [];
    assert.deepEqual(groups, rendered, 'generated/prometheus-rule.yaml is out of date: run node deploy/kubernetes/generate-rules.mjs');
    assert.ok(groups.some((group) => group.rules.some((r) => r.alert)), 'alerts');
    assert.ok(groups.some((group) => group.rules.some((r) => r.record)), 'recording rules');
    const rules = join(mkdtempSync(join(tmpdir(), 'vigil-rules-')), 'rules.yaml');
    writeFileSync(rules, stringify({ groups }));
    execFileSync('promtool', ['check', 'rules', rules], { stdio: 'pipe' });
  });

  it('federation: the global Prometheus config passes promtool and pulls only aggregates from each cluster', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-federation-'));
    const token = join(dir, 'token');
    writeFileSync(token, 'test');
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, read('deploy/kubernetes/federation/global/prometheus.yml').replaceAll('/etc/prometheus-federation/token', token));
    execFileSync('promtool', ['check', 'config', config], { stdio: 'pipe' });

    const text = read('deploy/kubernetes/federation/global/prometheus.yml');
    assert.match(text, /metrics_path: \/federate/);
    assert.match(text, /honor_labels: true/);
    const workload = find(builds.get('deploy/kubernetes/federation/workload-cluster') ?? [], 'Prometheus');
    assert.ok((workload?.spec as { externalLabels: Record<string, string> }).externalLabels.cluster, 'each cluster labels its series');
  });
});
