// What the collector's integration tests share: a collector process, its metrics, unique topics,
// and counting in Elasticsearch.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { useElasticsearch, type ElasticsearchService } from '../../support/elasticsearch.mts';
import { useJaeger } from '../../support/jaeger.mts';
import { useKafka } from '../../support/kafka.mts';
import { freePort, waitForHttp } from '../../support/ports.mts';
import { startNode, type StartedProcess } from '../../support/process.mts';

const root = new URL('../../..', import.meta.url).pathname;
export const COLLECTOR_BIN = join(root, 'dist/collectors/logs/cli.js');

export interface Services {
  readonly brokers: string[];
  readonly es: Elasticsearch;
  readonly elasticsearch: ElasticsearchService;
  /** Where the agent in a logging service sends its spans. */
  readonly otlpEndpoint: string;
}

/** The run's Kafka and Elasticsearch, and Jaeger when services log through the agent, started on first use. */
export async function useServices(options: { tracing: boolean }): Promise<Services> {
  const [kafkaService, elasticsearch, jaeger] = await Promise.all([useKafka(), useElasticsearch(), options.tracing ? useJaeger() : undefined]);
  return { brokers: kafkaService.brokers, es: new Elasticsearch(elasticsearch), elasticsearch, otlpEndpoint: jaeger?.otlpHttpUrl ?? '' };
}

/**
 * For a describe block: the services are there before its tests (read them inside a test), and
 * the collectors its tests left running are killed after them.
 */
export function withServices(options: { tracing: boolean }): Services {
  const services = {} as { -readonly [K in keyof Services]: Services[K] };
  before(async () => {
    Object.assign(services, await useServices(options));
  });
  after(killCollectors);
  return services;
}

const running = new Set<CollectorProcess>();

/** Kills every collector a test file started and left running; for its `after` hook. */
export async function killCollectors(): Promise<void> {
  await Promise.all([...running].map((collector) => collector.stop('SIGKILL')));
  running.clear();
}

export interface Topics {
  readonly live: string;
  readonly shadow: string;
  readonly deadLetter: string;
}

/** Fresh topics per test, so tests sharing one broker never see each other's records. */
export async function createTopics(brokers: readonly string[], partitions = 4): Promise<Topics> {
  const base = `vigil-logs-t${randomUUID().slice(0, 8)}`;
  const topics = { live: base, shadow: `${base}-shadow`, deadLetter: `${base}-dead-letter` };
  const admin = kafka(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: topics.live, numPartitions: partitions },
        { topic: topics.shadow, numPartitions: 1 },
        { topic: topics.deadLetter, numPartitions: 1 },
      ],
    });
  } finally {
    await admin.disconnect();
  }
  return topics;
}

export function kafka(brokers: readonly string[]): Kafka {
  return new Kafka({ clientId: 'vigil-collector-test', brokers: [...brokers], logLevel: logLevel.NOTHING });
}

/** A service name no other test uses, so its data stream holds only this test's documents. */
export function uniqueService(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export interface CollectorProcess extends StartedProcess {
  readonly metricsUrl: string;
  /** Parsed sample values of one metric, by its label text. */
  metric(name: string): Promise<Map<string, number>>;
}

export async function startCollector(options: {
  brokers: readonly string[];
  es: Elasticsearch;
  topics: Topics;
  group?: string;
  args?: readonly string[];
}): Promise<CollectorProcess> {
  const port = await freePort();
  const child = startNode(COLLECTOR_BIN, {
    args: [
      '--brokers', options.brokers.join(','),
      '--elasticsearch-url', options.es.url,
      '--topics', `${options.topics.live},${options.topics.shadow}`,
      '--dead-letter-topic', options.topics.deadLetter,
      '--group', options.group ?? `group-${options.topics.live}`,
      '--metrics-host', '127.0.0.1',
      '--metrics-port', String(port),
      ...(options.args ?? []),
    ],
    env: { VIGIL_ELASTICSEARCH_USERNAME: options.es.username, VIGIL_ELASTICSEARCH_PASSWORD: options.es.password },
  });
  const metricsUrl = `http://127.0.0.1:${port}/metrics`;
  const collector: CollectorProcess = {
    ...child,
    metricsUrl,
    async metric(name) {
      const text = await (await fetch(metricsUrl)).text();
      const values = new Map<string, number>();
      for (const line of text.split('\n')) {
        if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
        const at = line.lastIndexOf(' ');
        values.set(line.slice(name.length, at), Number(line.slice(at + 1)));
      }
      return values;
    },
  };
  running.add(collector);
  await waitForHttp(metricsUrl, 30_000);
  return collector;
}

/** Sum over every series of a metric. */
export function total(values: Map<string, number>): number {
  return [...values.values()].reduce((sum, value) => sum + value, 0);
}

/** The value of the one series whose labels contain `fragment` (such as `reason="invalid_json"`). */
export function valueWhere(values: Map<string, number>, fragment: string): number | undefined {
  return [...values.entries()].find(([labels]) => labels.includes(fragment))?.[1];
}

/** Resident memory of a process, from /proc. */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kib) * 1024;
}

