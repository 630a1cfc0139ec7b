/**
 * What Vigil costs against the agents its users would pick instead: the tracing benchmark's service
 * (the same script, so the two benchmarks measure the same hello and work workloads) bare, under
 * Vigil with every signal on, under OpenTelemetry's zero-code set-up, dd-trace and
 * elastic-apm-node. Every agent's traces, metrics and profiles go to one discarding sink, so no
 * backend competes with the service for the machine's two cores; Vigil ships its logs to a real
 * Kafka, started natively.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from '../deploy/native';
import { startDiscardingSink } from './support/sink';
import { peerVariants, type Receivers, type Workload } from './peers/variants';
import { DEFAULT_LOAD, sideBySide, startNodeService, type Measurement, type Variant } from './support/harness';
import { freePort } from './support/ports';

const root = join(__dirname, '../..');
const fixtures = join(root, 'test/fixtures/tracing');
/**
 * A long-running service is measured after its start-up: for some 10 s under load V8 is still
 * compiling an agent's code and growing its young generation, which on work took about two points
 * more of bare's throughput from Vigil than it does afterwards (docs/peer-benchmark.md). Every
 * variant gets the same warm-up.
 */
const LOAD = { ...DEFAULT_LOAD, warmupS: Number(process.env.BENCH_WARMUP_S ?? 15) };
const VIGIL_FULL = 'Vigil, everything on, tracing 100%';
const PEERS = ['OpenTelemetry zero-code (traces + metrics)', 'dd-trace (tracing, runtime metrics, log injection, profiling)', 'elastic-apm-node (defaults)'];

type Samples = Map<string, Measurement[]>;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Runs every variant once per round through the shared harness, reversing the order every other
 * round so no variant always follows the same neighbour, and keeps every round's measurement.
 */
async function rounds(variants: readonly Variant[]): Promise<Samples> {
  const samples: Samples = new Map(variants.map((variant) => [variant.name, []]));
  for (let round = 0; round < LOAD.rounds; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    const measured = await sideBySide(order, { ...LOAD, rounds: 1 });
    for (const [name, measurement] of measured) samples.get(name)!.push(measurement);
    process.stderr.write(`bench: peers round ${round + 1}/${LOAD.rounds} done\n`);
  }
  return samples;
}

/**
 * `compare` applied to each round's measurements, where every variant ran within minutes of the
 * others: on a shared machine whose speed drifts between rounds, ratios of medians taken from
 * different rounds would compare one round's machine with another's.
 */
function perRound<T>(samples: Samples, compare: (of: (name: string) => Measurement, round: number) => T): T[] {
  const rounds = samples.get('bare')!.length;
  return Array.from({ length: rounds }, (_, round) => compare((name) => samples.get(name)![round]!, round));
}

/** Each round's throughput relative to bare in the same round. */
function shares(samples: Samples, name: string): number[] {
  return perRound(samples, (of) => of(name).requestsPerSecond / of('bare').requestsPerSecond);
}

function spread(values: readonly number[], digits: number, scale = 1): string {
  const fmt = (value: number) => (value * scale).toFixed(digits);
  return `${fmt(median(values))} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;
}

function table(samples: Samples): string {
  const bare = samples.get('bare')!;
  const bareP50 = median(bare.map((m) => m.p50Ms));
  const bareP99 = median(bare.map((m) => m.p99Ms));
  const rows = [...samples].map(([name, runs]) => {
    const of = (pick: (m: Measurement) => number) => runs.map(pick);
    const p50 = median(of((m) => m.p50Ms));
    const p99 = median(of((m) => m.p99Ms));
    return [
      name,
      Math.round(median(of((m) => m.requestsPerSecond))),
      spread(shares(samples, name), 0, 100),
      p50,
      p99,
      `${(p50 - bareP50).toFixed(1)} / ${(p99 - bareP99).toFixed(1)}`,
      spread(of((m) => m.cpuMicrosPerRequest), 0),
      spread(of((m) => m.rssMiB), 0),
    ].join(' | ');
  });
  return [
    '| variant | req/s | % of bare: median (min–max) | p50 ms | p99 ms | added p50 / p99 ms | CPU µs/req | RSS MiB |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

function medianOf(samples: Samples, name: string, pick: (m: Measurement) => number): number {
  return median(samples.get(name)!.map(pick));
}

/** The median in bold, then the range over rounds. */
function verdict(values: readonly number[], digits: number, unit: string, scale = 1): string {
  const fmt = (value: number) => `${(value * scale).toFixed(digits)}${unit}`;
  return `**${fmt(median(values))}** (rounds ${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;
}

/** Which peers the rounds picked and how often, e.g. "dd-trace in 3 of 5 rounds; elastic-apm-node in 2 of 5 rounds". */
function tally(picked: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const name of picked) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, count]) => `${name} in ${count} of ${picked.length} rounds`).join('; ');
}

