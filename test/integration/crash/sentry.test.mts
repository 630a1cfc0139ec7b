// Crash capture through a real HTTP server that plays Sentry's ingest endpoint, with services run
// as child processes under the agent, and the run's real Jaeger for the trace ids and span counts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { useJaeger, type JaegerService } from '../../support/jaeger.mts';
import { freePort, waitForHttp } from '../../support/ports.mts';
import { startNode, type StartedProcess } from '../../support/process.mts';
import { startSentryIngest, type ReceivedEvent, type SentryIngest } from '../../support/sentry-ingest.mts';

const fixtures = join(import.meta.dirname, '../../fixtures/crash');
const run = Date.now().toString(36);
const SECRETS = { cookie: 'session=cookie-secret-value', authorization: 'Bearer auth-secret-value' };
const SECRET_VALUES = ['cookie-secret-value', 'auth-secret-value', 'hunter2', 'tok-in-a-log-line', 'key-in-a-log-line'];

interface Service {
  readonly name: string;
  readonly url: string;
  readonly process: StartedProcess;
}

interface JaegerTrace {
  traceID: string;
  spans: { operationName: string; tags: { key: string; value: unknown }[]; processID: string }[];
  processes: Record<string, { serviceName: string }>;
}

let jaeger: JaegerService;
let ingest: SentryIngest;
const started: Service[] = [];

async function startService(fixture: string, name: string, env: Record<string, string | undefined>): Promise<Service> {
  const port = await freePort();
  const child = startNode(join(fixtures, fixture), {
    nodeArgs: fixture.endsWith('.mjs') ? ['--import', 'vigil/register'] : [],
    env: {
      PORT: String(port),
      OTEL_SERVICE_NAME: name,
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttpUrl,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      VIGIL_METRICS_PORT: '0',
      VIGIL_PROFILER: 'off',
      VIGIL_TIER: '2',
      SENTRY_DSN: ingest.dsn,
      SENTRY_ENVIRONMENT: 'crash-test',
      ...env,
    },
  });
  const service = { name, url: `http://127.0.0.1:${port}`, process: child };
  started.push(service);
  await waitForHttp(`${service.url}/ok`, 30_000).catch((error: Error) => {
    throw new Error(`${name} did not start: ${error.message}\n${child.output()}`);
  });
  return service;
}

async function get(service: Service, path: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`${service.url}${path}`, { headers });
  await response.arrayBuffer();
  return response.status;
}

/** The events of one service that arrived so far. */
function eventsOf(service: Service): ReceivedEvent[] {
  return ingest.events().filter((received) => received.event.tags?.['service.name'] === service.name);
}

async function waitForEventsOf(service: Service, count: number, timeoutMs = 15_000): Promise<ReceivedEvent[]> {
  const deadline = Date.now() + timeoutMs;
  while (eventsOf(service).length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} events from ${service.name}, got ${eventsOf(service).length}\n${service.process.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return eventsOf(service);
}

/** Polls Jaeger's query API until the trace holds at least `minSpans` spans. */
async function fetchTrace(traceId: string, minSpans = 1): Promise<JaegerTrace> {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    const response = await fetch(`${jaeger.queryUrl}/api/traces/${traceId}`);
    const body = (await response.json()) as { data?: JaegerTrace[] };
    const trace = body.data?.[0];
    if (response.ok && trace !== undefined && trace.spans.length >= minSpans) return trace;
    last = `${response.status} ${JSON.stringify(body).slice(0, 200)}`;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`trace ${traceId} not found in Jaeger within 30 s (${last})`);
}

function tagOf(span: JaegerTrace['spans'][number], key: string): unknown {
  return span.tags.find((tag) => tag.key === key)?.value;
}

