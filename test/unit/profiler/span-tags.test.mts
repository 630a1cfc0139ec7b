import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tagStride } from '../../../dist/profiler/span-labels.js';

const MAX_PER_SECOND = 4000;

describe('span tag rate', () => {
  it('tags every request with a sampled trace while they stay under the rate', () => {
    assert.equal(tagStride({ seconds: 1, requests: 3000, looked: 3000, tagged: 3000 }, MAX_PER_SECOND), 1);
  });

  it('tags every n-th request above the rate, so that the tags stay within it', () => {
    const stride = tagStride({ seconds: 1, requests: 50_000, looked: 50_000, tagged: 50_000 }, MAX_PER_SECOND);
    assert.equal(stride, 13);
    assert.ok(50_000 / stride <= MAX_PER_SECOND);
  });

  it('counts only requests whose trace is sampled, estimated from those looked at', () => {
    // At 10% trace sampling, 50 000 requests a second hold 5 000 taggable ones.
    assert.equal(tagStride({ seconds: 1, requests: 50_000, looked: 5000, tagged: 500 }, MAX_PER_SECOND), 2);
    assert.equal(tagStride({ seconds: 2, requests: 50_000, looked: 5000, tagged: 500 }, MAX_PER_SECOND), 1);
  });

  it('starts over at every request when there was nothing to go by', () => {
    assert.equal(tagStride({ seconds: 1, requests: 0, looked: 0, tagged: 0 }, MAX_PER_SECOND), 1);
    assert.equal(tagStride({ seconds: 0, requests: 10, looked: 10, tagged: 10 }, MAX_PER_SECOND), 1);
    assert.equal(tagStride({ seconds: 1, requests: 10_000, looked: 10_000, tagged: 0 }, MAX_PER_SECOND), 1);
  });
});
