import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { useKafka } from '../../support/kafka.mts';

test('kafkajs produces and consumes a message on a topic it created', async () => {
  const { brokers } = await useKafka();
  const kafka = new Kafka({ clientId: 'vigil-stack-smoke', brokers, logLevel: logLevel.NOTHING });
  const topic = `smoke-${randomUUID()}`;
  const value = `hello ${randomUUID()}`;

  const admin = kafka.admin();
  await admin.connect();
  try {
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }), true);
    assert.ok((await admin.listTopics()).includes(topic));
  } finally {
    await admin.disconnect();
  }

  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'smoke', value }] });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `smoke-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const received = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message within 60 s')), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          clearTimeout(timer);
          resolve(message.value?.toString() ?? '');
        },
      });
    });
    assert.equal(received, value);
  } finally {
    await consumer.disconnect();
  }
});
