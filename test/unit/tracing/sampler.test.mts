import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { createSampler } from '../../../dist/agent/tracing/sampler.js';

const randomTraceId = () => [...crypto.getRandomValues(new Uint8Array(16))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
const sampledShare = (sampler: ReturnType<typeof createSampler>, context = ROOT_CONTEXT, n = 4000) => {
  let sampled = 0;
  for (let i = 0; i < n; i++) {
    if (sampler.shouldSample(context, randomTraceId(), 'GET', SpanKind.SERVER, {}, []).decision === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
  }
  return sampled / n;
};
const withParent = (sampled: boolean, isRemote = true, spanId = '0123456789abcdef') =>
  trace.setSpanContext(ROOT_CONTEXT, { traceId: randomTraceId(), spanId, traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote });

describe('createSampler', () => {
  it('samples about the given share of new traces with parentbased_traceidratio', () => {
    const share = sampledShare(createSampler('parentbased_traceidratio', 0.1));
    assert.ok(share > 0.07 && share < 0.13, `sampled ${share}`);
  });

  it('follows the caller decision for requests that arrive with one', () => {
    const sampler = createSampler('parentbased_traceidratio', 0.1);
    assert.equal(sampledShare(sampler, withParent(true), 200), 1);
    assert.equal(sampledShare(sampler, withParent(false), 200), 0);
  });

  it('follows a parent in the same process as one from a caller, and treats an invalid parent as none', () => {
    const sampler = createSampler('parentbased_always_off', 1);
    assert.equal(sampledShare(sampler, withParent(true, false), 200), 1);
    assert.equal(sampledShare(createSampler('parentbased_always_on', 1), withParent(false, false), 200), 0);
    assert.equal(sampledShare(sampler, withParent(true, true, '0'.repeat(16)), 200), 0);
  });

  it('samples every new trace at ratio 1 and none at ratio 0', () => {
    assert.equal(sampledShare(createSampler('parentbased_traceidratio', 1), ROOT_CONTEXT, 200), 1);
    assert.equal(sampledShare(createSampler('parentbased_traceidratio', 0), ROOT_CONTEXT, 200), 0);
    assert.equal(sampledShare(createSampler('parentbased_traceidratio', 0), withParent(true), 200), 1);
  });

  it('ignores the caller with plain traceidratio, and always_on / always_off mean what they say', () => {
    assert.equal(sampledShare(createSampler('traceidratio', 0), withParent(true), 200), 0);
    assert.equal(sampledShare(createSampler('always_on', 0), ROOT_CONTEXT, 200), 1);
    assert.equal(sampledShare(createSampler('always_off', 1), ROOT_CONTEXT, 200), 0);
    assert.equal(sampledShare(createSampler('parentbased_always_off', 1), withParent(true), 200), 1);
  });

  it('decides as the SDK\'s ratio sampler for the same trace ids, invalid ones included', () => {
    const ids = [
      ...Array.from({ length: 3000 }, randomTraceId),
      ...Array.from({ length: 200 }, () => randomTraceId().toUpperCase()),
      '0'.repeat(32),
      `${'0'.repeat(31)}1`,
      'f'.repeat(32),
      `${randomTraceId().slice(0, 31)}g`,
      `${randomTraceId().slice(0, 31)}é`,
      randomTraceId().slice(0, 30),
      `${randomTraceId()}00`,
    ];
    for (const ratio of [0.001, 0.1, 0.5, 0.999]) {
      const ours = createSampler('traceidratio', ratio);
      const sdk = new TraceIdRatioBasedSampler(ratio);
      const differing = ids.filter((id) => ours.shouldSample(ROOT_CONTEXT, id, 'GET', SpanKind.SERVER, {}, []).decision !== sdk.shouldSample(ROOT_CONTEXT, id).decision);
      assert.deepEqual(differing, [], `ratio ${ratio}`);
    }
  });
});
