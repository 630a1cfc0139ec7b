// Distributed traces end to end: service A (ESM, --import vigil/register, Express) calls service B
// (CommonJS, --require vigil/register, Express) over node:http and over fetch. The spans go to the
// run's real Jaeger with each exporter; a real Prometheus with exemplar storage scrapes both agents.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { useJaeger, type JaegerService } from '../../support/jaeger.mts';
import { freePort, waitForHttp } from '../../support/ports.mts';
import { startNode, type StartedProcess } from '../../support/process.mts';
import { startPrometheus, type Prometheus } from '../../support/prometheus.mts';

const fixtures = join(import.meta.dirname, '../../fixtures/tracing');
const exporters = ['otlp', 'jaeger'] as const;
type Exporter = (typeof exporters)[number];

interface Service {
  readonly name: string;
  readonly url: string;
  readonly metricsPort: number;
  readonly process: StartedProcess;
}

interface Pair {
  readonly front: Service;
  readonly back: Service;
}

interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  processID: string;
  references: { refType: string; spanID: string }[];
  tags: { key: string; value: unknown }[];
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

let jaeger: JaegerService;
let prometheus: Prometheus;
const pairs = new Map<Exporter, Pair>();
const run = Date.now().toString(36);

async function startService(script: string, name: string, exporter: Exporter, env: Record<string, string>): Promise<Service> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const process = startNode(join(fixtures, script), {
    nodeArgs: [script.endsWith('.mjs') ? '--import' : '--require', 'vigil/register'],
    env: {
      PORT: String(port),
      OTEL_SERVICE_NAME: name,
      OTEL_TRACES_EXPORTER: exporter,
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttpUrl,
      OTEL_EXPORTER_JAEGER_ENDPOINT: jaeger.thriftHttpUrl,
      VIGIL_METRICS_HOST: '127.0.0.1',
      VIGIL_METRICS_PORT: String(metricsPort),
      VIGIL_PROFILER: 'off',
      VIGIL_LOG_STDOUT: 'on',
      ...env,
    },
  });
  await waitForHttp(`http://127.0.0.1:${metricsPort}/healthz`, 30_000).catch((error: Error) => {
    throw new Error(`${name} did not start: ${error.message}\n${process.output()}`);
  });
  return { name, url: `http://127.0.0.1:${port}`, metricsPort, process };
}

async function get(service: Service, path: string, headers: Record<string, string> = {}): Promise<Response> {
  const response = await fetch(`${service.url}${path}`, { headers });
  await response.clone().arrayBuffer();
  return response;
}

