import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PooledIdGenerator, spanIdBytes } from '../../../dist/agent/tracing/id-generator.js';

describe('PooledIdGenerator', () => {
  it('gives valid, distinct ids across many pool refills', () => {
    const generator = new PooledIdGenerator();
    const traceIds = new Set<string>();
    const spanIds = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      traceIds.add(generator.generateTraceId());
      spanIds.add(generator.generateSpanId());
    }
    assert.equal(traceIds.size, 5000);
    assert.equal(spanIds.size, 5000);
    for (const id of traceIds) assert.match(id, /^(?!0{32})[0-9a-f]{32}$/);
    for (const id of spanIds) assert.match(id, /^(?!0{16})[0-9a-f]{16}$/);
  });

  it("keeps the bytes of a span's ids where it says, across slabs, and a remote parent's trace id", () => {
    const generator = new PooledIdGenerator();
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const parent = i % 3 === 0 ? generator.generateTraceId() : undefined;
      const ids = generator.takeSpanIds(parent);
      const bytes = spanIdBytes(ids)!;
      if (parent !== undefined) assert.equal(ids.traceId, parent);
      assert.equal(bytes.toString('hex', ids.at, ids.at + 16), ids.traceId);
      assert.equal(bytes.toString('hex', ids.at + 16, ids.at + 24), ids.spanId);
      assert.match(ids.spanId, /^(?!0{16})[0-9a-f]{16}$/);
      seen.add(ids.spanId);
    }
    assert.equal(seen.size, 2000);
  });

  it("gives up a long-lived span's id bytes once their slab is refilled, rather than keep the slab", () => {
    const generator = new PooledIdGenerator();
    const longLived = generator.takeSpanIds(undefined);
    for (let i = 0; i < 500; i++) generator.takeSpanIds(undefined);
    assert.notEqual(spanIdBytes(longLived), undefined, 'still there after 500 spans');
    for (let i = 0; i < 5000; i++) generator.takeSpanIds(undefined);
    assert.equal(spanIdBytes(longLived), undefined);
  });

  it('spreads trace ids evenly, as ratio sampling on the id needs', () => {
    const generator = new PooledIdGenerator();
    const buckets = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) buckets[parseInt(generator.generateTraceId()[0]!, 16)]!++;
    for (const count of buckets) assert.ok(count > 800 && count < 1200, `first hex digit counts ${buckets.join(',')}`);
  });
});
