import { Client } from '@elastic/elasticsearch';
import { Kafka, Partitioners, logLevel, type Consumer } from 'kafkajs';
import { createDiag, type Diag } from '../../agent/diag';
import { holdNextTickShape } from '../../agent/lifecycle/tick-shape';
import { MetricsRegistry } from '../../agent/metrics/registry';
import { MetricsServer } from '../../agent/metrics/server';
import { BatchProcessor } from './batch';
import type { CollectorConfig } from './config';
import { DeadLetterSink } from './dead-letter';
import { BulkIndexer } from './indexer';
import { LagReader } from './lag';
import { collectorMetrics } from './metrics';
import { backoffMs } from './retry';
import { installTemplate } from './template';

/** Clients the collector would otherwise build from its config; tests and embedders pass their own. */
export interface CollectorDependencies {
  readonly kafka?: Kafka;
  readonly elasticsearch?: Client;
  readonly diag?: Diag;
  /** Called when the consumer fails in a way it does not recover from by itself. */
  readonly onFatal?: (error: Error) => void;
}

export interface RunningCollector {
  /** The port the metrics server listens on; undefined when it is off or could not listen. */
  metricsPort(): Promise<number | undefined>;
  /** Finishes the bulk in flight, commits, leaves the group and closes every connection. */
  stop(): Promise<void>;
}

/**
 * Starts consuming at once and returns; a Kafka or Elasticsearch that is not up yet is waited for
 * with backoff and reported on stderr, since a backend that is down is not bad configuration.
 */
export function startCollector(config: CollectorConfig, dependencies: CollectorDependencies = {}): RunningCollector {
  const releaseNextTickShape = holdNextTickShape();
  const diag = dependencies.diag ?? createDiag();
  const fatal = dependencies.onFatal ?? (() => {});
  const kafka = dependencies.kafka ?? new Kafka({ clientId: 'vigil-collector', brokers: [...config.brokers], logLevel: logLevel.NOTHING });
  const elasticsearch =
    dependencies.elasticsearch ??
    new Client({
      node: config.elasticsearchUrl,
      maxRetries: 0,
      requestTimeout: 30_000,
      ...(config.elasticsearchAuth === undefined ? {} : { auth: config.elasticsearchAuth }),
    });

  const admin = kafka.admin();
  const lag = new LagReader(admin, config.groupId);
  const registry = new MetricsRegistry({ service: 'vigil-collector', version: collectorVersion(), environment: process.env.NODE_ENV ?? 'production', tier: 2, attributes: {} });
  registry.collectDefaults();
  const metrics = collectorMetrics(registry, () => lag.read());
  const server = config.metricsPort === 0 ? undefined : new MetricsServer(registry, config.metricsHost, config.metricsPort, diag);

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true });
  const consumer = kafka.consumer({
    groupId: config.groupId,
    // Kafka answers a fetch once it holds batchBytes or batchWaitMs has passed: batches by size and time.
    minBytes: config.batchBytes,
    maxWaitTimeInMs: config.batchWaitMs,
    maxBytesPerPartition: config.batchBytes,
    maxBytes: config.batchBytes * config.concurrency,
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
  });
  const processor = new BatchProcessor(
    new BulkIndexer(elasticsearch, metrics, diag),
    new DeadLetterSink(producer, config.deadLetterTopic, metrics, diag),
    metrics,
    (topic, partition, offset) => consumer.commitOffsets([{ topic, partition, offset }]),
    config.batchBytes,
    // Two fetches' worth: the next fetch is queued while this one is indexed, so Elasticsearch never waits on Kafka.
    2 * config.batchBytes * config.concurrency,
    diag,
  );

  let stopping = false;
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    lag.assign(payload.memberAssignment);
    processor.restartOrder();
    diag.info(`collector: joined group ${config.groupId}; assigned ${describeAssignment(payload.memberAssignment)}`);
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (stopping) return;
    if (payload.restart) diag.warn(`collector: consumer failed (${payload.error.message}); restarting it`);
    else fatal(payload.error);
  });

  const started = (async () => {
    const retention = await untilDone('installing the index template', diag, () => stopping, () =>
      installTemplate(elasticsearch, { mode: config.retention, days: config.retentionDays }, diag),
    );
    if (retention === undefined) return;
    diag.info(`collector: index template installed; retention ${config.retentionDays} days by ${retention === 'ilm' ? 'ILM policy' : 'data stream lifecycle'}`);
    const connected = await untilDone('connecting to Kafka', diag, () => stopping, () => connect(consumer, producer, admin, config.topics));
    if (connected === undefined) return;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: config.concurrency,
      eachBatch: (payload) => processor.process(payload, () => stopping),
    });
    diag.info(`collector: consuming ${config.topics.join(', ')} as group ${config.groupId} into ${config.elasticsearchUrl}`);
  })().catch(fatal);

  let stopped: Promise<void> | undefined;
  return {
    metricsPort: async () => server?.port(),
    stop() {
      stopped ??= (async () => {
        stopping = true;
        const leave = (async () => {
          await started;
          consumer.pause(config.topics.map((topic) => ({ topic })));
          // Commits need the group membership, so the queued chunks settle before leaving it.
          await processor.drain();
          await consumer.disconnect();
          await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
        })();
        const timedOut = await settleWithin(leave, config.shutdownTimeoutMs);
        if (timedOut) diag.warn(`collector: shutdown took longer than ${config.shutdownTimeoutMs} ms; uncommitted records will be redelivered`);
        await server?.close();
        await elasticsearch.close();
        registry.clear();
        releaseNextTickShape();
      })();
      return stopped;
    },
  };
}

async function connect(consumer: Consumer, producer: ReturnType<Kafka['producer']>, admin: ReturnType<Kafka['admin']>, topics: readonly string[]): Promise<true> {
  await Promise.all([producer.connect(), admin.connect(), consumer.connect()]);
  // The earliest offset for a new group: logs written before the first collector started are kept too.
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  return true;
}

/** Runs `step` until it succeeds, with backoff; one stderr line when it starts failing and one when it recovers. */
async function untilDone<T>(what: string, diag: Diag, stopping: () => boolean, step: () => Promise<T>): Promise<T | undefined> {
  for (let attempt = 0; !stopping(); attempt++) {
    try {
      const result = await step();
      diag.state(`collector.${what}`, 'ok', `collector: ${what} succeeded`);
      return result;
    } catch (error) {
      diag.state(`collector.${what}`, 'failing', `collector: ${what} failed (${(error as Error).message}); retrying with backoff`);
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
    }
  }
  return undefined;
}

async function settleWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), ms)));
  const timedOut = await Promise.race([work.then(() => false, () => false), timeout]);
  clearTimeout(timer);
  return timedOut;
}

function describeAssignment(assignment: Readonly<Record<string, readonly number[]>>): string {
  const parts = Object.entries(assignment).map(([topic, partitions]) => `${topic}[${partitions.join(',')}]`);
  return parts.length > 0 ? parts.join(' ') : 'no partitions';
}

function collectorVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../../../package.json') as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
