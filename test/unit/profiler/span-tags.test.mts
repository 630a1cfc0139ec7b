import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import { time } from '@datadog/pprof';
import { ROOT_CONTEXT, TraceFlags, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CpuSampler } from '../../../dist/profiler/cpu-sampler.js';
import { PROFILER_DEFAULTS } from '../../../dist/profiler/options.js';
import { ProfilerCpuClock } from '../../../dist/profiler/overhead.js';
import { tagRequestSpans, tagStride } from '../../../dist/profiler/span-labels.js';

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

  it('counts every request after a second in which the stride skipped them all', () => {
    assert.equal(tagStride({ seconds: 1, requests: 12_000, looked: 0, tagged: 0 }, MAX_PER_SECOND), 3);
  });

  it('tags nothing when the budget leaves no room', () => {
    assert.equal(tagStride({ seconds: 1, requests: 10, looked: 10, tagged: 10 }, 0), Infinity);
  });
});

describe('span tags with the default budget', () => {
  it('tags every sampled request up to 1 000 a second, every n-th above that, and less as the profiler itself spends more', () => {
    const sampler = new CpuSampler(PROFILER_DEFAULTS.samplingIntervalMicros, new ProfilerCpuClock());
    sampler.attach();
    const contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
    const tags = tagRequestSpans(sampler, PROFILER_DEFAULTS.overheadBudget);
    const requestStart = diagnostics.channel('http.server.request.start');
    const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED });
    // Requests as node:http announces them, in the span's context as the tracer enters it; a
    // tagged one changes the sample context of its async context.
    const tagged = (requests: number) =>
      context.with(trace.setSpan(ROOT_CONTEXT, span), () => {
        let count = 0;
        for (let i = 0; i < requests; i++) {
          const before = time.getContext();
          requestStart.publish({ request: {}, response: {} });
          if (time.getContext() !== before) count++;
        }
        return count;
      });
    try {
      assert.ok(sampler.tagsSpans, 'the sampler keeps tags on this Node.js');
      const start = Date.now();
      tags.adjustRate(start, 0);
      assert.equal(tagged(900), 900);
      tags.adjustRate(start + 1000, 0);
      assert.equal(tagged(3000), 3000, 'after a second of 900 requests, every one');
      tags.adjustRate(start + 2000, 0);
      assert.equal(tagged(3000), 1000, 'after a second of 3 000 requests, every third one');
      tags.adjustRate(start + 3000, PROFILER_DEFAULTS.overheadBudget / 2);
      assert.equal(tagged(3000), 500, 'with half the budget spent on sampling, every sixth one');
      tags.adjustRate(start + 4000, PROFILER_DEFAULTS.overheadBudget);
      assert.ok(tagged(3000) <= 1, 'with the whole budget spent on sampling, none after the one already due');
      tags.adjustRate(start + 5000, 0);
      assert.equal(tagged(3000), 1000, 'with the budget free again, every third one');
    } finally {
      tags.stop();
      context.disable();
      sampler.detach(() => ({}));
    }
  });
});
