// `npm run stack` end to end: the native stack with the collector and the demo on free ports, then
// one request to the demo followed through every signal.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../support/ports.mts';
import { runToEnd, type Completed } from '../../support/process.mts';
import { doctor } from '../../unit/deploy/run-doctor.mts';

const root = new URL('../../../', import.meta.url).pathname;
const PORT_VARIABLES = [
  'VIGIL_KAFKA_PORT', 'VIGIL_KAFKA_CONTROLLER_PORT', 'VIGIL_ELASTICSEARCH_PORT', 'VIGIL_ELASTICSEARCH_TRANSPORT_PORT',
  'VIGIL_JAEGER_OTLP_HTTP_PORT', 'VIGIL_JAEGER_THRIFT_HTTP_PORT', 'VIGIL_JAEGER_QUERY_PORT', 'VIGIL_JAEGER_QUERY_GRPC_PORT',
  'VIGIL_JAEGER_HEALTH_PORT', 'VIGIL_PROMETHEUS_PORT', 'VIGIL_ALERTMANAGER_PORT', 'VIGIL_DEMO_PORT', 'VIGIL_DEMO_METRICS_PORT',
  'VIGIL_COLLECTOR_METRICS_PORT',
];
// Everything but the load generator, so the one request below is the only one the demo serves.
const NAMES = ['kafka', 'elasticsearch', 'jaeger', 'alertmanager', 'prometheus', 'collector', 'demo'];

function stack(args: string[], env: Record<string, string>): Promise<Completed> {
  // What `npm run stack -- <args>` runs once the package is built.
  return runToEnd(process.execPath, [join(root, 'dist/deploy/local/cli.js'), ...args], { cwd: root, env });
}

/** name → endpoints from `status`: "name version condition pid key=value ...". */
function endpointsOf(status: string): Map<string, { condition: string; endpoints: Record<string, string> }> {
  return new Map(
    status.trim().split('\n').map((row) => {
      const [name = '', , condition = '', , ...pairs] = row.split(/\s+/);
      return [name, { condition, endpoints: Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])) }];
    }),
  );
}

