import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ElasticsearchService } from '../../support/elasticsearch.mts';
import { createTopics, Elasticsearch, killCollectors, logThroughAgent, residentBytes, startCollector, succeeded, total, uniqueService, useServices } from './harness.mts';

const OUTAGE_MS = 20_000;
const RATE = 1000;
const LINES = 40_000;
const MiB = 1024 * 1024;

describe('collector: Elasticsearch stopped for 20 s', () => {
  let brokers: string[];
  let es: Elasticsearch;
  let elasticsearch: ElasticsearchService;
  let otlpEndpoint: string;

  before(async () => {
    ({ brokers, es, elasticsearch, otlpEndpoint } = await useServices({ tracing: true }));
  });

  after(async () => {
    await elasticsearch.start();
    await killCollectors();
  });

  it('loses nothing, pauses fetching instead of buffering, and drains the lag once it is back', async (t) => {
    const topics = await createTopics(brokers);
    const service = uniqueService('outage');
    const dataStream = `logs-${service}-test`;
    // Small bulks: what the collector may hold while blocked is a few of them, far below what piles up in Kafka.
    const collector = await startCollector({ brokers, es, topics, args: ['--batch-bytes', '262144', '--concurrency', '2'] });
    const logging = logThroughAgent({ brokers, topic: topics.live, service, lines: LINES, rate: RATE, otlpEndpoint });

    await es.waitForCount(dataStream, 5000, 120_000);
    const rssBefore = residentBytes(collector.child.pid as number);
    await elasticsearch.stop();
    const indexedBefore = total(await collector.metric('vigil_collector_records_indexed_total'));

    let rssPeak = 0;
    const outageEnds = Date.now() + OUTAGE_MS;
    while (Date.now() < outageEnds) {
      rssPeak = Math.max(rssPeak, residentBytes(collector.child.pid as number));
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const consumedDuring = total(await collector.metric('vigil_collector_records_consumed_total'));
    const lagDuring = total(await collector.metric('vigil_collector_consumer_lag'));
    await elasticsearch.start();

    t.diagnostic(
      `during the outage: ${consumedDuring - indexedBefore} records taken in, lag ${lagDuring}, RSS ${Math.round(rssBefore / MiB)} → peak ${Math.round(rssPeak / MiB)} MiB`,
    );
    // The agent went on logging 1000 lines a second into Kafka; the collector took only what it was working on.
    assert.ok(consumedDuring - indexedBefore < 6000, `the collector kept fetching while blocked: ${consumedDuring - indexedBefore} records taken in`);
    assert.ok(lagDuring > 5000, `records piled up in Kafka, not in the collector: lag ${lagDuring}`);
    assert.ok(rssPeak - rssBefore < 64 * MiB, `memory grew by ${Math.round((rssPeak - rssBefore) / MiB)} MiB during the outage`);
    assert.match(collector.output(), /bulk request failed .*retrying with backoff, fetching paused/);

    await succeeded(logging);
    await es.waitForCount(dataStream, LINES, 240_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(await es.count(dataStream), LINES);
    assert.equal(await es.mostRepeated(dataStream, 'seq'), 1);
    const output = collector.output();
    assert.ok(output.lastIndexOf('Elasticsearch accepts bulk requests') > output.indexOf('bulk request failed'), 'the recovery is reported');

    const deadline = Date.now() + 30_000;
    let lag = Number.POSITIVE_INFINITY;
    while (Date.now() < deadline && lag > 0) {
      lag = total(await collector.metric('vigil_collector_consumer_lag'));
      if (lag > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.equal(lag, 0, 'the lag drained');
  });
});
