// What the agent says about tracing when it starts: the instrumentations in force, and the
// instrumented packages that were loaded too early to be patched. Fastify's routes name its spans.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { useJaeger, type JaegerService } from '../../support/jaeger.mts';
import { freePort, waitForHttp } from '../../support/ports.mts';
import { startNode, type StartedProcess } from '../../support/process.mts';

const tracingFixtures = join(import.meta.dirname, '../../fixtures/tracing');
const serviceFixtures = join(import.meta.dirname, '../../fixtures/services');
const run = Date.now().toString(36);
let jaeger: JaegerService;
const started: StartedProcess[] = [];

async function start(script: string, name: string, options: { nodeArgs?: string[]; args?: string[]; env?: Record<string, string> } = {}) {
  const port = await freePort();
  const process = startNode(script, {
    nodeArgs: options.nodeArgs ?? [],
    args: options.args ?? [],
    env: {
      PORT: String(port),
      OTEL_SERVICE_NAME: name,
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttpUrl,
      VIGIL_METRICS_PORT: '0',
      VIGIL_PROFILER: 'off',
      ...options.env,
    },
  });
  started.push(process);
  const url = `http://127.0.0.1:${port}`;
  return { process, url };
}

before(async () => {
  jaeger = await useJaeger();
});

after(async () => {
  await Promise.all(started.map((process) => process.stop()));
});

describe('tracing at start', () => {
  it('lists the instrumentations in force, without those turned off, and warns of nothing when preloaded', async () => {
    const { process, url } = await start(join(tracingFixtures, 'back.cjs'), `startup_${run}`, {
      nodeArgs: ['--require', 'vigil/register'],
      env: { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'grpc,mongodb' },
    });
    await waitForHttp(`${url}/work`, 30_000);
    const lines = process.output().split('\n').filter((line) => line.startsWith('vigil: ') && line.includes('tracing:'));
    assert.deepEqual(
      lines.map((line) => line.replace(/; spans go to .*/, '')),
      ['vigil: info: tracing: instrumented http, undici, express, fastify, pg, mysql2, ioredis, redis, kafkajs'],
    );
  });

  it('warns that a package loaded before the agent goes untraced', async () => {
    const { process, url } = await start(join(tracingFixtures, 'late-init.cjs'), `late_${run}`);
    await waitForHttp(`${url}/hello`, 30_000);
    assert.match(process.output(), /vigil: warn: tracing: express loaded before the agent started, so calls through it are not traced/);
  });
});

describe('propagation', () => {
  it("continues a trace that arrives in Jaeger's uber-trace-id header as well as in W3C traceparent", async () => {
    const { url } = await start(join(tracingFixtures, 'front.mjs'), `propagation_${run}`, { nodeArgs: ['--import', 'vigil/register'], env: { BACKEND_URL: 'http://127.0.0.1:9' } });
    await waitForHttp(`${url}/trace-id`, 30_000);
    const traceIdFor = async (headers: Record<string, string>) => ((await (await fetch(`${url}/trace-id`, { headers })).json()) as { traceId: string }).traceId;
    assert.equal(await traceIdFor({ 'uber-trace-id': '00000000000000000123456789abcdef:00000000000000aa:0:1' }), '00000000000000000123456789abcdef');
    assert.equal(await traceIdFor({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }), '0af7651916cd43dd8448eb211c80319c');
    const fresh = await traceIdFor({});
    assert.match(fresh, /^[0-9a-f]{32}$/);
    assert.notEqual(fresh, await traceIdFor({}), 'a request without a trace context starts its own trace');
  });
});

describe('Fastify', () => {
  it("names the server span after Fastify's route and nests Fastify's spans under it", async () => {
    const name = `fastify_${run}`;
    const { url } = await start(join(serviceFixtures, 'fastify.cjs'), name, { nodeArgs: ['--require', 'vigil/register'] });
    await waitForHttp(`${url}/fast`, 30_000);
    const traceId = 'f'.repeat(8) + Date.now().toString(16).padStart(24, '0');
    const response = await fetch(`${url}/songs/7`, { headers: { traceparent: `00-${traceId}-${'2'.repeat(16)}-01` } });
    assert.equal(await response.text(), 'song 7');

    const deadline = Date.now() + 30_000;
    let spans: { spanID: string; operationName: string; references: { spanID: string }[] }[] = [];
    while (Date.now() < deadline && spans.length < 2) {
      const body = (await (await fetch(`${jaeger.queryUrl}/api/traces/${traceId}`)).json()) as { data?: { spans: typeof spans }[] };
      spans = body.data?.[0]?.spans ?? [];
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const server = spans.find((span) => span.operationName === 'GET /songs/:id');
    assert.ok(server, `server span among ${JSON.stringify(spans.map((span) => span.operationName))}`);
    assert.ok(
      spans.some((span) => span !== server && span.references.some((reference) => reference.spanID === server.spanID)),
      "Fastify's own spans are children of the server span",
    );
  });
});
