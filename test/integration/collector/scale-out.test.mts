import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTopics, ecsLine, produce, startCollector, total, uniqueService, withServices } from './harness.mts';

const RECORDS = 100_000;
const PARTITIONS = 4;

describe('collector: several processes in one group', () => {
  const services = withServices({ tracing: false });

  it('share the partitions, and one stopped halfway leaves exactly 100,000 documents', async () => {
    const { brokers, es } = services;
    const topics = await createTopics(brokers, PARTITIONS);
    const service = uniqueService('scaled');
    const dataStream = `logs-${service}-test`;
    const group = `group-${topics.live}`;
    const values = Array.from({ length: RECORDS }, (_, seq) => ecsLine(service, seq));
    await produce(brokers, topics.live, service, values, PARTITIONS);
    // Small bulks keep both members busy long enough for the two rebalances to land mid-stream.
    const args = ['--batch-bytes', '32768'];

    const first = await startCollector({ brokers, es, topics, group, args });
    await es.waitForCount(dataStream, RECORDS / 10, 120_000);
    const second = await startCollector({ brokers, es, topics, group, args });

    await es.waitForCount(dataStream, RECORDS / 2, 240_000);
    assert.ok(total(await second.metric('vigil_collector_records_indexed_total')) > 0, 'the second member took no partitions');
    assert.equal(await first.stop('SIGTERM'), 0, `the first member did not leave cleanly:\n${first.output().slice(-2000)}`);
    assert.match(first.output(), /SIGTERM received/);

    await es.waitForCount(dataStream, RECORDS, 240_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(await es.count(dataStream), RECORDS);
    assert.equal(await es.mostRepeated(dataStream, 'seq'), 1, 'a record was indexed twice');
    assert.match(second.output(), new RegExp(`assigned ${topics.live}\\[0,1,2,3\\]`), 'the remaining member took over every partition');
    await second.stop();
  });
});
