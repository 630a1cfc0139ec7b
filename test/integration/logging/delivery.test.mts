import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useJaeger } from '../../support/jaeger.mts';
import { useKafka, type KafkaService } from '../../support/kafka.mts';
import { startNode } from '../../support/process.mts';
import { agentEnv, fixture, startHttpService } from './service.mts';
import { checkSequence, createTopic, readTopic, waitForRecords } from './topic.mts';

const ECS_FIELDS = ['@timestamp', 'log.level', 'message', 'ecs.version', 'service.name', 'service.version', 'service.environment'];

describe('log lines shipped to Kafka', () => {
  let kafka: KafkaService;
  /** Trace ids and the traffic colour come from the request's trace context, so these services trace to a real Jaeger. */
  let tracing: Record<string, string>;
  before(async () => {
    kafka = await useKafka();
    const jaeger = await useJaeger();
    tracing = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttpUrl };
  });

  it('delivers 100,000 lines from a service: none missing, in order per key, each valid ECS JSON for kcat', async (t) => {
    const topic = await createTopic(kafka.brokers);
    const lines = 100_000;
    const service = startNode(fixture('burst.mjs'), {
      env: {
        ...agentEnv(kafka.brokers, topic),
        OTEL_SERVICE_NAME: 'checkout',
        LINES: String(lines),
        END: 'shutdown',
        // Shipping 100,000 lines on a busy shared machine can take longer than the default budget.
        VIGIL_SHUTDOWN_TIMEOUT_MS: '120000',
      },
    });
    assert.equal(await service.exited, 0, service.output());

    const records = await waitForRecords(kafka.brokers, topic, lines, 60_000);
    const check = checkSequence(records, lines);
    t.diagnostic(`records ${records.length}, duplicates ${check.duplicates}`);
    assert.deepEqual(check.missing, []);
    assert.equal(check.outOfOrder, 0);
    // Nothing failed on the way, so the idempotent producer had nothing to re-send.
    assert.equal(check.duplicates, 0);
    assert.ok(records.every((record) => record.key === 'checkout'), 'the key is the service name');
    assert.equal(new Set(records.map((record) => record.partition)).size, 1, 'one key, one partition');
    for (const record of records) {
      const doc = JSON.parse(record.value) as Record<string, unknown>;
      for (const field of ECS_FIELDS) assert.ok(doc[field] !== undefined, `${field} missing in ${record.value}`);
    }
  });

  it('redacts an authorization header and a password field before the line reaches Kafka, and keeps the trace id', async () => {
    const topic = await createTopic(kafka.brokers);
    const service = await startHttpService(kafka.brokers, topic, { ...tracing, OTEL_SERVICE_NAME: 'accounts' });
    try {
      const traceId = '0af7651916cd43dd8448eb211c80319c';
      const response = await fetch(`${service.base}/log`, {
        headers: { authorization: 'Bearer very-secret', cookie: 'sid=s3cr3t', traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      });
      await response.arrayBuffer();
      const [record] = await waitForRecords(kafka.brokers, topic, 1, 30_000);
      assert.ok(record !== undefined, service.process.output());
      assert.ok(!record.value.includes('very-secret') && !record.value.includes('s3cr3t') && !record.value.includes('hunter2'), record.value);
      const doc = JSON.parse(record.value) as { req: { headers: Record<string, string> }; user: Record<string, string>; 'trace.id': string };
      assert.equal(doc.req.headers['authorization'], '[REDACTED]');
      assert.equal(doc.req.headers['cookie'], '[REDACTED]');
      assert.equal(doc.user['password'], '[REDACTED]');
      assert.equal(doc['trace.id'], traceId);
    } finally {
      await service.process.stop();
    }
  });

  it('sends lines of shadow traffic to <topic>-shadow', async () => {
    const topic = await createTopic(kafka.brokers);
    const service = await startHttpService(kafka.brokers, topic, tracing);
    try {
      await (await fetch(`${service.base}/log`, { headers: { 'x-vigil-traffic': 'shadow' } })).arrayBuffer();
      await (await fetch(`${service.base}/log`)).arrayBuffer();
      const shadow = await waitForRecords(kafka.brokers, `${topic}-shadow`, 1, 30_000);
      const live = await waitForRecords(kafka.brokers, topic, 1, 30_000);
      assert.deepEqual(shadow.map((record) => (JSON.parse(record.value) as { seq: number }).seq), [0]);
      assert.deepEqual(live.map((record) => (JSON.parse(record.value) as { seq: number }).seq), [1]);
      assert.deepEqual(await readTopic(kafka.brokers, `${topic}-shadow`).then((records) => records.length), 1);
    } finally {
      await service.process.stop();
    }
  });
});
