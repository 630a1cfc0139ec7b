/**
 * Side-by-side measurement: every variant of a service is driven by the same autocannon load,
 * alternating variant by variant within each round, and the medians over rounds are reported, so
 * that a noisy shared machine shifts every variant alike and ratios stay meaningful.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForHttp } from './ports';

export interface Variant {
  readonly name: string;
  /** Starts the service; resolves to the URL to drive and the process to watch. */
  start(): Promise<RunningService>;
}

export interface RunningService {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface Measurement {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU time of the service process per request, in microseconds. */
  readonly cpuMicrosPerRequest: number;
  /** Resident memory of the service process at the end of the run. */
  readonly rssMiB: number;
}

export interface LoadOptions {
  readonly rounds: number;
  readonly warmupS: number;
  readonly durationS: number;
  readonly connections: number;
}

export const DEFAULT_LOAD: LoadOptions = {
  rounds: Number(process.env.BENCH_ROUNDS ?? 3),
  warmupS: Number(process.env.BENCH_WARMUP_S ?? 2),
  durationS: Number(process.env.BENCH_DURATION_S ?? 8),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
};

function processCpuMicros(pid: number): number {
  // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on Linux).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

function processRssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
}

function drive(url: string, durationS: number, connections: number): Promise<autocannon.Result> {
  return autocannon({ url, connections, duration: durationS, pipelining: 1 });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs every variant once per round, in turn, and returns the median measurement of each. */
export async function sideBySide(variants: readonly Variant[], load: LoadOptions = DEFAULT_LOAD): Promise<Map<string, Measurement>> {
  const samples = new Map<string, Measurement[]>(variants.map((variant) => [variant.name, []]));
  for (let round = 0; round < load.rounds; round++) {
    for (const variant of variants) {
      const service = await variant.start();
      try {
        await drive(service.url, load.warmupS, load.connections);
        const cpuBefore = processCpuMicros(service.pid);
        const result = await drive(service.url, load.durationS, load.connections);
        const cpuAfter = processCpuMicros(service.pid);
        if (result.errors > 0 || result.non2xx > 0) {
          throw new Error(`${variant.name}: ${result.errors} errors and ${result.non2xx} non-2xx answers under load`);
        }
        samples.get(variant.name)!.push({
          requestsPerSecond: result.requests.average,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          cpuMicrosPerRequest: (cpuAfter - cpuBefore) / Math.max(1, result.requests.total),
          rssMiB: processRssMiB(service.pid),
        });
        process.stderr.write(`bench: round ${round + 1}/${load.rounds} ${variant.name}: ${Math.round(result.requests.average)} req/s\n`);
      } finally {
        await service.stop();
      }
    }
  }
  const medians = new Map<string, Measurement>();
  for (const [name, runs] of samples) {
    medians.set(name, {
      requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
      p50Ms: median(runs.map((run) => run.p50Ms)),
      p99Ms: median(runs.map((run) => run.p99Ms)),
      cpuMicrosPerRequest: median(runs.map((run) => run.cpuMicrosPerRequest)),
      rssMiB: median(runs.map((run) => run.rssMiB)),
    });
  }
  return medians;
}

/** A Markdown table of each variant against the baseline (the first variant). */
export function comparisonTable(results: Map<string, Measurement>): string {
  const [baselineName, baseline] = [...results][0]!;
  const rows = [...results].map(([name, m]) => {
    const ratio = (m.requestsPerSecond / baseline.requestsPerSecond).toFixed(3);
    const added = `${(m.p50Ms - baseline.p50Ms).toFixed(1)} / ${(m.p99Ms - baseline.p99Ms).toFixed(1)}`;
    return `| ${name} | ${Math.round(m.requestsPerSecond)} | ${ratio} | ${m.p50Ms} | ${m.p99Ms} | ${added} | ${m.cpuMicrosPerRequest.toFixed(0)} | ${m.rssMiB.toFixed(0)} |`;
  });
  return [
    `| variant | req/s | ratio to ${baselineName} | p50 ms | p99 ms | added p50 / p99 ms | CPU µs/req | RSS MiB |`,
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** Starts a Node.js service script on a free PORT and waits until `path` answers. */
export async function startNodeService(
  script: string,
  options: { nodeArgs?: readonly string[]; env?: Record<string, string>; path?: string } = {},
): Promise<RunningService> {
  const port = await freePort();
  // Each service starts with an empty profile store and log spool, as a new deployment does; the
  // defaults are one folder per service name, which every benchmark service and run would share
  // (and a store of thousands of files is read at each start).
  const stateDir = mkdtempSync(join(tmpdir(), 'vigil-bench-service-'));
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
    env: {
      ...process.env,
      VIGIL_PROFILE_DIR: join(stateDir, 'profiles'),
      VIGIL_LOG_SPOOL_DIR: join(stateDir, 'spool'),
      ...options.env,
      PORT: String(port),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}${options.path ?? '/'}`;
  try {
    await waitForHttp(url, 20_000);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
