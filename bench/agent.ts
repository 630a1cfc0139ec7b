/**
 * The agent's metrics overhead on the demo's fast route (bare versus preloaded agent with metrics
 * only), and the time to render a 10,000-series scrape.
 */
import { join } from 'node:path';
import { resolveConfig } from '../agent/config/resolve';
import { MetricsRegistry } from '../agent/metrics/registry';
import { LATENCY_BUCKETS } from '../agent/metrics/names';
import { comparisonTable, sideBySide, startNodeService, type Variant } from './support/harness';

const demo = join(__dirname, '../examples/demo/server.js');
const metricsOnly = { VIGIL_PROFILER: 'off', OTEL_TRACES_EXPORTER: 'none', VIGIL_METRICS_PORT: '0', OTEL_SERVICE_NAME: 'bench' };

const variants: Variant[] = [
  { name: 'bare', start: () => startNodeService(demo, { path: '/fast' }) },
  { name: 'agent (metrics)', start: () => startNodeService(demo, { path: '/fast', nodeArgs: ['--import', 'vigil/register'], env: metricsOnly }) },
];

/** Median time to render a scrape of about `series` series, in milliseconds. */
async function scrapeMs(series: number): Promise<{ ms: number; lines: number }> {
  const registry = new MetricsRegistry(resolveConfig({ serviceName: 'bench' }, {}, '/').identity);
  const histogram = registry.histogram({ name: 'bench_request_duration_seconds', help: 'h', labelNames: ['route', 'status'], buckets: LATENCY_BUCKETS });
  const seriesPerLabelSet = LATENCY_BUCKETS.length + 3; // buckets, +Inf, _sum, _count
  for (let i = 0; i < Math.ceil(series / seriesPerLabelSet); i++) histogram.observe({ route: `/r${i}`, status: '200' }, Math.random());
  const times: number[] = [];
  let lines = 0;
  for (let i = 0; i < 21; i++) {
    const started = performance.now();
    const { body } = await registry.render(undefined);
    times.push(performance.now() - started);
    lines = body.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
  }
  times.sort((a, b) => a - b);
  return { ms: times[10]!, lines };
}

export async function bench(): Promise<string> {
  const results = await sideBySide(variants);
  const bare = results.get('bare')!;
  const agent = results.get('agent (metrics)')!;
  const scrape = await scrapeMs(10_000);
  return [
    '## Agent overhead: golden-signal metrics',
    '',
    `Demo fast route (Fastify), autocannon 50 connections; last run ${new Date().toISOString().slice(0, 10)}.`,
    '',
    comparisonTable(results),
    '',
    `Throughput kept with the agent: **${((agent.requestsPerSecond / bare.requestsPerSecond) * 100).toFixed(1)}%** of bare (target ≥ 97%).`,
    '',
    `Rendering a scrape of ${scrape.lines} series: **${scrape.ms.toFixed(1)} ms** (median of 21; target < 100 ms).`,
    '',
    'Reproduce: `npm run bench -- agent` (BENCH_ROUNDS, BENCH_DURATION_S, BENCH_CONNECTIONS change the load).',
  ].join('\n');
}
