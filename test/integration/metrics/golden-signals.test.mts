// The four golden signals, end to end: real services of every kind (node:http, Express, Fastify;
// CommonJS and ESM; init() and --import vigil/register) scraped by a real Prometheus every 3 s.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { freePort, waitForHttp } from '../../support/ports.mts';
import { startNode, type StartedProcess } from '../../support/process.mts';
import { startPrometheus, type Prometheus, type PromVectorSample } from '../../support/prometheus.mts';

const fixtures = join(import.meta.dirname, '../../fixtures/services');
const frameworks = ['http', 'express', 'fastify'] as const;
const moduleKinds = ['cjs', 'mjs'] as const;
const startModes = ['init', 'register'] as const;

interface Service {
  readonly name: string;
  readonly port: number;
  readonly metricsPort: number;
  readonly process: StartedProcess;
}

// What each service is sent, and so what Prometheus must count.
const PLAN = { fast: 20, shadowFast: 3, slow: 5, fail: 4, songs: 6, unmatched: 2 };
const TOTAL = Object.values(PLAN).reduce((sum, n) => sum + n, 0);

async function startService(framework: string, kind: string, mode: string): Promise<Service> {
  const name = `fixture_${framework}_${kind}_${mode}`;
  const [port, metricsPort] = [await freePort(), await freePort()];
  const app = join(fixtures, `${framework}.${kind}`);
  const env = {
    PORT: String(port),
    OTEL_SERVICE_NAME: name,
    VIGIL_METRICS_HOST: '127.0.0.1',
    VIGIL_METRICS_PORT: String(metricsPort),
    VIGIL_HTTP_ROUTES: '/fast,/slow,/fail,/songs/:id',
    VIGIL_PROFILER: 'off',
    OTEL_TRACES_EXPORTER: 'none',
    VIGIL_TIER: '2',
  };
  const process =
    mode === 'init'
      ? startNode(join(fixtures, `init.${kind}`), { env, args: [app] })
      : startNode(app, { env, nodeArgs: ['--import', 'vigil/register'] });
  await waitForHttp(`http://127.0.0.1:${metricsPort}/healthz`, 20_000);
  await waitForHttp(`http://127.0.0.1:${port}/fast`, 20_000).catch((error) => {
    throw new Error(`${name} did not start: ${error.message}\n${process.output()}`);
  });
  return { name, port, metricsPort, process };
}

async function send(service: Service, path: string, times: number, headers: Record<string, string> = {}) {
  for (let i = 0; i < times; i++) {
    const url = `http://127.0.0.1:${service.port}${path.replace('{i}', String(i))}`;
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
  }
}

/** The health-check request waitForHttp sent to /fast is counted too. */
const WARMUP_FAST = 1;

function value(samples: PromVectorSample[]): number {
  assert.equal(samples.length, 1, `expected one sample, got ${JSON.stringify(samples)}`);
  return Number(samples[0]!.value[1]);
}

describe('golden signals through a real Prometheus', () => {
  const services: Service[] = [];
  let prometheus: Prometheus;

  before(async () => {
    for (const framework of frameworks) {
      for (const kind of moduleKinds) {
        for (const mode of startModes) services.push(await startService(framework, kind, mode));
      }
    }
    // No Prometheus is running while the services take traffic: the agent does not need one.
    await Promise.all(
      services.map(async (service) => {
        await send(service, '/fast', PLAN.fast - WARMUP_FAST);
        await send(service, '/fast', PLAN.shadowFast, { 'x-vigil-traffic': 'shadow' });
        await Promise.all(Array.from({ length: PLAN.slow }, () => send(service, '/slow', 1)));
        await send(service, '/fail', PLAN.fail);
        await send(service, '/songs/{i}', PLAN.songs);
        await send(service, '/no/such/{i}', PLAN.unmatched);
      }),
    );
    prometheus = await startPrometheus({ targets: services.map((service) => `127.0.0.1:${service.metricsPort}`), scrapeInterval: '3s' });
    await prometheus.waitFor(
      'count(sum by (service) (http_server_request_duration_seconds_count) == ' + TOTAL + ')',
      (samples) => samples.length === 1 && Number(samples[0]!.value[1]) === services.length,
      45_000,
    );
  });

  after(async () => {
    await prometheus?.stop();
    await Promise.all(services.map((service) => service.process.stop()));
  });

  for (const framework of frameworks) {
    for (const kind of moduleKinds) {
      for (const mode of startModes) {
        const name = `fixture_${framework}_${kind}_${mode}`;
        it(`${framework} ${kind === 'cjs' ? 'CommonJS' : 'ESM'} service started by ${mode === 'init' ? 'init()' : '--import vigil/register'}`, async () => {
          const selector = `service="${name}"`;
          const count = async (labels: string) =>
            value(await prometheus.query(`sum(http_server_request_duration_seconds_count{${selector},${labels}})`));

          assert.equal(await count('http_route="/fast",http_response_status_code="200",traffic="live"'), PLAN.fast);
          assert.equal(await count('http_route="/slow",http_response_status_code="200"'), PLAN.slow);
          assert.equal(await count('http_route="/fail",http_response_status_code="500"'), PLAN.fail);
          assert.equal(await count('http_route="/songs/:id"'), PLAN.songs);
          assert.equal(await count('http_route="unmatched",http_response_status_code="404"'), PLAN.unmatched);

          const songSeries = await prometheus.query(`http_server_request_duration_seconds_count{${selector},http_route=~"/songs.*"}`);
          assert.equal(songSeries.length, 1, 'distinct song ids share one series');

          const errorRatio = value(
            await prometheus.query(
              `sum(http_server_request_duration_seconds_count{${selector},error_type!=""}) / sum(http_server_request_duration_seconds_count{${selector}})`,
            ),
          );
          assert.equal(errorRatio, PLAN.fail / TOTAL);

          const p99 = value(
            await prometheus.query(
              `histogram_quantile(0.99, sum by (le) (http_server_request_duration_seconds_bucket{${selector},http_route="/slow"}))`,
            ),
          );
          assert.ok(p99 >= 0.25 && p99 <= 0.75, `p99 of the 300 ms route is ${p99}`);

          const shadow = await prometheus.query(`http_server_request_duration_seconds_count{${selector},traffic="shadow"}`);
          assert.equal(shadow.length, 1, 'only the coloured requests form shadow series');
          assert.equal(shadow[0]!.metric.http_route, '/fast');
          assert.equal(Number(shadow[0]!.value[1]), PLAN.shadowFast);

          for (const saturation of [
            'http_server_active_requests',
            'nodejs_eventloop_lag_p99_seconds',
            'nodejs_eventloop_utilization_ratio',
            'process_cpu_utilization_ratio',
            'nodejs_heap_size_used_bytes',
            'nodejs_heap_size_limit_bytes',
            'nodejs_active_resources',
            'process_resident_memory_bytes',
          ]) {
            const samples = await prometheus.query(`${saturation}{${selector},tier="2"}`);
            assert.ok(samples.length > 0, `${saturation} has no series for ${name}`);
          }
        });
      }
    }
  }
});
