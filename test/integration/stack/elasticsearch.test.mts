import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Client, errors } from '@elastic/elasticsearch';
import { useElasticsearch } from '../../support/elasticsearch.mts';

test('@elastic/elasticsearch indexes a document into a data stream and finds it by search', async () => {
  const es = await useElasticsearch();
  const client = new Client(es.clientOptions());
  const stream = `logs-smoke-${randomUUID().slice(0, 8)}`;
  try {
    await client.indices.putIndexTemplate({
      name: stream,
      index_patterns: [stream],
      data_stream: {},
      priority: 500,
      template: {
        settings: { number_of_replicas: 0 },
        mappings: { properties: { '@timestamp': { type: 'date' }, message: { type: 'text' } } },
      },
    });
    const token = randomUUID().replaceAll('-', '');
    const indexed = await client.index({
      index: stream,
      op_type: 'create',
      document: { '@timestamp': new Date().toISOString(), message: `smoke ${token}` },
      refresh: true,
    });
    assert.match(indexed._index, new RegExp(`^\\.ds-${stream}-`), 'the document went to a data stream backing index');

    const resolved = await client.indices.resolveIndex({ name: stream });
    assert.deepEqual(resolved.data_streams.map((dataStream) => dataStream.name), [stream]);

    const found = await client.search<{ message: string }>({ index: stream, query: { match: { message: token } } });
    assert.equal(found.hits.hits.length, 1);
    assert.equal(found.hits.hits[0]?._source?.message, `smoke ${token}`);
  } finally {
    await client.close();
  }
});

test('Elasticsearch refuses a client without the generated credentials', async () => {
  const es = await useElasticsearch();
  const anonymous = new Client({ node: es.url });
  try {
    await assert.rejects(anonymous.info(), (error: unknown) => error instanceof errors.ResponseError && error.statusCode === 401);
  } finally {
    await anonymous.close();
  }
});
