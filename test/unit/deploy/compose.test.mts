import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { agentConfigFrom, collectorConfigFrom } from './component-config.mts';
import { deployDir, filesUnder, read, root } from './files.mts';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  healthcheck?: { test?: string[] };
  deploy?: { resources?: { limits?: { cpus?: number; memory?: string } } };
  ports?: { target: number; published: string; host_ip?: string }[];
  volumes?: { type: string; source: string; target: string }[];
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string | null>;
  entrypoint?: string[] | null;
}
interface ComposeProject {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

const composeFile = join(deployDir, 'docker-compose.yml');
const checkerDir = join(root, 'test/unit/deploy/compose-check');
const work = mkdtempSync(join(tmpdir(), 'vigil-compose-'));
const checker = join(work, 'compose-check');

/** Runs deploy/docker/make-env.sh on a copy of deploy/, as a newcomer does first; returns its .env. */
function makeEnv() {
  const copy = join(work, 'deploy');
  mkdirSync(join(copy, 'docker'), { recursive: true });
  copyFileSync(join(deployDir, '.env.example'), join(copy, '.env.example'));
  copyFileSync(join(deployDir, 'docker/make-env.sh'), join(copy, 'docker/make-env.sh'));
  const run = () => spawnSync('sh', [join(copy, 'docker/make-env.sh')], { encoding: 'utf8' });
  return { path: join(copy, '.env'), run };
}

function load(envFile: string) {
  return spawnSync(checker, [composeFile, envFile], { encoding: 'utf8' });
}

// Services that run once and exit; every other one is long-running.
const ONE_SHOT = new Set(['elasticsearch-setup', 'kibana-setup', 'load']);
const STATEFUL: Record<string, string> = {
  kafka: '/var/lib/kafka/data',
  elasticsearch: '/usr/share/elasticsearch/data',
  prometheus: '/prometheus',
  alertmanager: '/alertmanager',
  grafana: '/var/lib/grafana',
};

describe('docker-compose stack, loaded the way Docker Compose loads it (compose-go)', () => {
  let project: ComposeProject;
  let envFile: string;

  before(() => {
    execFileSync('go', ['build', '-o', checker, '.'], { cwd: checkerDir, stdio: 'inherit' });
    const made = makeEnv();
    assert.equal(made.run().status, 0);
    envFile = made.path;
    const result = load(envFile);
    assert.equal(result.status, 0, result.stderr);
    project = JSON.parse(result.stdout) as ComposeProject;
  });

  it('is valid under the Compose Specification and has every part of the stack', () => {
    const expected = ['kafka', 'elasticsearch', 'elasticsearch-setup', 'kibana', 'kibana-setup', 'jaeger', 'prometheus', 'alertmanager', 'grafana', 'collector', 'demo', 'load'];
    assert.deepEqual(Object.keys(project.services).sort(), expected.sort());
  });

  it('make-env.sh fills every secret with its own random value, readable by the owner only, and never overwrites', () => {
    const example = read('deploy/.env.example');
    const made = readFileSync(envFile, 'utf8');
    const secrets = [...made.matchAll(/^([A-Z_]+)=([0-9a-f]*)$/gm)].filter(([, name]) => new RegExp(`^${name}=$`, 'm').test(example));
    assert.ok(secrets.length >= 4);
    for (const [, name, value] of secrets) assert.match(value ?? '', /^[0-9a-f]{48}$/, `${name} is filled`);
    assert.equal(new Set(secrets.map(([, , value]) => value)).size, secrets.length, 'no two secrets alike');
    assert.match(made, /^VIGIL_BIND_ADDRESS=127\.0\.0\.1$/m, 'settings that are not secrets stay as in the example');
    assert.equal(statSync(envFile).mode & 0o077, 0);
    const again = spawnSync('sh', [join(dirname(dirname(envFile)), 'deploy/docker/make-env.sh')], { encoding: 'utf8' });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /exists; delete it first/);
    assert.equal(readFileSync(envFile, 'utf8'), made);
  });

  it('refuses to start until every secret is set in deploy/.env, naming each one', () => {
    const result = load(join(deployDir, '.env.example'));
    assert.notEqual(result.status, 0);
    const secrets = [...read('deploy/.env.example').matchAll(/^([A-Z_]+)=$/gm)].map((match) => match[1]);
    assert.ok(secrets.length >= 4, 'the example leaves the secrets empty');
    // compose-go stops at the first missing variable it meets; each one is required somewhere.
    assert.match(result.stderr, /required variable \w+ is missing a value: set \w+ in deploy\/\.env/);
    const text = read('deploy/docker-compose.yml');
    for (const secret of secrets) assert.match(text, new RegExp(`\\$\\{${secret}:\\?`), `${secret} is required by the compose file`);
  });

  it('pins every image to a version', () => {
    for (const [name, service] of Object.entries(project.services)) {
      const tag = /:([^:/]+)$/.exec(service.image ?? '')?.[1];
      assert.ok(tag !== undefined && tag !== 'latest' && /\d/.test(tag), `${name}: image ${service.image} has no pinned version`);
    }
  });

  it('gives every long-running service a health check and every service resource limits', () => {
    for (const [name, service] of Object.entries(project.services)) {
      if (!ONE_SHOT.has(name)) assert.ok(service.healthcheck?.test?.length, `${name} has no health check`);
      const limits = service.deploy?.resources?.limits;
      assert.ok(limits?.cpus && limits.memory, `${name} has no CPU and memory limits`);
    }
  });

  it('keeps state in named volumes', () => {
    for (const [name, target] of Object.entries(STATEFUL)) {
      const mount = project.services[name]?.volumes?.find((volume) => volume.target === target);
      assert.equal(mount?.type, 'volume', `${name} keeps ${target} in a named volume`);
      assert.ok(mount.source in project.volumes);
    }
  });

  it('binds every published port to 127.0.0.1 unless the user opts out, on the ports of DESIGN.md', () => {
    const published = new Map<string, string>();
    for (const [name, service] of Object.entries(project.services)) {
      for (const port of service.ports ?? []) {
        assert.equal(port.host_ip, '127.0.0.1', `${name}:${port.target} binds to ${port.host_ip ?? 'every address'}`);
        published.set(`${name}:${port.published}`, name);
      }
    }
    const expected = ['demo:8080', 'demo:9464', 'collector:9465', 'prometheus:9090', 'alertmanager:9093', 'grafana:3000', 'jaeger:16686', 'jaeger:4318', 'jaeger:14268', 'kafka:9092', 'elasticsearch:9200', 'kibana:5601'];
    assert.deepEqual([...published.keys()].sort(), expected.sort());
  });

  it('starts services only after what they depend on is healthy or set up', () => {
    assert.equal(project.services.kibana?.depends_on?.['elasticsearch-setup']?.condition, 'service_completed_successfully');
    assert.equal(project.services.collector?.depends_on?.kafka?.condition, 'service_healthy');
    assert.equal(project.services.demo?.depends_on?.kafka?.condition, 'service_healthy');
    assert.equal(project.services.load?.depends_on?.demo?.condition, 'service_healthy');
  });

  it('configures the demo\'s agent and the collector validly, against the stack by service name', () => {
    const environment = (name: string) => Object.fromEntries(Object.entries(project.services[name]?.environment ?? {}).map(([key, value]) => [key, value ?? '']));
    const demo = agentConfigFrom(environment('demo'));
    assert.equal(demo.identity.service, 'demo');
    assert.deepEqual(demo.logs.kafkaBrokers, ['kafka:9092']);
    assert.equal(demo.traces.otlpEndpoint, 'http://jaeger:4318');
    assert.equal(demo.metrics.port, 9464);
    // The entrypoint adds the API key that elasticsearch-setup made.
    const collector = collectorConfigFrom({ ...environment('collector'), VIGIL_ELASTICSEARCH_API_KEY: 'from-the-credentials-volume' });
    assert.deepEqual(collector.brokers, ['kafka:9092']);
    assert.equal(collector.elasticsearchUrl, 'http://elasticsearch:9200');
    assert.equal(collector.metricsPort, 9465);
    assert.match(project.services.collector?.entrypoint?.join(' ') ?? '', /VIGIL_ELASTICSEARCH_API_KEY="\$\(cat \/credentials\/collector-api-key\)"/);
  });

  it('mounts only files and folders that exist in the repository', () => {
    const binds = Object.entries(project.services).flatMap(([name, service]) =>
      (service.volumes ?? []).filter((volume) => volume.type === 'bind').map((volume) => ({ name, source: volume.source })),
    );
    assert.ok(binds.some((bind) => bind.source.includes('/dashboards/build/')), 'the generated dashboards, rules and Alertmanager config');
    for (const { name, source } of binds) assert.ok(existsSync(source), `${name} mounts ${source}, which does not exist`);
  });

  it('the Dockerfile builds both images from a pinned base image and runs them as a non-root user', () => {
    const text = read('deploy/docker/Dockerfile');
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(text)?.[1];
    assert.match(base ?? '', /^node:\d+\.\d+\.\d+-[a-z]+-slim$/);
    const stages = [...text.matchAll(/^FROM (\S+) AS (\S+)$/gm)];
    for (const [, image] of stages) assert.equal(image, '${NODE_IMAGE}');
    for (const target of ['collector', 'demo']) {
      const stage = text.slice(text.indexOf(`AS ${target}\n`)).split(/^FROM /m)[0] ?? '';
      assert.match(stage, /^USER node$/m, `${target} runs as node`);
    }
    const targets = Object.values(project.services).flatMap((service) => (service.build?.target ? [service.build.target] : []));
    assert.deepEqual([...new Set(targets)].sort(), ['collector', 'demo']);
  });
});

