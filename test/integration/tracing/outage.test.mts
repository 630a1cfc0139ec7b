// What happens around the trace backend: Jaeger stopped under load (the services keep answering,
// memory stays bounded, the loss is counted and said once), Jaeger back (traces arrive again without a
// restart), and the spans still queued when a service is told to stop (flushed on SIGTERM and SIGINT).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { useJaeger, type JaegerService } from '../../support/jaeger.mts';
import { freePort, waitForHttp } from '../../support/ports.mts';
import { startNode, type StartedProcess } from '../../support/process.mts';

const fixtures = join(import.meta.dirname, '../../fixtures/tracing');
const run = Date.now().toString(36);
let jaeger: JaegerService;

interface Service {
  readonly name: string;
  readonly url: string;
  readonly metricsUrl: string;
  readonly process: StartedProcess;
}

async function startService(script: string, name: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<Service> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const process = startNode(join(fixtures, script), {
    nodeArgs: [...nodeArgs, script.endsWith('.mjs') ? '--import' : '--require', 'vigil/register'],
    env: {
      PORT: String(port),
      OTEL_SERVICE_NAME: name,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttpUrl,
      VIGIL_METRICS_HOST: '127.0.0.1',
      VIGIL_METRICS_PORT: String(metricsPort),
      VIGIL_PROFILER: 'off',
      VIGIL_LOG_LEVEL: 'warn',
      ...env,
    },
  });
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  await waitForHttp(metricsUrl, 30_000).catch(async (error: Error) => {
    await process.stop('SIGKILL');
    throw new Error(`${name} did not start: ${error.message}\n${process.output()}`);
  });
  return { name, url: `http://127.0.0.1:${port}`, metricsUrl, process };
}

/** Sends `total` requests, `concurrency` at a time; returns how many did not answer 200. */
async function load(url: string, total: number, concurrency = 16): Promise<number> {
  let sent = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < total) {
        sent++;
        const response = await fetch(url).catch(() => undefined);
        await response?.arrayBuffer();
        if (response?.status !== 200) failed++;
      }
    }),
  );
  return failed;
}

/** A traced request whose trace id is the one A's server span was given by the caller. */
async function requestWithTrace(url: string): Promise<string> {
  const traceId = [...crypto.getRandomValues(new Uint8Array(16))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  const response = await fetch(url, { headers: { traceparent: `00-${traceId}-${'1'.repeat(16)}-01` } });
  await response.arrayBuffer();
  assert.equal(response.status, 200);
  return traceId;
}

async function traceServices(traceId: string): Promise<Set<string>> {
  const response = await fetch(`${jaeger.queryUrl}/api/traces/${traceId}`).catch(() => undefined);
  if (response?.status !== 200) return new Set();
  const body = (await response.json()) as { data: { spans: { processID: string }[]; processes: Record<string, { serviceName: string }> }[] };
  const trace = body.data[0];
  return new Set(trace?.spans.map((span) => trace.processes[span.processID]?.serviceName ?? '') ?? []);
}

async function waitForTrace(traceId: string, services: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const present = await traceServices(traceId);
    if (services.every((service) => present.has(service))) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`trace ${traceId} with spans of ${services.join(', ')} did not reach Jaeger within ${timeoutMs} ms`);
}

async function droppedSpans(service: Service): Promise<number> {
  const text = await (await fetch(service.metricsUrl)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('vigil_spans_dropped_total{'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

before(async () => {
  jaeger = await useJaeger();
});

describe('Jaeger down, then back', () => {
  let front: Service;
  let back: Service;

  before(async () => {
    back = await startService('back.cjs', `outage_back_${run}`, { OTEL_BSP_SCHEDULE_DELAY: '200' });
    // A heap too small for the ~40,000 spans the outage below produces: were they kept, A would die.
    front = await startService('front.mjs', `outage_front_${run}`, { OTEL_BSP_SCHEDULE_DELAY: '200', BACKEND_URL: back.url }, ['--max-old-space-size=64']);
  });

  after(async () => {
    await Promise.all([front?.process.stop(), back?.process.stop()]);
    // Running again for the tests after these, whatever happened above.
    await jaeger.start();
  });

  it('keeps serving with bounded memory, counts the dropped spans, says so once, and recovers without a restart', async () => {
    await waitForTrace(await requestWithTrace(`${front.url}/via-http`), [front.name, back.name], 30_000);

    await jaeger.stop();
    // Three spans per request in A (server, Express handler, outbound call): about 36,000 in all.
    assert.equal(await load(`${front.url}/via-http`, 12_000), 0, 'every request answered while Jaeger is down');
    assert.equal(front.process.child.exitCode, null, `A is still running:\n${front.process.output().slice(-2000)}`);

    const dropped = await droppedSpans(front);
    assert.ok(dropped >= 10_000, `vigil_spans_dropped_total is ${dropped} after 12,000 requests with Jaeger down`);
    const warnings = front.process.output().split('\n').filter((line) => line.includes('span export') && line.includes('fails'));
    assert.equal(warnings.length, 1, `one warning for the outage, got:\n${warnings.join('\n')}`);

    await jaeger.start();
    const deadline = Date.now() + 90_000;
    let recovered = false;
    while (!recovered && Date.now() < deadline) {
      const traceId = await requestWithTrace(`${front.url}/via-http`);
      recovered = await waitForTrace(traceId, [front.name, back.name], 5_000).then(
        () => true,
        () => false,
      );
    }
    assert.ok(recovered, 'a new trace reached Jaeger after it came back');
    assert.match(front.process.output(), /span export to .* works again/);
  });
});

describe('flush on the way out', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`exports the spans still queued when the service gets ${signal}`, async () => {
      // A one-minute export delay: only the shutdown flush can deliver these spans in time.
      const back = await startService('back.cjs', `flush_back_${signal}_${run}`, { OTEL_BSP_SCHEDULE_DELAY: '60000' });
      const front = await startService('front.mjs', `flush_front_${signal}_${run}`, { OTEL_BSP_SCHEDULE_DELAY: '60000', BACKEND_URL: back.url }).catch(async (error: unknown) => {
        await back.process.stop('SIGKILL');
        throw error;
      });
      const traceId = await requestWithTrace(`${front.url}/via-fetch`);
      assert.deepEqual([...(await traceServices(traceId))], [], 'nothing exported before the signal');
      const [frontExit, backExit] = await Promise.all([front.process.stop(signal), back.process.stop(signal)]);
      assert.equal(frontExit, signal, `A ended by ${signal} after flushing:\n${front.process.output()}`);
      assert.equal(backExit, signal);
      await waitForTrace(traceId, [front.name, back.name], 15_000);
    });
  }
});
