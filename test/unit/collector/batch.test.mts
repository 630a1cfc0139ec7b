import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDiag } from '../../../dist/agent/diag.js';
import { MetricsRegistry } from '../../../dist/agent/metrics/registry.js';
import { BatchProcessor } from '../../../dist/collectors/logs/batch.js';
import { collectorMetrics } from '../../../dist/collectors/logs/metrics.js';

const line = JSON.stringify({ '@timestamp': '2026-01-01T00:00:00Z', message: 'x'.repeat(80), 'service.name': 's' });

function batchOf(partition: number, from: number, count: number) {
  const messages = Array.from({ length: count }, (_, at) => ({ offset: String(from + at), key: null, value: Buffer.from(line) }));
  return {
    resolved: [] as string[],
    payload(this: { resolved: string[] }) {
      return {
        batch: { topic: 't', partition, messages, isEmpty: () => messages.length === 0, lastOffset: () => String(from + count - 1) },
        resolveOffset: (offset: string) => this.resolved.push(offset),
        heartbeat: async () => {},
        isRunning: () => true,
        isStale: () => false,
      };
    },
  };
}

/** An indexer whose bulks wait until the test lets them through, recording what they held. */
function gatedIndexer() {
  const gates: { ids: string[]; open: (accepted: boolean) => void }[] = [];
  return {
    gates,
    async index(documents: { id: string }[]) {
      const accepted = await new Promise<boolean>((open) => gates.push({ ids: documents.map((d) => d.id), open }));
      return accepted ? { refused: [] } : undefined;
    },
  };
}

function setUp(chunkBytes: number, budgetBytes: number) {
  const registry = new MetricsRegistry({ service: 'c', version: '0', environment: 'test', tier: 2, attributes: {} });
  const indexer = gatedIndexer();
  const commits: string[] = [];
  const processor = new BatchProcessor(
    indexer as never,
    { send: async () => true } as never,
    collectorMetrics(registry, async () => []),
    async (_topic: string, partition: number, offset: string) => void commits.push(`${partition}@${offset}`),
    chunkBytes,
    budgetBytes,
    createDiag(() => {}),
  );
  return { processor, indexer, commits };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));
const perRecord = line.length + 120;

describe('batch processor', () => {
  it('returns once the chunks are queued, and commits each chunk after it is indexed, in order', async () => {
    const { processor, indexer, commits } = setUp(perRecord * 2, perRecord * 100);
    const batch = batchOf(0, 10, 4);
    await processor.process(batch.payload() as never, () => false);
    assert.deepEqual(batch.resolved, ['13'], 'Kafka may fetch past the batch while it is indexed');
    await tick();
    assert.equal(indexer.gates.length, 1, 'the second chunk waits for the first');
    assert.deepEqual(commits, []);
    indexer.gates[0]?.open(true);
    await tick();
    assert.deepEqual(commits, ['0@12']);
    indexer.gates[1]?.open(true);
    await processor.drain();
    assert.deepEqual(commits, ['0@12', '0@14']);
  });

  it('commits nothing after a chunk that was given up, so the rest is redelivered', async () => {
    const { processor, indexer, commits } = setUp(perRecord, perRecord * 100);
    await processor.process(batchOf(0, 0, 3).payload() as never, () => false);
    await tick();
    indexer.gates[0]?.open(false);
    await processor.drain();
    assert.equal(indexer.gates.length, 1, 'later chunks were not even sent');
    assert.deepEqual(commits, []);
  });

  it('takes in no more than its byte budget while Elasticsearch holds the bulks', async () => {
    const { processor, indexer } = setUp(perRecord, perRecord * 2);
    let returned = false;
    const processing = processor.process(batchOf(1, 0, 5).payload() as never, () => false).then(() => (returned = true));
    await tick();
    assert.equal(returned, false, 'the handler, and so the next fetch, waits while the budget is spent');
    for (let chunk = 0; chunk < 5; chunk++) {
      await tick();
      indexer.gates[chunk]?.open(true);
    }
    await processing;
    await processor.drain();
    assert.equal(indexer.gates.length, 5);
  });
});