/** No secret value appears anywhere in what was sent: event, breadcrumbs, attachments. */
function assertNoSecrets(received: ReceivedEvent): void {
  const text = received.raw.toString('utf8');
  for (const value of SECRET_VALUES) assert.ok(!text.includes(value), `"${value}" was sent to Sentry`);
  const headers = Object.keys(received.event.request?.headers ?? {}).map((name) => name.toLowerCase());
  assert.ok(!headers.includes('cookie') && !headers.includes('authorization'), `request headers sent: ${headers.join(', ')}`);
  assert.equal(received.event.request?.cookies, undefined);
}

before(async () => {
  jaeger = await useJaeger();
  ingest = await startSentryIngest();
});

after(async () => {
  await Promise.all(started.map((service) => service.process.stop()));
  await ingest.stop();
});

describe('a route that throws', () => {
  it('Express: one event with route, status, service identity, and the trace id Jaeger holds for the request', async () => {
    const service = await startService('express-service.cjs', `crash-express-${run}`, {});
    assert.equal(await get(service, '/songs/42?password=hunter2&token=tok-in-a-log-line', SECRETS), 500);
    const [received] = await waitForEventsOf(service, 1);
    const { event } = received!;

    assert.equal(event.exception?.values?.at(-1)?.value, 'song 42 is missing');
    assert.equal(event.tags?.['http.route'], '/songs/:id');
    assert.equal(event.tags?.['http.request.method'], 'GET');
    assert.equal(event.tags?.['http.response.status_code'], '500');
    assert.equal(event.tags?.['service.name'], service.name);
    assert.equal(event.tags?.['service.tier'], '2');
    assert.equal(event.environment, 'crash-test');
    assert.equal(event.request?.method, 'GET');
    assert.match(event.request?.url ?? '', /\/songs\/42$/);

    const traceId = event.tags?.trace_id;
    assert.match(traceId ?? '', /^[0-9a-f]{32}$/);
    assert.equal(event.contexts?.trace?.trace_id, traceId);
    const trace = await fetchTrace(traceId!);
    const server = trace.spans.find((span) => tagOf(span, 'span.kind') === 'server' && tagOf(span, 'http.route') === '/songs/:id');
    assert.ok(server, `no span for /songs/:id in trace ${traceId}: ${trace.spans.map((span) => span.operationName).join(', ')}`);
    assert.equal(Number(tagOf(server, 'http.response.status_code')), 500);
    assert.equal(trace.processes[server.processID]?.serviceName, service.name);

    const crumb = event.breadcrumbs?.find((entry) => entry.message === 'looking up the song');
    assert.ok(crumb, 'the log line before the error is a breadcrumb');
    assert.equal(crumb.data?.password, '[REDACTED]');
    assertNoSecrets(received!);

    // One request, one event: nothing else arrives for it.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(eventsOf(service).filter((other) => other.event.tags?.trace_id === traceId).length, 1);
  });

  it('Express under ESM (--import vigil/register): the thrown error, with its route and trace id', async () => {
    const service = await startService('express-service.mjs', `crash-esm-${run}`, {});
    assert.equal(await get(service, '/songs/5', SECRETS), 500);
    const [received] = await waitForEventsOf(service, 1);
    const { event } = received!;
    assert.equal(event.exception?.values?.at(-1)?.value, 'song 5 is missing');
    assert.equal(event.tags?.['http.route'], '/songs/:id');
    const trace = await fetchTrace(event.tags!.trace_id!);
    assert.ok(trace.spans.some((span) => tagOf(span, 'http.route') === '/songs/:id'));
    assert.ok(event.breadcrumbs?.some((crumb) => crumb.message === 'looking up the song'));
    assertNoSecrets(received!);
  });

  it('Express required before the agent started: the error passed to next() is still the event', async () => {
    const service = await startService('express-early.cjs', `crash-early-${run}`, {});
    assert.equal(await get(service, '/albums/3'), 500);
    const [received] = await waitForEventsOf(service, 1);
    assert.equal(received!.event.exception?.values?.at(-1)?.type, 'RangeError');
    assert.equal(received!.event.exception?.values?.at(-1)?.value, 'album 3 is out of range');
    assert.equal(received!.event.tags?.['http.route'], '/albums/:id');
  });

  it('Fastify: the thrown error, with its route and status', async () => {
    const service = await startService('fastify-service.cjs', `crash-fastify-${run}`, {});
    assert.equal(await get(service, '/orders/7', SECRETS), 500);
    const [received] = await waitForEventsOf(service, 1);
    const { event } = received!;
    assert.equal(event.exception?.values?.at(-1)?.type, 'TypeError');
    assert.equal(event.exception?.values?.at(-1)?.value, 'order 7 has no lines');
    assert.equal(event.tags?.['http.route'], '/orders/:id');
    assert.equal(event.tags?.['http.response.status_code'], '500');
    const trace = await fetchTrace(event.tags!.trace_id!);
    assert.ok(trace.spans.some((span) => tagOf(span, 'http.route') === '/orders/:id'));
    assertNoSecrets(received!);
  });

  it('node:http: a 5xx answer without an error is a message event with its route template', async () => {
    const service = await startService('http-service.cjs', `crash-http-${run}`, { VIGIL_HTTP_ROUTES: '/fail/:reason' });
    assert.equal(await get(service, '/fail/maintenance?token=query-secret', SECRETS), 503);
    const [received] = await waitForEventsOf(service, 1);
    const { event } = received!;
    assert.equal(event.level, 'error');
    assert.equal(event.tags?.['http.route'], '/fail/:reason');
    assert.equal(event.tags?.['http.response.status_code'], '503');
    assert.ok(!received!.raw.toString('utf8').includes('query-secret'), 'the query string was sent');
    assertNoSecrets(received!);
  });
});

