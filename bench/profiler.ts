/**
 * What continuous profiling costs: two copies of the demo service under the agent, one with the
 * profiler off and one with it on at its defaults, driven at the same moment by two equal
 * autocannon loads, so that whatever else the machine is doing slows both alike. Repeated in
 * rounds; the median of the per-round throughput ratios is the result. For the copy with the
 * profiler on, its own CPU time (vigil_profiler_cpu_seconds_total) is set against the process's.
 */
import autocannon from 'autocannon';
import { join } from 'node:path';
import { DEFAULT_LOAD, startNodeService, type RunningService } from './support/harness';
import { freePort } from './support/ports';

const demo = join(__dirname, '../examples/demo/server.js');
const preload = ['--import', 'vigil/register'];
const common = { OTEL_TRACES_EXPORTER: 'none', VIGIL_METRICS_HOST: '127.0.0.1', OTEL_SERVICE_NAME: 'bench' };
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

interface Round {
  readonly offRps: number;
  readonly onRps: number;
  readonly profilerSeconds: number;
  readonly processSeconds: number;
}

async function scrape(metricsUrl: string, name: string): Promise<number> {
  const page = await (await fetch(metricsUrl)).text();
  const line = page.split('\n').find((row) => row.startsWith(`${name}{`) || row.startsWith(`${name} `));
  return Number(line?.slice(line.lastIndexOf(' ') + 1) ?? Number.NaN);
}

async function start(path: string, profiler: 'on' | 'off', metricsPort: number): Promise<RunningService> {
  return startNodeService(demo, { path, nodeArgs: preload, env: { ...common, VIGIL_PROFILER: profiler, VIGIL_METRICS_PORT: String(metricsPort) } });
}

async function drive(url: string, durationS: number): Promise<number> {
  const result = await autocannon({ url, connections: DEFAULT_LOAD.connections, duration: durationS, pipelining: 1 });
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`${url}: ${result.errors} errors and ${result.non2xx} non-2xx answers under load`);
  return result.requests.average;
}

/** One round: both copies started, warmed up and measured at the same time. */
async function round(path: string): Promise<Round> {
  const metricsPort = await freePort();
  const [off, on] = await Promise.all([start(path, 'off', await freePort()), start(path, 'on', metricsPort)]);
  try {
    await Promise.all([drive(off.url, DEFAULT_LOAD.warmupS), drive(on.url, DEFAULT_LOAD.warmupS)]);
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const [profilerBefore, processBefore] = [await scrape(metricsUrl, 'vigil_profiler_cpu_seconds_total'), await scrape(metricsUrl, 'process_cpu_seconds_total')];
    const [offRps, onRps] = await Promise.all([drive(off.url, DEFAULT_LOAD.durationS), drive(on.url, DEFAULT_LOAD.durationS)]);
    const [profilerAfter, processAfter] = [await scrape(metricsUrl, 'vigil_profiler_cpu_seconds_total'), await scrape(metricsUrl, 'process_cpu_seconds_total')];
    const measured = { offRps, onRps, profilerSeconds: profilerAfter - profilerBefore, processSeconds: processAfter - processBefore };
    process.stderr.write(`bench: ${path}: off ${Math.round(offRps)} req/s, on ${Math.round(onRps)} req/s, profiler CPU ${measured.profilerSeconds.toFixed(3)} s of ${measured.processSeconds.toFixed(2)} s\n`);
    return measured;
  } finally {
    await Promise.all([off.stop(), on.stop()]);
  }
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

async function workload(title: string, path: string): Promise<{ lines: string[]; ratio: number }> {
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round(path));
  const ratio = median(rounds.map((r) => r.onRps / r.offRps));
  const profiler = rounds.reduce((sum, r) => sum + r.profilerSeconds, 0);
  const processCpu = rounds.reduce((sum, r) => sum + r.processSeconds, 0);
  const wall = ROUNDS * DEFAULT_LOAD.durationS;
  return {
    ratio,
    lines: [
      `**${title}**:`,
      '',
      '| round | req/s, profiler off | req/s, profiler on | ratio |',
      '|---|---|---|---|',
      ...rounds.map((r, i) => `| ${i + 1} | ${Math.round(r.offRps)} | ${Math.round(r.onRps)} | ${(r.onRps / r.offRps).toFixed(3)} |`),
      '',
      `Median ratio **${ratio.toFixed(3)}** (${((1 - ratio) * 100).toFixed(1)}% loss). While measured, the profiler used ${profiler.toFixed(2)} s of CPU: ` +
        `${((profiler / wall) * 100).toFixed(2)}% of a core, ${((profiler / processCpu) * 100).toFixed(2)}% of the process's ${processCpu.toFixed(1)} s.`,
      '',
    ],
  };
}

export async function bench(): Promise<string> {
  const songs = await workload('/songs/:id (a small JSON answer)', '/songs/1');
  const cpu = await workload('/cpu (about 2 million loop iterations per request)', '/cpu');
  return [
    '## Profiler overhead',
    '',
    `Two copies of the demo service (fastify, \`--import vigil/register\`, tracing off), profiler off and on at its defaults, each driven by autocannon with ` +
      `${DEFAULT_LOAD.connections} connections for ${DEFAULT_LOAD.durationS} s at the same moment, ${ROUNDS} rounds; last run ${new Date().toISOString().slice(0, 10)}. Target: at most 2% loss.`,
    '',
    ...songs.lines,
    ...cpu.lines,
    'Reproduce: `npm run bench -- profiler` (BENCH_ROUNDS, BENCH_DURATION_S, BENCH_CONNECTIONS change the load).',
  ].join('\n');
}
