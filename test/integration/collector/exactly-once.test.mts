import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTopics, logThroughAgent, startCollector, succeeded, total, uniqueService, withServices } from './harness.mts';

const LINES = 100_000;

describe('collector: every line logged through the agent is exactly one document', () => {
  const services = withServices({ tracing: true });

  it('turns 100,000 lines into exactly 100,000 searchable documents with ECS fields and trace ids', async () => {
    const { brokers, es, otlpEndpoint } = services;
    const topics = await createTopics(brokers);
    const service = uniqueService('exact');
    const dataStream = `logs-${service}-test`;
    const collector = await startCollector({ brokers, es, topics });

    await succeeded(logThroughAgent({ brokers, topic: topics.live, service, lines: LINES, otlpEndpoint }));
    await es.waitForCount(dataStream, LINES, 240_000);
    // Anything still on its way would show up now as a surplus.
    await new Promise((resolve) => setTimeout(resolve, 3000));

    assert.equal(await es.count(dataStream), LINES);
    assert.equal(await es.mostRepeated(dataStream, 'seq'), 1, 'a line was indexed twice');
    assert.equal(await es.count(dataStream, { exists: { field: 'trace.id' } }), LINES, 'every document carries a trace id');
    assert.equal(await es.count(dataStream, { term: { 'log.level': 'info' } }), LINES);
    const sample = await es.request<{ hits: { hits: { _source: Record<string, unknown> }[] } }>('POST', `/${dataStream}/_search`, {
      size: 1,
      query: { term: { seq: 4242 } },
    });
    const document = sample.hits.hits[0]?._source;
    assert.equal(document?.message, 'line 4242');
    assert.equal(document?.['service.name'], service);
    assert.match(String(document?.['@timestamp']), /^\d{4}-\d\d-\d\dT/);
    assert.match(String(document?.['trace.id']), /^[0-9a-f]{32}$/);
    assert.match(String(document?.['span.id']), /^[0-9a-f]{16}$/);

    type Mapping = { mappings: { properties: Record<string, { type?: string; properties?: Record<string, { type: string }> }> } };
    const mapping = await es.request<Record<string, Mapping>>('GET', `/${dataStream}/_mapping`);
    const properties = Object.values(mapping)[0]?.mappings.properties;
    assert.equal(properties?.['@timestamp']?.type, 'date');
    assert.equal(properties?.trace?.properties?.id?.type, 'keyword');
    assert.equal(properties?.log?.properties?.level?.type, 'keyword');

    assert.equal(total(await collector.metric('vigil_collector_records_indexed_total')), LINES);
    assert.equal(total(await collector.metric('vigil_collector_records_consumed_total')), LINES);
    // kafkajs's negative timer once put a Node.js warning on the collector's stderr.
    assert.doesNotMatch(collector.output(), /Warning:/, 'the collector printed a Node.js warning');
  });

  it('still holds exactly 100,000 after kill -9 of the collector in the middle and a restart', async () => {
    const { brokers, es, otlpEndpoint } = services;
    const topics = await createTopics(brokers);
    const service = uniqueService('killed');
    const dataStream = `logs-${service}-test`;
    const group = `group-${topics.live}`;
    // Small bulks, so the kill lands between many of them and some are indexed but not committed.
    const args = ['--batch-bytes', '65536'];
    const first = await startCollector({ brokers, es, topics, group, args });

    const logging = logThroughAgent({ brokers, topic: topics.live, service, lines: LINES, otlpEndpoint });
    const halfway = await es.waitForCount(dataStream, LINES / 3, 240_000);
    await first.stop('SIGKILL');
    assert.ok(halfway < LINES, `the collector was killed only after indexing everything (${halfway})`);

    const second = await startCollector({ brokers, es, topics, group, args });
    await succeeded(logging);
    await es.waitForCount(dataStream, LINES, 240_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));

    assert.equal(await es.count(dataStream), LINES);
    assert.equal(await es.mostRepeated(dataStream, 'seq'), 1, 'a line was indexed twice');
    await second.stop();
  });
});
