import { Kafka, logLevel } from 'kafkajs';
import type { VigilConfig } from '../../config/options';
import { ECS_VERSION } from '../../logging/ecs';
import { fail, off, ok, reason, type Check } from './check';

/** kafkajs error types that mean the broker answered but refused the topic or this client. */
const ADVICE: Readonly<Record<string, string>> = {
  UNKNOWN_TOPIC_OR_PARTITION: 'the topic does not exist and the broker does not create topics: create it, for example kafka-topics.sh --create --topic',
  TOPIC_AUTHORIZATION_FAILED: 'the broker refuses writes to the topic: grant this client Write on topic',
  CLUSTER_AUTHORIZATION_FAILED: 'the broker refuses this client: grant it IdempotentWrite on the cluster, needed for topic',
  LEADER_NOT_AVAILABLE: 'the topic has no leader yet (just created, or brokers are down): retry in a moment, then check the brokers of topic',
};

/**
 * Connects to the brokers and writes one log record to the log topic, as the agent would: the only
 * proof that the topic is writable. The record is an ordinary ECS info line, so it is harmless
 * wherever the collector indexes it, and shows the whole path works.
 */
export function kafkaCheck(config: VigilConfig, timeoutMs: number): Check {
  const { kafkaBrokers, topic } = config.logs;
  return {
    name: 'kafka',
    async run(signal) {
      if (kafkaBrokers.length === 0) return off('VIGIL_KAFKA_BROKERS is not set: logs go to stdout only');
      const kafka = new Kafka({
        clientId: `vigil-doctor-${config.identity.service}`,
        brokers: [...kafkaBrokers],
        logLevel: logLevel.NOTHING,
        connectionTimeout: Math.min(3000, timeoutMs),
        requestTimeout: timeoutMs,
        retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 500 },
      });
      const producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 2, initialRetryTime: 300, maxRetryTime: 1000 } });
      signal.addEventListener('abort', () => void producer.disconnect().catch(() => {}), { once: true });
      const where = `${kafkaBrokers.join(',')} (VIGIL_KAFKA_BROKERS)`;
      try {
        await producer.connect();
      } catch (error) {
        return fail(`no broker answers at ${where}: ${reason(error)}: start Kafka, or fix the list`);
      }
      try {
        await producer.send({ topic, acks: -1, timeout: timeoutMs, messages: [{ key: config.identity.service, value: doctorRecord(config, topic) }] });
        return ok(`${where} reachable; wrote one record to topic ${topic}`);
      } catch (error) {
        const type = (error as { type?: string }).type ?? '';
        const advice = ADVICE[type];
        return fail(advice === undefined ? `cannot write to topic ${topic} at ${where}: ${reason(error)}` : `${advice} ${topic}`);
      } finally {
        await producer.disconnect().catch(() => {});
      }
    },
  };
}

function doctorRecord(config: VigilConfig, topic: string): string {
  return JSON.stringify({
    '@timestamp': new Date().toISOString(),
    'ecs.version': ECS_VERSION,
    'log.level': 'info',
    message: `vigil doctor: ${config.identity.service} can write to topic ${topic}`,
    'service.name': config.identity.service,
    'service.version': config.identity.version,
    'service.environment': config.identity.environment,
    'event.dataset': 'vigil.doctor',
  });
}