describe('files the compose stack mounts and builds', () => {
  it('gives Grafana the data sources of the mixin, under the uids its dashboards use, at compose addresses', () => {
    type Source = { uid: string; type: string; url: string; basicAuth?: boolean };
    const mixin = (parse(read('dashboards/build/grafana/provisioning/datasources/vigil.yaml')) as { datasources: Source[] }).datasources;
    const compose = (parse(read('deploy/docker/grafana/datasources.yaml')) as { datasources: Source[] }).datasources;
    assert.deepEqual(compose.map(({ uid, type }) => ({ uid, type })), mixin.map(({ uid, type }) => ({ uid, type })));
    for (const source of compose) assert.doesNotMatch(source.url, /127\.0\.0\.1|localhost/, `${source.uid} points at a compose service`);
    assert.equal(compose.find((source) => source.type === 'elasticsearch')?.basicAuth, true, 'Elasticsearch runs with security on');
    const used = new Set([...filesUnder('dashboards/build/grafana/dashboards').map(read).join('\n').matchAll(/"uid":\s*"(vigil-[a-z]+)"/g)].map((match) => match[1]));
    for (const uid of used) if (mixin.some((source) => source.uid === uid)) assert.ok(compose.some((source) => source.uid === uid), uid);
  });

  it('starts only scripts that npm run build produces', () => {
    const scripts = new Set([...read('deploy/docker-compose.yml').matchAll(/dist\/[\w/.-]+\.js/g), ...read('deploy/docker/Dockerfile').matchAll(/dist\/[\w/.-]+\.js/g)].map((match) => match[0]));
    assert.ok(scripts.size >= 3, 'the collector, the demo and the load generator');
    for (const script of scripts) assert.ok(existsSync(join(root, script)), `${script} exists after npm run build`);
  });

  it('Prometheus config passes promtool and scrapes every 3 s', () => {
    const config = join(deployDir, 'docker/prometheus/prometheus.yml');
    execFileSync('promtool', ['check', 'config', '--syntax-only', config], { stdio: 'pipe' });
    assert.match(read('deploy/docker/prometheus/prometheus.yml'), /scrape_interval: 3s/);
  });
});
