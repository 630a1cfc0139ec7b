import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CpuSampler } from '../../../dist/profiler/cpu-sampler.js';
import { ProfilerCpuClock } from '../../../dist/profiler/overhead.js';

/** Keeps the main thread busy for `ms`, so that V8's sampler has something to sample. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('CPU sampler windows', () => {
  it('cuts a window without pausing the service, and the next window still gets samples', async () => {
    // 20 Hz, the default: a cut that waited for V8's sampling signals would take some 100 ms.
    const sampler = new CpuSampler(50_000, new ProfilerCpuClock());
    sampler.attach();
    const cutMs: number[] = [];
    const windows = [];
    try {
      for (let i = 0; i < 4; i++) {
        for (let slice = 0; slice < 10; slice++) {
          spin(30);
          await new Promise((resolve) => setImmediate(resolve));
        }
        const started = performance.now();
        windows.push(sampler.cut(() => ({})));
        cutMs.push(performance.now() - started);
      }
    } finally {
      sampler.detach(() => ({}));
    }
    cutMs.sort((a, b) => a - b);
    assert.ok(cutMs[1]! < 40, `cutting a window took ${cutMs.map((ms) => ms.toFixed(1)).join(', ')} ms`);
    for (const window of windows.slice(1)) {
      const samples = window!.profile.sample.reduce((sum, sample) => sum + Number(sample.value[0]), 0);
      assert.ok(samples >= 2, `a window of 300 ms busy at 20 Hz held ${samples} samples`);
    }
  });
});