describe('an error that ends the process', () => {
  it('an uncaught exception: a fatal event with the diagnostic report, received before the process is gone', async () => {
    const service = await startService('express-service.cjs', `crash-uncaught-${run}`, {});
    await get(service, '/crash?apiKey=key-in-a-log-line', SECRETS).catch(() => 0);
    const code = await service.process.exited;
    const exitedAt = Date.now();
    assert.equal(code, 1, service.process.output());

    const [received] = await waitForEventsOf(service, 1, 1000);
    const { event, attachments } = received!;
    assert.ok(received!.receivedAt <= exitedAt, 'the event arrived before the process ended');
    assert.equal(event.level, 'fatal');
    assert.equal(event.tags?.['crash.kind'], 'uncaught_exception');
    assert.equal(event.exception?.values?.at(-1)?.value, 'the service fell over');
    assert.match(event.tags?.trace_id ?? '', /^[0-9a-f]{32}$/, 'the crash happened inside a traced request');
    assert.ok(event.breadcrumbs?.some((crumb) => crumb.message === 'about to fall over'));

    const report = attachments.find((attachment) => attachment.filename === 'node-diagnostic-report.json');
    assert.ok(report, `attachments: ${attachments.map((attachment) => attachment.filename).join(', ')}`);
    const parsed = JSON.parse(report.payload.toString('utf8')) as { header: { nodejsVersion: string }; javascriptStack: { message: string }; environmentVariables?: unknown };
    assert.equal(parsed.header.nodejsVersion, process.version);
    assert.match(parsed.javascriptStack.message, /the service fell over/);
    assert.equal(parsed.environmentVariables, undefined, 'environment variables carry credentials');
    assertNoSecrets(received!);
    assert.match(service.process.output(), /Error: the service fell over/, 'the error is printed as Node prints it');
  });

  it('waits for Sentry at most the shutdown budget: a Sentry that never answers does not hold the crashing process', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const service = await startService('express-service.cjs', `crash-silent-${run}`, { SENTRY_DSN: `http://silentkey@127.0.0.1:${port}/1`, VIGIL_SHUTDOWN_TIMEOUT_MS: '1500' });
      const crashedAt = Date.now();
      await get(service, '/crash').catch(() => 0);
      assert.equal(await service.process.exited, 1);
      const took = Date.now() - crashedAt;
      assert.ok(took < 1500 + 2000, `the process took ${took} ms to end`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('a service with its own uncaughtException listener keeps that decision: the event is sent and the process lives on', async () => {
    const service = await startService('own-handler.cjs', `crash-own-${run}`, {});
    assert.equal(await get(service, '/crash'), 200);
    const [received] = await waitForEventsOf(service, 1);
    assert.equal(received!.event.exception?.values?.at(-1)?.value, 'handled by the service itself');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await get(service, '/ok'), 200);
    assert.match(service.process.output(), /the service handled: handled by the service itself/);
  });

  it('an unhandled rejection under the default policy: a fatal event, then the process ends as Node would end it', async () => {
    const service = await startService('express-service.cjs', `crash-reject-${run}`, {});
    await get(service, '/reject').catch(() => 0);
    assert.equal(await service.process.exited, 1);
    const [received] = await waitForEventsOf(service, 1, 1000);
    assert.equal(received!.event.level, 'fatal');
    assert.equal(received!.event.tags?.['crash.kind'], 'unhandled_rejection');
    assert.ok(received!.attachments.some((attachment) => attachment.filename === 'node-diagnostic-report.json'));
  });

  it('an unhandled rejection under VIGIL_UNHANDLED_REJECTIONS=warn: an error event, and the service carries on', async () => {
    const service = await startService('express-service.cjs', `crash-warn-${run}`, { VIGIL_UNHANDLED_REJECTIONS: 'warn' });
    assert.equal(await get(service, '/reject'), 200);
    const [received] = await waitForEventsOf(service, 1);
    assert.equal(received!.event.level, 'error');
    assert.equal(received!.event.tags?.['crash.kind'], 'unhandled_rejection');
    assert.equal(await get(service, '/ok'), 200);
  });
});

describe('one tracer provider', () => {
  /** Spans Jaeger holds for one request to `path`, sent in a trace of our own choosing. */
  async function spansFor(service: Service, path: string): Promise<string[]> {
    const traceId = crypto.randomUUID().replaceAll('-', '');
    await get(service, path, { traceparent: `00-${traceId}-${'1'.repeat(16)}-01` });
    const first = await fetchTrace(traceId);
    // Spans of one request are exported together, but give a late batch the time to land.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const trace = await fetchTrace(traceId, first.spans.length);
    return trace.spans.map((span) => span.operationName).sort();
  }

  it('Jaeger receives the same spans for a request with Sentry on as with it off', async () => {
    const on = await startService('express-service.cjs', `crash-spans-on-${run}`, {});
    const off = await startService('express-service.cjs', `crash-spans-off-${run}`, { SENTRY_DSN: undefined });
    for (const path of ['/ok', '/songs/9']) {
      const withSentry = await spansFor(on, path);
      const without = await spansFor(off, path);
      assert.ok(without.length > 0);
      assert.deepEqual(withSentry, without, `spans for ${path}`);
    }
    assert.ok(eventsOf(on).length >= 1, 'Sentry was on and captured the failing request');
    assert.equal(eventsOf(off).length, 0);
  });
});

describe('the agent’s own health', () => {
  it('counts events Sentry took by kind, and events it could not deliver, on the metrics endpoint', async () => {
    const metricsPort = await freePort();
    const service = await startService('express-service.cjs', `crash-metrics-${run}`, { VIGIL_METRICS_PORT: String(metricsPort), VIGIL_METRICS_HOST: '127.0.0.1' });
    const counter = async (series: string): Promise<number> => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const line = text.split('\n').find((entry) => entry.startsWith(series));
      return line === undefined ? 0 : Number(line.split(' ').at(-1));
    };
    await get(service, '/songs/1');
    await waitForEventsOf(service, 1);
    const deadline = Date.now() + 10_000;
    while ((await counter('vigil_crash_events_total{kind="http_5xx"')) < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await counter('vigil_crash_events_total{kind="http_5xx"'), 1);
    assert.equal(await counter('vigil_crash_events_dropped_total'), 0, 'nothing dropped');
  });

  it('caps the events of a route that fails on every request, and counts the rest as dropped', async () => {
    const metricsPort = await freePort();
    const service = await startService('express-service.cjs', `crash-flood-${run}`, { VIGIL_METRICS_PORT: String(metricsPort), VIGIL_METRICS_HOST: '127.0.0.1' });
    for (let i = 0; i < 14; i++) assert.equal(await get(service, `/songs/${i}`), 500);
    await waitForEventsOf(service, 10);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(eventsOf(service).length, 10);
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(text, /^vigil_crash_events_dropped_total\{reason="rate_limited"[^}]*\} 4$/m);
  });

  it('keeps an event while Sentry is unreachable and delivers it with a retry once Sentry answers', async () => {
    const down = await startSentryIngest({ publicKey: 'outagekey' });
    const port = Number(new URL(down.dsn.replace('outagekey@', '')).port);
    await down.stop();
    const service = await startService('express-service.cjs', `crash-outage-${run}`, { SENTRY_DSN: down.dsn });
    assert.equal(await get(service, '/songs/404'), 500);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.match(service.process.output(), /crash capture: Sentry at 127\.0\.0\.1:\d+ cannot be reached .*retried with backoff/);
    const back = await startSentryIngest({ publicKey: 'outagekey', port });
    try {
      const [received] = await back.waitForEvents(1, 20_000);
      assert.equal(received!.event.exception?.values?.at(-1)?.value, 'song 404 is missing');
      assert.equal(received!.event.tags?.['service.name'], service.name);
    } finally {
      await back.stop();
    }
  });

  it('shutdown() sends what is queued, removes its process listeners and leaves nothing that keeps the process alive', async () => {
    const child = startNode(join(fixtures, 'shutdown.cjs'), { env: { VIGIL_METRICS_PORT: '0', VIGIL_PROFILER: 'off', OTEL_TRACES_EXPORTER: 'none', SENTRY_DSN: ingest.dsn } });
    const timer = setTimeout(() => child.child.kill('SIGKILL'), 15_000);
    const code = await child.exited;
    clearTimeout(timer);
    assert.equal(code, 0, child.output());
    const line = child.output().split('\n').find((text) => text.startsWith('{"during"'));
    const report = JSON.parse(line ?? '{}') as { during: number; after: { uncaughtException: number; unhandledRejection: number } };
    assert.ok(report.during >= 1, 'crash capture listened for uncaught exceptions');
    assert.deepEqual(report.after, { uncaughtException: 0, unhandledRejection: 0 });
  });
});

describe('configuration', () => {
  it('a malformed DSN stops the service at start with a message naming SENTRY_DSN', async () => {
    const child = startNode(join(fixtures, 'express-service.cjs'), {
      env: { PORT: String(await freePort()), VIGIL_METRICS_PORT: '0', VIGIL_PROFILER: 'off', OTEL_TRACES_EXPORTER: 'none', SENTRY_DSN: 'https://sentry.example.com/not-a-project' },
    });
    assert.notEqual(await child.exited, 0);
    assert.match(child.output(), /SENTRY_DSN has value "https:\/\/sentry\.example\.com\/not-a-project"; allowed: a Sentry DSN/);
  });

  it('without a DSN no Sentry module is loaded', async () => {
    const child = startNode(join(fixtures, 'loaded-modules.cjs'), { env: { VIGIL_METRICS_PORT: '0', VIGIL_PROFILER: 'off', OTEL_TRACES_EXPORTER: 'none', SENTRY_DSN: undefined } });
    assert.equal(await child.exited, 0, child.output());
    const line = child.output().split('\n').find((text) => text.startsWith('{"sentryLoaded"'));
    assert.deepEqual(JSON.parse(line ?? '{}'), { sentryLoaded: false, dsn: null });
  });
});
