// Starting a logging fixture service against Kafka and reading its own counters.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { useKafka, type KafkaService } from '../../support/kafka.mts';
import { freePort, waitForHttp } from '../../support/ports.mts';
import { startNode, type StartedProcess } from '../../support/process.mts';
import { createTopic } from './topic.mts';

const fixtures = new URL('../../fixtures/logging/', import.meta.url).pathname;

export interface LoggingService {
  readonly base: string;
  readonly process: StartedProcess;
  /** Sum of the samples of `name` whose labels include `labels`, from the service's /metrics. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** stderr lines of the agent (prefixed "vigil:") that contain `text`. */
  agentLines(text: string): string[];
}

const spoolDirs: string[] = [];
process.once('exit', () => spoolDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A fresh spool directory, so no test replays what another one left behind; removed when the test file ends. */
export function freshSpoolDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-spool-test-'));
  spoolDirs.push(dir);
  return dir;
}

/**
 * What every logging fixture runs with: this test's Kafka and topic, its own spool, no trace export,
 * and no profiler (the logs are what is under test, and the profiler's threads would share the CPU).
 */
export function agentEnv(brokers: readonly string[], topic: string): Record<string, string> {
  return {
    VIGIL_KAFKA_BROKERS: brokers.join(','),
    VIGIL_LOG_TOPIC: topic,
    VIGIL_LOG_SPOOL_DIR: freshSpoolDir(),
    VIGIL_METRICS_PORT: '0',
    OTEL_TRACES_EXPORTER: 'none',
    VIGIL_PROFILER: 'off',
  };
}

export function fixture(name: string): string {
  return join(fixtures, name);
}

/** The HTTP fixture with `agentEnv` plus `env`, listening and exposing its metrics. */
export async function startHttpService(brokers: readonly string[], topic: string, env: Record<string, string> = {}): Promise<LoggingService> {
  const port = await freePort();
  const metricsPort = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = startNode(fixture('http-service.cjs'), {
    env: {
      ...agentEnv(brokers, topic),
      PORT: String(port),
      VIGIL_METRICS_HOST: '127.0.0.1',
      VIGIL_METRICS_PORT: String(metricsPort),
      ...env,
    },
  });
  await waitForHttp(`${base}/ping`);
  return {
    base,
    process: child,
    async metric(name, labels = {}) {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      let sum = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
        if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
        sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return sum;
    },
    agentLines: (text) => child.output().split('\n').filter((line) => line.startsWith('vigil:') && line.includes(text)),
  };
}

export interface OutageContext {
  kafka: KafkaService;
  topic: string;
  service: LoggingService;
}

/**
 * Hooks for a describe block that takes Kafka away: before, the HTTP fixture on a fresh topic
 * (`prepare` runs first, to stop Kafka early if the test wants); after, the service stopped and
 * Kafka running again for the files that follow.
 */
export function serviceOnFreshTopic(env: Record<string, string>, prepare?: (kafka: KafkaService) => Promise<void>): OutageContext {
  const context = {} as OutageContext;
  before(async () => {
    context.kafka = await useKafka();
    context.topic = await createTopic(context.kafka.brokers);
    await prepare?.(context.kafka);
    context.service = await startHttpService(context.kafka.brokers, context.topic, env);
  });
  after(async () => {
    await context.service?.process.stop();
    await context.kafka?.start();
  });
  return context;
}
