// What a scraper sees on /metrics: valid exposition, bounded cardinality, both formats.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { freePort, waitForHttp } from '../../support/ports.mts';
import { startNode, type StartedProcess } from '../../support/process.mts';

const fixtures = join(import.meta.dirname, '../../fixtures/services');

async function startFastify(env: Record<string, string> = {}) {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const child = startNode(join(fixtures, 'init.cjs'), {
    args: [join(fixtures, 'fastify.cjs')],
    env: { PORT: String(port), VIGIL_METRICS_HOST: '127.0.0.1', VIGIL_METRICS_PORT: String(metricsPort), VIGIL_PROFILER: 'off', OTEL_TRACES_EXPORTER: 'none', ...env },
  });
  await waitForHttp(`http://127.0.0.1:${metricsPort}/healthz`);
  await waitForHttp(`http://127.0.0.1:${port}/fast`);
  const get = async (path: string, headers: Record<string, string> = {}, signal?: AbortSignal) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers, signal });
    await response.arrayBuffer();
  };
  const scrape = async (accept?: string) => {
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: accept ? { accept } : {} });
    return { contentType: response.headers.get('content-type') ?? '', body: await response.text() };
  };
  return { child, get, scrape };
}

function seriesOf(body: string, metric: string): string[] {
  return body.split('\n').filter((line) => line.startsWith(`${metric}{`));
}

describe('metrics exposition', () => {
  let service: Awaited<ReturnType<typeof startFastify>>;
  let capped: Awaited<ReturnType<typeof startFastify>>;
  const children: StartedProcess[] = [];

  before(async () => {
    service = await startFastify();
    capped = await startFastify({ VIGIL_MAX_SERIES_PER_METRIC: '3' });
    children.push(service.child, capped.child);
  });
  after(() => Promise.all(children.map((child) => child.stop())));

  it('keeps 1,000 distinct raw paths of one route in one series, and unmatched paths in one', async () => {
    for (let i = 0; i < 1000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => service.get(`/songs/${i + j}`)));
      await Promise.all(Array.from({ length: 50 }, (_, j) => service.get(`/random/${i + j}/path`)));
    }
    const { body } = await service.scrape();
    const counts = seriesOf(body, 'http_server_request_duration_seconds_count');
    const songs = counts.filter((line) => line.includes('http_route="/songs/:id"'));
    const unmatched = counts.filter((line) => line.includes('http_route="unmatched"'));
    assert.equal(songs.length, 1, songs.join('\n'));
    assert.match(songs[0]!, / 1000$/);
    assert.equal(unmatched.length, 1, unmatched.join('\n'));
    assert.match(unmatched[0]!, / 1000$/);
    assert.ok(!body.includes('/random/'), 'no raw path becomes a label value');
  });

  it('is accepted by promtool check metrics', async () => {
    const { body } = await service.scrape();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    assert.equal(check.error, undefined, 'promtool is installed (Debian package prometheus)');
    assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  });

  it('answers OpenMetrics when the scraper asks for it', async () => {
    const prometheusText = await service.scrape();
    assert.match(prometheusText.contentType, /^text\/plain; version=0\.0\.4/);
    const openMetrics = await service.scrape('application/openmetrics-text; version=1.0.0,text/plain;q=0.5');
    assert.match(openMetrics.contentType, /^application\/openmetrics-text/);
    assert.match(openMetrics.body, /# EOF\n?$/);
    assert.ok(seriesOf(openMetrics.body, 'http_server_request_duration_seconds_count').length > 0);
    const afterwards = await service.scrape();
    assert.match(afterwards.body, /# TYPE vigil_metric_series_dropped_total counter/, 'counters keep their _total suffix in the Prometheus format');
  });

  it('refuses label sets beyond the per-metric cap and counts them', async () => {
    for (const path of ['/fast', '/fail', '/songs/1', '/nowhere', '/slow', '/fast?x=1']) await capped.get(path);
    await capped.get('/fast', { 'x-vigil-traffic': 'shadow' });
    const { body } = await capped.scrape();
    assert.equal(seriesOf(body, 'http_server_request_duration_seconds_count').length, 3);
    const dropped = seriesOf(body, 'vigil_metric_series_dropped_total').find((line) => line.includes('metric="http_server_request_duration_seconds"'));
    assert.ok(dropped, body);
    assert.ok(Number(dropped.split(' ').pop()) >= 2, dropped);
  });

  it('counts a request the client abandoned as aborted, and no longer in flight', async () => {
    await assert.rejects(service.get('/slow', {}, AbortSignal.timeout(50)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { body } = await service.scrape();
    const aborted = seriesOf(body, 'http_server_request_duration_seconds_count').filter((line) => line.includes('error_type="aborted"'));
    assert.equal(aborted.length, 1, body);
    assert.match(aborted[0]!, /http_route="\/slow"/);
    assert.match(aborted[0]!, / 1$/);
    const inFlight = seriesOf(body, 'http_server_active_requests');
    assert.ok(inFlight.length > 0 && inFlight.every((line) => line.endsWith(' 0')), inFlight.join('\n'));
  });

  it('every series carries service, environment, tier and traffic', async () => {
    const { body } = await service.scrape();
    const samples = body.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    assert.ok(samples.length > 50);
    for (const line of samples) {
      for (const label of ['service=', 'environment=', 'tier="3"', 'traffic=']) assert.ok(line.includes(label), `${label} missing in ${line}`);
    }
  });
});
