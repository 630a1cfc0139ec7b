import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDiag } from '../../../dist/agent/diag.js';
import { MetricsRegistry } from '../../../dist/agent/metrics/registry.js';
import { BulkIndexer } from '../../../dist/collectors/logs/indexer.js';
import { collectorMetrics } from '../../../dist/collectors/logs/metrics.js';

type Item = { status: number; error?: { type: string; reason: string } };

/** Stands in for the Elasticsearch client: answers each bulk with the next scripted item statuses, or throws. */
function scriptedClient(script: ((ids: string[]) => Item[] | Error)[]) {
  const requests: string[][] = [];
  return {
    requests,
    client: {
      async bulk({ operations }: { operations: string[] }) {
        const ids = operations.filter((_, at) => at % 2 === 0).map((line) => JSON.parse(line).create._id as string);
        requests.push(ids);
        const answer = (script[requests.length - 1] ?? (() => ids.map(() => ({ status: 201 }))))(ids);
        if (answer instanceof Error) throw answer;
        return { errors: answer.some((item) => item.status >= 300), items: answer.map((create) => ({ create })) };
      },
    },
  };
}

function documents(count: number) {
  return Array.from({ length: count }, (_, at) => ({
    source: { topic: 't', partition: 0, offset: String(at), key: null, value: null },
    dataStream: 'logs-songs-prod',
    id: `t:0:${at}`,
    json: '{"message":"m"}',
  }));
}

async function setUp(script: ((ids: string[]) => Item[] | Error)[]) {
  const registry = new MetricsRegistry({ service: 'vigil-collector', version: '0', environment: 'test', tier: 2, attributes: {} });
  const metrics = collectorMetrics(registry, async () => []);
  const lines: string[] = [];
  const { client, requests } = scriptedClient(script);
  const indexer = new BulkIndexer(client as never, metrics, createDiag((line) => lines.push(line)));
  const value = async (name: string, labels: Record<string, string> = {}) => {
    const metric = (await registry.prometheus.getSingleMetricAsString(name)).split('\n');
    const fragment = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    const line = metric.find((l) => !l.startsWith('#') && fragment.every((f) => l.includes(f)));
    return line === undefined ? 0 : Number(line.split(' ').pop());
  };
  return { indexer, requests, lines, value };
}

const forever = { cancelled: () => false, keepAlive: async () => {} };

describe('bulk indexer', () => {
  it('sends again only the items Elasticsearch answered 429 or 5xx, until they are acknowledged', async () => {
    const { indexer, requests, value } = await setUp([
      (ids) => ids.map((_, at) => (at === 1 ? { status: 429 } : at === 2 ? { status: 503 } : { status: 201 })),
    ]);
    const outcome = await indexer.index(documents(4), forever);
    assert.deepEqual(outcome?.refused, []);
    assert.deepEqual(requests, [['t:0:0', 't:0:1', 't:0:2', 't:0:3'], ['t:0:1', 't:0:2']]);
    assert.equal(await value('vigil_collector_records_retried_total', { status: '429' }), 1);
    assert.equal(await value('vigil_collector_records_retried_total', { status: '503' }), 1);
    assert.equal(await value('vigil_collector_records_indexed_total', { data_stream: 'logs-songs-prod' }), 4);
  });

  it('counts a 409 on the document id as already indexed, not as a failure', async () => {
    const { indexer, requests, value } = await setUp([(ids) => ids.map(() => ({ status: 409, error: { type: 'version_conflict_engine_exception', reason: 'exists' } }))]);
    const outcome = await indexer.index(documents(2), forever);
    assert.deepEqual(outcome?.refused, []);
    assert.equal(requests.length, 1);
    assert.equal(await value('vigil_collector_records_indexed_total'), 0);
    assert.equal(await value('vigil_collector_es_rejections_total'), 0);
  });

  it('refuses for good, with the reason, what fails for any other cause', async () => {
    const { indexer, value } = await setUp([
      (ids) => ids.map((_, at) => (at === 0 ? { status: 400, error: { type: 'document_parsing_exception', reason: 'bad @timestamp' } } : { status: 201 })),
    ]);
    const outcome = await indexer.index(documents(2), forever);
    assert.equal(outcome?.refused.length, 1);
    assert.equal(outcome?.refused[0]?.reason, 'document_parsing_exception');
    assert.equal(outcome?.refused[0]?.detail, 'document_parsing_exception: bad @timestamp');
    assert.equal(await value('vigil_collector_es_rejections_total', { status: '400' }), 1);
  });

  it('retries a request that failed as a whole, with one stderr line when failing and one when back', async () => {
    const { indexer, requests, lines } = await setUp([() => new Error('connect ECONNREFUSED'), () => new Error('connect ECONNREFUSED')]);
    const outcome = await indexer.index(documents(1), forever);
    assert.deepEqual(outcome?.refused, []);
    assert.equal(requests.length, 3);
    assert.equal(lines.filter((line) => line.includes('bulk request failed')).length, 1);
    assert.equal(lines.filter((line) => line.includes('accepts bulk requests')).length, 1);
  });

  it('gives up, leaving the chunk unsettled, once cancelled', async () => {
    const { indexer } = await setUp(Array.from({ length: 100 }, () => () => new Error('down')));
    let cancelled = false;
    setTimeout(() => (cancelled = true), 300);
    const outcome = await indexer.index(documents(1), { cancelled: () => cancelled, keepAlive: async () => {} });
    assert.equal(outcome, undefined);
  });
});
