// A service that leaks and one that blocks its event loop: the heap profile names the allocating
// function, and the stall profile names the blocking one.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, waitForHttp } from '../../support/ports.mts';
import { startNode, type StartedProcess } from '../../support/process.mts';
import { eventually, metricValue, pprofTop } from './helpers.mts';

const fixture = join(import.meta.dirname, '../../fixtures/profiler/troubled-service.mjs');

async function startTroubled(nodeArgs: string[] = [], env: Record<string, string> = {}) {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const profileDir = await mkdtemp(join(tmpdir(), 'vigil-troubled-'));
  const service = startNode(fixture, {
    nodeArgs,
    env: { PORT: String(port), VIGIL_METRICS_PORT: String(metricsPort), VIGIL_METRICS_HOST: '127.0.0.1', VIGIL_PROFILE_DIR: profileDir, OTEL_TRACES_EXPORTER: 'none', ...env },
  });
  await waitForHttp(`http://127.0.0.1:${port}/`);
  return { service, profileDir, url: `http://127.0.0.1:${port}`, metrics: `http://127.0.0.1:${metricsPort}` };
}

async function storedProfiles(dir: string, kind: string, trigger: string): Promise<string[]> {
  // By the whole ending: the store writes each profile beside it first, as `.<name>.partial`.
  return (await readdir(dir)).filter((name) => name.endsWith(`-${kind}-${trigger}.pb.gz`)).map((name) => join(dir, name));
}

describe('a leaking, blocking service', () => {
  let troubled: Awaited<ReturnType<typeof startTroubled>>;
  const started: StartedProcess[] = [];
  before(async () => {
    troubled = await startTroubled();
    started.push(troubled.service);
  });
  after(() => Promise.all(started.map((service) => service.stop())));

  it('names the allocating function in the heap profile served at /debug/pprof/heap', async () => {
    for (let i = 0; i < 10; i++) await (await fetch(`${troubled.url}/leak`)).text();
    const response = await fetch(`${troubled.metrics}/debug/pprof/heap`);
    assert.equal(response.status, 200);
    const top = await pprofTop(Buffer.from(await response.arrayBuffer()), 'inuse_space');
    assert.equal(top[0], 'cacheSongLyrics', `top of the heap profile: ${top.slice(0, 5).join(', ')}`);
  });

  it('keeps a profile of a 2 s event-loop block that shows the blocking function', async () => {
    await (await fetch(`${troubled.url}/block`)).text();
    const kept = await eventually(async () => (await storedProfiles(troubled.profileDir, 'cpu', 'stall')).length > 0, 10_000);
    assert.ok(kept, `no stall profile was stored; output:\n${troubled.service.output()}`);
    const [file] = await storedProfiles(troubled.profileDir, 'cpu', 'stall');
    const top = await pprofTop(await readFile(file!));
    assert.equal(top[0], 'holdEventLoop', `top of the stall profile: ${top.slice(0, 5).join(', ')}`);
    assert.equal(await metricValue(`${troubled.metrics}/metrics`, 'vigil_profiles_total', { kind: 'cpu', trigger: 'stall' }), 1);
    assert.match(troubled.service.output(), /vigil: warn: event loop was blocked for \d+ ms/);
  });

  it('keeps a stall that happens while an on-demand profile records, and leaves that profile whole', async () => {
    const recording = await startTroubled();
    started.push(recording.service);
    const onDemand = fetch(`${recording.metrics}/debug/pprof/profile?seconds=3`).then(async (response) => Buffer.from(await response.arrayBuffer()));
    // Time for the on-demand window to begin before the block holds the loop.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await (await fetch(`${recording.url}/block`)).text();
    const onDemandTop = await pprofTop(await onDemand);
    assert.equal(onDemandTop[0], 'holdEventLoop', `top of the on-demand profile: ${onDemandTop.slice(0, 5).join(', ')}`);
    const kept = await eventually(async () => (await storedProfiles(recording.profileDir, 'cpu', 'stall')).length > 0, 10_000);
    assert.ok(kept, `no stall profile was stored; output:\n${recording.service.output()}`);
    const [file] = await storedProfiles(recording.profileDir, 'cpu', 'stall');
    const stallTop = await pprofTop(await readFile(file!));
    assert.equal(stallTop[0], 'holdEventLoop', `top of the stall profile: ${stallTop.slice(0, 5).join(', ')}`);
  });

  it('serves no profiles when the endpoints are turned off, and metrics still', async () => {
    const closed = await startTroubled([], { VIGIL_PPROF_ENDPOINTS: 'off' });
    started.push(closed.service);
    await waitForHttp(`${closed.metrics}/healthz`);
    assert.equal((await fetch(`${closed.metrics}/debug/pprof/heap`)).status, 404);
    assert.equal((await fetch(`${closed.metrics}/metrics`)).status, 200);
  });

  it('keeps the CPU window in progress when the service shuts down', async () => {
    const stopping = await startTroubled();
    started.push(stopping.service);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(await storedProfiles(stopping.profileDir, 'cpu', 'baseline'), [], 'the first baseline window runs for a minute');
    await stopping.service.stop('SIGTERM');
    assert.equal((await storedProfiles(stopping.profileDir, 'cpu', 'baseline')).length, 1, stopping.service.output());
  });

  it('keeps a heap profile that names the leak before the process runs out of memory', async () => {
    const small = await startTroubled(['--max-old-space-size=128']);
    started.push(small.service);
    // A steady leak of about 1 MB per request, ten a second: the once-a-second check sees 80% pass.
    const crossed = await eventually(async () => {
      await fetch(`${small.url}/leak?entries=2000`).then((response) => response.text(), () => 'the process has died');
      await new Promise((resolve) => setTimeout(resolve, 100));
      return (await storedProfiles(small.profileDir, 'heap', 'heap_threshold')).length > 0;
    }, 120_000);
    assert.ok(crossed, `no heap_threshold profile; output:\n${small.service.output()}`);
    const [file] = await storedProfiles(small.profileDir, 'heap', 'heap_threshold');
    const top = await pprofTop(await readFile(file!), 'inuse_space');
    assert.equal(top[0], 'cacheSongLyrics', `top of the heap profile: ${top.slice(0, 5).join(', ')}`);
  });
});