async function eventually<T>(what: string, deadline: number, probe: () => Promise<T | undefined>): Promise<T> {
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const found = await probe();
      if (found !== undefined) return found;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${what} did not happen in time${last ? `: ${String(last)}` : ''}`);
}

describe('npm run stack: the whole topology without Docker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-local-'));
  const env: Record<string, string> = { VIGIL_STACK_DIR: dir };
  let services: ReturnType<typeof endpointsOf>;

  before(async () => {
    for (const variable of PORT_VARIABLES) env[variable] = String(await freePort());
    const up = await stack(['up', ...NAMES], env);
    assert.equal(up.code, 0, up.stderr);
    const status = await stack(['status', ...NAMES], env);
    assert.equal(status.code, 0, `${status.stdout}\n${status.stderr}`);
    services = endpointsOf(status.stdout);
  });

  after(async () => {
    const down = await stack(['down', '--purge'], env);
    rmSync(dir, { recursive: true, force: true });
    assert.equal(down.code, 0, down.stderr);
  });

  it('runs every service, the collector and the demo', () => {
    for (const name of NAMES) assert.equal(services.get(name)?.condition, 'running', name);
    assert.equal(services.get('demo')?.endpoints.url, `http://127.0.0.1:${env.VIGIL_DEMO_PORT}`);
  });

  it('vigil doctor is all green for a service configured against it', async () => {
    const run = await doctor({
      VIGIL_METRICS_HOST: '127.0.0.1',
      VIGIL_METRICS_PORT: String(await freePort()),
      VIGIL_KAFKA_BROKERS: services.get('kafka')?.endpoints.brokers ?? '',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: services.get('jaeger')?.endpoints.otlpHttpUrl ?? '',
    });
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.deepEqual(run.lines.map((text) => text.split(' ')[0]), ['ok', 'ok', 'ok', 'ok', 'off']);
  });

  it('turns one request to the demo, within 30 s, into a series with its trace id as exemplar, a trace, a log document with its trace id and a profile on disk', async () => {
    const traceId = randomBytes(16).toString('hex');
    const song = String(1000 + Math.floor(Math.random() * 9000));
    const demoUrl = services.get('demo')?.endpoints.url ?? '';
    const started = Date.now();
    const response = await fetch(`${demoUrl}/songs/${song}`, { headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    const deadline = started + 30_000;

    const prometheus = services.get('prometheus')?.endpoints.url ?? '';
    const series = eventually('a series in Prometheus', deadline, async () => {
      const query = 'http_server_request_duration_seconds_count{service="demo",http_route="/songs/:id",http_response_status_code="200"}';
      const body = (await (await fetch(`${prometheus}/api/v1/query?${new URLSearchParams({ query })}`)).json()) as { data: { result: { value: [number, string] }[] } };
      return body.data.result.find((sample) => Number(sample.value[1]) >= 1);
    });

    // The latency histogram carries the request's trace id as an exemplar: the jump from a panel to the trace.
    const exemplar = eventually('an exemplar with the trace id in Prometheus', deadline, async () => {
      const now = Date.now() / 1000;
      const query = 'http_server_request_duration_seconds_bucket{service="demo",http_route="/songs/:id"}';
      const body = (await (await fetch(`${prometheus}/api/v1/query_exemplars?${new URLSearchParams({ query, start: String(now - 300), end: String(now) })}`)).json()) as {
        data: { exemplars: { labels: Record<string, string> }[] }[];
      };
      return body.data.flatMap((series) => series.exemplars).find((candidate) => candidate.labels.trace_id === traceId);
    });

    const jaeger = services.get('jaeger')?.endpoints.queryUrl ?? '';
    const trace = eventually('a trace in Jaeger', deadline, async () => {
      const reply = await fetch(`${jaeger}/api/traces/${traceId}`);
      if (!reply.ok) return undefined;
      const body = (await reply.json()) as { data: { spans: { operationName: string }[]; processes: Record<string, { serviceName: string }> }[] };
      return body.data[0]?.spans.length ? body.data[0] : undefined;
    });

    const elasticsearch = services.get('elasticsearch')?.endpoints ?? {};
    const authorization = `Basic ${Buffer.from(`${elasticsearch.username}:${elasticsearch.password}`).toString('base64')}`;
    const document = eventually('a log document in Elasticsearch', deadline, async () => {
      const reply = await fetch(`${elasticsearch.url}/logs-*/_search`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ query: { term: { 'trace.id': traceId } } }),
      });
      const body = (await reply.json()) as { hits?: { hits: { _index: string; _source: Record<string, unknown> }[] } };
      return body.hits?.hits[0];
    });

    // The profiler keeps a baseline profile per minute; the profile of this moment is asked for
    // the way a person would, and must land in the demo's on-disk store.
    const profiles = services.get('demo')?.endpoints.profiles ?? '';
    const metricsUrl = `http://127.0.0.1:${env.VIGIL_DEMO_METRICS_PORT}`;
    const onDemand = await fetch(`${metricsUrl}/debug/pprof/profile?seconds=1`);
    assert.equal(onDemand.status, 200);
    await onDemand.arrayBuffer();
    const profile = eventually('a profile on disk', deadline, async () => readdirSync(profiles).find((name) => /-cpu-on_demand\.pb\.gz$/.test(name)));

    const [, , spans, log, file] = await Promise.all([series, exemplar, trace, document, profile]);
    assert.ok(Date.now() - started <= 30_000);
    assert.ok(Object.values(spans.processes).some((process) => process.serviceName === 'demo'));
    assert.equal(log._source['service.name'], 'demo');
    assert.equal(log._source['url.path'], `/songs/${song}`);
    assert.match(log._index, /logs-demo-local/);
    const pprof = gunzipSync(readFileSync(join(profiles, file)));
    assert.ok(pprof.length > 0, 'a gzipped pprof profile');
  });
});
