// init() once per process, shutdown() that leaves nothing behind, signals, bad configuration.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { freePort, waitForHttp } from '../../support/ports.mts';
import { startNode } from '../../support/process.mts';

const fixtures = join(import.meta.dirname, '../../fixtures');
const quiet = { VIGIL_PROFILER: 'off', OTEL_TRACES_EXPORTER: 'none', VIGIL_METRICS_HOST: '127.0.0.1' };

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} after ${ms} ms`)), ms))]);
}

describe('agent lifecycle', () => {
  it('shutdown() closes the metrics server and leaves no handle open: the process exits by itself', async () => {
    const child = startNode(join(fixtures, 'agent/shutdown-exits.mjs'), { env: { ...quiet, VIGIL_METRICS_PORT: String(await freePort()) } });
    const code = await withTimeout(child.exited, 15_000, 'the process had not exited').catch(async (error) => {
      await child.stop('SIGKILL');
      throw error;
    });
    assert.equal(code, 0, child.output());
    assert.deepEqual(JSON.parse(child.output().trim().split('\n').pop()!), { scraped: true, refused: true, reinit: true });
  });

  it('init() after the preload returns the same handle and starts nothing twice', async () => {
    const [port, secondPort] = [await freePort(), await freePort()];
    const child = startNode(join(fixtures, 'agent/idempotent.cjs'), {
      nodeArgs: ['--import', 'vigil/register'],
      env: { ...quiet, VIGIL_METRICS_PORT: String(port), SECOND_PORT: String(secondPort), OTEL_SERVICE_NAME: 'preloaded' },
    });
    assert.equal(await withTimeout(child.exited, 15_000, 'no exit'), 0, child.output());
    assert.deepEqual(JSON.parse(child.output().trim().split('\n').pop()!), { same: true, port, service: 'preloaded' });
  });

  it('SIGTERM runs shutdown and then ends the process the default way', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const child = startNode(join(fixtures, 'agent/serve-forever.cjs'), { env: { ...quiet, PORT: String(port), VIGIL_METRICS_PORT: String(metricsPort) } });
    await waitForHttp(`http://127.0.0.1:${port}/`);
    await waitForHttp(`http://127.0.0.1:${metricsPort}/healthz`);
    child.child.kill('SIGTERM');
    assert.equal(await withTimeout(child.exited, 10_000, 'no exit on SIGTERM'), 'SIGTERM');
  });

  it("leaves the service's own SIGTERM handler in charge", async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const child = startNode(join(fixtures, 'agent/serve-forever.cjs'), {
      env: { ...quiet, PORT: String(port), VIGIL_METRICS_PORT: String(metricsPort), OWN_SIGTERM: '1' },
    });
    await waitForHttp(`http://127.0.0.1:${port}/`);
    child.child.kill('SIGTERM');
    assert.equal(await withTimeout(child.exited, 10_000, 'no exit'), 0);
    assert.match(child.output(), /service handled SIGTERM/);
  });

  it('with handleSignals off, SIGTERM is not intercepted', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const child = startNode(join(fixtures, 'agent/serve-forever.cjs'), {
      env: { ...quiet, PORT: String(port), VIGIL_METRICS_PORT: String(metricsPort), HANDLE_SIGNALS: '0' },
    });
    await waitForHttp(`http://127.0.0.1:${port}/`);
    child.child.kill('SIGTERM');
    assert.equal(await withTimeout(child.exited, 10_000, 'no exit'), 'SIGTERM');
  });

  it('the preload refuses bad configuration with one clear line and exit code 1', async () => {
    const child = startNode(join(fixtures, 'services/http.cjs'), { nodeArgs: ['--import', 'vigil/register'], env: { ...quiet, VIGIL_TIER: '9', PORT: '0' } });
    assert.equal(await withTimeout(child.exited, 10_000, 'no exit'), 1);
    assert.equal(child.output().trim(), 'vigil: error: VIGIL_ERR_INVALID_OPTION: option VIGIL_TIER has value "9"; allowed: an integer from 1 to 4');
  });

  it('a metrics port already in use is reported, and the service keeps running', async () => {
    const [port, busyPort] = [await freePort(), await freePort()];
    const blocker = startNode(join(fixtures, 'services/http.cjs'), { env: { PORT: String(busyPort) } });
    await waitForHttp(`http://127.0.0.1:${busyPort}/fast`);
    const child = startNode(join(fixtures, 'agent/serve-forever.cjs'), { env: { ...quiet, PORT: String(port), VIGIL_METRICS_PORT: String(busyPort) } });
    await waitForHttp(`http://127.0.0.1:${port}/`);
    assert.match(child.output(), /vigil: warn: VIGIL_ERR_METRICS_LISTEN: metrics server could not listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\)/);
    await Promise.all([child.stop(), blocker.stop()]);
  });
});
