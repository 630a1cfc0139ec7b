import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTopics, logThroughAgent, startCollector, succeeded, uniqueService, withServices } from './harness.mts';

const LINES = 10_000;
const RATE = 500;

interface Hit {
  _source: { seq: number; '@timestamp': string };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

describe('collector: from a log call to a searchable document', () => {
  const services = withServices({ tracing: true });

  it('reports p50 and p99 at a steady 500 lines a second', async (t) => {
    const { brokers, es, otlpEndpoint } = services;
    const topics = await createTopics(brokers);
    const service = uniqueService('latency');
    const dataStream = `logs-${service}-test`;
    await startCollector({ brokers, es, topics });
    const logging = logThroughAgent({ brokers, topic: topics.live, service, lines: LINES, rate: RATE, otlpEndpoint });

    // Searches without a refresh of their own, so a document counts once Elasticsearch's own refresh shows it.
    const latencies: number[] = [];
    const seen = new Set<number>();
    let contiguous = -1;
    const deadline = Date.now() + 180_000;
    while (seen.size < LINES && Date.now() < deadline) {
      const result = await es
        .request<{ hits: { hits: Hit[] } }>('POST', `/${dataStream}/_search?ignore_unavailable=true&allow_no_indices=true`, {
          size: 10_000,
          _source: ['seq', '@timestamp'],
          query: { range: { seq: { gt: contiguous } } },
          sort: [{ seq: 'asc' }],
        })
        .catch(() => ({ hits: { hits: [] as Hit[] } }));
      const now = Date.now();
      for (const { _source: document } of result.hits.hits) {
        if (seen.has(document.seq)) continue;
        seen.add(document.seq);
        latencies.push(now - Date.parse(document['@timestamp']));
      }
      while (seen.has(contiguous + 1)) contiguous++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await succeeded(logging);
    assert.equal(seen.size, LINES);

    latencies.sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    t.diagnostic(`log call to searchable document over ${LINES} lines at ${RATE}/s: p50 ${p50} ms, p99 ${p99} ms`);
    process.stdout.write(`collector latency: p50 ${p50} ms, p99 ${p99} ms\n`);
    // Generous bounds for a shared machine: the refresh interval alone is one second.
    assert.ok(p50 < 5000, `p50 ${p50} ms`);
    assert.ok(p99 < 15_000, `p99 ${p99} ms`);
  });
});
