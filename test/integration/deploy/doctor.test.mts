// `vigil doctor` against the real Kafka and Jaeger of the test run: green while they are up, one
// clear failing line each while they are down.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { useJaeger, type JaegerService } from '../../support/jaeger.mts';
import { useKafka, type KafkaService } from '../../support/kafka.mts';
import { freePort } from '../../support/ports.mts';
import { doctor, line } from '../../unit/deploy/run-doctor.mts';

describe('vigil doctor with real backends', () => {
  let kafka: KafkaService;
  let jaeger: JaegerService;
  const topic = `doctor-${randomUUID()}`;

  before(async () => {
    [kafka, jaeger] = await Promise.all([useKafka(), useJaeger()]);
  });

  const environment = async (): Promise<Record<string, string>> => ({
    OTEL_SERVICE_NAME: 'songs',
    VIGIL_METRICS_HOST: '127.0.0.1',
    VIGIL_METRICS_PORT: String(await freePort()),
    VIGIL_KAFKA_BROKERS: kafka.brokers.join(','),
    VIGIL_LOG_TOPIC: topic,
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttpUrl,
  });

  it('is all green when every backend is up, and the log topic really took a record', async () => {
    const run = await doctor(await environment());
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.match(line(run, 'metrics port'), /^ok +metrics port: 127\.0\.0\.1:\d+ is free/);
    assert.match(line(run, 'kafka'), new RegExp(`^ok +kafka: .*wrote one record to topic ${topic}$`));
    assert.match(line(run, 'traces'), /^ok +traces: OTLP\/HTTP endpoint .*\/v1\/traces accepts exports$/);
    assert.match(line(run, 'sentry'), /^off +sentry/);

    const consumer = new Kafka({ clientId: 'doctor-test', brokers: kafka.brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: `doctor-test-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      const record = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no record on ${topic} within 30 s`)), 30_000);
        void consumer.run({
          eachMessage: async ({ message }) => {
            clearTimeout(timer);
            resolve(JSON.parse(message.value?.toString() ?? '{}') as Record<string, unknown>);
          },
        });
      });
      assert.equal(record['service.name'], 'songs');
      assert.equal(record['log.level'], 'info');
      assert.match(String(record.message), /^vigil doctor: songs can write to topic/);
    } finally {
      await consumer.disconnect();
    }
  });

  it('checks the Jaeger Thrift endpoint when the jaeger exporter is chosen', async () => {
    const run = await doctor({ ...(await environment()), OTEL_TRACES_EXPORTER: 'jaeger', OTEL_EXPORTER_JAEGER_ENDPOINT: jaeger.thriftHttpUrl });
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.match(line(run, 'traces'), /^ok +traces: Jaeger Thrift HTTP endpoint .*\/api\/traces accepts exports$/);
  });

  it('reports Kafka down with one clear line and a non-zero exit, and green again once it is back', async () => {
    await kafka.stop();
    try {
      const run = await doctor(await environment(), ['--timeout-ms', '8000']);
      assert.equal(run.code, 1);
      assert.match(line(run, 'kafka'), /^FAIL kafka: no broker answers at .* \(VIGIL_KAFKA_BROKERS\).*start Kafka, or fix the list$/);
      assert.match(line(run, 'traces'), /^ok /, 'the other checks still run');
    } finally {
      await kafka.start();
    }
    const again = await doctor(await environment());
    assert.equal(again.code, 0, again.lines.join('\n'));
  });

  it('reports Jaeger down with one clear line and a non-zero exit', async () => {
    await jaeger.stop();
    try {
      const run = await doctor(await environment());
      assert.equal(run.code, 1);
      assert.match(line(run, 'traces'), /^FAIL traces: nothing answers at .*\/v1\/traces \(OTEL_EXPORTER_OTLP_ENDPOINT\).*start Jaeger/);
      assert.match(line(run, 'kafka'), /^ok /);
    } finally {
      await jaeger.start();
    }
  });
});