/** The log records a service wrote to stdout, parsed. */
function logRecords(service: Service): Record<string, unknown>[] {
  return service.process
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Waits for the log line A writes for one request (found by a unique query-free marker header). */
async function logLineFor(service: Service, route: string, seen: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const lines = logRecords(service).filter((record) => record.route === route);
    if (lines.length > seen) return lines[lines.length - 1]!;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no log line for ${route} from ${service.name}:\n${service.process.output().slice(-2000)}`);
}

/** Sends one request to A and returns the trace id A logged for it. */
async function tracedRequest(front: Service, route: string, headers: Record<string, string> = {}): Promise<string> {
  const seen = logRecords(front).filter((record) => record.route === route).length;
  const response = await get(front, route, headers);
  assert.equal(response.status, 200, `${route} answered ${response.status}`);
  const line = await logLineFor(front, route, seen);
  assert.match(String(line['trace.id']), /^[0-9a-f]{32}$/, `log line carries trace.id: ${JSON.stringify(line)}`);
  assert.match(String(line['span.id']), /^[0-9a-f]{16}$/);
  return String(line['trace.id']);
}

/** Polls Jaeger's query API until the trace holds spans from every one of `services`. */
async function jaegerTrace(traceId: string, services: readonly string[], timeoutMs = 30_000): Promise<JaegerTrace> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const response = await fetch(`${jaeger.queryUrl}/api/traces/${traceId}`);
    const body = (await response.json()) as { data?: JaegerTrace[] };
    const found = body.data?.[0];
    if (found !== undefined) {
      const present = new Set(found.spans.map((span) => found.processes[span.processID]?.serviceName));
      if (services.every((service) => present.has(service))) return found;
      last = `services present: ${[...present].join(', ')}`;
    } else last = `status ${response.status}`;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`trace ${traceId} with spans of ${services.join(', ')} not in Jaeger within ${timeoutMs} ms (${last})`);
}

const serviceOf = (trace: JaegerTrace, span: JaegerSpan) => trace.processes[span.processID]?.serviceName;
const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;
const parentOf = (trace: JaegerTrace, span: JaegerSpan) => {
  const reference = span.references.find((ref) => ref.refType === 'CHILD_OF');
  return trace.spans.find((candidate) => candidate.spanID === reference?.spanID);
};

before(async () => {
  jaeger = await useJaeger();
  for (const exporter of exporters) {
    const back = await startService('back.cjs', `back_${exporter}_${run}`, exporter, {});
    const front = await startService('front.mjs', `front_${exporter}_${run}`, exporter, { BACKEND_URL: back.url });
    pairs.set(exporter, { front, back });
  }
  const targets = [...pairs.values()].flatMap(({ front, back }) => [`127.0.0.1:${front.metricsPort}`, `127.0.0.1:${back.metricsPort}`]);
  prometheus = await startPrometheus({ targets, scrapeInterval: '1s', exemplars: true });
});

after(async () => {
  await prometheus?.stop();
  await Promise.all([...pairs.values()].flatMap(({ front, back }) => [front.process.stop(), back.process.stop()]));
});

for (const exporter of exporters) {
  describe(`traces through the ${exporter} exporter`, () => {
    for (const route of ['/via-http', '/via-fetch']) {
      it(`joins A and B in one trace for ${route}, found by trace id and by service name`, async () => {
        const { front, back } = pairs.get(exporter)!;
        const traceId = await tracedRequest(front, route);
        const trace = await jaegerTrace(traceId, [front.name, back.name]);

        const frontServer = trace.spans.find((span) => serviceOf(trace, span) === front.name && tag(span, 'span.kind') === 'server');
        const backServer = trace.spans.find((span) => serviceOf(trace, span) === back.name && tag(span, 'span.kind') === 'server');
        assert.ok(frontServer, `A's server span in ${JSON.stringify(trace.spans.map((s) => s.operationName))}`);
        assert.ok(backServer, "B's server span");
        assert.equal(frontServer.references.length, 0, "A's server span is the root");
        assert.equal(frontServer.operationName, `GET ${route}`, 'named after the Express route');
        assert.equal(backServer.operationName, 'GET /work');

        const call = parentOf(trace, backServer);
        assert.ok(call, "B's server span has its parent in the trace");
        assert.equal(serviceOf(trace, call), front.name, "B's parent is A's outbound call");
        assert.equal(tag(call, 'span.kind'), 'client');
        let ancestor: JaegerSpan | undefined = call;
        while (ancestor !== undefined && ancestor !== frontServer) ancestor = parentOf(trace, ancestor);
        assert.equal(ancestor, frontServer, "A's outbound call descends from A's server span");

        const search = await fetch(`${jaeger.queryUrl}/api/traces?service=${front.name}&lookback=1h&limit=100`);
        const found = (await search.json()) as { data: JaegerTrace[] };
        assert.ok(
          found.data.some((candidate) => candidate.traceID === traceId),
          `trace ${traceId} among ${found.data.length} traces of ${front.name}`,
        );
      });
    }

    it('colours a shadow request in every span, series and log line of A and B, and never a live one', async () => {
      const { front, back } = pairs.get(exporter)!;
      const shadowId = await tracedRequest(front, '/via-fetch', { 'x-vigil-traffic': 'shadow' });
      const liveId = await tracedRequest(front, '/via-http');
      const shadow = await jaegerTrace(shadowId, [front.name, back.name]);
      const live = await jaegerTrace(liveId, [front.name, back.name]);
      for (const span of shadow.spans) assert.equal(tag(span, 'traffic'), 'shadow', `${serviceOf(shadow, span)} ${span.operationName}`);
      for (const span of live.spans) assert.equal(tag(span, 'traffic'), 'live', `${serviceOf(live, span)} ${span.operationName}`);

      const shadowLog = logRecords(front).find((record) => record['trace.id'] === shadowId);
      const liveLog = logRecords(front).find((record) => record['trace.id'] === liveId);
      assert.equal(shadowLog?.['labels.traffic'], 'shadow');
      assert.equal(liveLog?.['labels.traffic'], undefined);
      const backShadowLog = logRecords(back).find((record) => record['trace.id'] === shadowId);
      assert.equal(backShadowLog?.['labels.traffic'], 'shadow', "B's log line for the shadow request");

      for (const service of [front, back]) {
        const series = await prometheus.waitFor(
          `http_server_request_duration_seconds_count{service="${service.name}"}`,
          (samples) => samples.some((sample) => sample.metric.traffic === 'shadow') && samples.some((sample) => sample.metric.traffic === 'live'),
        );
        const shadowRoutes = series.filter((sample) => sample.metric.traffic === 'shadow').map((sample) => `${sample.metric.http_route}=${sample.value[1]}`);
        assert.deepEqual(shadowRoutes, [service === front ? '/via-fetch=1' : '/work=1'], `${service.name} shadow series`);
      }
      // A's outbound calls: the shadow one went through fetch (undici), the live ones through node:http and fetch.
      const calls = await prometheus.waitFor(
        `http_client_request_duration_seconds_count{service="${front.name}"}`,
        (samples) => samples.some((sample) => sample.metric.traffic === 'shadow') && samples.some((sample) => sample.metric.traffic === 'live'),
      );
      const backPort = new URL(back.url).port;
      const shadowCalls = calls.filter((sample) => sample.metric.traffic === 'shadow').map((sample) => `${sample.metric.server_port} ${sample.metric.http_response_status_code}=${sample.value[1]}`);
      assert.deepEqual(shadowCalls, [`${backPort} 200=1`], "A's shadow call to B");
      assert.ok(
        calls.some((sample) => sample.metric.traffic === 'live' && sample.metric.server_port === backPort && Number(sample.value[1]) >= 2),
        `A's live calls to B: ${JSON.stringify(calls.map((sample) => sample.metric))}`,
      );
      // By now A has exported spans to Jaeger many times; those are the agent's calls, not A's.
      const exposition = await (await fetch(`http://127.0.0.1:${front.metricsPort}/metrics`)).text();
      const calledPorts = new Set([...exposition.matchAll(/^http_client_request_duration_seconds_count\{[^}]*server_port="(\d+)"/gm)].map((match) => match[1]));
      assert.deepEqual([...calledPorts], [backPort], "the ports of A's outbound call series");
    });
  });
}

describe('one identity across metrics, traces and logs', () => {
  it("puts the trace id A logged on A's latency histogram as an exemplar", async () => {
    const { front } = pairs.get('otlp')!;
    const start = Date.now() / 1000 - 60;
    const traceId = await tracedRequest(front, '/via-http');
    const deadline = Date.now() + 30_000;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      const results = (await prometheus.queryExemplars(
        `http_server_request_duration_seconds_bucket{service="${front.name}",http_route="/via-http"}`,
        start,
        Date.now() / 1000 + 60,
      )) as { exemplars: { labels: Record<string, string> }[] }[];
      seen = results.flatMap((series) => series.exemplars.map((exemplar) => exemplar.labels.trace_id ?? ''));
      if (seen.includes(traceId)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.ok(seen.includes(traceId), `exemplar trace ids ${JSON.stringify(seen)} lack ${traceId}`);
    await jaegerTrace(traceId, [front.name]);
  });

  it('gives crash capture the trace id of the request it runs in', async () => {
    const { front } = pairs.get('otlp')!;
    const response = await get(front, '/trace-id', { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    assert.deepEqual(await response.json(), { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
  });
});