function verdicts(hello: Samples, work: Samples): string[] {
  const fastestPeers = perRound(hello, (of) => PEERS.reduce((best, peer) => (of(peer).requestsPerSecond > of(best).requestsPerSecond ? peer : best)));
  const cheapestPeers = perRound(hello, (of) => PEERS.reduce((best, peer) => (of(peer).cpuMicrosPerRequest < of(best).cpuMicrosPerRequest ? peer : best)));
  const helloRatios = perRound(hello, (of, round) => of(VIGIL_FULL).requestsPerSecond / of(fastestPeers[round]!).requestsPerSecond);
  const helloCpuRatios = perRound(hello, (of, round) => of(cheapestPeers[round]!).cpuMicrosPerRequest / of(VIGIL_FULL).cpuMicrosPerRequest);
  const workCpuShares = perRound(work, (of) => of('bare').cpuMicrosPerRequest / of(VIGIL_FULL).cpuMicrosPerRequest);
  const rss = (m: Measurement) => m.rssMiB;
  const leanestPeer = (samples: Samples) => Math.min(...PEERS.map((peer) => medianOf(samples, peer, rss)));
  const memory = (samples: Samples, label: string) =>
    `${label} ${medianOf(samples, VIGIL_FULL, rss).toFixed(0)} MiB against ${leanestPeer(samples).toFixed(0)} MiB for the leanest peer`;
  return [
    `hello: Vigil with everything on serves ${verdict(helloRatios, 2, '×')} the throughput of the fastest peer of the same round (${tally(fastestPeers)}) (target ≥ 2×).`,
    `work: Vigil with everything on keeps ${verdict(shares(work, VIGIL_FULL), 1, '%', 100)} of bare throughput in the same round (target ≥ 90%).`,
    `By CPU time per request (what throughput would be where the service's core is the limit; it moves far less with the machine's other load), within each round: ` +
      `hello ${verdict(helloCpuRatios, 2, '×')} the cheapest peer of the same round (${tally(cheapestPeers)}), work ${verdict(workCpuShares, 1, '%', 100)} of bare.`,
    `Resident memory (medians): ${memory(hello, 'hello')}, ${memory(work, 'work')} (target: less than every peer).`,
  ];
}

function versionOf(name: string): string {
  const manifest = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return `${name} ${manifest.version}`;
}

async function startReceivers(stack: Stack, sinkUrl: string, sinkStatsdPort: number): Promise<Receivers> {
  const [kafka] = await stack.up(['kafka']);
  return { kafkaBrokers: kafka?.endpoints.brokers ?? '', sinkUrl, sinkStatsdPort };
}

export async function bench(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-peers-'));
  const stack = new Stack({ dir, choosePort: () => freePort(), startTimeoutMs: 240_000, log: (line) => process.stderr.write(`bench: ${line}\n`) });
  const sink = await startDiscardingSink();
  const upstream = await startNodeService(join(fixtures, 'upstream.cjs'), { path: '/' });
  try {
    const receivers = await startReceivers(stack, sink.url, sink.statsdPort);
    const workload = (path: string): Workload => ({ script: join(fixtures, 'bench-service.cjs'), path, env: { UPSTREAM_URL: upstream.url, OTEL_SERVICE_NAME: 'bench' } });
    const hello = await rounds(peerVariants(workload('/hello'), receivers));
    const work = await rounds(peerVariants(workload('/work'), receivers));
    return [
      '## Peer benchmark: Vigil against the agents users would pick instead',
      '',
      `The tracing benchmark's node:http service, autocannon with ${LOAD.connections} connections, ${LOAD.warmupS} s warm-up and ${LOAD.durationS} s measured per run, ` +
        `${LOAD.rounds} rounds alternating the variants (order reversed every other round), medians with the range over rounds; last run ${new Date().toISOString().slice(0, 10)}.`,
      '',
      'Receivers: every agent exports to one local sink that accepts and discards, in a process of its own (`bench/support/sink.ts`): Vigil and OpenTelemetry their traces over OTLP/HTTP (and OpenTelemetry its metrics), ' +
        'dd-trace its traces, profiles and DogStatsD runtime metrics, elastic-apm-node its intake. A real Jaeger would compete with the service for the same two cores, ' +
        'charging Vigil and OpenTelemetry for their backend and no other agent for theirs. Vigil ships its logs to a natively started Kafka and its metrics endpoint is scraped every 3 s; ' +
        'Vigil runs with metrics, tracing, Kafka log shipping and the profiler on defaults; the service logs nothing per request, so log shipping and log injection carry no lines in either.',
      '',
      `Versions: Node.js ${process.version}, ${['@opentelemetry/auto-instrumentations-node', 'dd-trace', 'elastic-apm-node', 'autocannon'].map(versionOf).join(', ')}.`,
      '',
      '**hello** (a small JSON object):',
      '',
      table(hello),
      '',
      '**work** (parse and re-serialize a 60 KB JSON payload, one call to a local upstream):',
      '',
      table(work),
      '',
      ...verdicts(hello, work),
      '',
      `The receivers took ${((await sink.receivedBytes()) / 1e6).toFixed(1)} MB in the discarding sink during the run.`,
      '',
      'Reproduce: `npm run bench:peers` (BENCH_ROUNDS, BENCH_WARMUP_S, BENCH_DURATION_S, BENCH_CONNECTIONS change the load).',
    ].join('\n');
  } finally {
    await upstream.stop();
    await sink.close();
    await stack.down(undefined, true);
    rmSync(dir, { recursive: true, force: true });
  }
}
