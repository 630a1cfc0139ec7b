/**
 * Documents per second the collector indexes (Kafka → collector → Elasticsearch), against a bare
 * loader that bulk-writes the same documents straight into Elasticsearch: the ceiling. Both run
 * against the same natively started Kafka and Elasticsearch, alternating round by round.
 */
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diag } from '../agent/diag';
import { startCollector } from '../collectors/logs/collector';
import { resolveCollectorConfig } from '../collectors/logs/config';
import { installTemplate } from '../collectors/logs/template';
import { Stack } from '../deploy/native';
import { freePort } from './support/ports';

const DOCUMENTS = Number(process.env.BENCH_COLLECTOR_DOCS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const PARTITIONS = 4;
/** The collector's defaults, which the bare loader copies: 5 MiB bulks, four in flight. */
const BULK_BYTES = 5 * 1024 * 1024;
const CONCURRENCY = 4;

const quiet: Diag = { info: () => {}, warn: (message) => process.stderr.write(`bench: ${message}\n`), state: () => {} };

interface Services {
  readonly brokers: string[];
  readonly client: Client;
  readonly url: string;
  readonly auth: { username: string; password: string };
}

function documentsFor(service: string): string[] {
  const traceId = randomUUID().replaceAll('-', '');
  return Array.from({ length: DOCUMENTS }, (_, seq) =>
    JSON.stringify({
      '@timestamp': new Date().toISOString(),
      'log.level': 'info',
      message: `GET /songs/${seq} answered 200 in 3 ms`,
      'service.name': service,
      'service.version': '1.0.0',
      'deployment.environment': 'bench',
      'service.tier': 2,
      'trace.id': traceId,
      'span.id': traceId.slice(0, 16),
      'labels.traffic': 'live',
      seq,
    }),
  );
}

async function measureCollector(services: Services): Promise<number> {
  const service = `bench-collector-${randomUUID().slice(0, 8)}`;
  const topic = `bench-logs-${randomUUID().slice(0, 8)}`;
  const kafka = new Kafka({ clientId: 'vigil-bench', brokers: services.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS }, { topic: `${topic}-shadow`, numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const values = documentsFor(service);
  for (let i = 0; i < values.length; i += 5000) {
    await producer.send({ topic, acks: -1, messages: values.slice(i, i + 5000).map((value, at) => ({ value, partition: (i + at) % PARTITIONS })) });
  }
  await producer.disconnect();

  const config = resolveCollectorConfig(['--topics', `${topic},${topic}-shadow`, '--group', `bench-${topic}`, '--metrics-port', '0'], {
    VIGIL_KAFKA_BROKERS: services.brokers.join(','),
    VIGIL_ELASTICSEARCH_URL: services.url,
    VIGIL_ELASTICSEARCH_USERNAME: services.auth.username,
    VIGIL_ELASTICSEARCH_PASSWORD: services.auth.password,
  });
  const collector = startCollector(config, { diag: quiet });
  try {
    return DOCUMENTS / (await secondsToIndex(services.client, `logs-${service}-bench`));
  } finally {
    await collector.stop();
  }
}

async function measureBareLoader(services: Services): Promise<number> {
  const service = `bench-bare-${randomUUID().slice(0, 8)}`;
  const index = `logs-${service}-bench`;
  const values = documentsFor(service);
  const bulks: string[][] = [];
  let bulk: string[] = [];
  let bytes = 0;
  values.forEach((value, seq) => {
    bulk.push(JSON.stringify({ create: { _index: index, _id: `bare:${seq}` } }), value);
    bytes += value.length + 60;
    if (bytes >= BULK_BYTES) {
      bulks.push(bulk);
      bulk = [];
      bytes = 0;
    }
  });
  if (bulk.length > 0) bulks.push(bulk);
  const send = async () => {
    for (let next = bulks.shift(); next !== undefined; next = bulks.shift()) await services.client.bulk<string>({ operations: next });
  };
  const loading = Promise.all(Array.from({ length: CONCURRENCY }, send));
  const seconds = await secondsToIndex(services.client, index);
  await loading;
  return DOCUMENTS / seconds;
}

/** Seconds from the first document becoming searchable to all of them, polled alike for both variants. */
async function secondsToIndex(client: Client, index: string): Promise<number> {
  let first: { at: number; count: number } | undefined;
  const deadline = performance.now() + 600_000;
  for (;;) {
    const count = await visibleCount(client, index);
    if (performance.now() > deadline) throw new Error(`${index} shows ${count} of ${DOCUMENTS} documents after 10 minutes`);
    const now = performance.now();
    if (count > 0) first ??= { at: now, count };
    if (first !== undefined && count >= DOCUMENTS) {
      // What was already visible at the first sighting was indexed before the clock started.
      return Math.max(0.001, (now - first.at) / 1000) * (DOCUMENTS / Math.max(1, DOCUMENTS - first.count));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function visibleCount(client: Client, index: string): Promise<number> {
  try {
    await client.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
    return (await client.count({ index, ignore_unavailable: true, allow_no_indices: true })).count;
  } catch {
    // A data stream created a moment ago may not have its shard assigned yet: nothing visible so far.
    return 0;
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export async function bench(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-stack-'));
  const stack = new Stack({ dir, choosePort: () => freePort(), startTimeoutMs: 240_000, log: (line) => process.stderr.write(`bench: ${line}\n`) });
  try {
    const [kafka, elasticsearch] = await stack.up(['kafka', 'elasticsearch']);
    const auth = { username: elasticsearch?.endpoints.username ?? '', password: elasticsearch?.endpoints.password ?? '' };
    const url = elasticsearch?.endpoints.url ?? '';
    const services: Services = { brokers: (kafka?.endpoints.brokers ?? '').split(','), url, auth, client: new Client({ node: url, auth, requestTimeout: 120_000 }) };
    // The bare loader writes into data streams too, so both variants index the same way.
    await installTemplate(services.client, { mode: 'lifecycle', days: 1 }, quiet);
    // One unmeasured pass of each warms the JIT of both Elasticsearch and Node.js.
    await measureBareLoader(services);
    await measureCollector(services);
    const collector: number[] = [];
    const bare: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Which variant goes first alternates, so a machine that speeds up or slows down favours neither.
      if (round % 2 === 0) {
        bare.push(await measureBareLoader(services));
        collector.push(await measureCollector(services));
      } else {
        collector.push(await measureCollector(services));
        bare.push(await measureBareLoader(services));
      }
      process.stderr.write(`bench: collector round ${round + 1}: bare ${Math.round(bare[round] ?? 0)}/s, collector ${Math.round(collector[round] ?? 0)}/s\n`);
    }
    await services.client.close();
    const ceiling = median(bare);
    const ours = median(collector);
    return [
      '## Log collector: documents indexed per second',
      '',
      `${DOCUMENTS} ECS log documents of about 330 bytes, 4 partitions, 5 MiB bulks, 4 in flight, one Elasticsearch node; medians of ${ROUNDS} rounds after a warm-up round, the order of the variants alternating; last run ${new Date().toISOString().slice(0, 10)}.`,
      '',
      '| variant | documents/s | ratio to bare loader |',
      '|---|---|---|',
      `| bare loader (bulk straight into Elasticsearch) | ${Math.round(ceiling)} | 1.000 |`,
      `| vigil-collector (Kafka → Elasticsearch) | ${Math.round(ours)} | ${(ours / ceiling).toFixed(3)} |`,
      '',
      `The collector reaches **${((ours / ceiling) * 100).toFixed(1)}%** of the bare loader (target ≥ 70%).`,
      '',
      'Reproduce: `npm run bench -- collector` (BENCH_COLLECTOR_DOCS and BENCH_ROUNDS change the size).',
    ].join('\n');
  } finally {
    await stack.down(undefined, true);
    rmSync(dir, { recursive: true, force: true });
  }
}
