// The demo service under the agent: while its CPU-heavy route is hammered, a CPU profile pulled
// from /debug/pprof/profile and read by `go tool pprof` names the route's hot function.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, waitForHttp } from '../../support/ports.mts';
import { startNode, type StartedProcess } from '../../support/process.mts';
import { hammer, metricValue, pprofTop } from './helpers.mts';

const root = join(import.meta.dirname, '../../..');
const token = 'pprof-test-token';

describe('profiling the demo service', () => {
  let demo: StartedProcess;
  let port: number;
  let metricsPort: number;
  before(async () => {
    [port, metricsPort] = [await freePort(), await freePort()];
    demo = startNode(join(root, 'dist/examples/demo/server.js'), {
      nodeArgs: ['--import', 'vigil/register'],
      cwd: root,
      env: {
        PORT: String(port),
        VIGIL_METRICS_PORT: String(metricsPort),
        VIGIL_METRICS_HOST: '127.0.0.1',
        VIGIL_PPROF_TOKEN: token,
        VIGIL_PROFILE_DIR: await mkdtemp(join(tmpdir(), 'vigil-demo-profiles-')),
        OTEL_TRACES_EXPORTER: 'none',
      },
    });
    await waitForHttp(`http://127.0.0.1:${port}/fast`);
    await waitForHttp(`http://127.0.0.1:${metricsPort}/healthz`);
  });
  after(() => demo.stop());

  it('refuses the endpoints without the token, and with a wrong one', async () => {
    const base = `http://127.0.0.1:${metricsPort}/debug/pprof`;
    assert.equal((await fetch(`${base}/heap`)).status, 401);
    assert.equal((await fetch(`${base}/profile?seconds=1`, { headers: { authorization: 'Bearer not-the-token' } })).status, 401);
  });

  it('shows burnCpu among the top entries of a profile taken while /cpu is hammered, within the CPU budget', async () => {
    const load = new AbortController();
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const sent = hammer(`http://127.0.0.1:${port}/cpu`, 8, load.signal);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const startedAt = performance.now();
    const [profilerBefore, processBefore] = [await metricValue(metricsUrl, 'vigil_profiler_cpu_seconds_total'), await metricValue(metricsUrl, 'process_cpu_seconds_total')];
    const response = await fetch(`http://127.0.0.1:${metricsPort}/debug/pprof/profile?seconds=5`, { headers: { authorization: `Bearer ${token}` } });
    const profile = Buffer.from(await response.arrayBuffer());
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    const [profilerAfter, processAfter] = [await metricValue(metricsUrl, 'vigil_profiler_cpu_seconds_total'), await metricValue(metricsUrl, 'process_cpu_seconds_total')];
    const wallSeconds = (performance.now() - startedAt) / 1000;
    load.abort();
    assert.ok((await sent) > 50, 'the load generator reached the demo');
    assert.equal(response.status, 200);

    const top = await pprofTop(profile);
    assert.ok(top.slice(0, 5).includes('burnCpu'), `burnCpu is not among the top 5: ${top.slice(0, 10).join(', ')}`);

    const profilerSeconds = profilerAfter - profilerBefore;
    const processSeconds = processAfter - processBefore;
    console.log(
      `under load for ${wallSeconds.toFixed(1)} s: profiler CPU ${profilerSeconds.toFixed(3)} s = ${((profilerSeconds / wallSeconds) * 100).toFixed(2)}% of a core, ` +
        `${((profilerSeconds / processSeconds) * 100).toFixed(2)}% of the process's ${processSeconds.toFixed(2)} s`,
    );
    assert.ok(processSeconds > 2, 'the demo was busy');
    // The budget: 1% of one core, averaged over the run.
    assert.ok(profilerSeconds / wallSeconds <= 0.01, `profiler used ${((profilerSeconds / wallSeconds) * 100).toFixed(2)}% of a core`);
  });
});
