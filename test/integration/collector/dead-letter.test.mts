import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEAD_LETTER_HEADERS } from '../../../dist/collectors/logs/dead-letter.js';
import { createTopics, ecsLine, kafka, produce, startCollector, valueWhere, type Topics, withServices } from './harness.mts';

interface DeadLetter {
  value: string;
  headers: Record<string, string>;
}

async function readDeadLetters(brokers: readonly string[], topics: Topics, expected: number): Promise<DeadLetter[]> {
  const consumer = kafka(brokers).consumer({ groupId: `reader-${topics.deadLetter}` });
  const received: DeadLetter[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topics.deadLetter], fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
          received.push({ value: message.value?.toString() ?? '', headers });
          if (received.length >= expected) resolve();
        },
      });
    });
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 60_000))]);
  } finally {
    await consumer.disconnect();
  }
  return received;
}

describe('collector: records Elasticsearch can never take', () => {
  const services = withServices({ tracing: false });

  it('go to the dead-letter topic with their reason, and the records after them are indexed', async () => {
    const { brokers, es } = services;
    const topics = await createTopics(brokers, 1);
    const service = `dead-letter-${topics.live.slice(-8)}`;
    const notJson = '{"message": "cut off in the mid';
    const badTimestamp = ecsLine(service, 1000, { '@timestamp': 'the day before yesterday' });
    const values = [
      ...Array.from({ length: 10 }, (_, seq) => ecsLine(service, seq)),
      notJson,
      badTimestamp,
      ...Array.from({ length: 10 }, (_, seq) => ecsLine(service, 10 + seq)),
    ];
    await produce(brokers, topics.live, service, values);
    const collector = await startCollector({ brokers, es, topics });

    const dataStream = `logs-${service}-test`;
    await es.waitForCount(dataStream, 20, 60_000);
    const letters = await readDeadLetters(brokers, topics, 2);
    assert.equal(letters.length, 2);
    const [first, second] = letters;
    assert.equal(first?.value, notJson);
    assert.match(first?.headers[DEAD_LETTER_HEADERS.reason] ?? '', /not JSON/);
    assert.equal(first?.headers[DEAD_LETTER_HEADERS.offset], '10');
    assert.equal(first?.headers[DEAD_LETTER_HEADERS.topic], topics.live);
    assert.equal(second?.value, badTimestamp);
    assert.match(second?.headers[DEAD_LETTER_HEADERS.reason] ?? '', /parsing_exception.*@timestamp/);

    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(await es.count(dataStream), 20, 'all twenty good records are indexed, and nothing else');
    const deadLettered = await collector.metric('vigil_collector_records_dead_lettered_total');
    assert.equal(valueWhere(deadLettered, 'reason="invalid_json"'), 1);
    assert.equal(valueWhere(deadLettered, 'parsing_exception"'), 1);
    assert.equal(valueWhere(await collector.metric('vigil_collector_es_rejections_total'), 'status="400"'), 1);
  });
});
