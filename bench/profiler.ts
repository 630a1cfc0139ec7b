/**
 * What continuous profiling costs: the demo service under the agent with the profiler off and on
 * at its defaults, side by side, on a light JSON route and on its CPU-heavy route. For the runs
 * with the profiler on, the profiler's own CPU time (vigil_profiler_cpu_seconds_total) is set
 * against the process's CPU time over the same run.
 */
import { join } from 'node:path';
import { DEFAULT_LOAD, comparisonTable, freePort, sideBySide, startNodeService, type Measurement, type RunningService, type Variant } from './support/harness';

const demo = join(__dirname, '../examples/demo/server.js');
const preload = ['--import', 'vigil/register'];
const common = { OTEL_TRACES_EXPORTER: 'none', VIGIL_METRICS_HOST: '127.0.0.1', OTEL_SERVICE_NAME: 'bench' };

interface CpuShare {
  profilerSeconds: number;
  processSeconds: number;
}

async function scrape(metricsUrl: string, name: string): Promise<number> {
  const page = await (await fetch(metricsUrl)).text();
  const line = page.split('\n').find((row) => row.startsWith(`${name}{`) || row.startsWith(`${name} `));
  return Number(line?.slice(line.lastIndexOf(' ') + 1) ?? Number.NaN);
}

/** Starts the demo with the profiler on; before it stops, its CPU and the profiler's are recorded. */
async function startProfiled(path: string, shares: CpuShare[]): Promise<RunningService> {
  const metricsPort = await freePort();
  const service = await startNodeService(demo, { path, nodeArgs: preload, env: { ...common, VIGIL_PROFILER: 'on', VIGIL_METRICS_PORT: String(metricsPort) } });
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  return {
    ...service,
    async stop() {
      const share = {
        profilerSeconds: await scrape(metricsUrl, 'vigil_profiler_cpu_seconds_total'),
        processSeconds: await scrape(metricsUrl, 'process_cpu_seconds_total'),
      };
      shares.push(share);
      process.stderr.write(`bench: ${path}: profiler CPU ${share.profilerSeconds.toFixed(3)} s of ${share.processSeconds.toFixed(2)} s\n`);
      await service.stop();
    },
  };
}

function variants(path: string, shares: CpuShare[]): Variant[] {
  return [
    { name: 'profiler off', start: async () => startNodeService(demo, { path, nodeArgs: preload, env: { ...common, VIGIL_PROFILER: 'off', VIGIL_METRICS_PORT: String(await freePort()) } }) },
    { name: 'profiler on (defaults)', start: () => startProfiled(path, shares) },
  ];
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/**
 * Rounds of one run each, the order of the variants reversed every other round, so that a machine
 * whose load drifts during the benchmark favours neither; medians over the rounds.
 */
async function alternating(variants: readonly Variant[]): Promise<Map<string, Measurement>> {
  const rounds: Map<string, Measurement>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    rounds.push(await sideBySide(round % 2 === 0 ? variants : [...variants].reverse(), { ...DEFAULT_LOAD, rounds: 1 }));
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return new Map(
    variants.map(({ name }) => {
      const runs = rounds.map((round) => round.get(name)!);
      const of = (field: keyof Measurement) => median(runs.map((run) => run[field]));
      return [name, { requestsPerSecond: of('requestsPerSecond'), p50Ms: of('p50Ms'), p99Ms: of('p99Ms'), cpuMicrosPerRequest: of('cpuMicrosPerRequest'), rssMiB: of('rssMiB') }];
    }),
  );
}

function ratio(results: Map<string, Measurement>): number {
  return results.get('profiler on (defaults)')!.requestsPerSecond / results.get('profiler off')!.requestsPerSecond;
}

function shareLine(shares: readonly CpuShare[]): string {
  const profiler = shares.reduce((sum, share) => sum + share.profilerSeconds, 0);
  const process = shares.reduce((sum, share) => sum + share.processSeconds, 0);
  return `profiler CPU ${profiler.toFixed(2)} s of ${process.toFixed(1)} s process CPU (${((profiler / process) * 100).toFixed(2)}%) over the runs with the profiler on`;
}

export async function bench(): Promise<string> {
  const songShares: CpuShare[] = [];
  const cpuShares: CpuShare[] = [];
  const songs = await alternating(variants('/songs/1', songShares));
  const cpu = await alternating(variants('/cpu', cpuShares));
  return [
    '## Profiler overhead',
    '',
    `The demo service (fastify) under \`--import vigil/register\`, tracing off, autocannon with 50 connections, ${ROUNDS} rounds with the order of the variants reversed every other round, medians; last run ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '**/songs/:id** (a small JSON answer):',
    '',
    comparisonTable(songs),
    '',
    '**/cpu** (about 2 million loop iterations per request):',
    '',
    comparisonTable(cpu),
    '',
    `/songs/:id: the profiler keeps **${(ratio(songs) * 100).toFixed(1)}%** of the throughput without it; ${shareLine(songShares)}.`,
    `/cpu: **${(ratio(cpu) * 100).toFixed(1)}%**; ${shareLine(cpuShares)}. Target: at most 2% loss.`,
    '',
    'Reproduce: `npm run bench -- profiler` (BENCH_ROUNDS, BENCH_DURATION_S, BENCH_CONNECTIONS change the load).',
  ].join('\n');
}