/** ECS log lines as the agent writes them. */
export function ecsLine(service: string, index: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    '@timestamp': new Date().toISOString(),
    'log.level': 'info',
    message: `line ${index}`,
    'service.name': service,
    'service.version': '1.0.0',
    'deployment.environment': 'test',
    'service.tier': 3,
    'trace.id': randomUUID().replaceAll('-', ''),
    'span.id': randomUUID().replaceAll('-', '').slice(0, 16),
    'labels.traffic': 'live',
    seq: index,
    ...extra,
  });
}

/** Writes raw values to `topic` in batches; spread over `partitions` partitions, else keyed by `key` as the agent keys them. */
export async function produce(brokers: readonly string[], topic: string, key: string, values: readonly string[], partitions = 0): Promise<void> {
  const producer = kafka(brokers).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < values.length; i += 2000) {
      const messages = values.slice(i, i + 2000).map((value, at) => (partitions > 0 ? { key, value, partition: (i + at) % partitions } : { key, value }));
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

export class Elasticsearch {
  readonly url: string;
  readonly username: string;
  readonly password: string;

  constructor(service: ElasticsearchService) {
    const { auth } = service.clientOptions() as { auth?: { username?: string; password?: string } };
    this.url = service.url;
    this.username = auth?.username ?? '';
    this.password = auth?.password ?? '';
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const parsed = (await response.json()) as T;
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(parsed)}`);
    return parsed;
  }

  /** Documents in `index` that a search sees now (after a refresh, so nothing waits on the interval). */
  async count(index: string, query?: unknown): Promise<number> {
    await this.request('POST', `/${index}/_refresh?ignore_unavailable=true&allow_no_indices=true`);
    const result = await this.request<{ count: number }>('POST', `/${index}/_count?ignore_unavailable=true&allow_no_indices=true`, query === undefined ? undefined : { query });
    return result.count;
  }

  /** Polls until `index` holds at least `expected` documents; returns the count then. */
  async waitForCount(index: string, expected: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let count = 0;
    while (Date.now() < deadline) {
      count = await this.count(index).catch(() => count);
      if (count >= expected) return count;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`${index} held ${count} documents after ${timeoutMs} ms; expected ${expected}`);
  }

  /** The most documents sharing one value of `field`: 1 when no record was indexed twice. */
  async mostRepeated(index: string, field: string): Promise<number> {
    const result = await this.request<{ aggregations: { values: { buckets: { doc_count: number }[] } } }>('POST', `/${index}/_search`, {
      size: 0,
      aggs: { values: { terms: { field, size: 1, order: { _count: 'desc' } } } },
    });
    return result.aggregations.values.buckets[0]?.doc_count ?? 0;
  }
}

const LOG_LINES_FIXTURE = join(root, 'test/fixtures/collector/log-lines.mts');

/** A service process that logs `lines` lines through the agent (each with a trace id) into `topic`. */
export function logThroughAgent(options: {
  brokers: readonly string[];
  topic: string;
  service: string;
  lines: number;
  /** Lines per second; 0 logs as fast as the agent takes them. */
  rate?: number;
  otlpEndpoint: string;
}): StartedProcess {
  return startNode(LOG_LINES_FIXTURE, {
    env: {
      SERVICE: options.service,
      BROKERS: options.brokers.join(','),
      TOPIC: options.topic,
      LINES: String(options.lines),
      RATE: String(options.rate ?? 0),
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpEndpoint,
    },
  });
}

/** Resolves when `process` exits with 0; fails with its output otherwise. */
export async function succeeded(process: StartedProcess): Promise<void> {
  const code = await process.exited;
  if (code !== 0) throw new Error(`process exited with ${code}:\n${process.output().slice(-3000)}`);
}
